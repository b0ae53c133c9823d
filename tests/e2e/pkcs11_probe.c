/* pkcs11_probe MODULE PIN COMMAND ARGS...: one PKCS#11 operation on the
 * token's keys, for tests to check against Python's cryptography:
 *   gcm-encrypt KEY_ID IV AAD single|multi   stdin -> hex(ciphertext||tag)
 *   gcm-decrypt KEY_ID IV AAD single|multi   stdin (raw ct||tag) -> plaintext
 *   hmac-general KEY_ID LEN                  stdin -> hex(MAC truncated)
 *   derive BASE_ID PEER_POINT NEW_ID aes|generic [session]
 *                                            ECDH1 (CKD_NULL) into a new key
 *   import-ed25519 ID SEED                   C_CreateObject of a private key
 *   lockout                                  (PIN is a wrong one) log in until
 *                                            CKR_PIN_LOCKED; print the token flags
 * IDs and byte arguments are hex. Prints "rv=0x.." and exits 1 on failure. */
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static CK_FUNCTION_LIST_PTR f;

static size_t Unhex(const char* hex, unsigned char* out, size_t max) {
  size_t n = strlen(hex) / 2;
  if (n > max) exit(2);
  for (size_t i = 0; i < n; ++i) sscanf(hex + 2 * i, "%2hhx", &out[i]);
  return n;
}

static void Hex(const unsigned char* p, CK_ULONG n) {
  for (CK_ULONG i = 0; i < n; ++i) printf("%02x", p[i]);
  printf("\n");
}

static int Fail(const char* what, CK_RV rv) {
  printf("%s rv=0x%lx\n", what, (unsigned long)rv);
  return 1;
}

static CK_OBJECT_HANDLE FindKey(CK_SESSION_HANDLE s, CK_OBJECT_CLASS cls, const char* id_hex) {
  unsigned char id[128];
  CK_ULONG id_len = Unhex(id_hex, id, sizeof(id));
  CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)}, {CKA_ID, id, id_len}};
  CK_OBJECT_HANDLE h = CK_INVALID_HANDLE;
  CK_ULONG n = 0;
  if (f->C_FindObjectsInit(s, t, 2) != CKR_OK) return CK_INVALID_HANDLE;
  f->C_FindObjects(s, &h, 1, &n);
  f->C_FindObjectsFinal(s);
  return n == 1 ? h : CK_INVALID_HANDLE;
}

static size_t ReadAll(unsigned char* buf, size_t max) {
  size_t n = fread(buf, 1, max, stdin);
  return n;
}

static int Gcm(CK_SESSION_HANDLE s, char** a, int decrypt) {
  static unsigned char in[70000], out[70100];
  unsigned char iv[64], aad[256];
  CK_GCM_PARAMS p;
  memset(&p, 0, sizeof(p));
  p.pIv = iv;
  p.ulIvLen = Unhex(a[1], iv, sizeof(iv));
  p.ulIvBits = p.ulIvLen * 8;
  p.pAAD = aad;
  p.ulAADLen = Unhex(a[2], aad, sizeof(aad));
  p.ulTagBits = 128;
  CK_MECHANISM m = {CKM_AES_GCM, &p, sizeof(p)};
  CK_OBJECT_HANDLE key = FindKey(s, CKO_SECRET_KEY, a[0]);
  size_t n = ReadAll(in, sizeof(in));
  CK_RV rv = decrypt ? f->C_DecryptInit(s, &m, key) : f->C_EncryptInit(s, &m, key);
  if (rv != CKR_OK) return Fail("init", rv);
  CK_ULONG len = 0, part = 0;
  if (strcmp(a[3], "single") == 0) {
    /* The size query first, then the real call. */
    rv = decrypt ? f->C_Decrypt(s, in, n, NULL, &len) : f->C_Encrypt(s, in, n, NULL, &len);
    if (rv != CKR_OK) return Fail("size", rv);
    rv = decrypt ? f->C_Decrypt(s, in, n, out, &len) : f->C_Encrypt(s, in, n, out, &len);
  } else {
    size_t half = n / 2;
    part = sizeof(out);
    rv = decrypt ? f->C_DecryptUpdate(s, in, half, out, &part)
                 : f->C_EncryptUpdate(s, in, half, out, &part);
    if (rv != CKR_OK) return Fail("update", rv);
    CK_ULONG more = sizeof(out) - part;
    rv = decrypt ? f->C_DecryptUpdate(s, in + half, n - half, out + part, &more)
                 : f->C_EncryptUpdate(s, in + half, n - half, out + part, &more);
    if (rv != CKR_OK) return Fail("update", rv);
    part += more;
    len = sizeof(out) - part;
    rv = decrypt ? f->C_DecryptFinal(s, out + part, &len) : f->C_EncryptFinal(s, out + part, &len);
    len += part;
  }
  if (rv != CKR_OK) return Fail(decrypt ? "decrypt" : "encrypt", rv);
  if (decrypt) {
    fwrite(out, 1, len, stdout);
  } else {
    Hex(out, len);
  }
  return 0;
}

