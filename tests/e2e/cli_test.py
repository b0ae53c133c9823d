"""The vhsm command against independent references: Python's hashlib, hmac and
cryptography, and the openssl command. Real daemon, real netlink."""
import hashlib
import hmac
import os
import random
import subprocess

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import harness

SIZES = [0, 1, 63, 64, 65, 4095, 4097, 65000, 65536, 65537, 200000, 1 << 20]


class CliTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")
        self.tmp = self.daemon.dir

    def v(self, *args, **kw):
        return self.vhsm("alice", "pw-alice", *args, **kw)

    def write(self, name, data):
        path = os.path.join(self.tmp, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def test_mac_matches_python_hmac(self):
        for key_type, digest, key_len in (("hmac-sha256", "sha256", 32),
                                          ("hmac-sha512", "sha512", 64),
                                          ("hmac-sha256", "sha256", 100)):
            key = os.urandom(key_len)
            key_id = "k-%s-%d" % (key_type, key_len)
            out = self.v("key", "import", "--type", key_type, "--id", key_id,
                         input=key).stdout.decode().strip()
            self.assertEqual(out, key_id)
            for size in SIZES + [random.randint(0, 1 << 20) for _ in range(3)]:
                data = os.urandom(size)
                path = self.write("input.bin", data)
                got = self.v("mac", "--key", key_id, "--in", path).stdout.decode().strip()
                self.assertEqual(got, hmac.new(key, data, digest).hexdigest(),
                                 "%s over %d bytes" % (key_type, size))

    def test_digest_matches_hashlib(self):
        for alg in ("sha1", "sha256", "sha384", "sha512"):
            for size in [0, 1, 65536, 65537, random.randint(0, 1 << 20)]:
                data = os.urandom(size)
                got = self.v("digest", "--alg", alg, input=data).stdout.decode().strip()
                self.assertEqual(got, hashlib.new(alg, data).hexdigest(), "%s %d" % (alg, size))

    def test_signatures_verify_with_openssl(self):
        for key_type in ("ec-p256", "ed25519"):
            key_id = self.v("key", "generate", "--type", key_type).stdout.decode().strip()
            pub = self.write("pub.pem", self.v("key", "public", key_id).stdout)
            out = os.path.join(self.tmp, "pub-out.pem")
            self.v("key", "public", key_id, "--out", out)
            with open(out, "rb") as f, open(pub, "rb") as g:
                self.assertEqual(f.read(), g.read())
            # Ed25519 signs the message itself, so it must fit in a frame;
            # ECDSA hashes longer messages in the client.
            for size in (0, 100, 70000 if key_type == "ec-p256" else 60000):
                msg = self.write("msg", os.urandom(size))
                sig = os.path.join(self.tmp, "sig")
                self.v("sign", "--key", key_id, "--in", msg, "--out", sig)
                if key_type == "ec-p256":
                    verify = ["openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig, msg]
                else:
                    verify = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin",
                              "-in", msg, "-sigfile", sig]
                if size > 0:  # OpenSSL 3.0's pkeyutl -rawin cannot read an empty file
                    ok = subprocess.run(verify, capture_output=True)
                    self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
                # Python's cryptography verifies too (raises on a bad signature).
                with open(pub, "rb") as f:
                    pub_key = serialization.load_pem_public_key(f.read())
                with open(sig, "rb") as f, open(msg, "rb") as m:
                    if key_type == "ec-p256":
                        pub_key.verify(f.read(), m.read(), ec.ECDSA(hashes.SHA256()))
                    else:
                        pub_key.verify(f.read(), m.read())
                # Our own verify agrees, and both reject a tampered message.
                self.v("verify", "--key", key_id, "--sig", sig, "--in", msg)
                with open(msg, "ab") as f:
                    f.write(b"!")
                self.assertNotEqual(subprocess.run(verify, capture_output=True).returncode, 0)
                bad = self.v("verify", "--key", key_id, "--sig", sig, "--in", msg, check=False)
                self.assertEqual(bad.returncode, 1)
                self.assertIn(b"signature does not verify", bad.stderr)

    def test_imported_openssl_keys_sign_for_their_public_keys(self):
        for alg, key_type in (("EC", "ec-p256"), ("ED25519", "ed25519")):
            key_pem = os.path.join(self.tmp, "key.pem")
            gen = ["openssl", "genpkey", "-algorithm", alg, "-out", key_pem]
            if alg == "EC":
                gen[4:4] = ["-pkeyopt", "ec_paramgen_curve:P-256"]
            subprocess.run(gen, check=True, capture_output=True)
            pub = os.path.join(self.tmp, "pub.pem")
            subprocess.run(["openssl", "pkey", "-in", key_pem, "-pubout", "-out", pub], check=True)
            key_id = self.v("key", "import", "--type", key_type, "--in", key_pem).stdout.decode().strip()
            with open(pub, "rb") as f:
                self.assertEqual(self.v("key", "public", key_id).stdout, f.read())
            msg = self.write("msg", os.urandom(333))
            sig = os.path.join(self.tmp, "sig")
            self.v("sign", "--key", key_id, "--in", msg, "--out", sig)
            if alg == "EC":
                verify = ["openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig, msg]
            else:
                verify = ["openssl", "pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin",
                          "-in", msg, "-sigfile", sig]
            self.assertEqual(subprocess.run(verify, capture_output=True).returncode, 0)
        # A P-384 key is refused for ec-p256; a P-521 key for any type.
        p384 = os.path.join(self.tmp, "p384.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-384", "-out", p384], check=True)
        bad = self.v("key", "import", "--type", "ec-p256", "--in", p384, check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn(b"imported key is ec-p384, not ec-p256", bad.stderr)
        p521 = os.path.join(self.tmp, "p521.pem")
        subprocess.run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                        "ec_paramgen_curve:P-521", "-out", p521], check=True)
        bad = self.v("key", "import", "--type", "ec-p384", "--in", p521, check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn(b"unsupported EC curve", bad.stderr)

    def test_gcm_interoperates_with_python_cryptography(self):
        key = os.urandom(32)
        self.v("key", "import", "--type", "aes-256", "--id", "gcm", input=key)
        for size in (0, 1, 1000, 60000):
            pt = os.urandom(size)
            sealed = self.v("encrypt", "--key", "gcm", "--aad", "ctx-1", input=pt).stdout
            self.assertEqual(len(sealed), 12 + size + 16)
            self.assertEqual(AESGCM(key).decrypt(sealed[:12], sealed[12:], b"ctx-1"), pt)
            nonce = os.urandom(12)
            theirs = nonce + AESGCM(key).encrypt(nonce, pt, b"ctx-2")
            back = self.v("decrypt", "--key", "gcm", "--aad", "ctx-2", input=theirs).stdout
            self.assertEqual(back, pt)
        bad = self.v("decrypt", "--key", "gcm", "--aad", "wrong", input=theirs, check=False)
        self.assertEqual(bad.returncode, 1)
        self.assertIn(b"decryption failed", bad.stderr)

    def test_errors_are_one_clear_line_and_change_nothing(self):
        self.v("key", "import", "--type", "hmac-sha256", "--id", "h", input=os.urandom(32))
        self.v("key", "import", "--type", "aes-256", "--id", "a", input=os.urandom(32))
        before = self.v("key", "list").stdout
        cases = [
            (("mac", "--key", "nope"), b"no key 'nope'"),
            (("mac", "--key", "a"), b"may not MAC"),
            (("encrypt", "--key", "h"), b"may not encrypt"),
            (("sign", "--key", "h"), b"may not sign"),
            (("key", "import", "--type", "aes-256", "--id", "short"), b"exactly 32 bytes"),
            (("key", "import", "--type", "hmac-sha256", "--id", "h"), b"already exists"),
            (("key", "import", "--type", "rsa-1024", "--id", "x"), b"unknown key type"),
            (("key", "generate", "--type", "aes-256", "--id", "bad id"), b"invalid key id"),
            (("key", "delete", "nope"), b"no key 'nope'"),
            (("key", "public", "h"), b"has no public key"),
            (("frobnicate",), b"unknown command"),
            # A word no command takes is refused, never ignored: an id
            # without --id must not import under a random id.
            (("key", "import", "k2", "--type", "aes-256"), b"unexpected argument 'k2'"),
            (("key", "delete", "h", "a"), b"unexpected argument 'a'"),
            (("mac", "--key", "h", "extra"), b"unexpected argument 'extra'"),
            (("audit", "verify", "now"), b"unexpected argument 'now'"),
            # So is an option the command does not read: --out on mac would
            # leave the user looking for a file never written.
            (("mac", "--key", "h", "--out", "m.bin"), b"--out does not apply to 'mac'"),
            (("key", "list", "--type", "aes-256"), b"--type does not apply to 'key list'"),
        ]
        for args, message in cases:
            p = self.v(*args, input=b"x" * 31, check=False)
            self.assertEqual(p.returncode, 1, args)
            err = p.stderr.strip()
            self.assertIn(message, err, args)
            self.assertEqual(err.count(b"\n"), 0, "more than one line: %r" % err)
            self.assertTrue(err.startswith(b"vhsm: "), err)
        wrong = self.vhsm("alice", "not-her-password", "key", "list", check=False)
        self.assertEqual(wrong.returncode, 1)
        self.assertIn(b"unknown user or wrong password", wrong.stderr)
        self.assertEqual(self.v("key", "list").stdout, before)
        p = harness.run_cli(self.daemon, ("vhsm-admin", "container", "list", "x"), check=False)
        self.assertEqual(p.returncode, 1)
        self.assertEqual(p.stderr.strip(), b"vhsm-admin: unexpected argument 'x' (try --help)")
        p = harness.run_cli(self.daemon, ("vhsm-admin", "container", "list", "--role", "admin"),
                            check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"--role does not apply to 'container list'", p.stderr)

    def test_output_that_cannot_be_written_is_an_error(self):
        # A full disk must not pass for success: the MAC, the plaintext lost.
        self.v("key", "import", "--type", "hmac-sha256", "--id", "h", input=os.urandom(32))
        self.v("key", "generate", "--type", "aes-256", "--id", "a")
        sealed = self.write("sealed", self.v("encrypt", "--key", "a", input=b"p" * 5000).stdout)
        for args, out in ((("mac", "--key", "h"), None),
                          (("decrypt", "--key", "a", "--in", sealed), None),
                          (("decrypt", "--key", "a", "--in", sealed, "--out", "/dev/full"),
                           subprocess.DEVNULL),
                          (("key", "list"), None)):
            with open("/dev/full", "wb") as full:
                p = subprocess.run([harness.VHSM, *args], input=b"m", env=self.daemon.env(
                    VHSM_USER="alice", VHSM_PASSWORD="pw-alice"), stdout=out or full,
                    stderr=subprocess.PIPE)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn(b"No space left on device", p.stderr, args)

    def test_every_command_has_help(self):
        for binary in ("vhsm", "vhsm-admin"):
            p = harness.run_cli(self.daemon, (binary, "--help"))
            self.assertIn(b"usage:", p.stdout)
        p = subprocess.run([harness.VHSMD, "--help"], capture_output=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn(b"--data-dir", p.stdout)

    def test_key_material_never_leaves(self):
        key = os.urandom(32)
        self.v("key", "import", "--type", "hmac-sha256", "--id", "secret", input=key)
        outputs = b"".join(self.v(*args).stdout for args in
                           (("key", "list"), ("key", "list", "--json")))
        self.assertNotIn(key.hex().encode(), outputs)
        self.assertNotIn(key, outputs)
        log = self.daemon.read_log()
        self.assertNotIn(key.hex(), log)
        self.assertNotIn("pw-alice", log)
        # The database (and its WAL) holds only ciphertext.
        data_dir = os.path.join(self.daemon.dir, "data")
        for name in os.listdir(data_dir):
            with open(os.path.join(data_dir, name), "rb") as f:
                self.assertNotIn(key, f.read(), name)


if __name__ == "__main__":
    harness.main()
