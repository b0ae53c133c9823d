/* engine_threads ENGINE_SO HMAC_KEYID EC_KEYID DATA_FILE WANT_HMAC_HEX PUB_PEM:
 * 4 threads share one loaded VHSM engine; each computes the HMAC of DATA_FILE
 * under HMAC_KEYID (compared with WANT_HMAC_HEX, computed by Python) and signs
 * it with EC_KEYID (verified with PUB_PEM, without the engine), 20 times.
 * Exits 0 when every result was right. */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static ENGINE* engine;
static const char *hmac_id, *ec_id, *want_hex;
static unsigned char* data;
static long data_len;
static EVP_PKEY *pub, *priv;

static int one_round(void) {
  char key[300];
  snprintf(key, sizeof key, "vhsm:%s", hmac_id);
  EVP_PKEY* k = EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL, (unsigned char*)key, strlen(key));
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  unsigned char mac[64], sig[128];
  size_t mac_len = sizeof mac, sig_len = sizeof sig;
  char hex[129] = {0};
  int ok = k && md && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
           EVP_DigestSignUpdate(md, data, data_len) == 1 &&
           EVP_DigestSignFinal(md, mac, &mac_len) == 1;
  for (size_t i = 0; ok && i < mac_len; i++) sprintf(hex + 2 * i, "%02x", mac[i]);
  ok = ok && strcmp(hex, want_hex) == 0;
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(k);
  md = EVP_MD_CTX_new();
  ok = ok && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, priv) == 1 &&
       EVP_DigestSign(md, sig, &sig_len, data, data_len) == 1;
  EVP_MD_CTX_free(md);
  md = EVP_MD_CTX_new();
  ok = ok && EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, pub) == 1 &&
       EVP_DigestVerify(md, sig, sig_len, data, data_len) == 1;
  EVP_MD_CTX_free(md);
  if (!ok) ERR_print_errors_fp(stderr);
  return ok;
}

static void* worker(void* arg) {
  long good = 0;
  for (int i = 0; i < 20; i++) good += one_round();
  *(long*)arg = good;
  return NULL;
}

int main(int argc, char** argv) {
  if (argc != 7) return fprintf(stderr, "usage: see source\n"), 2;
  hmac_id = argv[2], ec_id = argv[3], want_hex = argv[5];
  FILE* f = fopen(argv[4], "rb");
  fseek(f, 0, SEEK_END);
  data_len = ftell(f);
  rewind(f);
  data = malloc(data_len + 1);
  if (fread(data, 1, data_len, f) != (size_t)data_len) return 2;
  fclose(f);
  f = fopen(argv[6], "r");
  pub = PEM_read_PUBKEY(f, NULL, NULL, NULL);
  fclose(f);
  ENGINE_load_dynamic();
  engine = ENGINE_by_id("dynamic");
  if (!engine || !ENGINE_ctrl_cmd_string(engine, "SO_PATH", argv[1], 0) ||
      !ENGINE_ctrl_cmd_string(engine, "LOAD", NULL, 0) || !ENGINE_init(engine) ||
      !ENGINE_set_default(engine, ENGINE_METHOD_PKEY_METHS | ENGINE_METHOD_PKEY_ASN1_METHS))
    return ERR_print_errors_fp(stderr), 1;
  priv = ENGINE_load_private_key(engine, ec_id, NULL, NULL);
  if (!pub || !priv) return ERR_print_errors_fp(stderr), 1;
  pthread_t t[4];
  long good[4];
  for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, worker, &good[i]);
  long total = 0;
  for (int i = 0; i < 4; i++) pthread_join(t[i], NULL), total += good[i];
  printf("%ld of 80 rounds right\n", total);
  EVP_PKEY_free(priv);
  EVP_PKEY_free(pub);
  ENGINE_finish(engine);
  ENGINE_free(engine);
  free(data);
  return total == 80 ? 0 : 1;
}
