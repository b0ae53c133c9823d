"""vhsm batch (issue 18): many operations after one login, one answer per
line, the same output as the single commands; a failing line names its
number and the rest go on."""
import hashlib
import hmac
import json
import os
import subprocess

import harness


def read(path):
    with open(path, "rb") as f:
        return f.read()


class BatchTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")
        self.key = os.urandom(32)
        self.v("key", "import", "--type", "hmac-sha256", "--id", "m", input=self.key)
        self.v("key", "generate", "--type", "ec-p256", "--id", "e")
        self.files = []
        for i, name in enumerate(("f1", "f2", "f 3")):
            self.files.append(self.write(name, os.urandom(100 + i)))

    def v(self, *args, input=b"", check=True):
        return self.vhsm("alice", "pw-alice", *args, input=input, check=check)

    def test_answers_equal_the_single_commands_and_a_bad_line_does_not_stop_the_rest(self):
        f1, f2, f3 = self.files
        script = "\n".join([
            "# a comment, then a blank line",
            "",
            "mac --key m --in %s" % f1,
            "digest --alg sha256 --in %s" % f2,
            "key generate --type aes-256 --id g1",
            "mac --key nosuch --in %s" % f1,
            "key list",
            "mac --key m --in '%s'" % f3,
            "key info m",
            "sign --key e --in %s --out %s" % (f1, self.path("sig")),
            "password",
            "frobnicate",
            "mac --key m",
            "mac --key m --in -",
            "key delete g1",
        ]) + "\n"
        r = self.v("batch", input=script.encode(), check=False)
        self.assertEqual(r.returncode, 1, r.stderr)  # some lines failed
        out = r.stdout.decode().splitlines()
        single = lambda *a: self.v(*a).stdout.decode().splitlines()
        want_mac1 = hmac.new(self.key, read(f1), hashlib.sha256).hexdigest()
        want_mac3 = hmac.new(self.key, read(f3), hashlib.sha256).hexdigest()
        self.assertEqual(out[0], want_mac1)
        self.assertEqual(out[0:1], single("mac", "--key", "m", "--in", f1))
        self.assertEqual(out[1], hashlib.sha256(read(f2)).hexdigest())
        self.assertEqual(out[2], "g1")
        self.assertRegex(out[3], r"^error: line 6: .*no key 'nosuch'")
        listing = single("key", "list")  # (g1 is deleted by the batch's last line)
        n = len(listing) + 1
        self.assertEqual(sorted(out[4:4 + n]), sorted(listing + ["g1\taes-256"]))
        rest = out[4 + n:]
        self.assertEqual(rest[0], want_mac3)
        info = single("key", "info", "m")
        self.assertEqual(rest[1:1 + len(info)], info)
        rest = rest[1 + len(info):]
        # sign wrote its signature to --out and printed nothing; it verifies.
        pub = self.write("e.pem", self.v("key", "public", "e").stdout)
        subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature",
                        self.path("sig"), f1], check=True, capture_output=True)
        self.assertRegex(rest[0], r"^error: line 11: 'password' cannot run in a batch")
        self.assertRegex(rest[1], r"^error: line 12: unknown command 'frobnicate'")
        self.assertRegex(rest[2], r"^error: line 13: in a batch, mac takes its data from --in")
        self.assertRegex(rest[3], r"^error: line 14: in a batch, --in takes a file")
        self.assertEqual(len(rest), 4)  # key delete prints nothing
        self.assertNotIn("g1", " ".join(single("key", "list")))

    def test_binary_answers_are_one_hex_line_each(self):
        # encrypt and decrypt print raw bytes alone; in a batch that would
        # glue the next answer to them (or split them at a newline byte).
        self.v("key", "generate", "--type", "aes-256", "--id", "a")
        plain = b"line one\nline two\n" + bytes(range(256))
        f = self.write("plain", plain)
        ct = self.write("ct", self.v("encrypt", "--key", "a", "--in", f).stdout)
        script = "\n".join([
            "encrypt --key a --in %s" % f,
            "decrypt --key a --in %s" % ct,
            "decrypt --key a --in %s --out %s" % (ct, self.path("out")),
            "decrypt --key a --in %s" % f,  # not a ciphertext: fails
            "mac --key m --in %s" % f,
        ]) + "\n"
        r = self.v("batch", input=script.encode(), check=False)
        self.assertEqual(r.returncode, 1, r.stderr)
        out = r.stdout.decode().splitlines()
        self.assertEqual(len(out), 4, out)
        # The batch's ciphertext, from hex, decrypts (by a single command) to the plaintext.
        ct2 = self.write("ct2", bytes.fromhex(out[0]))
        self.assertEqual(self.v("decrypt", "--key", "a", "--in", ct2).stdout, plain)
        self.assertEqual(out[1], plain.hex())
        self.assertEqual(read(self.path("out")), plain)  # --out: the bytes, as alone
        self.assertRegex(out[2], r"^error: line 4: ")
        self.assertEqual(out[3], hmac.new(self.key, plain, hashlib.sha256).hexdigest())

    def test_a_batch_file_and_one_login_for_a_thousand_macs(self):
        f1 = self.files[0]
        path = self.write("script", ("mac --key m --in %s\n" % f1).encode() * 1000)
        r = self.v("batch", path)
        want = hmac.new(self.key, read(f1), hashlib.sha256).hexdigest()
        self.assertEqual(r.stdout.decode().splitlines(), [want] * 1000)
        # One login: the audit log holds one login for the whole batch.
        self.admin("audit", "export", "--container", "host", "--out", self.path("a.json"))
        records = json.loads(read(self.path("a.json")))["records"]
        batch_logins = [x for x in records if x["op"] == "login"]
        macs = [x for x in records if x["op"] == "mac"]
        self.assertGreaterEqual(len(macs), 1000)
        self.assertLessEqual(len(batch_logins), 4)  # setUp's commands and the batch's one

    def test_a_missing_batch_file_says_why(self):
        r = self.v("batch", self.path("no-such-script"), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"no-such-script: No such file or directory", r.stderr)
        r = self.v("batch", self.path("a"), self.path("b"), check=False)
        self.assertEqual(r.returncode, 1)
        self.assertIn(b"unexpected argument", r.stderr)


if __name__ == "__main__":
    harness.main()