static int HmacGeneral(CK_SESSION_HANDLE s, char** a) {
  static unsigned char in[60000];
  unsigned char out[64];
  CK_ULONG want = (CK_ULONG)atol(a[1]), len = sizeof(out);
  CK_MECHANISM m = {CKM_SHA256_HMAC_GENERAL, &want, sizeof(want)};
  size_t n = ReadAll(in, sizeof(in));
  CK_RV rv = f->C_SignInit(s, &m, FindKey(s, CKO_SECRET_KEY, a[0]));
  if (rv != CKR_OK) return Fail("init", rv);
  rv = f->C_Sign(s, in, n, out, &len);
  if (rv != CKR_OK) return Fail("sign", rv);
  Hex(out, len);
  /* It verifies, and a one-byte change does not. */
  if (f->C_VerifyInit(s, &m, FindKey(s, CKO_SECRET_KEY, a[0])) != CKR_OK ||
      f->C_Verify(s, in, n, out, len) != CKR_OK) {
    return Fail("verify", 0);
  }
  out[0] ^= 1;
  f->C_VerifyInit(s, &m, FindKey(s, CKO_SECRET_KEY, a[0]));
  rv = f->C_Verify(s, in, n, out, len);
  return rv == CKR_SIGNATURE_INVALID ? 0 : Fail("verify of a changed MAC", rv);
}

static int Derive(CK_SESSION_HANDLE s, char** a, int argc) {
  unsigned char point[200], id[128];
  CK_ECDH1_DERIVE_PARAMS p;
  memset(&p, 0, sizeof(p));
  p.kdf = CKD_NULL;
  p.pPublicData = point;
  p.ulPublicDataLen = Unhex(a[1], point, sizeof(point));
  CK_MECHANISM m = {CKM_ECDH1_DERIVE, &p, sizeof(p)};
  CK_OBJECT_CLASS cls = CKO_SECRET_KEY;
  CK_KEY_TYPE kt = strcmp(a[3], "aes") == 0 ? CKK_AES : CKK_GENERIC_SECRET;
  CK_ULONG len = 32;
  CK_BBOOL token = argc > 4 ? CK_FALSE : CK_TRUE;
  CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
                      {CKA_KEY_TYPE, &kt, sizeof(kt)},
                      {CKA_VALUE_LEN, &len, sizeof(len)},
                      {CKA_TOKEN, &token, sizeof(token)},
                      {CKA_ID, id, Unhex(a[2], id, sizeof(id))}};
  CK_OBJECT_HANDLE h;
  CK_RV rv = f->C_DeriveKey(s, &m, FindKey(s, CKO_PRIVATE_KEY, a[0]), t, 5, &h);
  if (rv != CKR_OK) return Fail("derive", rv);
  /* The secret stays in vhsmd: its value is sensitive. */
  unsigned char v[64];
  CK_ATTRIBUTE value = {CKA_VALUE, v, sizeof(v)};
  rv = f->C_GetAttributeValue(s, h, &value, 1);
  if (rv != CKR_ATTRIBUTE_SENSITIVE) return Fail("CKA_VALUE of the derived key", rv);
  printf("derived\n");
  return 0;
}

