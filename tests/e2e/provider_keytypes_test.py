"""RSA and P-384 keys held in vhsmd through OpenSSL: the provider (vhsm: key
URIs) for `openssl dgst`, `pkeyutl`, `req` and a TLS server, and the engine
for `openssl dgst -engine vhsm -sign`. Every signature is checked by plain
openssl with the exported public key."""
import os
import subprocess
import time

import harness

PROVIDER_DIR = os.path.abspath("vhsm/provider")
ENGINE = os.path.abspath("vhsm/engine/vhsm-engine.so")
PROV = ["-provider-path", PROVIDER_DIR, "-provider", "vhsm", "-provider", "default"]
PSS = ["-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"]


class ProviderKeyTypesTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")
        for key_type, key_id in (("rsa-2048", "rsa"), ("rsa-3072", "rsa3k"), ("ec-p384", "p384")):
            self.vhsm("alice", "pw-alice", "key", "generate", "--type", key_type, "--id", key_id)
        self.pub = {k: self.write(k + ".pem", self.vhsm("alice", "pw-alice", "key", "public", k).stdout)
                    for k in ("rsa", "rsa3k", "p384")}

    def env(self):
        return harness.sanitizer_preload_env(
            os.path.join(PROVIDER_DIR, "vhsm.so"),
            self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="pw-alice"))

    def openssl(self, *args, plain=False, check=True, input=None, env=None):
        env = dict(os.environ) if plain else (env or self.env())
        p = subprocess.run(["openssl"] + list(args), env=env, capture_output=True, input=input,
                           timeout=60)
        if check:
            self.assertEqual(p.returncode, 0, (args, p.stdout + p.stderr))
        return p

    def test_dgst_sign_rsa_pkcs1_and_pss_and_p384(self):
        for size in (0, 5000, 200000):
            msg = self.write("msg", os.urandom(size))
            sig = self.path("sig")
            for key_id in ("rsa", "rsa3k"):
                for md in ("-sha256", "-sha384", "-sha512"):
                    for opts in ([], PSS):
                        self.openssl("dgst", md, *PROV, "-sign", "vhsm:" + key_id, *opts,
                                     "-out", sig, msg)
                        self.openssl("dgst", md, "-verify", self.pub[key_id], "-signature", sig,
                                     *opts, msg, plain=True)
            self.openssl("dgst", "-sha384", *PROV, "-sign", "vhsm:p384", "-out", sig, msg)
            self.openssl("dgst", "-sha384", "-verify", self.pub["p384"], "-signature", sig, msg,
                         plain=True)
            # P-384 with SHA-256: the digest is shorter than the order.
            self.openssl("dgst", "-sha256", *PROV, "-sign", "vhsm:p384", "-out", sig, msg)
            self.openssl("dgst", "-sha256", "-verify", self.pub["p384"], "-signature", sig, msg,
                         plain=True)

    def test_pkeyutl_signs_a_digest(self):
        digest = self.write("digest", os.urandom(32))
        sig = self.path("sig")
        self.openssl("pkeyutl", "-sign", *PROV, "-inkey", "vhsm:rsa", "-in", digest, "-out", sig,
                     "-pkeyopt", "digest:sha256")
        self.openssl("pkeyutl", "-verify", "-pubin", "-inkey", self.pub["rsa"], "-in", digest,
                     "-sigfile", sig, "-pkeyopt", "digest:sha256", plain=True)
        self.openssl("pkeyutl", "-sign", *PROV, "-inkey", "vhsm:rsa", "-in", digest, "-out", sig,
                     "-pkeyopt", "digest:sha256", "-pkeyopt", "rsa_padding_mode:pss",
                     "-pkeyopt", "rsa_pss_saltlen:digest")
        self.openssl("pkeyutl", "-verify", "-pubin", "-inkey", self.pub["rsa"], "-in", digest,
                     "-sigfile", sig, "-pkeyopt", "digest:sha256", "-pkeyopt",
                     "rsa_padding_mode:pss", "-pkeyopt", "rsa_pss_saltlen:digest", plain=True)
        # A salt length VHSM does not sign with is refused clearly.
        p = self.openssl("pkeyutl", "-sign", *PROV, "-inkey", "vhsm:rsa", "-in", digest, "-out",
                         sig, "-pkeyopt", "digest:sha256", "-pkeyopt", "rsa_padding_mode:pss",
                         "-pkeyopt", "rsa_pss_saltlen:20", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"salt as long as the hash", p.stderr)

    def test_certificates_with_rsa_pkcs1_pss_and_p384(self):
        for key_id, opts in (("rsa", []), ("rsa", PSS), ("p384", [])):
            cert = self.path("c.crt")
            self.openssl("req", "-new", "-x509", *PROV, "-key", "vhsm:" + key_id, *opts,
                         "-subj", "/CN=vhsm-" + key_id, "-days", "1", "-sha384", "-out", cert)
            self.openssl("verify", "-CAfile", cert, cert, plain=True)
            text = self.openssl("x509", "-in", cert, "-noout", "-text", plain=True).stdout
            expected = {"rsa": b"sha384WithRSAEncryption", "p384": b"ecdsa-with-SHA384"}[key_id]
            if opts:
                expected = b"rsassaPss"
            self.assertIn(expected, text)
            pub = self.openssl("x509", "-in", cert, "-pubkey", "-noout", plain=True).stdout
            self.assertEqual(pub, open(self.pub[key_id], "rb").read())

    def test_tls_server_with_rsa_and_p384_keys(self):
        for key_id, expected_sig in (("rsa", "RSA-PSS"), ("p384", "ECDSA")):
            cert = self.path(key_id + ".crt")
            self.openssl("req", "-new", "-x509", *PROV, "-key", "vhsm:" + key_id, "-subj",
                         "/CN=localhost", "-days", "1", "-out", cert)
            for version in ("-tls1_3", "-tls1_2"):
                port = harness.free_port()
                server = subprocess.Popen(
                    ["openssl", "s_server", *PROV, "-key", "vhsm:" + key_id, "-cert", cert,
                     "-accept", "127.0.0.1:%d" % port, "-naccept", "1"],
                    env=self.env(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT)
                try:
                    time.sleep(0.5)
                    client = subprocess.run(
                        ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port, "-CAfile",
                         cert, "-verify_return_error", version],
                        input=b"", capture_output=True, timeout=30)
                    out = client.stdout.decode(errors="replace")
                    self.assertIn("Verify return code: 0 (ok)", out, out[-2000:])
                    self.assertIn("Peer signature type: " + expected_sig, out, out[-2000:])
                finally:
                    server.kill()
                    server.wait()

    def test_engine_signs_with_rsa_and_p384(self):
        env = harness.sanitizer_preload_env(
            ENGINE, self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="pw-alice"))
        msg = self.write("msg", os.urandom(3000))
        sig = self.path("sig")
        for key_id, md in (("rsa", "-sha256"), ("rsa3k", "-sha512"), ("p384", "-sha384")):
            self.openssl("dgst", md, "-engine", ENGINE, "-keyform", "engine", "-sign", key_id,
                         "-out", sig, msg, env=env)
            self.openssl("dgst", md, "-verify", self.pub[key_id], "-signature", sig, msg,
                         plain=True)
        # PSS through the engine is refused with a message, not a bad signature.
        p = self.openssl("dgst", "-sha256", "-engine", ENGINE, "-keyform", "engine", "-sign",
                         "rsa", *PSS, "-out", sig, msg, env=env, check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"vhsm provider", p.stderr)

    def test_x25519_keys_are_refused_clearly(self):
        self.vhsm("alice", "pw-alice", "key", "generate", "--type", "x25519", "--id", "xk")
        p = self.openssl("pkey", *PROV, "-in", "vhsm:xk", "-pubout", check=False)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"vhsm key derive", p.stderr)


if __name__ == "__main__":
    harness.main()
