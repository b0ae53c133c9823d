"""The PKCS#11 module's entry points driven directly, against the real
daemon: AES-GCM with the application's IV, HMAC _GENERAL, ECDH derivation
and Ed25519 import through a small C program (pkcs11_probe.c) checked against
Python's cryptography; the PIN locked by failed logins; the configuration
file; 8 threads and a fork with OS locking and with the application's mutex
callbacks; and bad calls to the entry points (through ctypes), each answered
with the right CKR_ code."""
import os
import subprocess

import harness

from pkcs11_test import MODULE, Pkcs11Case


class Pkcs11ApiTest(Pkcs11Case):
    def probe(self, *args, input=b"", check=True):
        p = subprocess.run([os.path.abspath("tests/e2e/pkcs11_probe"), MODULE, "pin-alice"] +
                           list(args), env=self.env(), input=input, capture_output=True,
                           timeout=60)
        if check:
            self.assertEqual(p.returncode, 0, (args, p.stdout + p.stderr))
        return p

    def test_aes_gcm_with_the_applications_iv(self):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        key = os.urandom(32)
        self.vhsm("alice", "pin-alice", "key", "import", "--type", "aes-256", "--id", "31",
                  input=key)
        for mode in ("single", "multi"):
            data, iv, aad = os.urandom(1000), os.urandom(12), os.urandom(20)
            out = self.probe("gcm-encrypt", "31", iv.hex(), aad.hex(), mode, input=data)
            self.assertEqual(bytes.fromhex(out.stdout.decode().strip()),
                             AESGCM(key).encrypt(iv, data, aad), mode)
            ct = AESGCM(key).encrypt(iv, data, aad)
            self.assertEqual(self.probe("gcm-decrypt", "31", iv.hex(), aad.hex(), mode,
                                        input=ct).stdout, data)
            bad = bytearray(ct)
            bad[5] ^= 1
            r = self.probe("gcm-decrypt", "31", iv.hex(), aad.hex(), mode, input=bytes(bad),
                           check=False)
            self.assertIn(b"rv=0x40", r.stdout)  # CKR_ENCRYPTED_DATA_INVALID
        r = self.probe("gcm-encrypt", "31", os.urandom(8).hex(), "", "single", input=b"x",
                       check=False)
        self.assertIn(b"init rv=0x71", r.stdout)  # CKR_MECHANISM_PARAM_INVALID: 96-bit IVs

    def test_hmac_general_truncates(self):
        import hmac
        key = os.urandom(32)
        self.vhsm("alice", "pin-alice", "key", "import", "--type", "hmac-sha256", "--id", "32",
                  input=key)
        data = os.urandom(777)
        out = self.probe("hmac-general", "32", "16", input=data).stdout.decode().strip()
        self.assertEqual(out, hmac.new(key, data, "sha256").hexdigest()[:32])
        r = self.probe("hmac-general", "32", "33", input=data, check=False)
        self.assertIn(b"init rv=0x71", r.stdout)  # longer than the MAC

    def test_ecdh_derive_keeps_the_secret_in_vhsmd(self):
        import hmac
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec, x25519
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        raw = (serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
        for curve, kid in ((ec.SECP256R1(), "33"), (ec.SECP384R1(), "39")):
            self.vhsm("alice", "pin-alice", "key", "generate", "--type",
                      "ec-p256" if kid == "33" else "ec-p384", "--id", kid)
            ours = serialization.load_pem_public_key(
                self.vhsm("alice", "pin-alice", "key", "public", kid).stdout)
            peer = ec.generate_private_key(curve)
            new_id = kid + "aa"
            self.probe("derive", kid, peer.public_key().public_bytes(*raw).hex(), new_id, "aes")
            shared = peer.exchange(ec.ECDH(), ours)[:32]
            sealed = self.vhsm("alice", "pin-alice", "encrypt", "--key", new_id,
                               input=b"agreed").stdout
            self.assertEqual(AESGCM(shared).decrypt(sealed[:12], sealed[12:], b""), b"agreed")
        self.vhsm("alice", "pin-alice", "key", "generate", "--type", "x25519", "--id", "35")
        ours = serialization.load_pem_public_key(
            self.vhsm("alice", "pin-alice", "key", "public", "35").stdout)
        peer = x25519.X25519PrivateKey.generate()
        point = peer.public_key().public_bytes(serialization.Encoding.Raw,
                                               serialization.PublicFormat.Raw)
        self.probe("derive", "35", point.hex(), "36", "generic")
        mac = self.vhsm("alice", "pin-alice", "mac", "--key", "36", input=b"m").stdout
        self.assertEqual(mac.decode().strip(),
                         hmac.new(peer.exchange(ours), b"m", "sha256").hexdigest())
        info = self.vhsm("alice", "pin-alice", "key", "info", "36").stdout.decode()
        self.assertIn("origin\tderived", info)
        # A session key (CKA_TOKEN false) is gone once its session closes.
        self.probe("derive", "35", point.hex(), "37", "generic", "session")
        r = self.vhsm("alice", "pin-alice", "key", "info", "37", check=False)
        self.assertIn(b"no key", r.stderr)
        # A point not on the curve's size is refused.
        r = self.probe("derive", "33", "04" + "11" * 10, "38", "aes", check=False)
        self.assertIn(b"derive rv=0x71", r.stdout)

    def test_config_file_instead_of_the_environment(self):
        self.vhsm("alice", "pin-alice", "key", "generate", "--type", "ec-p256", "--id", "51",
                  "--label", "conf")
        pw = self.write("pw", b"pin-alice\n")
        conf = self.write("p11.conf", (
            "# what p11-kit applications get\n"
            "user = alice\nport_id = %d\nserver_key = %s\npassword_file = %s\n"
            % (self.daemon.port, self.daemon.public_key_path, pw)).encode())
        env = harness.sanitizer_preload_env(MODULE, dict(os.environ, VHSM_PKCS11_CONF=conf))
        for k in ("VHSM_USER", "VHSM_PORT_ID", "VHSM_SERVER_KEY", "VHSM_PASSWORD"):
            env.pop(k, None)
        out = self.tool("-T", pin=None, env=env).stdout.decode()
        self.assertIn("token label        : alice", out)
        # The password file lets public objects be listed before C_Login.
        out = self.tool("--list-objects", pin=None, env=env).stdout.decode()
        self.assertIn("Public Key Object; EC", out)
        self.assertNotIn("Private Key Object", out)
        self.assertIn("Private Key Object", self.tool("--list-objects", env=env).stdout.decode())
        bad = self.write("bad.conf", b"colour = blue\n")
        r = self.tool("-T", pin=None, env=dict(env, VHSM_PKCS11_CONF=bad), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"bad.conf:1: expected user, port_id, server_key or password_file", r.stderr)

    def test_failed_logins_lock_the_pin(self):
        p = subprocess.run([os.path.abspath("tests/e2e/pkcs11_probe"), MODULE, "wrong-pin",
                            "lockout"], env=self.env(), capture_output=True, timeout=60)
        out = p.stdout.decode()
        self.assertEqual(p.returncode, 0, out + p.stderr.decode())
        self.assertIn("login rv=0xa0", out)  # CKR_PIN_INCORRECT first
        self.assertIn("login rv=0xa4\nuser pin locked: yes", out)

    def test_ed25519_private_key_import(self):
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ed25519
        seed = os.urandom(32)
        self.probe("import-ed25519", "3a", seed.hex())
        mine = ed25519.Ed25519PrivateKey.from_private_bytes(seed)
        pem = mine.public_key().public_bytes(serialization.Encoding.PEM,
                                             serialization.PublicFormat.SubjectPublicKeyInfo)
        self.assertEqual(self.vhsm("alice", "pin-alice", "key", "public", "3a").stdout, pem)
        sig = self.path("ed.sig")
        self.vhsm("alice", "pin-alice", "sign", "--key", "3a", "--out", sig, input=b"msg")
        with open(sig, "rb") as f:
            mine.public_key().verify(f.read(), b"msg")

    def test_threads_and_fork(self):
        r = subprocess.run([os.path.abspath("tests/e2e/pkcs11_threads"), MODULE, "pin-alice", "5"],
                           env=self.env(), capture_output=True, timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(b"threads and fork ok", r.stdout)
        # Again with the application's mutex callbacks instead of OS locking.
        r = subprocess.run([os.path.abspath("tests/e2e/pkcs11_threads"), MODULE, "pin-alice", "2"],
                           env=dict(self.env(), VHSM_TEST_APP_MUTEX="1"), capture_output=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(b"app mutex: 1 created, 1 destroyed", r.stdout)
        self.assertIn(b"threads and fork ok", r.stdout)

    def test_entry_points_answer_bad_calls(self):
        # In a child interpreter, so that a sanitizer build can preload its
        # runtime before the module.
        r = subprocess.run([harness.sys.executable, "-c", BAD_CALLS, MODULE, "pin-alice"],
                           env=self.env(),
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn(b"bad calls ok", r.stdout)


BAD_CALLS = r"""
import ctypes, sys
lib = ctypes.CDLL(sys.argv[1])
pin = sys.argv[2].encode()
P, U, B = ctypes.c_void_p, ctypes.c_ulong, ctypes.byref
for name, args in {
    "C_GetSlotList": [ctypes.c_ubyte, P, P], "C_GetFunctionList": [P], "C_Initialize": [P],
    "C_Finalize": [P], "C_CloseSession": [U], "C_InitToken": [U, P, U, P],
    "C_GetSlotInfo": [U, P], "C_GetTokenInfo": [U, P], "C_GetMechanismInfo": [U, U, P],
    "C_OpenSession": [U, U, P, P, P], "C_Login": [U, U, P, U], "C_Logout": [U],
    "C_DigestInit": [U, P], "C_Digest": [U, P, U, P, P], "C_DigestFinal": [U, P, P],
    "C_EncryptUpdate": [U, P, U, P, P], "C_Encrypt": [U, P, U, P, P],
    "C_DecryptFinal": [U, P, P], "C_SignFinal": [U, P, P], "C_SignInit": [U, P, U],
    "C_FindObjects": [U, P, U, P], "C_FindObjectsInit": [U, P, U],
    "C_GetAttributeValue": [U, U, P, U], "C_DestroyObject": [U, U],
    "C_DeriveKey": [U, P, U, P, U, P], "C_SeedRandom": [U, P, U],
    "C_GenerateRandom": [U, P, U], "C_EncryptInit": [U, P, U], "C_CreateObject": [U, P, U, P],
}.items():
    getattr(lib, name).argtypes = args

class Mech(ctypes.Structure):
    _fields_ = [("mechanism", U), ("pParameter", P), ("ulParameterLen", U)]
class Attr(ctypes.Structure):
    _fields_ = [("type", U), ("pValue", P), ("ulValueLen", U)]

count, s, n = U(0), U(0), U(0)
buf = ctypes.create_string_buffer(256)
info = ctypes.create_string_buffer(1024)
sha = Mech(0x250, None, 0)                 # CKM_SHA256
gcm = Mech(0x1087, None, 0)                # CKM_AES_GCM without parameters
ecdh = Mech(0x1050, None, 0)               # CKM_ECDH1_DERIVE without parameters
checks = [
    ("GetFunctionList(NULL)", lambda: lib.C_GetFunctionList(None), 0x7),
    ("before Initialize", lambda: lib.C_GetSlotList(0, None, B(count)), 0x190),
    ("Initialize", lambda: lib.C_Initialize(None), 0),
    ("Initialize again", lambda: lib.C_Initialize(None), 0x191),
    ("GetSlotList(count NULL)", lambda: lib.C_GetSlotList(0, None, None), 0x7),
    ("GetSlotList", lambda: lib.C_GetSlotList(0, None, B(count)), 0),
    ("one slot", lambda: count.value, 1),
    ("GetSlotInfo(bad slot)", lambda: lib.C_GetSlotInfo(99, info), 0x3),
    ("GetTokenInfo(NULL)", lambda: lib.C_GetTokenInfo(0, None), 0x7),
    ("GetMechanismInfo(unknown)", lambda: lib.C_GetMechanismInfo(0, 0x80000001, info), 0x70),
    ("CloseSession(bad)", lambda: lib.C_CloseSession(12345), 0xB3),
    ("InitToken", lambda: lib.C_InitToken(0, None, 0, None), 0x54),
    ("OpenSession(not serial)", lambda: lib.C_OpenSession(0, 0, None, None, B(s)), 0xB4),
    ("OpenSession(NULL)", lambda: lib.C_OpenSession(0, 4, None, None, None), 0x7),
    ("OpenSession", lambda: lib.C_OpenSession(0, 6, None, None, B(s)), 0),
    ("Login(bad user type)", lambda: lib.C_Login(s.value, 7, pin, len(pin)), 0x103),
    ("DestroyObject(logged out)", lambda: lib.C_DestroyObject(s.value, 1), 0x101),
    ("Login", lambda: lib.C_Login(s.value, 1, pin, len(pin)), 0),
    ("Login again", lambda: lib.C_Login(s.value, 1, pin, len(pin)), 0x100),
    ("Digest not initialised", lambda: lib.C_Digest(s.value, buf, 3, buf, B(n)), 0x91),
    ("DigestFinal not initialised", lambda: lib.C_DigestFinal(s.value, buf, B(n)), 0x91),
    ("EncryptUpdate not initialised",
     lambda: lib.C_EncryptUpdate(s.value, buf, 3, buf, B(n)), 0x91),
    ("Encrypt not initialised", lambda: lib.C_Encrypt(s.value, buf, 3, buf, B(n)), 0x91),
    ("DecryptFinal not initialised", lambda: lib.C_DecryptFinal(s.value, buf, B(n)), 0x91),
    ("SignFinal not initialised", lambda: lib.C_SignFinal(s.value, buf, B(n)), 0x91),
    ("FindObjects not initialised", lambda: lib.C_FindObjects(s.value, buf, 1, B(n)), 0x91),
    ("SignInit(NULL mechanism)", lambda: lib.C_SignInit(s.value, None, 1), 0x7),
    ("SignInit(bad key)", lambda: lib.C_SignInit(s.value, B(sha), 999999), 0x60),
    ("EncryptInit(GCM, no params)", lambda: lib.C_EncryptInit(s.value, B(gcm), 1), 0x71),
    ("GetAttributeValue(bad object)",
     lambda: lib.C_GetAttributeValue(s.value, 999999, None, 0), 0x82),
    ("DestroyObject(bad object)", lambda: lib.C_DestroyObject(s.value, 999999), 0x82),
    ("DeriveKey(NULL mechanism)",
     lambda: lib.C_DeriveKey(s.value, None, 1, None, 0, B(n)), 0x7),
    ("DeriveKey(ECDH, no params)",
     lambda: lib.C_DeriveKey(s.value, B(ecdh), 1, None, 0, B(n)), 0x71),
    ("CreateObject(NULL template)", lambda: lib.C_CreateObject(s.value, None, 2, B(n)), 0x7),
    ("SeedRandom", lambda: lib.C_SeedRandom(s.value, buf, 4), 0x120),
    ("GenerateRandom(NULL)", lambda: lib.C_GenerateRandom(s.value, None, 5), 0x7),
    ("DigestInit", lambda: lib.C_DigestInit(s.value, B(sha)), 0),
    ("Digest size query", lambda: (lib.C_Digest(s.value, buf, 3, None, B(n)), n.value), (0, 32)),
    ("Digest short buffer",
     lambda: (lib.C_Digest(s.value, buf, 3, buf, B(U(31))), 0)[0], 0x150),
    ("Digest after the short buffer", lambda: (n.__setattr__("value", 32),
                                               lib.C_Digest(s.value, buf, 3, buf, B(n)))[1], 0),
    ("Logout", lambda: lib.C_Logout(s.value), 0),
    ("Logout again", lambda: lib.C_Logout(s.value), 0x101),
    ("CloseSession", lambda: lib.C_CloseSession(s.value), 0),
    ("Finalize(reserved)", lambda: lib.C_Finalize(buf), 0x7),
    ("Finalize", lambda: lib.C_Finalize(None), 0),
    ("Finalize again", lambda: lib.C_Finalize(None), 0x190),
]
bad = []
for what, call, want in checks:
    got = call()
    if got != want:
        bad.append("%s: got %r, want %r" % (what, got, want))
assert not bad, "\n".join(bad)
print("bad calls ok")
"""


if __name__ == "__main__":
    harness.main()
