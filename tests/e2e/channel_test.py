"""Trust (issue #12): clients authenticate vhsmd, sessions are secure
channels, sessions end with their user.

A squatter (squatter.py) takes the VHSM port while vhsmd is down; a
recording proxy sits between a client and vhsmd; a raw client (harness,
Noise through python3-dissononce) replays, reorders and flips bits.
"""
import base64
import os
import random
import select
import socket
import subprocess
import threading
import time

import harness
from harness import pb

PROVIDER_DIR = os.path.abspath("vhsm/provider")
ENGINE = os.path.abspath("vhsm/engine/vhsm-engine.so")
NOBODY = 65534


def req(**ops):
    r = pb.Request()
    for name, fields in ops.items():
        sub = getattr(r, name)
        sub.SetInParent()
        for k, v in (fields or {}).items():
            setattr(sub, k, v)
    return r


class Recorder:
    """A netlink proxy on a port of its own: forwards a client's datagrams to
    vhsmd and the answers back, keeping a copy of every byte."""

    def __init__(self, daemon_port):
        self.daemon_port = daemon_port
        self.port = harness.random_port()
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2)
        self.sock.bind((self.port, 0))
        self.captured = bytearray()
        self.client = None
        self.stop = False
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        while not self.stop:
            ready, _, _ = select.select([self.sock], [], [], 0.1)
            if not ready:
                continue
            data, (sender, _g) = self.sock.recvfrom(1 << 17)
            self.captured += data
            if sender == self.daemon_port:
                if self.client:
                    self.sock.sendto(data, (self.client, 0))
            else:
                self.client = sender
                self.sock.sendto(data, (self.daemon_port, 0))

    def close(self):
        self.stop = True
        self.thread.join()
        self.sock.close()


