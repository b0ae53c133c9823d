"""The OpenSSL engine, driven through the real openssl command and a C program:
HMAC with vhsm:KEYID equals Python's hmac, ECDSA signatures made through the
engine verify with plain openssl, ordinary digests and HMACs are untouched,
and failures are clear and bounded in time."""
import hashlib
import hmac
import os
import random
import socket
import subprocess
import time

import harness

ENGINE = os.path.abspath("vhsm/engine/vhsm-engine.so")
THREADS = os.path.abspath("tests/e2e/engine_threads")
EXAMPLE = os.path.abspath("examples/engine_hmac")


def with_preload(env):
    return harness.sanitizer_preload_env(ENGINE, env)


class EngineTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")
        self.key = os.urandom(32)
        self.vhsm("alice", "pw-alice", "key", "import", "--type", "hmac-sha256", "--id", "mk",
                  input=self.key)
        self.key512 = os.urandom(64)
        self.vhsm("alice", "pw-alice", "key", "import", "--type", "hmac-sha512", "--id", "mk512",
                  input=self.key512)
        self.vhsm("alice", "pw-alice", "key", "generate", "--type", "ec-p256", "--id", "ec")
        self.pub = self.write("ec.pem", self.vhsm("alice", "pw-alice", "key", "public", "ec").stdout)

    def test_tls_server_keeps_serving_across_a_restart_and_idle_expiry(self):
        cert = self.write("server.crt", b"")
        self.openssl("req", "-new", "-x509", "-engine", ENGINE, "-keyform", "engine", "-key", "ec",
                     "-subj", "/CN=localhost", "-days", "1", "-out", cert)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(
            ["openssl", "s_server", "-engine", ENGINE, "-keyform", "engine", "-key", "ec",
             "-cert", cert, "-accept", "127.0.0.1:%d" % port],
            env=with_preload(self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="pw-alice")),
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def handshake():
            out = subprocess.run(
                ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile", cert,
                 "-verify_return_error"], input=b"", capture_output=True,
                timeout=30).stdout.decode(errors="replace")
            self.assertIn("Verify return code: 0 (ok)", out, out[-2000:])
        try:
            time.sleep(0.5)
            handshake()
            self.daemon.stop()
            self.daemon.extra = ["--idle-timeout-s", "1"]
            self.daemon.start()
            handshake()  # after the restart
            time.sleep(2.5)  # the new session expires while idle
            handshake()
            self.assertIsNone(server.poll())
        finally:
            server.kill()
            server.wait()

    def write(self, name, data):
        path = os.path.join(self.daemon.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def openssl(self, *args, env=None, check=True, timeout=60):
        env = with_preload(env or self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="pw-alice"))
        p = subprocess.run(["openssl"] + list(args), env=env, capture_output=True, timeout=timeout)
        if check:
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p

    def test_hmac_equals_python_hmac(self):
        for size in [0, 1, 64, 60000, 60001, 65536, 200000, 1 << 20, random.randint(0, 1 << 20)]:
            data = self.write("data.bin", os.urandom(size))
            out = self.openssl("dgst", "-engine", ENGINE, "-sha256", "-hmac", "vhsm:mk", data).stdout
            self.assertEqual(out.split(b"= ")[1].strip().decode(),
                             hmac.new(self.key, open(data, "rb").read(), "sha256").hexdigest(),
                             "size %d" % size)
        data = self.write("data.bin", os.urandom(5000))
        out = self.openssl("dgst", "-engine", ENGINE, "-sha512", "-hmac", "vhsm:mk512", data).stdout
        self.assertEqual(out.split(b"= ")[1].strip().decode(),
                         hmac.new(self.key512, open(data, "rb").read(), "sha512").hexdigest())
        # The C example does the same through EVP_DigestSign.
        p = subprocess.run([EXAMPLE, ENGINE, "mk", data], capture_output=True,
                           env=self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="pw-alice"))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip().decode(),
                         hmac.new(self.key, open(data, "rb").read(), "sha256").hexdigest())

    def test_ordinary_digests_and_hmacs_are_untouched(self):
        data = self.write("data.bin", os.urandom(100000))
        for args in (["-sha256"], ["-sha1"], ["-sha512"], ["-sha256", "-hmac", "plain key"],
                     ["-sha384", "-hmac", "vhsmX:not-a-vhsm-key"]):
            plain = self.openssl("dgst", *args, data).stdout
            with_engine = self.openssl("dgst", "-engine", ENGINE, *args, data).stdout
            self.assertEqual(plain, with_engine, args)
        raw = open(data, "rb").read()
        self.assertIn(hashlib.sha1(raw).hexdigest().encode(),
                      self.openssl("dgst", "-engine", ENGINE, "-sha1", data).stdout)
        self.assertIn(hmac.new(b"plain key", raw, "sha256").hexdigest().encode(),
                      self.openssl("dgst", "-engine", ENGINE, "-sha256", "-hmac", "plain key",
                                   data).stdout)

    def test_ecdsa_signatures_verify_with_plain_openssl(self):
        data = self.write("data.bin", os.urandom(3000))
        sig = os.path.join(self.daemon.dir, "sig.bin")
        self.openssl("dgst", "-sha256", "-sign", "ec", "-keyform", "engine", "-engine", ENGINE,
                     "-out", sig, data)
        self.openssl("dgst", "-sha256", "-verify", self.pub, "-signature", sig, data,
                     env=dict(os.environ))
        digest = self.write("digest.bin", hashlib.sha256(open(data, "rb").read()).digest())
        sig2 = os.path.join(self.daemon.dir, "sig2.bin")
        self.openssl("pkeyutl", "-engine", ENGINE, "-keyform", "engine", "-inkey", "vhsm:ec",
                     "-sign", "-in", digest, "-out", sig2)
        self.openssl("pkeyutl", "-verify", "-pubin", "-inkey", self.pub, "-in", digest,
                     "-sigfile", sig2, env=dict(os.environ))
        # A tampered message fails.
        with open(data, "ab") as f:
            f.write(b"x")
        bad = self.openssl("dgst", "-sha256", "-verify", self.pub, "-signature", sig, data,
                           check=False, env=dict(os.environ))
        self.assertNotEqual(bad.returncode, 0)
        # The engine's public key is the daemon's.
        pub = self.openssl("pkey", "-engine", ENGINE, "-pubin", "-inform", "engine", "-in", "ec",
                           "-pubout").stdout
        self.assertEqual(pub, open(self.pub, "rb").read())

    def test_failures_are_clear_and_bounded(self):
        data = self.write("data.bin", b"hello")
        cases = [
            (dict(VHSM_USER="alice", VHSM_PASSWORD="wrong"), "vhsm:mk",
             b"unknown user or wrong password"),
            (dict(VHSM_USER="alice", VHSM_PASSWORD="pw-alice"), "vhsm:nope", b"no key 'nope'"),
            (dict(VHSM_USER="alice", VHSM_PASSWORD="pw-alice", VHSM_PORT_ID="12345"), "vhsm:mk",
             b"is vhsmd running"),
            (dict(VHSM_PASSWORD="pw-alice"), "vhsm:mk", b"no VHSM user"),
            (dict(VHSM_USER="alice", VHSM_PASSWORD="pw-alice"), "vhsm:ec", b"may not MAC"),
        ]
        for extra, key, message in cases:
            env = with_preload(self.daemon.env(**extra))
            p = self.openssl("dgst", "-engine", ENGINE, "-sha256", "-hmac", key, data, env=env,
                             check=False, timeout=30)
            self.assertNotEqual(p.returncode, 0, extra)
            self.assertIn(message, p.stderr, extra)
            self.assertIn(b"vhsm engine", p.stderr)
        p = self.openssl("dgst", "-sha512", "-engine", ENGINE, "-hmac", "vhsm:mk", data,
                         check=False)
        self.assertIn(b"use -sha256", p.stderr)
        p = self.openssl("dgst", "-sha256", "-sign", "nope", "-keyform", "engine", "-engine",
                         ENGINE, data, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"no key 'nope'", p.stderr)

    def test_daemon_down_fails_fast(self):
        self.daemon.stop()
        data = self.write("data.bin", b"hello")
        p = self.openssl("dgst", "-engine", ENGINE, "-sha256", "-hmac", "vhsm:mk", data,
                         check=False, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"is vhsmd running", p.stderr)
        self.daemon.start()

    def test_four_threads_share_the_engine(self):
        data = self.write("data.bin", os.urandom(70000))
        want = hmac.new(self.key, open(data, "rb").read(), "sha256").hexdigest()
        p = subprocess.run([THREADS, ENGINE, "mk", "ec", data, want, self.pub],
                           env=self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="pw-alice"),
                           capture_output=True, timeout=120)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn(b"80 of 80 rounds right", p.stdout)


if __name__ == "__main__":
    harness.main()
