// Internal to vhsm/pkcs11: the module's state. One slot, one token: the VHSM
// user the module is configured for (VHSM_USER; vhsmd found as every libvhsm
// client finds it). PKCS#11 login is per application, so the token holds one
// vhsm::Client shared by every session (libvhsm serialises its calls).
// Objects are the user's keys, each seen as a private and a public object
// (asymmetric) or a secret object; handles are stable for the module's life.
// Everything here is guarded by State::mu.
#ifndef VHSM_PKCS11_INTERNAL_TOKEN_H_
#define VHSM_PKCS11_INTERNAL_TOKEN_H_

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "vhsm/api/client.h"

namespace vhsm::pkcs11 {

// Keys are private and public (asymmetric) or secret objects; vhsmd's
// public objects are certificate and data objects.
enum class ObjClass { kPrivate, kPublic, kSecret, kCertificate, kData };

struct ObjRef {
  std::string key_id;  // keys
  ObjClass cls;
  uint64_t object = 0;  // certificates and data: vhsmd's handle
};

// What a session is doing (one operation of each kind at a time).
struct Operation {
  unsigned long mechanism = 0;  // CK_MECHANISM_TYPE; 0: none
  unsigned long key = 0;        // CK_OBJECT_HANDLE
  std::string data;             // multi-part input gathered so far
  std::string pss_hash;         // PSS: the hash named by the parameters
  unsigned long mac_len = 0;    // HMAC _GENERAL: the MAC's length (0: all of it)
  std::string iv{}, aad{};      // AES-GCM: the application's IV and AAD
};

struct Session {
  unsigned long flags = 0;  // CKF_RW_SESSION | CKF_SERIAL_SESSION
  std::vector<unsigned long> found;
  size_t found_next = 0;
  bool finding = false;
  Operation sign, verify, digest, encrypt, decrypt;
  std::vector<std::string> session_keys;  // CKA_TOKEN false: deleted at close
};

// Config: who the token is and how vhsmd is found (config.cc).
struct Config {
  std::string user;
  ClientOptions options;      // port id and server key from the file, if any
  std::string password_file;  // for the listing before C_Login
  std::string port_text;      // the port id as configured (the serial uses it)
};

struct State {
  std::mutex mu;
  bool initialized = false;
  pid_t pid = 0;  // the process that initialised (a child must again)
  std::string user;
  Config config;
  std::unique_ptr<vhsm::Client> client;
  bool logged_in = false;      // PKCS#11's login (C_Login)
  bool listing_login = false;  // vhsmd's, for listing public objects (objects.cc)
  long pin_locked_until = 0;   // unix seconds: vhsmd refuses logins until then
  // The application's mutex (C_Initialize with callbacks and without
  // CKF_OS_LOCKING_OK): every entry point holds it besides mu.
  void* app_mutex = nullptr;
  unsigned long (*app_lock)(void*) = nullptr;
  unsigned long (*app_unlock)(void*) = nullptr;
  unsigned long (*app_destroy)(void*) = nullptr;
  std::map<unsigned long, Session> sessions;
  unsigned long next_session = 1;
  std::map<unsigned long, ObjRef> objects;
  // What vhsmd said of each key (type, operations, label): keys do not
  // change once made, so the answer is kept until the key is destroyed here
  // or the login ends (a key deleted elsewhere fails at its next use).
  std::map<std::string, KeyInfo> key_info;
  // Its public attributes (CK_ATTRIBUTE_TYPE -> value), from its public key.
  std::map<std::string, std::map<unsigned long, std::string>> public_attrs;
  // Certificates and data objects as vhsmd listed them, and the values read
  // (public_objects.cc); objects do not change once made.
  std::map<uint64_t, ObjectInfo> object_info;
  std::map<uint64_t, std::string> object_values;

  // ForgetKeys drops what is cached (the login ended); ForgetKey one key's.
  void ForgetKeys() {
    key_info.clear();
    public_attrs.clear();
    object_info.clear();
    object_values.clear();
  }
  void ForgetKey(const std::string& key_id) {
    key_info.erase(key_id);
    public_attrs.erase(key_id);
  }
  std::map<std::pair<std::string, int>, unsigned long> handle_of;
  unsigned long next_object = 1;
};

State& TheState();

// InfoOf returns a key's KeyInfo, asking vhsmd once.
Result<KeyInfo> InfoOf(State& s, const std::string& key_id);

// HandleFor returns the stable handle of (key_id, cls), making one if new;
// HandleForObject that of vhsmd's public object `object`.
unsigned long HandleFor(State& s, const std::string& key_id, ObjClass cls);
unsigned long HandleForObject(State& s, uint64_t object, ObjClass cls);

// KeyIdOfCkaId maps an application's CKA_ID to a VHSM key id (hex) and
// back (hex ids decode; any other id is its own bytes).
std::string KeyIdOfCkaId(const std::string& cka_id);
std::string CkaIdOfKeyId(const std::string& key_id);

}  // namespace vhsm::pkcs11

#endif  // VHSM_PKCS11_INTERNAL_TOKEN_H_
