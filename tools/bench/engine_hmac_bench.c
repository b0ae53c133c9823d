/* engine_hmac_bench ENGINE_SO KEYID SECONDS: HMAC-SHA256 of 64 bytes through
 * the VHSM engine (EVP_DigestSign with an HMAC key "vhsm:KEYID"), as an
 * ordinary OpenSSL program does it; prints operations per second. Credentials
 * from VHSM_USER / VHSM_PASSWORD / VHSM_PORT_ID. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  ENGINE_load_dynamic();
  ENGINE* e = ENGINE_by_id("dynamic");
  if (!e || !ENGINE_ctrl_cmd_string(e, "SO_PATH", argv[1], 0) ||
      !ENGINE_ctrl_cmd_string(e, "LOAD", NULL, 0) || !ENGINE_init(e) ||
      !ENGINE_set_default(e, ENGINE_METHOD_PKEY_METHS | ENGINE_METHOD_PKEY_ASN1_METHS))
    return ERR_print_errors_fp(stderr), 1;
  char key[256];
  snprintf(key, sizeof key, "vhsm:%s", argv[2]);
  EVP_PKEY* pkey =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL, (unsigned char*)key, strlen(key));
  unsigned char data[64] = {7}, mac[64];
  double seconds = atof(argv[3]), start = now();
  long ops = 0;
  do {
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    size_t len = sizeof mac;
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1 ||
        EVP_DigestSignUpdate(md, data, sizeof data) != 1 || EVP_DigestSignFinal(md, mac, &len) != 1)
      return ERR_print_errors_fp(stderr), 1;
    EVP_MD_CTX_free(md);
    ops++;
  } while (now() - start < seconds);
  printf("%.1f\n", ops / (now() - start));
  EVP_PKEY_free(pkey);
  ENGINE_finish(e);
  ENGINE_free(e);
  return 0;
}
