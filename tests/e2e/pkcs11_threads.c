/* pkcs11_threads MODULE PIN SECONDS: 8 threads, each with two sessions,
 * mixing SHA-256 digests, HMAC and ECDSA (with verification) on shared token
 * keys for SECONDS; then a fork: the child must initialise again, gets its
 * own channel and works, and the parent's sessions still work after it.
 * Exit 0 when every call answered as it should. */
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static CK_FUNCTION_LIST_PTR f;
static CK_SLOT_ID slot;
static CK_OBJECT_HANDLE hmac, priv, pub;
static double deadline;
static const char* pin;

static double Now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

#define CHECK(call)                                                                        \
  do {                                                                                     \
    CK_RV rv_ = (call);                                                                    \
    if (rv_ != CKR_OK) {                                                                   \
      fprintf(stderr, "%s:%d %s: 0x%lx\n", __FILE__, __LINE__, #call, (unsigned long)rv_); \
      return 1;                                                                            \
    }                                                                                      \
  } while (0)

static int Round(CK_SESSION_HANDLE s, int i) {
  unsigned char data[100], out[256];
  CK_ULONG len = sizeof(out);
  memset(data, i, sizeof(data));
  CK_MECHANISM sha = {CKM_SHA256, NULL, 0}, mac = {CKM_SHA256_HMAC, NULL, 0},
               ec = {CKM_ECDSA_SHA256, NULL, 0};
  switch (i % 3) {
    case 0:
      CHECK(f->C_DigestInit(s, &sha));
      CHECK(f->C_Digest(s, data, sizeof(data), out, &len));
      return len == 32 ? 0 : 1;
    case 1:
      CHECK(f->C_SignInit(s, &mac, hmac));
      CHECK(f->C_SignUpdate(s, data, 50));
      CHECK(f->C_SignUpdate(s, data + 50, 50));
      CHECK(f->C_SignFinal(s, out, &len));
      return len == 32 ? 0 : 1;
    default:
      CHECK(f->C_SignInit(s, &ec, priv));
      CHECK(f->C_Sign(s, data, sizeof(data), out, &len));
      CHECK(f->C_VerifyInit(s, &ec, pub));
      CHECK(f->C_Verify(s, data, sizeof(data), out, len));
      out[3] ^= 1;
      CHECK(f->C_VerifyInit(s, &ec, pub));
      return f->C_Verify(s, data, sizeof(data), out, len) == CKR_SIGNATURE_INVALID ? 0 : 1;
  }
}

static void* Worker(void* arg) {
  long id = (long)arg, bad = 0;
  CK_SESSION_HANDLE s[2];
  for (int k = 0; k < 2; ++k) {
    if (f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s[k]) != CKR_OK) return (void*)1;
  }
  for (int i = (int)id; Now() < deadline; ++i) bad += Round(s[i % 2], i);
  for (int k = 0; k < 2; ++k) bad += f->C_CloseSession(s[k]) != CKR_OK;
  return (void*)bad;
}

/* With VHSM_TEST_APP_MUTEX=1 the module gets the application's mutex
 * callbacks (and no CKF_OS_LOCKING_OK), which count what they do. */
static long creates, destroys, locks, unlocks;
static CK_RV Create(void** m) {
  pthread_mutex_t* p = malloc(sizeof(*p));
  pthread_mutex_init(p, NULL);
  *m = p;
  __atomic_add_fetch(&creates, 1, __ATOMIC_SEQ_CST);
  return CKR_OK;
}
static CK_RV Destroy(void* m) {
  pthread_mutex_destroy(m);
  free(m);
  __atomic_add_fetch(&destroys, 1, __ATOMIC_SEQ_CST);
  return CKR_OK;
}
static CK_RV Lock(void* m) {
  pthread_mutex_lock(m);
  __atomic_add_fetch(&locks, 1, __ATOMIC_SEQ_CST);
  return CKR_OK;
}
static CK_RV Unlock(void* m) {
  __atomic_add_fetch(&unlocks, 1, __ATOMIC_SEQ_CST);
  pthread_mutex_unlock(m);
  return CKR_OK;
}

