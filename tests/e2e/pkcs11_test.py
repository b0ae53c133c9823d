"""The PKCS#11 module through OpenSC's pkcs11-tool (a real PKCS#11
application) against the real daemon: the token, key-pair generation with an
id and label, ECDSA, EdDSA and RSA signatures verified by the openssl
command, deletion, a wrong PIN, certificate and data objects written, read
back and deleted (pkcs11-tool and GnuTLS's p11tool), OpenSSH, libp11 and
p11-kit. pkcs11_api_test.py drives the entry points directly."""
import os
import subprocess

import harness

MODULE = os.path.abspath("vhsm/pkcs11/libvhsm-pkcs11.so")


def sanitized():
    """True under --config=asan: the module carries the sanitizer runtime."""
    return "LD_PRELOAD" in harness.sanitizer_preload_env(MODULE, {})


class Pkcs11Case(harness.DaemonTestCase):
    """A daemon with alice (PIN pin-alice), pkcs11-tool on the module."""

    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pin-alice")

    def tool(self, *args, pin="pin-alice", check=True, env=None):
        login = ["--login", "--pin", pin] if pin else []
        p = subprocess.run(["pkcs11-tool", "--module", MODULE] + login + list(args),
                           env=env or self.env(), capture_output=True, timeout=120)
        if check:
            self.assertEqual(p.returncode, 0, (args, p.stdout + p.stderr))
        return p

    def env(self):
        return harness.sanitizer_preload_env(MODULE, self.daemon.env(VHSM_USER="alice"))

    def public_pem(self, key_id):
        return self.write(key_id + ".pem",
                          self.vhsm("alice", "pin-alice", "key", "public", key_id).stdout)


