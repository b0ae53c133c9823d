/* load_unload: loads and unloads the VHSM provider and engine many times in
 * one process (what a long-running program that reconfigures OpenSSL does).
 * Under --config=asan, LeakSanitizer fails the test if any round leaks.
 *
 *   load_unload provider PROVIDER_DIR ROUNDS
 *   load_unload engine ENGINE_SO ROUNDS
 * (one kind per process: both carry vhsm.proto, which libprotobuf registers
 * once per process.) */
#include <openssl/crypto.h>
#include <openssl/engine.h>
#include <openssl/err.h>
#include <openssl/provider.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char** argv) {
  if (argc != 4) return 2;
  int rounds = atoi(argv[3]);
  int provider = strcmp(argv[1], "provider") == 0;
  for (int i = 0; provider && i < rounds; ++i) {
    OSSL_LIB_CTX* ctx = OSSL_LIB_CTX_new();
    if (ctx == NULL || !OSSL_PROVIDER_set_default_search_path(ctx, argv[2])) return 1;
    OSSL_PROVIDER* prov = OSSL_PROVIDER_load(ctx, "vhsm");
    if (prov == NULL) {
      fprintf(stderr, "round %d: the provider did not load\n", i);
      return 1;
    }
    if (!OSSL_PROVIDER_unload(prov)) return 1;
    OSSL_LIB_CTX_free(ctx);
  }
  if (!provider) ENGINE_load_dynamic();
  for (int i = 0; !provider && i < rounds; ++i) {
    /* The first round loads the shared object and lists the engine
     * (LIST_ADD, as openssl.cnf's loader does), and OpenSSL 3.0's dynamic
     * loader does not bind the same object twice, so later rounds take it by
     * id, as `openssl -engine vhsm` does, and initialise and finish it (which
     * opens and closes its state). */
    ENGINE* e = i == 0 ? ENGINE_by_id("dynamic") : ENGINE_by_id("vhsm");
    int loaded = e != NULL && (i > 0 || (ENGINE_ctrl_cmd_string(e, "SO_PATH", argv[2], 0) &&
                                         ENGINE_ctrl_cmd_string(e, "LIST_ADD", "1", 0) &&
                                         ENGINE_ctrl_cmd_string(e, "LOAD", NULL, 0)));
    if (!loaded || !ENGINE_init(e)) {
      fprintf(stderr, "round %d: the engine did not load\n", i);
      ERR_print_errors_fp(stderr);
      return 1;
    }
    ENGINE_finish(e);
    ENGINE_free(e);
  }
  printf("%d rounds of %s load/unload\n", rounds, argv[1]);
  return 0;
}
