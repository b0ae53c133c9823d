/* engine_hmac ENGINE_SO KEYID FILE: prints the HMAC-SHA256 of FILE under the
 * VHSM key KEYID, computed inside vhsmd through the OpenSSL engine. The user
 * and password come from VHSM_USER and VHSM_PASSWORD(_FILE). */
#define OPENSSL_SUPPRESS_DEPRECATED /* the ENGINE API is deprecated in 3.0 */
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc != 4) return fprintf(stderr, "usage: engine_hmac ENGINE_SO KEYID FILE\n"), 2;
  ENGINE_load_dynamic();
  ENGINE* e = ENGINE_by_id("dynamic");
  if (!e || !ENGINE_ctrl_cmd_string(e, "SO_PATH", argv[1], 0) ||
      !ENGINE_ctrl_cmd_string(e, "LOAD", NULL, 0) || !ENGINE_init(e) ||
      !ENGINE_set_default(e, ENGINE_METHOD_PKEY_METHS | ENGINE_METHOD_PKEY_ASN1_METHS))
    return ERR_print_errors_fp(stderr), 1;
  char key[256];
  snprintf(key, sizeof key, "vhsm:%s", argv[2]); /* names the key; it is not the key */
  EVP_PKEY* pkey =
      EVP_PKEY_new_raw_private_key(EVP_PKEY_HMAC, NULL, (unsigned char*)key, strlen(key));
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  FILE* in = fopen(argv[3], "rb");
  unsigned char buf[65536], mac[EVP_MAX_MD_SIZE];
  size_t n, len = sizeof mac;
  if (!pkey || !md || !in || EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, pkey) != 1)
    return ERR_print_errors_fp(stderr), 1;
  while ((n = fread(buf, 1, sizeof buf, in)) > 0)
    if (EVP_DigestSignUpdate(md, buf, n) != 1) return ERR_print_errors_fp(stderr), 1;
  if (EVP_DigestSignFinal(md, mac, &len) != 1) return ERR_print_errors_fp(stderr), 1;
  for (size_t i = 0; i < len; i++) printf("%02x", mac[i]);
  printf("\n");
  fclose(in);
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(pkey);
  ENGINE_finish(e);
  ENGINE_free(e);
  return 0;
}
