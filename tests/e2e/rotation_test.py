"""Key versions through the vhsm command and the real daemon: rotate, every
live version decrypts and verifies, the newest encrypts and signs, rewrap,
retiring versions wipes their material. References: Python's cryptography
(AES-GCM with the imported key) and the openssl command."""
import os
import sqlite3
import subprocess

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import harness


class RotationTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")

    def v(self, *args, **kw):
        return self.vhsm("alice", "pw-alice", *args, **kw)

    def info(self, key_id):
        lines = self.v("key", "info", key_id).stdout.decode().splitlines()
        fields = dict(l.split("\t", 1) for l in lines if not l.startswith("version\t"))
        versions = [int(l.split("\t")[1]) for l in lines if l.startswith("version\t")]
        return fields, versions

    def test_aes_rotation_rewrap_and_retirement(self):
        k1 = os.urandom(32)
        self.v("key", "import", "--type", "aes-256", "--id", "data", input=k1)
        plain = os.urandom(500)
        ct1 = self.v("encrypt", "--key", "data", "--aad", "a", input=plain).stdout
        # Version 1 ciphertexts are what they always were.
        self.assertEqual(AESGCM(k1).decrypt(ct1[:12], ct1[12:], b"a"), plain)
        fields, versions = self.info("data")
        self.assertEqual((fields["latest_version"], versions), ("1", [1]))

        out = self.v("key", "rotate", "data").stdout.decode()
        self.assertIn("latest_version\t2", out)
        fields, versions = self.info("data")
        self.assertEqual((fields["latest_version"], fields["min_version"], versions),
                         ("2", "1", [1, 2]))
        # Each version line carries its creation date, in seconds and in UTC.
        import datetime
        line = [l for l in self.v("key", "info", "data").stdout.decode().splitlines()
                if l.startswith("version\t2\t")][0]
        _, _, seconds, date = line.split("\t")
        self.assertEqual(datetime.datetime.fromtimestamp(int(seconds), datetime.timezone.utc)
                         .strftime("%Y-%m-%dT%H:%M:%SZ"), date)
        ct2 = self.v("encrypt", "--key", "data", "--aad", "a", input=plain).stdout
        self.assertTrue(ct2.startswith(b"vhsm:v2:"), ct2[:10])
        with self.assertRaises(Exception):  # not under version 1's key
            AESGCM(k1).decrypt(ct2[8:20], ct2[20:], b"a")
        for ct in (ct1, ct2):
            self.assertEqual(self.v("decrypt", "--key", "data", "--aad", "a", input=ct).stdout,
                             plain)
        # Rewrap: a v1 ciphertext becomes a v2 one of the same plaintext.
        rewrapped = self.v("rewrap", "--key", "data", "--aad", "a", input=ct1).stdout
        self.assertTrue(rewrapped.startswith(b"vhsm:v2:"))
        self.assertNotEqual(rewrapped, ct2)
        self.assertEqual(self.v("decrypt", "--key", "data", "--aad", "a", input=rewrapped).stdout,
                         plain)
        # A forged prefix naming a version that does not exist is refused.
        r = self.v("decrypt", "--key", "data", "--aad", "a", input=b"vhsm:v9:" + ct2[8:],
                   check=False)
        self.assertIn(b"no version 9", r.stderr)

        # Retire version 1: its ciphertexts are refused, its blob is gone.
        db = self.path("data/vhsm.db")
        blob = sqlite3.connect(db).execute(
            "SELECT blob FROM keys WHERE key_id = 'data'").fetchone()[0]
        self.assertGreater(len(blob), 40)
        self.v("key", "set", "data", "--min-version", "2")
        fields, versions = self.info("data")
        self.assertEqual((fields["min_version"], versions), ("2", [2]))
        r = self.v("decrypt", "--key", "data", "--aad", "a", input=ct1, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"retired", r.stderr)
        r = self.v("rewrap", "--key", "data", "--aad", "a", input=ct1, check=False)
        self.assertIn(b"retired", r.stderr)
        self.assertEqual(self.v("decrypt", "--key", "data", "--aad", "a", input=ct2).stdout, plain)
        left = sqlite3.connect(db).execute(
            "SELECT blob FROM keys WHERE key_id = 'data'").fetchone()[0]
        self.assertEqual(left, b"")
        for path in (db, db + "-wal"):
            if os.path.exists(path):
                with open(path, "rb") as f:
                    self.assertNotIn(blob[1:40], f.read(), path)
        # The minimum never goes down, nor past the latest.
        r = self.v("key", "set", "data", "--min-version", "1", check=False)
        self.assertIn(b"can go from 2 up to 2", r.stderr)
        r = self.v("key", "set", "data", "--min-version", "3", check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_signing_keys_rotate(self):
        self.v("key", "generate", "--type", "rsa-2048", "--id", "signer")
        msg = self.write("msg", os.urandom(1000))
        sig1, sig2 = self.path("sig1"), self.path("sig2")
        self.v("sign", "--key", "signer", "--in", msg, "--out", sig1)
        pub1 = self.write("pub1.pem", self.v("key", "public", "signer").stdout)
        self.v("key", "rotate", "signer")
        self.v("sign", "--key", "signer", "--in", msg, "--out", sig2)
        pub2 = self.write("pub2.pem", self.v("key", "public", "signer").stdout)
        self.assertNotEqual(open(pub1, "rb").read(), open(pub2, "rb").read())
        self.assertEqual(self.v("key", "public", "signer", "--version", "1").stdout,
                         open(pub1, "rb").read())
        # Each signature is made by its version: openssl agrees.
        for sig, pub in ((sig1, pub1), (sig2, pub2)):
            ok = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig,
                                 msg], capture_output=True)
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        # vhsm verify accepts either live version.
        for sig in (sig1, sig2):
            self.v("verify", "--key", "signer", "--in", msg, "--sig", sig)
        self.v("key", "set", "signer", "--min-version", "2")
        r = self.v("verify", "--key", "signer", "--in", msg, "--sig", sig1, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.v("verify", "--key", "signer", "--in", msg, "--sig", sig2)

    def test_hmac_rotation_changes_the_mac(self):
        key = os.urandom(32)
        self.v("key", "import", "--type", "hmac-sha256", "--id", "m", input=key)
        import hmac
        data = os.urandom(100)
        self.assertEqual(self.v("mac", "--key", "m", input=data).stdout.decode().strip(),
                         hmac.new(key, data, "sha256").hexdigest())
        self.v("key", "rotate", "m")
        self.assertNotEqual(self.v("mac", "--key", "m", input=data).stdout.decode().strip(),
                            hmac.new(key, data, "sha256").hexdigest())


if __name__ == "__main__":
    harness.main()