static int Setup(CK_SESSION_HANDLE* s) {
  CK_ULONG n = 1;
  CK_C_INITIALIZE_ARGS args = {Create, Destroy, Lock, Unlock, 0, NULL};
  const char* app = getenv("VHSM_TEST_APP_MUTEX");
  CHECK(f->C_Initialize(app != NULL && strcmp(app, "1") == 0 ? &args : NULL));
  CHECK(f->C_GetSlotList(CK_TRUE, &slot, &n));
  CHECK(f->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, s));
  CHECK(f->C_Login(*s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin)));
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  void* lib = dlopen(argv[1], RTLD_NOW);
  if (lib == NULL) return 3;
  CK_RV(*get)
  (CK_FUNCTION_LIST_PTR_PTR) = (CK_RV(*)(CK_FUNCTION_LIST_PTR_PTR))dlsym(lib, "C_GetFunctionList");
  CHECK(get(&f));
  pin = argv[2];
  CK_SESSION_HANDLE s;
  if (Setup(&s) != 0) return 1;
  CK_BBOOL yes = CK_TRUE;
  CK_ULONG len = 32;
  CK_ATTRIBUTE secret[] = {{CKA_VALUE_LEN, &len, sizeof(len)}, {CKA_SIGN, &yes, sizeof(yes)}};
  CK_MECHANISM gen = {CKM_GENERIC_SECRET_KEY_GEN, NULL, 0};
  CHECK(f->C_GenerateKey(s, &gen, secret, 2, &hmac));
  static const unsigned char kP256[] = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  CK_ATTRIBUTE pub_tpl[] = {{CKA_EC_PARAMS, (void*)kP256, sizeof(kP256)}};
  CK_MECHANISM ec_gen = {CKM_EC_KEY_PAIR_GEN, NULL, 0};
  CHECK(f->C_GenerateKeyPair(s, &ec_gen, pub_tpl, 1, NULL, 0, &pub, &priv));

  deadline = Now() + atof(argv[3]);
  pthread_t t[8];
  for (long i = 0; i < 8; ++i) pthread_create(&t[i], NULL, Worker, (void*)i);
  long bad = 0;
  for (int i = 0; i < 8; ++i) {
    void* r;
    pthread_join(t[i], &r);
    bad += (long)r;
  }
  if (bad != 0) {
    fprintf(stderr, "%ld failed rounds\n", bad);
    return 1;
  }

  pid_t child = fork();
  if (child == 0) {
    CK_ULONG n = 1;
    if (f->C_GetSlotList(CK_TRUE, &slot, &n) != CKR_CRYPTOKI_NOT_INITIALIZED) _exit(10);
    CK_SESSION_HANDLE cs;
    if (Setup(&cs) != 0) _exit(11);
    CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
    CK_ATTRIBUTE find[] = {{CKA_CLASS, &cls, sizeof(cls)}};
    CK_OBJECT_HANDLE found[16];
    if (f->C_FindObjectsInit(cs, find, 1) != CKR_OK ||
        f->C_FindObjects(cs, found, 16, &n) != CKR_OK || n < 1) {
      _exit(12);
    }
    f->C_FindObjectsFinal(cs);
    priv = found[0];
    cls = CKO_PUBLIC_KEY;
    if (f->C_FindObjectsInit(cs, find, 1) != CKR_OK ||
        f->C_FindObjects(cs, found, 16, &n) != CKR_OK || n < 1) {
      _exit(14);
    }
    f->C_FindObjectsFinal(cs);
    pub = found[0]; /* the only key pair: handles are the child's own */
    deadline = 0;
    if (Round(cs, 2) != 0) _exit(13);
    f->C_Finalize(NULL);
    _exit(0);
  }
  int status = 0;
  waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "child failed: %d\n", status);
    return 1;
  }
  if (Round(s, 1) != 0 || Round(s, 2) != 0) { /* the parent's channel is intact */
    fprintf(stderr, "parent broken after the fork\n");
    return 1;
  }
  CHECK(f->C_Finalize(NULL));
  if (creates > 0) {
    /* Every lock was released and the mutex destroyed at C_Finalize. */
    printf("app mutex: %ld created, %ld destroyed, %ld locks, %ld unlocks\n", creates, destroys,
           locks, unlocks);
    if (creates != 1 || destroys != 1 || locks == 0 || locks != unlocks) return 1;
  }
  printf("threads and fork ok\n");
  return 0;
}
