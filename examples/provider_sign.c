/* provider_sign PROVIDER_DIR KEYID FILE: signs FILE with the VHSM key
 * vhsm:KEYID through the OpenSSL 3 provider and writes the DER signature to
 * stdout. The key is loaded with OSSL_STORE like any other; only a handle to
 * it ever enters this process. Credentials come from VHSM_USER and
 * VHSM_PASSWORD(_FILE). */
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/provider.h>
#include <openssl/store.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 4) return fprintf(stderr, "usage: provider_sign PROVIDER_DIR KEYID FILE\n"), 2;
  OSSL_PROVIDER_set_default_search_path(NULL, argv[1]);
  if (!OSSL_PROVIDER_load(NULL, "vhsm") || !OSSL_PROVIDER_load(NULL, "default"))
    return ERR_print_errors_fp(stderr), 1;
  char uri[300];
  snprintf(uri, sizeof uri, "vhsm:%s", argv[2]);
  OSSL_STORE_CTX* store = OSSL_STORE_open(uri, NULL, NULL, NULL, NULL);
  OSSL_STORE_INFO* info = store ? OSSL_STORE_load(store) : NULL;
  EVP_PKEY* key = info ? OSSL_STORE_INFO_get1_PKEY(info) : NULL;
  if (!key) return ERR_print_errors_fp(stderr), 1;
  FILE* in = fopen(argv[3], "rb");
  static unsigned char data[1 << 20], sig[256];
  size_t n = in ? fread(data, 1, sizeof data, in) : 0, sig_len = sizeof sig;
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  const char* digest = EVP_PKEY_is_a(key, "EC") ? "SHA256" : NULL; /* Ed25519 takes none */
  if (!in || EVP_DigestSignInit_ex(md, NULL, digest, NULL, NULL, key, NULL) != 1 ||
      EVP_DigestSign(md, sig, &sig_len, data, n) != 1)
    return ERR_print_errors_fp(stderr), 1;
  fwrite(sig, 1, sig_len, stdout);
  EVP_MD_CTX_free(md);
  EVP_PKEY_free(key);
  OSSL_STORE_INFO_free(info);
  OSSL_STORE_close(store);
  fclose(in);
  return 0;
}
