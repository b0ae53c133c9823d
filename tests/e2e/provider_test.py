"""The OpenSSL 3 provider, through the real openssl command and a C program:
certificates, CSRs, signatures, HMAC and a TLS handshake with keys held in
vhsmd, ordinary operations unchanged, and clear bounded failures."""
import base64
import hmac
import os
import subprocess
import time

import harness

PROVIDER_DIR = os.path.abspath("vhsm/provider")
EXAMPLE = os.path.abspath("examples/provider_sign")
PROV = ["-provider-path", PROVIDER_DIR, "-provider", "vhsm", "-provider", "default"]


class ProviderTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")
        self.hkey = os.urandom(32)
        self.vhsm("alice", "pw-alice", "key", "import", "--type", "hmac-sha256", "--id", "mk",
                  input=self.hkey)
        for key_type, key_id in (("ec-p256", "ec"), ("ed25519", "ed")):
            self.vhsm("alice", "pw-alice", "key", "generate", "--type", key_type, "--id", key_id)
        self.pub = {k: self.write(k + ".pem", self.vhsm("alice", "pw-alice", "key", "public", k).stdout)
                    for k in ("ec", "ed")}

    def write(self, name, data):
        path = os.path.join(self.daemon.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def path(self, name):
        return os.path.join(self.daemon.dir, name)

    def env(self, **extra):
        base = dict(VHSM_USER="alice", VHSM_PASSWORD="pw-alice")
        base.update(extra)
        return harness.sanitizer_preload_env(os.path.join(PROVIDER_DIR, "vhsm.so"),
                                             self.daemon.env(**base))

    def openssl(self, *args, env=None, check=True, timeout=60, input=None, plain=False):
        env = dict(os.environ) if plain else (env or self.env())
        p = subprocess.run(["openssl"] + list(args), env=env, capture_output=True,
                           timeout=timeout, input=input)
        if check:
            self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        return p

    def test_signatures_verify_with_the_exported_public_key(self):
        for size in (0, 1, 5000, 200000):
            msg = self.write("msg", os.urandom(size))
            sig = self.path("sig")
            self.openssl("dgst", "-sha256", *PROV, "-sign", "vhsm:ec", "-out", sig, msg)
            self.openssl("dgst", "-sha256", "-verify", self.pub["ec"], "-signature", sig, msg,
                         plain=True)
            if 0 < size <= 60000:  # Ed25519 signs up to one frame; pkeyutl cannot read empty input
                self.openssl("pkeyutl", *PROV, "-sign", "-inkey", "vhsm:ed", "-rawin", "-in", msg,
                             "-out", sig)
                self.openssl("pkeyutl", "-verify", "-pubin", "-inkey", self.pub["ed"], "-rawin",
                             "-in", msg, "-sigfile", sig, plain=True)
                with open(msg, "ab") as f:
                    f.write(b"!")
                bad = self.openssl("pkeyutl", "-verify", "-pubin", "-inkey", self.pub["ed"],
                                   "-rawin", "-in", msg, "-sigfile", sig, plain=True, check=False)
                self.assertNotEqual(bad.returncode, 0)
        # The C example: OSSL_STORE_open("vhsm:...") + EVP_DigestSign.
        msg = self.write("msg", os.urandom(1000))
        for key_id in ("ec", "ed"):
            p = subprocess.run([EXAMPLE, PROVIDER_DIR, key_id, msg], env=self.env(),
                               capture_output=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            sig = self.write("csig", p.stdout)
            verify = (["dgst", "-sha256", "-verify", self.pub["ec"], "-signature", sig, msg]
                      if key_id == "ec" else
                      ["pkeyutl", "-verify", "-pubin", "-inkey", self.pub["ed"], "-rawin", "-in",
                       msg, "-sigfile", sig])
            self.openssl(*verify, plain=True)
        # vhsm:ID?type=public is the public key.
        out = self.openssl("pkey", *PROV, "-pubin", "-in", "vhsm:ec?type=public", "-pubout").stdout
        self.assertEqual(out, open(self.pub["ec"], "rb").read())
        # The private key: refused, and said why.
        for key_id in ("ec", "ed"):
            p = self.openssl("pkey", *PROV, "-in", "vhsm:" + key_id, check=False)
            self.assertNotEqual(p.returncode, 0)
            self.assertNotIn(b"PRIVATE KEY", p.stdout)
            self.assertIn(b"private part of key '%s' never leaves vhsmd" % key_id.encode(),
                          p.stderr)

    def test_csr_and_self_signed_certificates(self):
        for key_id in ("ec", "ed"):
            csr, cert = self.path(key_id + ".csr"), self.path(key_id + ".crt")
            self.openssl("req", "-new", *PROV, "-key", "vhsm:" + key_id, "-subj", "/CN=vhsm-" + key_id,
                         "-out", csr)
            self.openssl("req", "-verify", "-noout", "-in", csr, plain=True)
            self.openssl("req", "-new", "-x509", *PROV, "-key", "vhsm:" + key_id, "-subj",
                         "/CN=vhsm-" + key_id, "-days", "1", "-out", cert)
            self.openssl("verify", "-CAfile", cert, cert, plain=True)
            pub = self.openssl("x509", "-in", cert, "-pubkey", "-noout", plain=True).stdout
            self.assertEqual(pub, open(self.pub[key_id], "rb").read())

    def test_hmac(self):
        for size in (0, 100, 70000, 1 << 20):
            data = self.write("input.bin", os.urandom(size))
            out = self.openssl("mac", *PROV, "-digest", "SHA256", "-macopt", "key:vhsm:mk",
                               "-in", data, "HMAC").stdout
            self.assertEqual(out.strip().decode().lower(),
                             hmac.new(self.hkey, open(data, "rb").read(), "sha256").hexdigest())
        data = self.write("input.bin", os.urandom(3000))
        ours = self.openssl("mac", *PROV, "-digest", "SHA256", "-macopt", "hexkey:00112233",
                            "-in", data, "HMAC").stdout
        plain = self.openssl("mac", "-digest", "SHA256", "-macopt", "hexkey:00112233", "-in", data,
                             "HMAC", plain=True).stdout
        self.assertEqual(ours, plain)
        self.assertEqual(ours.strip().decode().lower(),
                         hmac.new(bytes.fromhex("00112233"), open(data, "rb").read(),
                                  "sha256").hexdigest())

    def test_ordinary_operations_keep_working(self):
        # With the provider loaded first, ordinary EC/Ed25519 keys are still
        # generated, used and verified by the default provider.
        for alg, extra in (("EC", ["-pkeyopt", "ec_paramgen_curve:P-256"]), ("ED25519", [])):
            key, pub = self.path("ord.pem"), self.path("ord.pub")
            self.openssl("genpkey", *PROV, "-algorithm", alg, *extra, "-out", key)
            self.openssl("pkey", "-in", key, "-pubout", "-out", pub, plain=True)
            msg = self.write("msg", os.urandom(100))
            sig = self.path("sig")
            if alg == "EC":
                self.openssl("dgst", "-sha256", *PROV, "-sign", key, "-out", sig, msg)
                self.openssl("dgst", "-sha256", "-verify", pub, "-signature", sig, msg, plain=True)
                self.openssl("dgst", "-sha256", *PROV, "-verify", pub, "-signature", sig, msg)
            else:
                self.openssl("pkeyutl", *PROV, "-sign", "-inkey", key, "-rawin", "-in", msg, "-out", sig)
                self.openssl("pkeyutl", "-verify", "-pubin", "-inkey", pub, "-rawin", "-in", msg,
                             "-sigfile", sig, plain=True)
        self.assertEqual(self.openssl("dgst", *PROV, "-sha256", msg).stdout,
                         self.openssl("dgst", "-sha256", msg, plain=True).stdout)

    def test_tls_handshake_with_the_key_in_vhsm(self):
        cert = self.path("server.crt")
        self.openssl("req", "-new", "-x509", *PROV, "-key", "vhsm:ec", "-subj", "/CN=localhost",
                     "-days", "1", "-out", cert)
        for group in ("P-256", "X25519"):
            port = harness.free_port()
            server = subprocess.Popen(
                ["openssl", "s_server", *PROV, "-key", "vhsm:ec", "-cert", cert, "-accept",
                 "127.0.0.1:%d" % port, "-naccept", "1"],
                env=self.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT)
            try:
                time.sleep(0.5)
                client = subprocess.run(
                    ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile", cert,
                     "-verify_return_error", "-groups", group],
                    input=b"", capture_output=True, timeout=30)
                out = client.stdout.decode(errors="replace")
                self.assertIn("Verify return code: 0 (ok)", out)
                self.assertIn("Peer signature type: ECDSA", out)
                self.assertIn("Cipher is TLS_", out, out[-2000:])
            finally:
                server.kill()
                server.wait()

    def handshake(self, port, cert):
        client = subprocess.run(
            ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile", cert,
             "-verify_return_error"], input=b"", capture_output=True, timeout=30)
        out = client.stdout.decode(errors="replace")
        self.assertIn("Verify return code: 0 (ok)", out, out[-2000:])
        self.assertIn("Peer signature type: ECDSA", out)

    def test_tls_server_keeps_serving_across_a_vhsmd_restart(self):
        cert = self.path("server.crt")
        self.openssl("req", "-new", "-x509", *PROV, "-key", "vhsm:ec", "-subj", "/CN=localhost",
                     "-days", "1", "-out", cert)
        port = harness.free_port()
        server = subprocess.Popen(
            ["openssl", "s_server", *PROV, "-key", "vhsm:ec", "-cert", cert, "-accept",
             "127.0.0.1:%d" % port], env=self.env(), stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(0.5)
            self.handshake(port, cert)
            self.daemon.stop()
            self.daemon.start()  # the provider's session is gone with the old vhsmd
            for _ in range(3):
                self.handshake(port, cert)
            self.assertIsNone(server.poll())
        finally:
            server.kill()
            server.wait()

    def test_daemon_key_from_openssl_cnf(self):
        msg = self.write("msg", b"configured")
        for key, ok in ((self.daemon.public_key_path, True),
                        (base64.b64encode(os.urandom(32)).decode(), False)):
            cnf = self.write("openssl.cnf", (
                "openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n"
                "[provider_sect]\nvhsm = vhsm_sect\ndefault = default_sect\n"
                "[vhsm_sect]\nmodule = %s/vhsm.so\nvhsm-server-key = %s\nactivate = 1\n"
                "[default_sect]\nactivate = 1\n" % (PROVIDER_DIR, key)).encode())
            env = self.env(OPENSSL_CONF=cnf)
            del env["VHSM_SERVER_KEY"]
            p = self.openssl("dgst", "-sha256", "-sign", "vhsm:ec", "-out", msg + ".sig", msg,
                             env=env, check=False)
            self.assertEqual(p.returncode == 0, ok, p.stderr)
            if not ok:
                self.assertIn(b"not authenticated", p.stderr)

    def test_failures_are_clear_and_bounded(self):
        msg = self.write("msg", b"hello")
        cases = [
            (dict(VHSM_PASSWORD="wrong"), "vhsm:ec", b"unknown user or wrong password"),
            ({}, "vhsm:nope", b"no key 'nope'"),
            (dict(VHSM_PORT_ID="12345"), "vhsm:ec", b"is vhsmd running"),
        ]
        for extra, key, message in cases:
            p = self.openssl("dgst", "-sha256", *PROV, "-sign", key, msg, env=self.env(**extra),
                             check=False, timeout=30)
            self.assertNotEqual(p.returncode, 0)
            self.assertIn(message, p.stderr, extra)
        p = self.openssl("mac", *PROV, "-digest", "SHA256", "-macopt", "key:vhsm:nope", "-in", msg,
                         "HMAC", check=False, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"no key 'nope'", p.stderr)
        self.daemon.stop()
        p = self.openssl("dgst", "-sha256", *PROV, "-sign", "vhsm:ec", msg, check=False, timeout=30)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"is vhsmd running", p.stderr)
        self.daemon.start()


if __name__ == "__main__":
    harness.main()
