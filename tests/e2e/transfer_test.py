"""Moving a container between hosts: export from one vhsmd, import into
another (its own data directory and port id), log in with the same
passwords, every key gives the same results. The file holds no secret in
clear; a flipped byte, a truncated file or an edit under a passphrase is
refused and changes nothing."""
import hmac
import os
import subprocess

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

import harness


class TransferTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.other = None

    def tearDown(self):
        if self.other is not None:
            try:
                self.other.stop()
            finally:
                self.other.cleanup()
        super().tearDown()

    def admin_on(self, daemon, *args, check=True):
        return harness.run_cli(daemon, ("vhsm-admin",) + args, env=daemon.env(), check=check)

    def v(self, daemon, container, user, pw, *args, input=b"", check=True):
        env = daemon.env(VHSM_USER=user, VHSM_PASSWORD=pw)
        return harness.run_cli(daemon, ("vhsm",) + args, input=input, container=container,
                               env=env, check=check)

    def populate(self, c):
        """Keys in container 'shop' on daemon A; returns what B must reproduce."""
        d = self.daemon
        self.admin("user", "add", "--container", "shop", "alice", password="pw-alice")
        self.admin("user", "add", "--container", "shop", "bob", password="pw-bob")
        self.secrets = {"hmac": os.urandom(32), "aes": os.urandom(32), "bob": os.urandom(40)}
        a = lambda *args, **kw: self.v(d, c, "alice", "pw-alice", *args, **kw)
        a("key", "import", "--type", "hmac-sha256", "--id", "mk", input=self.secrets["hmac"])
        a("key", "import", "--type", "aes-256", "--id", "ek", "--label", "files",
          input=self.secrets["aes"])
        a("key", "generate", "--type", "ec-p256", "--id", "ec")
        a("key", "generate", "--type", "rsa-2048", "--id", "rsa")
        a("key", "rotate", "ek")
        self.v(d, c, "bob", "pw-bob", "key", "import", "--type", "hmac-sha512", "--id", "bk",
               input=self.secrets["bob"])
        self.data = os.urandom(3000)
        self.ct_v1 = AESGCM(self.secrets["aes"]).encrypt(b"\x01" * 12, self.data, b"")
        self.ct_v1 = b"\x01" * 12 + self.ct_v1
        self.ct_v2 = a("encrypt", "--key", "ek", input=self.data).stdout
        self.assertTrue(self.ct_v2.startswith(b"vhsm:v2:"))
        self.pubs = {k: a("key", "public", k).stdout for k in ("ec", "rsa")}

    def check_on(self, daemon, c):
        a = lambda *args, **kw: self.v(daemon, c, "alice", "pw-alice", *args, **kw)
        self.assertEqual(a("mac", "--key", "mk", input=self.data).stdout.decode().strip(),
                         hmac.new(self.secrets["hmac"], self.data, "sha256").hexdigest())
        for ct in (self.ct_v1, self.ct_v2):
            self.assertEqual(a("decrypt", "--key", "ek", input=ct).stdout, self.data)
        info = a("key", "info", "ek").stdout.decode()
        self.assertIn("label\tfiles", info)
        self.assertIn("latest_version\t2", info)
        for k, pub in self.pubs.items():
            self.assertEqual(a("key", "public", k).stdout, pub)
            msg = self.path("msg")
            with open(msg, "wb") as f:
                f.write(self.data)
            pub_path = self.path(k + ".pub")
            with open(pub_path, "wb") as f:
                f.write(pub)
            sig = self.path("sig")
            a("sign", "--key", k, "--in", msg, "--out", sig)
            r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub_path, "-signature",
                                sig, msg], capture_output=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        bob = self.v(daemon, c, "bob", "pw-bob", "mac", "--key", "bk", input=self.data)
        self.assertEqual(bob.stdout.decode().strip(),
                         hmac.new(self.secrets["bob"], self.data, "sha512").hexdigest())
        # Wrong passwords still fail there.
        r = self.v(daemon, c, "alice", "wrong", "key", "list", check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_move_a_container_to_another_host(self):
        c1 = self.container("shop")
        self.populate(c1)
        self.check_on(self.daemon, c1)
        out = self.path("shop.vhsmexport")
        self.admin("container", "export", "shop", "--out", out)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)
        with open(out, "rb") as f:
            blob = f.read()
        for name, secret in self.secrets.items():
            self.assertNotIn(secret, blob, name)
        for word in (b"pw-alice", b"pw-bob", b"PRIVATE KEY", self.data[:32]):
            self.assertNotIn(word, blob)

        self.other = harness.Daemon().start()
        b = self.other
        # Damaged copies are refused and leave nothing behind.
        flipped = bytearray(blob)
        flipped[len(blob) // 2] ^= 0x01
        for name, bad in (("flipped", bytes(flipped)), ("truncated", blob[:len(blob) - 100]),
                          ("cut short", blob[:len(blob) // 3])):
            path = self.path(name)
            with open(path, "wb") as f:
                f.write(bad)
            r = self.admin_on(b, "container", "import", "shop", "--in", path, check=False)
            self.assertNotEqual(r.returncode, 0, name)
            self.assertTrue(b"damaged" in r.stderr or b"truncated" in r.stderr, r.stderr)
            self.assertNotIn(b"shop", self.admin_on(b, "container", "list").stdout, name)
        r = self.admin_on(b, "container", "import", "other", "--in", out, check=False)
        self.assertIn(b"imports only as 'shop'", r.stderr)

        r = self.admin_on(b, "container", "import", "shop", "--in", out)
        self.assertIn(b"2 users, 5 keys", r.stdout)
        c2 = self.container()
        self.admin_on(b, "container", "attach", "shop", "--pid", str(c2.pid))
        self.check_on(b, c2)
        r = self.admin_on(b, "container", "import", "shop", "--in", out, check=False)
        self.assertIn(b"exists", r.stderr)

    def test_the_host_container_moves_too(self):
        self.admin("user", "add", "--container", "host", "dave", password="pw-dave")
        key = os.urandom(32)
        self.vhsm("dave", "pw-dave", "key", "import", "--type", "hmac-sha256", "--id", "k",
                  input=key)
        out = self.path("host.vhsmexport")
        self.admin("container", "export", "host", "--out", out)
        self.other = harness.Daemon().start()
        b = self.other
        self.admin_on(b, "container", "import", "host", "--in", out)
        got = self.v(b, None, "dave", "pw-dave", "mac", "--key", "k", input=b"x").stdout
        self.assertEqual(got.decode().strip(), hmac.new(key, b"x", "sha256").hexdigest())
        # Once it has users, importing into it is refused.
        r = self.admin_on(b, "container", "import", "host", "--in", out, check=False)
        self.assertIn(b"exists on this host with users", r.stderr)

    def test_passphrase_protects_against_edits(self):
        c1 = self.container("lab")
        self.admin("user", "add", "--container", "lab", "carol", password="pw-carol")
        key = os.urandom(32)
        self.v(self.daemon, c1, "carol", "pw-carol", "key", "import", "--type", "hmac-sha256",
               "--id", "k", input=key)
        pass_file = self.path("pass")
        with open(pass_file, "w") as f:
            f.write("correct horse battery staple\n")
        out = self.path("lab.vhsmexport")
        self.admin("container", "export", "lab", "--out", out, "--passphrase-file", pass_file)
        self.other = harness.Daemon().start()
        b = self.other
        r = self.admin_on(b, "container", "import", "lab", "--in", out, check=False)
        self.assertIn(b"protected by a passphrase", r.stderr)
        wrong = self.path("wrong")
        with open(wrong, "w") as f:
            f.write("incorrect\n")
        r = self.admin_on(b, "container", "import", "lab", "--in", out, "--passphrase-file", wrong,
                          check=False)
        self.assertIn(b"passphrase is wrong", r.stderr)
        self.admin_on(b, "container", "import", "lab", "--in", out, "--passphrase-file", pass_file)
        c2 = self.container()
        self.admin_on(b, "container", "attach", "lab", "--pid", str(c2.pid))
        got = self.v(b, c2, "carol", "pw-carol", "mac", "--key", "k", input=b"x").stdout
        self.assertEqual(got.decode().strip(), hmac.new(key, b"x", "sha256").hexdigest())

    def test_wrapped_export_of_one_key(self):
        c1 = self.container("shop")
        self.admin("user", "add", "--container", "shop", "alice", password="pw-alice")
        a = lambda *args, **kw: self.v(self.daemon, c1, "alice", "pw-alice", *args, **kw)
        kek, mac_key = os.urandom(32), os.urandom(48)
        a("key", "import", "--type", "aes-256", "--id", "kek", input=kek)
        a("key", "import", "--type", "hmac-sha256", "--id", "m", "--exportable-wrapped",
          "--label", "api", input=mac_key)
        a("key", "generate", "--type", "ec-p384", "--id", "sig", "--exportable-wrapped")
        a("key", "generate", "--type", "ec-p256", "--id", "stays")
        out = self.path("m.wrapped")
        a("key", "export", "m", "--wrap-with", "kek", "--out", out)
        with open(out, "rb") as f:
            wrapped = f.read()
        self.assertNotIn(mac_key, wrapped)
        # The format is what vhsm.proto says: Python's own RFC 5649 unwrap
        # and a few lines of parsing give back the key and its attributes.
        from cryptography.hazmat.primitives.keywrap import aes_key_unwrap_with_padding
        magic = b"VHSM wrapped key 1\n"
        self.assertTrue(wrapped.startswith(magic))
        inner = aes_key_unwrap_with_padding(kek, wrapped[len(magic):])
        fields, pos = [], 0
        for kind in ("f", "f", "u", "u", "f", "f"):
            n = int.from_bytes(inner[pos:pos + 4], "big")
            if kind == "u":
                fields.append(n)
                pos += 4
            else:
                fields.append(inner[pos + 4:pos + 4 + n])
                pos += 4 + n
        self.assertEqual(fields[0], b"vhsm-wrapped-key")
        self.assertEqual((fields[1], fields[2], fields[3], fields[4], fields[5]),
                         (b"hmac-sha256", 1, 1, b"api", mac_key))
        # Not exportable, a KEK that may not wrap, the KEK's decrypt: refused.
        r = a("key", "export", "stays", "--wrap-with", "kek", check=False)
        self.assertIn(b"not exportable", r.stderr)
        a("key", "import", "--type", "aes-256", "--id", "enc-only", "--ops", "encrypt,decrypt",
          input=os.urandom(32))
        r = a("key", "export", "m", "--wrap-with", "enc-only", check=False)
        self.assertIn(b"may not wrap", r.stderr)
        r = a("decrypt", "--key", "kek", input=wrapped[len(magic):], check=False)
        self.assertNotEqual(r.returncode, 0)
        sig_out = self.path("sig.wrapped")
        a("key", "export", "sig", "--wrap-with", "kek", "--out", sig_out)
        pub = a("key", "public", "sig").stdout

        # Another host, where alice holds the same KEK.
        self.other = harness.Daemon().start()
        b_d = self.other
        c2 = self.container()
        self.admin_on(b_d, "container", "attach", "shop", "--pid", str(c2.pid))
        self.admin_on(b_d, "user", "add", "--container", "shop", "alice", "--password-file",
                      self.write_pw("other-pw"))
        b = lambda *args, **kw: self.v(b_d, c2, "alice", "other-pw", *args, **kw)
        b("key", "import", "--type", "aes-256", "--id", "kek", input=kek)
        self.assertEqual(b("key", "import", "--wrapped", out, "--wrap-with", "kek", "--id",
                           "m2").stdout.strip(), b"m2")
        self.assertEqual(b("mac", "--key", "m2", input=b"data").stdout.decode().strip(),
                         hmac.new(mac_key, b"data", "sha256").hexdigest())
        self.assertIn("label\tapi", b("key", "info", "m2").stdout.decode())
        b("key", "import", "--wrapped", sig_out, "--wrap-with", "kek", "--id", "sig")
        self.assertEqual(b("key", "public", "sig").stdout, pub)
        # A different KEK or a damaged blob: refused, nothing stored.
        b("key", "import", "--type", "aes-256", "--id", "kek2", input=os.urandom(32))
        r = b("key", "import", "--wrapped", out, "--wrap-with", "kek2", "--id", "x", check=False)
        self.assertIn(b"key unwrap failed", r.stderr)
        bad = bytearray(wrapped)
        bad[-3] ^= 1
        r = b("key", "import", "--wrapped", self.write("bad", bytes(bad)), "--wrap-with",
              "kek", "--id", "y", check=False)
        self.assertIn(b"key unwrap failed", r.stderr)
        listed = b("key", "list").stdout.decode()
        self.assertNotIn("x\t", listed)
        self.assertNotIn("y\t", listed)

    def write_pw(self, pw):
        return self.write("pwfile", pw.encode())


if __name__ == "__main__":
    harness.main()