class Pkcs11Test(Pkcs11Case):

    def test_secret_key_import(self):
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
        key = os.urandom(32)
        self.tool("--write-object", self.write("k.bin", key), "--type", "secrkey", "--key-type",
                  "AES:32", "--id", "0b", "--label", "data")
        listed = self.tool("-O", "--type", "secrkey").stdout.decode()
        self.assertIn("label:      data", listed)
        self.assertIn("Secret Key Object; AES", listed)
        # vhsm holds the very key: its ciphertext opens with it in Python.
        sealed = self.vhsm("alice", "pin-alice", "encrypt", "--key", "0b", input=b"hello").stdout
        self.assertEqual(AESGCM(key).decrypt(sealed[:12], sealed[12:], b""), b"hello")

    def test_certificate_and_data_objects(self):
        key, der_path = self.path("c.key"), self.path("c.der")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-subj",
                        "/CN=web.example/O=VHSM test", "-set_serial", "4660", "-days", "2",
                        "-outform", "DER", "-out", der_path], check=True, capture_output=True)
        with open(der_path, "rb") as f:
            der = f.read()
        self.tool("--keypairgen", "--key-type", "EC:prime256v1", "--id", "01", "--label", "web")
        out = self.tool("--write-object", der_path, "--type", "cert", "--id", "01",
                        "--label", "web").stdout.decode()
        self.assertIn("subject:    DN: CN=web.example, O=VHSM test", out)
        self.assertIn("serial:     1234", out)  # 4660 in hex, from CKA_SERIAL_NUMBER
        data = os.urandom(500)
        self.tool("--write-object", self.write("d.bin", data), "--type", "data", "--label",
                  "notes", "--application-label", "myapp")
        listed = self.tool("--list-objects").stdout.decode()
        self.assertIn("Certificate Object; type = X.509 cert", listed)
        self.assertIn("application:    'myapp'", listed)
        self.assertIn("Private Key Object; EC", listed)
        # Read back byte for byte; the openssl command reads the certificate.
        got = self.path("got.der")
        self.tool("--read-object", "--type", "cert", "--id", "01", "--output-file", got)
        with open(got, "rb") as f:
            self.assertEqual(f.read(), der)
        r = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", got, "-noout",
                            "-serial"], capture_output=True, check=True)
        self.assertEqual(r.stdout.strip(), b"serial=1234")
        self.tool("--read-object", "--type", "data", "--label", "notes", "--output-file",
                  self.path("got.bin"))
        with open(self.path("got.bin"), "rb") as f:
            self.assertEqual(f.read(), data)
        # The same objects through the vhsm command: one store.
        rows = self.vhsm("alice", "pin-alice", "object", "list").stdout.decode().splitlines()
        self.assertEqual(sorted(r.split("\t")[1:4] for r in rows),
                         [["certificate", "01", "web"], ["data", "", "notes"]])
        # Not a certificate: refused, nothing stored.
        r = self.tool("--write-object", self.write("bad.der", b"\x30\x03\x02\x01\x01"),
                      "--type", "cert", "--id", "02", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.tool("--delete-object", "--type", "cert", "--id", "01")
        self.assertNotIn("Certificate Object", self.tool("--list-objects").stdout.decode())
        rows = self.vhsm("alice", "pin-alice", "object", "list").stdout.decode().splitlines()
        self.assertEqual([r.split("\t")[1] for r in rows], ["data"])
        # The key pair is untouched by the certificate's deletion.
        self.assertIn("Private Key Object; EC", self.tool("--list-objects").stdout.decode())

    def test_private_keys_import_through_create_object(self):
        msg = self.write("msg", b"imported keys sign in vhsmd")
        for alg, opts, kid, dgst in (
                ("EC", ["-pkeyopt", "ec_paramgen_curve:P-256"], "21", "-sha256"),
                ("EC", ["-pkeyopt", "ec_paramgen_curve:P-384"], "22", "-sha384"),
                ("RSA", ["-pkeyopt", "rsa_keygen_bits:2048"], "23", "-sha256")):
            der, pub = self.path(kid + ".der"), self.path(kid + ".pub")
            subprocess.run(["openssl", "genpkey", "-algorithm", alg] + opts +
                           ["-outform", "DER", "-out", der], check=True, capture_output=True)
            subprocess.run(["openssl", "pkey", "-inform", "DER", "-in", der, "-pubout", "-out",
                            pub], check=True)
            out = self.tool("--write-object", der, "--type", "privkey", "--id", kid,
                            "--label", "imported", "--usage-sign").stdout.decode()
            # Honest attributes: the key was outside before.
            self.assertIn("Access:     sensitive", out)
            self.assertNotIn("local", out)
            self.assertNotIn("always sensitive", out)
            info = self.vhsm("alice", "pin-alice", "key", "info", kid).stdout.decode()
            self.assertIn("origin\timported", info)
            sig = self.path(kid + ".sig")
            self.vhsm("alice", "pin-alice", "sign", "--key", kid, "--in", msg, "--out", sig)
            r = subprocess.run(["openssl", "dgst", dgst, "-verify", pub, "-signature", sig, msg],
                               capture_output=True)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # The same key material twice under one id: refused, the first kept.
        r = self.tool("--write-object", self.path("21.der"), "--type", "privkey", "--id", "21",
                      check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("origin\timported",
                      self.vhsm("alice", "pin-alice", "key", "info", "21").stdout.decode())
        # A generated key says so.
        self.tool("--keypairgen", "--key-type", "EC:prime256v1", "--id", "24")
        self.assertIn("origin\tgenerated",
                      self.vhsm("alice", "pin-alice", "key", "info", "24").stdout.decode())

    def test_public_keys_read_back(self):
        if sanitized():
            # pkcs11-tool 0.23 itself frees the curve name it then hands to
            # EVP_PKEY_fromdata (ASan reports the use after free in
            # pkcs11-tool, not in the module); the same bug makes it fail on
            # P-384 keys from any module.
            self.skipTest("pkcs11-tool --read-object of a public key reads freed memory")
        # (pkcs11-tool 0.23 cannot read a P-384 public key back from any
        # module: "cannot create EVP_PKEY" with SoftHSM2 too.)
        for kid, spec in (("41", "EC:prime256v1"), ("43", "rsa:2048")):
            self.tool("--keypairgen", "--key-type", spec, "--id", kid)
            out = self.path(kid + ".der")
            self.tool("--read-object", "--type", "pubkey", "--id", kid, "-o", out)
            pem = self.vhsm("alice", "pin-alice", "key", "public", kid).stdout
            der = subprocess.run(["openssl", "pkey", "-pubin", "-outform", "DER"], input=pem,
                                 capture_output=True, check=True).stdout
            with open(out, "rb") as f:
                self.assertEqual(f.read(), der, spec)

    def test_set_pin_changes_the_password(self):
        self.tool("--change-pin", "--new-pin", "pin-new")
        r = self.tool("-O", check=False)  # the old PIN no longer works
        self.assertIn(b"CKR_PIN_INCORRECT", r.stderr)
        self.tool("-O", pin="pin-new")
        self.vhsm("alice", "pin-new", "key", "list")

    def test_token_and_mechanisms(self):
        out = self.tool("--show-info", "-L", pin=None).stdout.decode()
        self.assertIn("token label        : alice", out)
        self.assertIn("login required", out)
        mechs = self.tool("-M", pin=None).stdout.decode()
        for m in ("ECDSA-SHA256", "EDDSA", "SHA256-RSA-PKCS-PSS", "SHA256-HMAC", "SHA512"):
            self.assertIn(m, mechs)
        r = self.tool("-O", pin="wrong", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"CKR_PIN_INCORRECT", r.stderr)

    def test_pkcs11_tool_self_test(self):
        for key_type, key_id in (("ec-p256", "01"), ("rsa-2048", "02")):
            self.vhsm("alice", "pin-alice", "key", "generate", "--type", key_type, "--id", key_id)
        out = self.tool("--test").stdout.decode()
        self.assertIn("No errors", out)
        self.assertIn("RSA-PKCS: OK", out)

    def test_rsa_oaep_decrypts_in_vhsmd(self):
        self.vhsm("alice", "pin-alice", "key", "generate", "--type", "rsa-2048", "--id", "0a")
        plain = os.urandom(100)
        pt, ct, out = self.write("pt", plain), self.path("ct"), self.path("out")
        r = subprocess.run(["openssl", "pkeyutl", "-encrypt", "-pubin", "-inkey",
                            self.public_pem("0a"), "-pkeyopt", "rsa_padding_mode:oaep",
                            "-pkeyopt", "rsa_oaep_md:sha256", "-in", pt, "-out", ct],
                           capture_output=True)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.tool("--decrypt", "--id", "0a", "-m", "RSA-PKCS-OAEP", "--hash-algorithm", "SHA256",
                  "--mgf", "MGF1-SHA256", "-i", ct, "-o", out)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), plain)
        # OAEP with SHA-384 is not what vhsmd does: refused, not guessed.
        r = self.tool("--decrypt", "--id", "0a", "-m", "RSA-PKCS-OAEP", "--hash-algorithm",
                      "SHA384", "--mgf", "MGF1-SHA384", "-i", ct, "-o", out, check=False)
        self.assertIn(b"CKR_MECHANISM_PARAM_INVALID", r.stdout + r.stderr)

    def test_keypairs_sign_and_openssl_verifies(self):
        msg = self.write("msg", os.urandom(5000))
        sig = self.path("sig")
        cases = (("EC:prime256v1", "01", "ECDSA-SHA256", ["-sha256"]),
                 ("EC:secp384r1", "02", "ECDSA-SHA384", ["-sha384"]),
                 ("rsa:2048", "03", "SHA256-RSA-PKCS", ["-sha256"]),
                 ("rsa:2048", "03", "SHA384-RSA-PKCS-PSS",
                  ["-sha384", "-sigopt", "rsa_padding_mode:pss", "-sigopt",
                   "rsa_pss_saltlen:digest"]))
        for key_type, cka_id, mech, verify in cases:
            if mech != "SHA384-RSA-PKCS-PSS":
                out = self.tool("--keypairgen", "--key-type", key_type, "--id", cka_id,
                                "--label", "k" + cka_id).stdout.decode()
                self.assertIn("label:      k" + cka_id, out)
            fmt = ["--signature-format", "openssl"] if mech.startswith("ECDSA") else []
            extra = ["--salt-len", "-1"] if "PSS" in mech else []
            self.tool("--sign", "--id", cka_id, "-m", mech, *fmt, *extra, "-i", msg, "-o", sig)
            # The CKA_ID 01 is the VHSM key "01": its public key from vhsm.
            r = subprocess.run(["openssl", "dgst", *verify, "-verify", self.public_pem(cka_id),
                                "-signature", sig, msg], capture_output=True)
            self.assertEqual(r.returncode, 0, (mech, r.stdout + r.stderr))
            # And the module verifies its own signature.
            self.tool("--verify", "--id", cka_id, "-m", mech, *fmt, *extra, "-i", msg,
                      "--signature-file", sig)
        self.tool("--keypairgen", "--key-type", "EC:edwards25519", "--id", "04", "--label", "ed")
        self.tool("--sign", "--id", "04", "-m", "EDDSA", "-i", msg, "-o", sig)
        r = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                            self.public_pem("04"), "-rawin", "-in", msg, "-sigfile", sig],
                           capture_output=True)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        listed = self.tool("-O").stdout.decode()
        for label in ("k01", "k02", "k03", "ed"):
            self.assertIn("label:      " + label, listed)
        self.assertIn("never extractable", listed)
        # Deleting the private key deletes the key: vhsm no longer has it.
        self.tool("--delete-object", "--type", "privkey", "--id", "04")
        keys = self.vhsm("alice", "pin-alice", "key", "list").stdout.decode()
        self.assertNotIn("04\t", keys)
        self.assertIn("01\t", keys)

    def test_ssh_keygen_lists_the_public_keys(self):
        # ssh-keygen -D never logs in: public objects are found through the
        # password the environment names (VHSM_PASSWORD), private ones not.
        for key_type, key_id in (("ec-p256", "e1"), ("rsa-2048", "r1")):
            self.vhsm("alice", "pin-alice", "key", "generate", "--type", key_type, "--id", key_id)
        env = harness.sanitizer_preload_env(
            MODULE, self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="pin-alice"))
        r = subprocess.run(["ssh-keygen", "-D", MODULE], env=env, capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        listed = r.stdout.decode()
        for key_id in ("e1", "r1"):
            want = subprocess.run(["ssh-keygen", "-i", "-m", "PKCS8", "-f",
                                   self.public_pem(key_id)], capture_output=True).stdout.decode()
            self.assertIn(want.split()[1], listed, key_id)
        # Without a password in the environment nothing is visible.
        r = subprocess.run(["ssh-keygen", "-D", MODULE], env=self.env(), capture_output=True,
                           timeout=60)
        self.assertNotIn(b"ecdsa-sha2", r.stdout)
        # With the password in the environment but no C_Login, the public
        # objects show and the private ones stay hidden.
        out = self.tool("-O", pin=None, env=env).stdout.decode()
        self.assertIn("Public Key Object", out)
        self.assertNotIn("Private Key Object", out)

    def test_gnutls_lists_and_certifies(self):
        if sanitized():
            # certtool with a preloaded ASan runtime hangs (not investigated
            # yet); the module's own paths are covered under ASan by the
            # other tests.
            self.skipTest("GnuTLS tools do not run with a preloaded ASan runtime")
        for key_type, key_id, label in (("ec-p256", "0102", "web"), ("rsa-2048", "0304", "tls")):
            self.vhsm("alice", "pin-alice", "key", "generate", "--type", key_type, "--id", key_id,
                      "--label", label)
        env = dict(self.env(), GNUTLS_PIN="pin-alice")
        r = subprocess.run(["p11tool", "--provider", MODULE, "--list-all", "--login"], env=env,
                           capture_output=True, timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        out = r.stdout.decode()
        self.assertIn("token=alice;id=%01%02;object=web;type=private", out)
        self.assertIn("Type: Private key (RSA-2048)", out)
        template = self.write("cert.tmpl", b"cn = vhsm test\nexpiration_days = 1\nsigning_key\n")
        for label in ("web", "tls"):
            cert = self.path(label + ".crt")
            r = subprocess.run(["certtool", "--provider", MODULE, "--generate-self-signed",
                                "--load-privkey", "pkcs11:object=%s;type=private" % label,
                                "--load-pubkey", "pkcs11:object=%s;type=public" % label,
                                "--template", template, "--outfile", cert], env=env,
                               capture_output=True, timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            ok = subprocess.run(["openssl", "verify", "-CAfile", cert, cert], capture_output=True)
            self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)
        # The certificate goes onto the token beside its key, and comes back.
        r = subprocess.run(["p11tool", "--provider", MODULE, "--login", "--write",
                            "--load-certificate", self.path("web.crt"), "--label", "web",
                            "--id", "0102", "pkcs11:token=alice"], env=env, capture_output=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        r = subprocess.run(["p11tool", "--provider", MODULE, "--login", "--list-all-certs"], env=env,
                           capture_output=True, timeout=60)
        self.assertIn(b"token=alice;id=%01%02;object=web;type=cert", r.stdout, r.stderr)
        r = subprocess.run(["p11tool", "--provider", MODULE, "--login", "--export",
                            "pkcs11:object=web;type=cert"], env=env, capture_output=True,
                           timeout=60)
        with open(self.path("web.crt"), "rb") as f:
            self.assertEqual(r.stdout.strip(), f.read().strip())

    def test_libp11_engine_signs(self):
        self.vhsm("alice", "pin-alice", "key", "generate", "--type", "ec-p256", "--id", "0102",
                  "--label", "web")
        conf = self.write("p11.cnf", (
            "openssl_conf = openssl_init\n[openssl_init]\nengines = engine_section\n"
            "[engine_section]\npkcs11 = pkcs11_section\n[pkcs11_section]\n"
            "engine_id = pkcs11\nMODULE_PATH = %s\ninit = 0\n" % MODULE).encode())
        digest = self.write("digest", os.urandom(32))
        sig = self.path("digest.sig")
        env = dict(self.env(), OPENSSL_CONF=conf)
        r = subprocess.run(["openssl", "pkeyutl", "-engine", "pkcs11", "-keyform", "engine",
                            "-inkey", "pkcs11:object=web;type=private;pin-value=pin-alice",
                            "-sign", "-in", digest, "-out", sig], env=env, capture_output=True,
                           timeout=60)
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        ok = subprocess.run(["openssl", "pkeyutl", "-verify", "-pubin", "-inkey",
                             self.public_pem("0102"), "-in", digest, "-sigfile", sig],
                            capture_output=True)
        self.assertEqual(ok.returncode, 0, ok.stdout + ok.stderr)

    def test_openssh_logs_in_with_the_key_in_vhsmd(self):
        # A container: its own network namespace with sshd on loopback; the
        # user and the key live in vhsmd's container "box".
        c = self.container("box")
        self.admin("user", "add", "--container", "box", "alice", password="pin-alice")
        self.vhsm("alice", "pin-alice", "key", "generate", "--type", "ec-p256", "--id", "55",
                  "--label", "ssh", container=c)
        ns = ["nsenter", "--net=" + c.netns, "--"]
        subprocess.run(ns + ["ip", "link", "set", "lo", "up"], check=True)
        env = dict(self.env(), VHSM_PASSWORD="pin-alice")
        keys = subprocess.run(ns + ["ssh-keygen", "-D", MODULE], env=env, capture_output=True,
                              timeout=60)
        self.assertEqual(keys.returncode, 0, keys.stdout + keys.stderr)
        self.assertIn(b"ecdsa-sha2-nistp256", keys.stdout)
        d = self.path("ssh")
        os.makedirs(d)
        os.makedirs("/run/sshd", exist_ok=True)
        auth = os.path.join(d, "authorized_keys")
        with open(auth, "wb") as f:
            f.write(keys.stdout)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f",
                        os.path.join(d, "host")], check=True)
        port = harness.free_port()
        config = self.write("ssh/sshd_config", (
            "Port %d\nListenAddress 127.0.0.1\nHostKey %s/host\nAuthorizedKeysFile %s\n"
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\n"
            "StrictModes no\nPermitRootLogin prohibit-password\nPidFile %s/sshd.pid\n"
            % (port, d, auth, d)).encode())
        sshd = subprocess.Popen(ns + ["/usr/sbin/sshd", "-D", "-e", "-f", config],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        askpass = self.write("ssh/askpass", b"#!/bin/sh\necho pin-alice\n")
        os.chmod(askpass, 0o755)
        # ssh finds the public key before it logs in (through the password
        # file the environment names), and asks the PIN (askpass) to sign.
        pw_file = self.write("ssh/pw", b"pin-alice\n")
        ssh_env = dict(self.env(), SSH_ASKPASS=askpass, SSH_ASKPASS_REQUIRE="force", DISPLAY=":0",
                       VHSM_PASSWORD_FILE=pw_file)
        # No identity files: nothing but the token's key can get in.
        opts = ["-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "IdentityFile=/dev/null", "-p", str(port)]
        try:
            harness.time.sleep(0.5)
            r = subprocess.run(ns + ["ssh", "-I", MODULE] + opts + ["root@127.0.0.1", "echo",
                                                                     "in-by-vhsm"],
                               env=ssh_env, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=60)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn(b"in-by-vhsm", r.stdout)
            if sanitized():
                return  # ssh-agent's helper is exec'd without our LD_PRELOAD
            # ssh-add -s puts the token's key in an agent that ssh then uses.
            sock_dir = harness.tempfile.mkdtemp(prefix="vhsm-agent-", dir="/tmp")  # short path
            self.addCleanup(harness.shutil.rmtree, sock_dir, True)
            sock = os.path.join(sock_dir, "s")
            agent = subprocess.Popen(ns + ["ssh-agent", "-D", "-a", sock,
                                           "-P", os.path.dirname(os.path.realpath(MODULE)) + "/*"],
                                     env=ssh_env, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
            try:
                for _ in range(100):
                    if os.path.exists(sock) or agent.poll() is not None:
                        break
                    harness.time.sleep(0.05)
                self.assertTrue(os.path.exists(sock), agent.stderr.read1() if agent.poll() else b"")
                agent_env = dict(ssh_env, SSH_AUTH_SOCK=sock)
                r = subprocess.run(ns + ["ssh-add", "-s", MODULE], env=agent_env,
                                   stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                r = subprocess.run(ns + ["ssh"] + opts + ["root@127.0.0.1", "echo", "via-agent"],
                                   env=agent_env, stdin=subprocess.DEVNULL, capture_output=True,
                                   timeout=60)
                self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
                self.assertIn(b"via-agent", r.stdout)
            finally:
                agent.kill()
                agent.wait()
        finally:
            sshd.kill()
            sshd.wait()

    def test_p11_kit_lists_the_token(self):
        # The shipped registration file, pointed at this build's module.
        with open("vhsm/pkcs11/vhsm.module") as f:
            shipped = f.read()
        self.assertIn("module: /usr/lib/vhsm/libvhsm-pkcs11.so", shipped)
        path = "/usr/share/p11-kit/modules/vhsm-test-%d.module" % os.getpid()
        with open(path, "w") as f:
            f.write(shipped.replace("/usr/lib/vhsm/libvhsm-pkcs11.so", MODULE))
        try:
            out = subprocess.run(["p11-kit", "list-modules"], env=self.env(),
                                 capture_output=True, timeout=60).stdout.decode()
        finally:
            os.unlink(path)
        self.assertIn("vhsm-test-%d: %s" % (os.getpid(), MODULE), out)
        self.assertIn("token: alice", out)
        self.assertIn("model: vhsmd", out)


if __name__ == "__main__":
    harness.main()