static int ImportEd25519(CK_SESSION_HANDLE s, char** a) {
  unsigned char id[128], seed[32];
  /* CKA_EC_PARAMS as the curve's OID (1.3.101.112). */
  unsigned char params[] = {0x06, 0x03, 0x2b, 0x65, 0x70};
  CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
  CK_KEY_TYPE kt = CKK_EC_EDWARDS;
  CK_BBOOL yes = CK_TRUE;
  CK_ATTRIBUTE t[] = {{CKA_CLASS, &cls, sizeof(cls)},
                      {CKA_KEY_TYPE, &kt, sizeof(kt)},
                      {CKA_TOKEN, &yes, 1},
                      {CKA_SIGN, &yes, 1},
                      {CKA_EC_PARAMS, params, sizeof(params)},
                      {CKA_VALUE, seed, Unhex(a[1], seed, sizeof(seed))},
                      {CKA_ID, id, Unhex(a[0], id, sizeof(id))}};
  CK_OBJECT_HANDLE h;
  CK_RV rv = f->C_CreateObject(s, t, 7, &h);
  if (rv != CKR_OK) return Fail("create", rv);
  printf("imported\n");
  return 0;
}

static int Lockout(CK_SESSION_HANDLE s, const char* pin) {
  for (int i = 0; i < 20; ++i) {
    CK_RV rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)pin, strlen(pin));
    printf("login rv=0x%lx\n", (unsigned long)rv);
    if (rv == CKR_PIN_LOCKED) {
      CK_TOKEN_INFO info;
      if (f->C_GetTokenInfo(0, &info) != CKR_OK) return Fail("token info", 0);
      printf("user pin locked: %s\n", (info.flags & CKF_USER_PIN_LOCKED) ? "yes" : "no");
      return 0;
    }
  }
  return Fail("never locked", 0);
}

int main(int argc, char** argv) {
  if (argc < 4) return 2;
  void* lib = dlopen(argv[1], RTLD_NOW);
  if (lib == NULL) return Fail(dlerror(), 0);
  CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(lib, "C_GetFunctionList");
  if (get == NULL || get(&f) != CKR_OK || f->C_Initialize(NULL) != CKR_OK) return Fail("init", 0);
  CK_SESSION_HANDLE s;
  CK_RV rv = f->C_OpenSession(0, CKF_SERIAL_SESSION | CKF_RW_SESSION, NULL, NULL, &s);
  if (rv != CKR_OK) return Fail("open", rv);
  if (strcmp(argv[3], "lockout") == 0) return Lockout(s, argv[2]);
  rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)argv[2], strlen(argv[2]));
  if (rv != CKR_OK) return Fail("login", rv);
  const char* cmd = argv[3];
  char** a = argv + 4;
  int r = 2;
  if (strcmp(cmd, "gcm-encrypt") == 0 && argc >= 8) r = Gcm(s, a, 0);
  if (strcmp(cmd, "gcm-decrypt") == 0 && argc >= 8) r = Gcm(s, a, 1);
  if (strcmp(cmd, "hmac-general") == 0 && argc >= 6) r = HmacGeneral(s, a);
  if (strcmp(cmd, "derive") == 0 && argc >= 8) r = Derive(s, a, argc - 4);
  if (strcmp(cmd, "import-ed25519") == 0 && argc >= 6) r = ImportEd25519(s, a);
  f->C_CloseSession(s);
  f->C_Finalize(NULL);
  return r;
}
