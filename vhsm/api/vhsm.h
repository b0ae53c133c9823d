/* libvhsm C API: use keys held in vhsmd without ever holding them.
 *
 * A vhsm_session is one session with the daemon (over netlink, in the
 * caller's network namespace). Every call returns a vhsm_status (VHSM_OK or
 * an error); vhsm_error() then tells what failed in one line (never a
 * secret). Output buffers follow one rule: *out_len holds the capacity on
 * entry and the length written on return; when too small, the call fails
 * with VHSM_E_INVALID_ARGUMENT and *out_len holds the length needed.
 *
 * A session may be used from several threads (calls are serialized); for
 * parallel work, open one session per thread. Closing a session logs out
 * and makes the daemon wipe its master key and contexts.
 */
#ifndef VHSM_API_VHSM_H_
#define VHSM_API_VHSM_H_

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
  VHSM_OK = 0,
  VHSM_E_INVALID_ARGUMENT = 1,
  VHSM_E_NOT_FOUND = 2,
  VHSM_E_ALREADY_EXISTS = 3,
  VHSM_E_PERMISSION_DENIED = 4,
  VHSM_E_UNAUTHENTICATED = 5,
  VHSM_E_RESOURCE_EXHAUSTED = 6,
  VHSM_E_FAILED_PRECONDITION = 7,
  VHSM_E_DATA_LOSS = 8,
  VHSM_E_UNAVAILABLE = 9,
  VHSM_E_DEADLINE_EXCEEDED = 10,
  VHSM_E_INTERNAL = 11
} vhsm_status;

typedef struct vhsm_session vhsm_session;

/* vhsm_open connects to vhsmd on port_id (0: $VHSM_PORT_ID or the default)
 * and opens a session, waiting at most timeout_ms per reply (0: 30 s). On
 * failure *out is NULL and, when err is not NULL, err receives a message. */
/* vhsmd's public key comes from $VHSM_SERVER_KEY or /etc/vhsm/vhsmd.pub. */
vhsm_status vhsm_open(uint32_t port_id, int timeout_ms, vhsm_session** out, char* err,
                      size_t err_len);
void vhsm_close(vhsm_session* s);
/* vhsm_error returns the message of the session's last failed call. */
const char* vhsm_error(const vhsm_session* s);

vhsm_status vhsm_login(vhsm_session* s, const char* user, const char* password,
                       size_t password_len);
vhsm_status vhsm_logout(vhsm_session* s);

/* Key types: "hmac-sha256", "hmac-sha512", "aes-256", "ec-p256", "ed25519".
 * id may be NULL or "" to let the daemon choose; the id is written to id_out. */
vhsm_status vhsm_key_generate(vhsm_session* s, const char* type, const char* id, char* id_out,
                              size_t id_out_len);
vhsm_status vhsm_key_import(vhsm_session* s, const char* type, const char* id, const void* material,
                            size_t material_len, char* id_out, size_t id_out_len);
vhsm_status vhsm_key_delete(vhsm_session* s, const char* id);
/* vhsm_key_type writes the key's type name. */
vhsm_status vhsm_key_type(vhsm_session* s, const char* id, char* type, size_t type_len);
/* vhsm_key_public_pem writes the public key (PEM, NUL-terminated). */
vhsm_status vhsm_key_public_pem(vhsm_session* s, const char* id, char* pem, size_t* pem_len);

vhsm_status vhsm_digest(vhsm_session* s, const char* alg, const void* data, size_t len,
                        uint8_t* out, size_t* out_len);
vhsm_status vhsm_mac(vhsm_session* s, const char* key_id, const void* data, size_t len,
                     uint8_t* out, size_t* out_len);
vhsm_status vhsm_mac_init(vhsm_session* s, const char* key_id, uint32_t* ctx);
vhsm_status vhsm_mac_update(vhsm_session* s, uint32_t ctx, const void* data, size_t len);
vhsm_status vhsm_mac_final(vhsm_session* s, uint32_t ctx, uint8_t* out, size_t* out_len);

/* vhsm_sign: ECDSA P-256 (DER signature over SHA-256 of msg, or of msg as a
 * 32-byte digest when prehashed) or Ed25519 (64 bytes). */
vhsm_status vhsm_sign(vhsm_session* s, const char* key_id, const void* msg, size_t len,
                      int prehashed, uint8_t* sig, size_t* sig_len);
/* vhsm_verify sets *valid to 1 or 0. */
vhsm_status vhsm_verify(vhsm_session* s, const char* key_id, const void* msg, size_t len,
                        const void* sig, size_t sig_len, int prehashed, int* valid);

#ifdef __cplusplus
}
#endif

#endif /* VHSM_API_VHSM_H_ */
