/* p11_bench MODULE PIN SECONDS [OBJECTS]: HMAC-SHA256 of 64 bytes and ECDSA
 * P-256 of a 32-byte digest through a PKCS#11 module with token keys it
 * generates, as an application would (C_SignInit + C_Sign each time).
 * Prints "p11_hmac64 RATE" and "p11_ecdsa RATE" (operations per second).
 * With OBJECTS (e.g. 10000), it then stores that many data objects and
 * prints "p11_create_object RATE" (objects per second) and
 * "p11_find_label RATE" (C_FindObjectsInit/C_FindObjects/Final by CKA_LABEL
 * among them, searches per second). Used by tools/bench for VHSM's module
 * and SoftHSM2's, the same way. */
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static CK_FUNCTION_LIST_PTR f;
static CK_SESSION_HANDLE s;

static void Check(CK_RV rv, const char* what) {
  if (rv != CKR_OK) {
    fprintf(stderr, "p11_bench: %s: CKR 0x%lx\n", what, (unsigned long)rv);
    exit(1);
  }
}

static double Rate(CK_MECHANISM_TYPE m, CK_OBJECT_HANDLE key, CK_ULONG len, double seconds) {
  unsigned char data[64], sig[512];
  memset(data, 0x5a, sizeof(data));
  CK_MECHANISM mech = {m, NULL, 0};
  long ops = 0;
  double start = Now(), elapsed = 0;
  do {
    CK_ULONG sig_len = sizeof(sig);
    Check(f->C_SignInit(s, &mech, key), "C_SignInit");
    Check(f->C_Sign(s, data, len, sig, &sig_len), "C_Sign");
    ++ops;
    elapsed = Now() - start;
  } while (elapsed < seconds);
  return ops / elapsed;
}

static void Objects(long count, double seconds) {
  CK_OBJECT_CLASS data = CKO_DATA;
  CK_BBOOL yes = CK_TRUE;
  char label[32];
  unsigned char value[32];
  memset(value, 0x33, sizeof(value));
  double start = Now();
  for (long i = 0; i < count; ++i) {
    snprintf(label, sizeof(label), "obj-%06ld", i);
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &data, sizeof(data)},
                        {CKA_TOKEN, &yes, sizeof(yes)},
                        {CKA_LABEL, label, strlen(label)},
                        {CKA_VALUE, value, sizeof(value)}};
    CK_OBJECT_HANDLE h;
    Check(f->C_CreateObject(s, t, 4, &h), "C_CreateObject");
  }
  printf("p11_create_object %.1f\n", count / (Now() - start));
  fflush(stdout);
  long searches = 0;
  double elapsed = 0;
  start = Now();
  do {
    snprintf(label, sizeof(label), "obj-%06ld", (searches * 7919) % count);
    CK_ATTRIBUTE t[] = {{CKA_CLASS, &data, sizeof(data)}, {CKA_LABEL, label, strlen(label)}};
    CK_OBJECT_HANDLE found[4];
    CK_ULONG n = 0;
    Check(f->C_FindObjectsInit(s, t, 2), "C_FindObjectsInit");
    Check(f->C_FindObjects(s, found, 4, &n), "C_FindObjects");
    Check(f->C_FindObjectsFinal(s), "C_FindObjectsFinal");
    if (n != 1) {
      fprintf(stderr, "p11_bench: %s found %lu times\n", label, (unsigned long)n);
      exit(1);
    }
    ++searches;
    elapsed = Now() - start;
  } while (elapsed < seconds);
  printf("p11_find_label %.1f\n", searches / elapsed);
}

int main(int argc, char** argv) {
  if (argc != 4 && argc != 5) {
    fprintf(stderr, "usage: p11_bench MODULE PIN SECONDS [OBJECTS]\n");
    return 2;
  }
  void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL) {
    fprintf(stderr, "p11_bench: %s\n", dlerror());
    return 1;
  }
  CK_RV(*get)
  (CK_FUNCTION_LIST_PTR_PTR) = (CK_RV(*)(CK_FUNCTION_LIST_PTR_PTR))dlsym(lib, "C_GetFunctionList");
  if (get == NULL) return 1;
  Check(get(&f), "C_GetFunctionList");
  Check(f->C_Initialize(NULL), "C_Initialize");
  CK_SLOT_ID slots[8];
  CK_ULONG n = 8;
  Check(f->C_GetSlotList(CK_TRUE, slots, &n), "C_GetSlotList");
  if (n == 0) return 1;
  Check(f->C_OpenSession(slots[0], CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s),
        "C_OpenSession");
  Check(f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[2], strlen(argv[2])), "C_Login");
  CK_BBOOL yes = CK_TRUE;
  CK_ULONG len = 32;
  CK_OBJECT_CLASS secret = CKO_SECRET_KEY;
  CK_KEY_TYPE generic = CKK_GENERIC_SECRET;
  CK_ATTRIBUTE secret_tpl[] = {{CKA_CLASS, &secret, sizeof(secret)},
                               {CKA_KEY_TYPE, &generic, sizeof(generic)},
                               {CKA_TOKEN, &yes, sizeof(yes)},
                               {CKA_SIGN, &yes, sizeof(yes)},
                               {CKA_VALUE_LEN, &len, sizeof(len)}};
  CK_MECHANISM gen = {CKM_GENERIC_SECRET_KEY_GEN, NULL, 0};
  CK_OBJECT_HANDLE hmac, pub, priv;
  Check(f->C_GenerateKey(s, &gen, secret_tpl, 5, &hmac), "C_GenerateKey");
  static const unsigned char kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  CK_ATTRIBUTE pub_tpl[] = {{CKA_TOKEN, &yes, sizeof(yes)},
                            {CKA_VERIFY, &yes, sizeof(yes)},
                            {CKA_EC_PARAMS, (void*)kP256, sizeof(kP256)}};
  CK_ATTRIBUTE priv_tpl[] = {{CKA_TOKEN, &yes, sizeof(yes)},
                             {CKA_SIGN, &yes, sizeof(yes)},
                             {CKA_PRIVATE, &yes, sizeof(yes)}};
  CK_MECHANISM ec_gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
  Check(f->C_GenerateKeyPair(s, &ec_gen, pub_tpl, 3, priv_tpl, 3, &pub, &priv),
        "C_GenerateKeyPair");
  double seconds = atof(argv[3]);
  printf("p11_hmac64 %.1f\n", Rate(CKM_SHA256_HMAC, hmac, 64, seconds));
  printf("p11_ecdsa %.1f\n", Rate(CKM_ECDSA, priv, 32, seconds));
  fflush(stdout);
  f->C_DestroyObject(s, hmac);
  f->C_DestroyObject(s, priv);
  if (argc == 5) Objects(atol(argv[4]), seconds);
  f->C_Logout(s);
  f->C_Finalize(NULL);
  return 0;
}
