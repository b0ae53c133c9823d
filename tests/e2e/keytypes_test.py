"""Key types of issue 15 through the vhsm command and the real daemon: RSA
(PKCS#1 v1.5, PSS, OAEP), ECDSA P-384, key agreement (ECDH, X25519) into new
stored keys, labels and allowed operations. References: the openssl command
and Python's cryptography."""
import os
import subprocess

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import hmac as crypto_hmac

import harness


def run(argv, **kw):
    r = subprocess.run(argv, capture_output=True, **kw)
    if r.returncode != 0:
        raise AssertionError("%s failed: %s" % (argv, (r.stdout + r.stderr).decode()))
    return r.stdout


class KeyTypesTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")

    def v(self, *args, **kw):
        return self.vhsm("alice", "pw-alice", *args, **kw)

    def public(self, key_id):
        return self.write(key_id + ".pub", self.v("key", "public", key_id).stdout)

    def test_rsa_signatures_verify_with_openssl(self):
        for key_type in ("rsa-2048", "rsa-3072", "rsa-4096"):
            key_id = self.v("key", "generate", "--type", key_type).stdout.decode().strip()
            pub = self.public(key_id)
            bits = run(["openssl", "pkey", "-pubin", "-in", pub, "-text", "-noout"])
            self.assertIn(("(%s bit)" % key_type[4:]).encode(), bits)
            for scheme, sigopts in (("pkcs1", []),
                                    ("pss", ["-sigopt", "rsa_padding_mode:pss",
                                             "-sigopt", "rsa_pss_saltlen:digest"])):
                for hash_name in ("sha256", "sha384", "sha512"):
                    # 70000 bytes: longer than a frame, hashed in the client.
                    for size in (0, 1000, 70000):
                        msg = self.write("msg", os.urandom(size))
                        sig = self.path("sig")
                        self.v("sign", "--key", key_id, "--in", msg, "--out", sig,
                               "--scheme", scheme, "--hash", hash_name)
                        verify = ["openssl", "dgst", "-" + hash_name, "-verify", pub,
                                  "-signature", sig] + sigopts + [msg]
                        r = subprocess.run(verify, capture_output=True)
                        self.assertEqual(r.returncode, 0, "%s %s %s %d: %s" % (
                            key_type, scheme, hash_name, size, r.stdout + r.stderr))
                        self.v("verify", "--key", key_id, "--in", msg, "--sig", sig,
                               "--scheme", scheme, "--hash", hash_name)
                        # Under the other scheme the same signature is refused.
                        other = "pss" if scheme == "pkcs1" else "pkcs1"
                        bad = self.v("verify", "--key", key_id, "--in", msg, "--sig", sig,
                                     "--scheme", other, "--hash", hash_name, check=False)
                        self.assertNotEqual(bad.returncode, 0)
                if key_type != "rsa-2048":
                    break  # every hash once is enough for the bigger keys

    def test_rsa_oaep_from_openssl_decrypts_in_vhsm(self):
        key_id = self.v("key", "generate", "--type", "rsa-2048", "--id", "rsa-enc").stdout.strip()
        pub = self.public("rsa-enc")
        plain = os.urandom(150)
        pt = self.write("pt", plain)
        ct = self.path("ct")
        run(["openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey", pub, "-in", pt, "-out", ct,
             "-pkeyopt", "rsa_padding_mode:oaep", "-pkeyopt", "rsa_oaep_md:sha256"])
        out = self.path("out")
        self.v("decrypt", "--key", "rsa-enc", "--in", ct, "--out", out)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), plain)
        # A damaged ciphertext: one clear error, nothing written.
        with open(ct, "rb") as f:
            damaged = bytearray(f.read())
        damaged[10] ^= 1
        r = self.v("decrypt", "--key", "rsa-enc", "--in", self.write("ct2", bytes(damaged)),
                   "--out", self.path("out2"), check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"RSA-OAEP decryption failed", r.stderr)
        self.assertFalse(os.path.exists(self.path("out2")))
        # AAD makes no sense for OAEP and is refused, not ignored.
        r = self.v("decrypt", "--key", "rsa-enc", "--in", ct, "--aad", "x", check=False)
        self.assertIn(b"RSA-OAEP takes no AAD", r.stderr)

    def test_p384_signatures_verify_with_openssl_and_python(self):
        key_id = self.v("key", "generate", "--type", "ec-p384").stdout.decode().strip()
        pub = self.public(key_id)
        with open(pub, "rb") as f:
            pub_key = serialization.load_pem_public_key(f.read())
        self.assertEqual(pub_key.curve.name, "secp384r1")
        from cryptography.hazmat.primitives.asymmetric import ec
        for size in (0, 500, 70000):
            data = os.urandom(size)
            msg = self.write("msg", data)
            sig = self.path("sig")
            self.v("sign", "--key", key_id, "--in", msg, "--out", sig)
            run(["openssl", "dgst", "-sha384", "-verify", pub, "-signature", sig, msg])
            with open(sig, "rb") as f:
                pub_key.verify(f.read(), data, ec.ECDSA(hashes.SHA384()))

    def test_import_openssl_keys_of_each_type(self):
        gens = {
            "rsa-3072": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:3072"],
            "ec-p384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
            "x25519": ["-algorithm", "X25519"],
        }
        for key_type, opts in gens.items():
            pem = run(["openssl", "genpkey"] + opts)
            expected_pub = run(["openssl", "pkey", "-pubout"], input=pem)
            self.v("key", "import", "--type", key_type, "--id", "imp-" + key_type, input=pem)
            self.assertEqual(self.v("key", "public", "imp-" + key_type).stdout, expected_pub)
            # The wrong type is refused, without echoing the key.
            wrong = "ec-p256"
            r = self.v("key", "import", "--type", wrong, "--id", "x-" + key_type, input=pem,
                       check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(("not %s" % wrong).encode(), r.stderr)
            self.assertNotIn(b"PRIVATE KEY", r.stderr)

    def derive_case(self, key_type, gen_opts, new_type):
        key_id = "agree-%s-%s" % (key_type, new_type)
        self.v("key", "generate", "--type", key_type, "--id", key_id, "--ops", "derive")
        peer = run(["openssl", "genpkey"] + gen_opts)
        peer_key = self.write("peer.pem", peer)
        peer_pub = self.write("peer.pub", run(["openssl", "pkey", "-pubout"], input=peer))
        shared = run(["openssl", "pkeyutl", "-derive", "-inkey", peer_key,
                      "-peerkey", self.public(key_id)])
        salt, info = os.urandom(16), b"vhsm e2e " + key_type.encode()
        new_id = "derived-%s-%s" % (key_type, new_type)
        out = self.v("key", "derive", "--key", key_id, "--peer", peer_pub, "--id", new_id,
                     "--type", new_type, "--salt", salt.hex(), "--info", info.decode(),
                     "--label", "from " + key_type).stdout.decode().strip()
        self.assertEqual(out, new_id)
        expected = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(shared)
        return new_id, expected

    def test_derive_matches_openssl_and_python_hkdf(self):
        cases = (("ec-p256", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"]),
                 ("ec-p384", ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"]),
                 ("x25519", ["-algorithm", "X25519"]))
        for key_type, opts in cases:
            new_id, key = self.derive_case(key_type, opts, "aes-256")
            plain = os.urandom(1000)
            sealed = self.v("encrypt", "--key", new_id, "--aad", "hdr", input=plain).stdout
            self.assertEqual(AESGCM(key).decrypt(sealed[:12], sealed[12:], b"hdr"), plain)
            info = self.v("key", "info", new_id).stdout.decode()
            self.assertIn("type\taes-256", info)
            self.assertIn("label\tfrom " + key_type, info)
        new_id, key = self.derive_case("x25519", ["-algorithm", "X25519"], "hmac-sha256")
        data = os.urandom(300)
        mac = self.v("mac", "--key", new_id, input=data).stdout.decode().strip()
        h = crypto_hmac.HMAC(key, hashes.SHA256())
        h.update(data)
        self.assertEqual(mac, h.finalize().hex())

    def test_derive_refuses_bad_peers_and_types(self):
        self.v("key", "generate", "--type", "ec-p256", "--id", "p256")
        p384 = run(["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt",
                    "ec_paramgen_curve:P-384"])
        peer = self.write("p384.pub", run(["openssl", "pkey", "-pubout"], input=p384))
        r = self.v("key", "derive", "--key", "p256", "--peer", peer, "--id", "n1", check=False)
        self.assertIn(b"the peer key is ec-p384, not ec-p256", r.stderr)
        garbage = self.write("garbage.pub", b"not a key")
        r = self.v("key", "derive", "--key", "p256", "--peer", garbage, "--id", "n2", check=False)
        self.assertIn(b"peer public key", r.stderr)
        r = self.v("key", "derive", "--key", "p256", "--peer", peer, "--id", "n3",
                   "--type", "ec-p256", check=False)
        self.assertIn(b"a derived key is aes-256 or hmac-sha256", r.stderr)
        ids = self.v("key", "list").stdout.decode()
        for n in ("n1", "n2", "n3"):
            self.assertNotIn(n + "\t", ids)

    def test_allowed_ops_and_labels_are_enforced(self):
        self.v("key", "generate", "--type", "ec-p256", "--id", "signer", "--ops", "sign,verify",
               "--label", "web server")
        self.v("key", "generate", "--type", "ec-p256", "--id", "agreer", "--ops", "derive")
        peer = self.write("peer.pub", run(["openssl", "pkey", "-pubout"], input=run(
            ["openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"])))
        r = self.v("key", "derive", "--key", "signer", "--peer", peer, "--id", "n", check=False)
        self.assertIn(b"may not derive", r.stderr)
        r = self.v("sign", "--key", "agreer", input=b"m", check=False)
        self.assertIn(b"may not sign", r.stderr)
        # The derive-only key still shows its public key (its peers need it).
        self.assertIn(b"BEGIN PUBLIC KEY", self.v("key", "public", "agreer").stdout)
        r = self.v("key", "generate", "--type", "x25519", "--ops", "sign", check=False)
        self.assertIn(b"x25519 keys cannot sign (they can derive)", r.stderr)
        r = self.v("key", "generate", "--type", "aes-256", "--ops", "encrypt,fly", check=False)
        self.assertIn(b"unknown operation", r.stderr)
        import json
        listed = {k["id"]: k for k in json.loads(self.v("key", "list", "--json").stdout)}
        self.assertEqual(listed["signer"]["label"], "web server")
        self.assertEqual(listed["signer"]["ops"], "sign,verify")
        self.assertEqual(listed["agreer"]["ops"], "derive")
        rsa = self.v("key", "generate", "--type", "rsa-2048", "--ops", "decrypt").stdout.strip()
        r = self.v("sign", "--key", rsa.decode(), input=b"m", check=False)
        self.assertIn(b"may not sign", r.stderr)

    def test_users_change_their_own_password(self):
        self.v("key", "generate", "--type", "aes-256", "--id", "k")
        ct = self.v("encrypt", "--key", "k", input=b"kept").stdout
        new = self.write("new", b"pw-new\n")
        r = self.vhsm("alice", "pw-alice", "password", "--new-password-file", new)
        self.assertIn(b"password changed", r.stdout)
        r = self.vhsm("alice", "pw-alice", "key", "list", check=False)
        self.assertNotEqual(r.returncode, 0)
        # Same master key: the key and its ciphertext are untouched.
        self.assertEqual(self.vhsm("alice", "pw-new", "decrypt", "--key", "k", input=ct).stdout,
                         b"kept")

    def test_parameters_a_key_cannot_take(self):
        self.v("key", "generate", "--type", "ed25519", "--id", "ed")
        self.v("key", "generate", "--type", "ec-p384", "--id", "p384")
        r = self.v("sign", "--key", "ed", "--scheme", "pss", input=b"m", check=False)
        self.assertIn(b"Ed25519 takes no signature scheme or hash", r.stderr)
        r = self.v("sign", "--key", "p384", "--scheme", "pss", input=b"m", check=False)
        self.assertIn(b"RSA schemes", r.stderr)
        r = self.v("sign", "--key", "p384", "--hash", "sha1", input=b"m", check=False)
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    harness.main()