class ChannelTest(harness.DaemonTestCase):
    def squat(self, container=None):
        record = os.path.join(self.daemon.dir, "squatter-%d.bin" % random.getrandbits(32))
        cmd = [harness.PYTHON, "tests/e2e/squatter.py", str(self.daemon.port), str(NOBODY), record]
        if container is not None:
            cmd = ["nsenter", "--net=" + container.netns, "--"] + cmd
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE)
        self.assertEqual(proc.stdout.readline().strip(), b"bound")
        self.addCleanup(lambda: (proc.kill(), proc.wait()))
        return proc, record

    def recorded(self, record):
        with open(record, "rb") as f:
            return f.read()

    # -- squatters -----------------------------------------------------------
    def test_host_squatter_gets_no_password(self):
        env = self.daemon.env(VHSM_PASSWORD="bob-secret-password")
        self.daemon.stop()  # vhsmd is down (an upgrade, a crash)
        _proc, record = self.squat()
        p = subprocess.run([harness.VHSM_ADMIN, "user", "add", "--container", "host", "bob"],
                           env=env, capture_output=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"vhsmd is not authenticated", p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        self.assertNotIn(b"bob-secret-password", self.recorded(record))
        _proc.kill()
        _proc.wait()
        self.daemon.start()

    def test_container_squatter_during_restart_gets_nothing(self):
        ct = self.container("ct1")
        self.admin("user", "add", "--container", "ct1", "alice", password="alice-secret-pw")
        self.vhsm("alice", "alice-secret-pw", "key", "import", "--type", "hmac-sha256",
                  "--id", "k", input=b"K" * 32, container=ct)
        self.vhsm("alice", "alice-secret-pw", "key", "generate", "--type", "ec-p256",
                  "--id", "ec", container=ct)
        self.daemon.stop()
        squatter, record = self.squat(container=ct)
        for args in (("key", "list"), ("mac", "--key", "k"), ("key", "public", "ec")):
            p = self.vhsm("alice", "alice-secret-pw", *args, input=b"m", container=ct,
                          check=False)
            self.assertEqual(p.returncode, 1, args)
            self.assertIn(b"vhsmd is not authenticated", p.stderr)
            self.assertEqual(p.stdout, b"")  # nothing the squatter said is printed
        env = self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="alice-secret-pw")
        msg = os.path.join(self.daemon.dir, "msg")
        with open(msg, "wb") as f:
            f.write(b"hello")
        # The provider and the engine refuse as well.
        p = subprocess.run(
            ["nsenter", "--net=" + ct.netns, "--", "openssl", "dgst", "-sha256",
             "-provider-path", PROVIDER_DIR, "-provider", "vhsm", "-provider", "default",
             "-sign", "vhsm:ec", "-out", msg + ".sig", msg],
            env=harness.sanitizer_preload_env(PROVIDER_DIR + "/vhsm.so", env),
            capture_output=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn(b"not authenticated", p.stderr)
        p = subprocess.run(
            ["nsenter", "--net=" + ct.netns, "--", "openssl", "dgst", "-engine", ENGINE,
             "-sha256", "-hmac", "vhsm:k", msg],
            env=harness.sanitizer_preload_env(ENGINE, env), capture_output=True, timeout=60)
        self.assertNotEqual(p.returncode, 0)
        self.assertNotIn(b"000000", p.stdout)
        self.assertNotIn(b"alice-secret-pw", self.recorded(record))
        squatter.kill()
        squatter.wait()
        self.daemon.start()  # the port is free again: re-attached, served
        out = self.vhsm("alice", "alice-secret-pw", "key", "list", container=ct).stdout
        self.assertIn(b"ec", out)

    # -- the daemon's key ------------------------------------------------------
    def test_clients_fail_closed_without_the_key(self):
        env = self.daemon.env(VHSM_USER="x", VHSM_PASSWORD="y")
        del env["VHSM_SERVER_KEY"]
        p = subprocess.run([harness.VHSM, "key", "list"], env=env, capture_output=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"vhsm-admin server-key", p.stderr)
        self.assertEqual(len(p.stderr.splitlines()), 1, p.stderr)
        # The key as the operator gets it.
        printed = self.admin("server-key", "--data-dir",
                             os.path.join(self.daemon.dir, "data")).stdout.strip()
        with open(self.daemon.public_key_path, "rb") as f:
            self.assertEqual(printed, f.read().strip())
        self.assertEqual(len(base64.b64decode(printed)), 32)

    def test_a_wrong_key_is_refused(self):
        self.admin("user", "add", "--container", "host", "alice", password="pw")
        env = self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="pw",
                              VHSM_SERVER_KEY=base64.b64encode(os.urandom(32)).decode())
        p = subprocess.run([harness.VHSM, "key", "list"], env=env, capture_output=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"not authenticated", p.stderr)

    def test_trust_on_first_use_records_and_then_pins(self):
        self.admin("user", "add", "--container", "host", "alice", password="pw")
        known = os.path.join(self.daemon.dir, "known_daemons")
        env = self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="pw",
                              VHSM_TRUST_ON_FIRST_USE="1", VHSM_KNOWN_DAEMONS=known)
        del env["VHSM_SERVER_KEY"]
        subprocess.run([harness.VHSM, "key", "list"], env=env, check=True, capture_output=True)
        with open(known) as f, open(self.daemon.public_key_path) as g:
            self.assertEqual(f.read().split(), [str(self.daemon.port), g.read().strip()])
        # A different key recorded for this port: refused, not re-learnt.
        with open(known, "w") as f:
            f.write("%d %s\n" % (self.daemon.port, base64.b64encode(os.urandom(32)).decode()))
        p = subprocess.run([harness.VHSM, "key", "list"], env=env, capture_output=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"not authenticated", p.stderr)

    # -- what travels ---------------------------------------------------------
    def test_capture_holds_no_secret(self):
        self.admin("user", "add", "--container", "host", "alice", password="capture-password")
        rec = Recorder(self.daemon.port)
        try:
            env = self.daemon.env(VHSM_USER="alice", VHSM_PASSWORD="capture-password",
                                  VHSM_PORT_ID=str(rec.port))
            material = b"KEYMATERIAL-0123456789-abcdefghij"
            plaintext = b"PLAINTEXT-the-quick-brown-fox"

            def run(*args, data=b""):
                return subprocess.run([harness.VHSM] + list(args), env=env, input=data,
                                      capture_output=True, check=True).stdout
            run("key", "import", "--type", "hmac-sha256", "--id", "k", data=material)
            run("key", "import", "--type", "aes-256", "--id", "a", data=b"A" * 32)
            mac = run("mac", "--key", "k", data=plaintext).strip()
            sealed = run("encrypt", "--key", "a", data=plaintext)
            self.assertEqual(run("decrypt", "--key", "a", data=sealed), plaintext)
            digest = run("digest", data=plaintext).strip()
        finally:
            rec.close()
        captured = bytes(rec.captured)
        self.assertGreater(len(captured), 1000)
        for secret in (b"capture-password", material, plaintext, b"A" * 32,
                       bytes.fromhex(mac.decode()), bytes.fromhex(digest.decode()), mac, digest):
            self.assertNotIn(secret, captured)

    def test_replays_reorders_and_bit_flips_end_the_session(self):
        self.admin("user", "add", "--container", "host", "alice", password="pw")
        for attack in ("replay", "reorder", "flip"):
            c = harness.RawClient(self.daemon.port)
            c.open_session()
            self.assertEqual(c.login("alice", "pw").status, pb.OK)
            first = c.seal(req(key_list=None))
            second = c.seal(req(key_list=None))
            if attack == "replay":
                self.assertEqual(c.unseal(c.exchange(first)).status, pb.OK)
                bad = first
            elif attack == "reorder":
                self.assertEqual(c.unseal(c.exchange(second)).status, pb.OK)
                bad = first
            else:
                bad = pb.Request()
                bad.CopyFrom(first)
                ct = bytearray(bad.sealed.ciphertext)
                ct[5] ^= 0x10
                bad.sealed.ciphertext = bytes(ct)
            resp = c.exchange(bad)
            self.assertFalse(resp.HasField("sealed"))
            self.assertEqual(resp.status, pb.DATA_LOSS, attack)
            self.assertIn("session is closed", resp.message)
            # The session is gone: even a well-formed next message finds nothing.
            after = c.exchange(c.seal(req(key_list=None)))
            self.assertEqual(after.status, pb.NOT_FOUND, attack)

    # -- sessions end with their user --------------------------------------------
    def test_deleting_a_user_or_changing_the_password_ends_sessions(self):
        for change in ("delete", "password"):
            self.admin("user", "add", "--container", "host", "alice", password="old-pw")
            c = harness.RawClient(self.daemon.port)
            c.open_session()
            self.assertEqual(c.login("alice", "old-pw").status, pb.OK)
            self.assertEqual(c.call(req(key_generate={"type": pb.AES_256, "id": "k1"})).status,
                             pb.OK)
            if change == "delete":
                self.admin("user", "delete", "--container", "host", "alice")
                self.admin("user", "add", "--container", "host", "alice", password="new-pw")
            else:
                old = os.path.join(self.daemon.dir, "old")
                with open(old, "w") as f:
                    f.write("old-pw")
                self.admin("user", "password", "--container", "host", "alice",
                           "--old-password-file", old, password="new-pw")
            for op in (req(key_list=None),
                       req(key_generate={"type": pb.AES_256, "id": "planted"})):
                resp = c.call(op)
                self.assertEqual(resp.status, pb.NOT_FOUND, (change, resp.message))
            listing = self.vhsm("alice", "new-pw", "key", "list").stdout
            self.assertNotIn(b"planted", listing)
            self.admin("user", "delete", "--container", "host", "alice")


if __name__ == "__main__":
    harness.main()
