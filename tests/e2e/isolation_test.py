"""Tenancy and session isolation, and each bug of the 2013 implementation made
impossible. Containers are real network namespaces attached to a real vhsmd."""
import hashlib
import hmac
import os
import socket
import subprocess

import harness
from harness import pb


def req(**fields):
    """Builds a Request with one operation: req(mac={"key_id": "k", "data": b""})."""
    r = pb.Request()
    for op, values in fields.items():
        sub = getattr(r, op)
        sub.SetInParent()
        for k, v in (values or {}).items():
            setattr(sub, k, v)
    return r


class IsolationTest(harness.DaemonTestCase):
    def test_containers_do_not_see_each_others_keys(self):
        ct1 = self.container("ct1")
        ct2 = self.container("ct2")
        self.admin("user", "add", "--container", "ct1", "alice", password="pw-one")
        self.admin("user", "add", "--container", "ct2", "alice", password="pw-two")
        k1, k2 = os.urandom(32), os.urandom(32)
        self.vhsm("alice", "pw-one", "key", "import", "--type", "hmac-sha256", "--id", "k1",
                  input=k1, container=ct1)
        self.vhsm("alice", "pw-one", "key", "import", "--type", "hmac-sha256", "--id", "only1",
                  input=k1, container=ct1)
        # Same user name and key id in ct2: a different user, a different key.
        self.vhsm("alice", "pw-two", "key", "import", "--type", "hmac-sha256", "--id", "k1",
                  input=k2, container=ct2)
        mac1 = self.vhsm("alice", "pw-one", "mac", "--key", "k1", input=b"m", container=ct1)
        mac2 = self.vhsm("alice", "pw-two", "mac", "--key", "k1", input=b"m", container=ct2)
        self.assertEqual(mac1.stdout.strip().decode(), hmac.new(k1, b"m", "sha256").hexdigest())
        self.assertEqual(mac2.stdout.strip().decode(), hmac.new(k2, b"m", "sha256").hexdigest())
        # ct2 cannot use, list or delete ct1's key by guessing its id.
        p = self.vhsm("alice", "pw-two", "mac", "--key", "only1", input=b"m", container=ct2,
                      check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"no key 'only1'", p.stderr)
        self.assertNotIn(b"only1", self.vhsm("alice", "pw-two", "key", "list", container=ct2).stdout)
        self.assertEqual(self.vhsm("alice", "pw-two", "key", "delete", "only1", container=ct2,
                                   check=False).returncode, 1)
        # ct1's password does not open ct2's alice, and vice versa.
        self.assertEqual(self.vhsm("alice", "pw-one", "key", "list", container=ct2,
                                   check=False).returncode, 1)
        # The host's users are not reachable from a container either.
        self.admin("user", "add", "--container", "host", "alice", password="pw-host")
        self.assertEqual(self.vhsm("alice", "pw-host", "key", "list", container=ct1,
                                   check=False).returncode, 1)
        self.assertIn(b"only1", self.vhsm("alice", "pw-one", "key", "list", container=ct1).stdout)

    def test_users_in_one_container_are_separate(self):
        self.admin("user", "add", "--container", "host", "alice", password="pa")
        self.admin("user", "add", "--container", "host", "bob", password="pb")
        ka, kb = os.urandom(32), os.urandom(32)
        # 2013: key ids collided across users. Here both may own "shared".
        self.vhsm("alice", "pa", "key", "import", "--type", "hmac-sha256", "--id", "shared", input=ka)
        self.vhsm("bob", "pb", "key", "import", "--type", "hmac-sha256", "--id", "shared", input=kb)
        self.vhsm("alice", "pa", "key", "import", "--type", "hmac-sha256", "--id", "alice-only", input=ka)
        self.assertEqual(self.vhsm("bob", "pb", "mac", "--key", "shared", input=b"x").stdout.strip().decode(),
                         hmac.new(kb, b"x", "sha256").hexdigest())
        self.assertEqual(self.vhsm("bob", "pb", "mac", "--key", "alice-only", input=b"x",
                                   check=False).returncode, 1)
        self.vhsm("alice", "pa", "key", "delete", "shared")
        self.assertEqual(self.vhsm("bob", "pb", "mac", "--key", "shared", input=b"x").stdout.strip().decode(),
                         hmac.new(kb, b"x", "sha256").hexdigest())

    def _logged_in_client(self, user="alice", password="pa", key=None):
        c = harness.RawClient(self.daemon.port)
        c.open_session()
        self.assertEqual(c.login(user, password).status, pb.OK)
        return c

    def test_2013_second_login_needs_the_password(self):
        self.admin("user", "add", "--container", "host", "alice", password="pa")
        self.admin("user", "add", "--container", "host", "bob", password="pb")
        c = self._logged_in_client()
        again = c.login("alice", "WRONG")
        self.assertEqual(again.status, pb.FAILED_PRECONDITION, again.message)
        self.assertEqual(c.login("bob", "WRONG").status, pb.FAILED_PRECONDITION)
        # A second session gets no shortcut from the first being logged in.
        d = harness.RawClient(self.daemon.port)
        d.open_session()
        self.assertEqual(d.login("alice", "WRONG").status, pb.UNAUTHENTICATED)
        self.assertEqual(d.call(req(key_list=None)).status, pb.UNAUTHENTICATED)

    def test_2013_session_ids_are_random_and_bound_to_their_client(self):
        self.admin("user", "add", "--container", "host", "alice", password="pa")
        a = self._logged_in_client()
        self.assertEqual(len(a.session), 16)
        ids = set()
        probe = harness.RawClient(self.daemon.port)
        for _ in range(50):
            sid = probe.open_session()
            ids.add(sid)
            self.assertEqual(probe.call(req(close_session=None)).status, pb.OK)
        self.assertEqual(len(ids), 50)
        ints = sorted(int.from_bytes(i, "big") for i in ids)
        self.assertGreater(min(b - a for a, b in zip(ints, ints[1:])), 1 << 64)
        # Another client (another port id) presenting a's session id gets nothing.
        b = harness.RawClient(self.daemon.port)
        b.open_session()
        for op in (req(key_list=None), req(logout=None), req(close_session=None),
                   req(mac={"key_id": "k", "data": b"x"})):
            resp = b.call(op, session=a.session)
            self.assertEqual(resp.status, pb.NOT_FOUND, resp.message)
        self.assertEqual(a.call(req(key_list=None)).status, pb.OK)

    def test_2013_contexts_do_not_survive_logout(self):
        self.admin("user", "add", "--container", "host", "alice", password="pa")
        self.admin("user", "add", "--container", "host", "bob", password="pb")
        self.vhsm("alice", "pa", "key", "generate", "--type", "hmac-sha256", "--id", "k")
        c = self._logged_in_client()
        ctx = c.call(req(mac_init={"key_id": "k"}))
        self.assertEqual(ctx.status, pb.OK)
        dctx = c.call(req(digest_init={"algorithm": pb.SHA256}))
        self.assertEqual(c.call(req(logout=None)).status, pb.OK)
        self.assertEqual(c.login("bob", "pb").status, pb.OK)
        for op in ("mac_update", "digest_update"):
            cid = ctx.context.context_id if op == "mac_update" else dctx.context.context_id
            resp = c.call(req(**{op: {"context_id": cid, "data": b"x"}}))
            self.assertEqual(resp.status, pb.NOT_FOUND, resp.message)
        resp = c.call(req(mac_final={"context_id": ctx.context.context_id}))
        self.assertEqual(resp.status, pb.NOT_FOUND)
        # And after logout, nothing works until a new login.
        c.call(req(logout=None))
        self.assertEqual(c.call(req(mac={"key_id": "k", "data": b"x"})).status, pb.UNAUTHENTICATED)

    def test_2013_large_requests_and_malformed_frames(self):
        self.admin("user", "add", "--container", "host", "alice", password="pa")
        key = os.urandom(32)
        self.vhsm("alice", "pa", "key", "import", "--type", "hmac-sha256", "--id", "k", input=key)
        c = self._logged_in_client()
        # Requests well over 4 KiB, up to the frame limit.
        for size in (4096, 4097, 20000, 65000):
            data = os.urandom(size)
            resp = c.mac("k", data)
            self.assertEqual(resp.status, pb.OK, resp.message)
            self.assertEqual(resp.bytes.data, hmac.new(key, data, "sha256").digest())
        # 1 MiB datagram: refused with an error frame, daemon unharmed.
        raw = harness.RawClient(self.daemon.port)
        raw.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        big = bytearray(harness.encode_frame(99, b"\0" * 16))
        big = bytes(big[:16]) + b"\0" * ((1 << 20) - 16)
        raw.send_raw(big)
        seq, resp = raw.recv_response()
        self.assertEqual(seq, 99)
        self.assertEqual(resp.status, pb.INVALID_ARGUMENT)
        self.assertIn("exceeds the limit", resp.message)
        # Garbage protobuf, unknown fields, missing operation, bad enum.
        cases = [
            (b"\xff\xff\xff\xff", "not a valid Request"),
            (req(key_list=None).SerializeToString() + b"\xb8\x3e\x01", "unknown field"),
            (pb.Request(session_id=c.session).SerializeToString(), "names no operation"),
            (req(digest={"algorithm": 0, "data": b"x"}).SerializeToString(), "missing"),
        ]
        for i, (payload, message) in enumerate(cases):
            raw.send_raw(harness.encode_frame(200 + i, payload))
            seq, resp = raw.recv_response()
            self.assertEqual((seq, resp.status), (200 + i, pb.INVALID_ARGUMENT), resp.message)
            self.assertIn(message, resp.message)
        # Bad netlink framing: wrong version, unknown type.
        raw.send_raw(harness.encode_frame(300, b"", version=7))
        seq, resp = raw.recv_response()
        self.assertIn("unsupported protocol version 7", resp.message)
        # Still serving the good client.
        self.assertEqual(c.mac("k", b"after").status, pb.OK)

    def test_admin_only_from_root_on_the_host(self):
        ct = self.container("ct1")
        p = harness.run_cli(self.daemon, ("vhsm-admin", "user", "list", "--container", "ct1"),
                            container=ct, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"only to root on the host", p.stderr)
        # A non-root process on the host.
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
               harness.VHSM_ADMIN, "user", "list", "--container", "host"]
        p = subprocess.run(cmd, env=self.daemon.env(), capture_output=True)
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        self.assertIn(b"only to root on the host", p.stderr)
        # A forged admin request from inside the container, by hand.
        result = harness.in_namespace(ct.netns, lambda: _raw_admin(self.daemon.port))
        self.assertEqual(result, {"status": pb.PERMISSION_DENIED})

    def test_unattached_and_detached_containers_cannot_reach_the_daemon(self):
        stranger = self.container()
        p = harness.run_cli(self.daemon, ("vhsm", "digest"), container=stranger, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"is vhsmd running and this container attached", p.stderr)
        ct = self.container("ct1")
        self.assertEqual(harness.run_cli(self.daemon, ("vhsm", "digest"), input=b"abc",
                                         container=ct).stdout.strip().decode(),
                         hashlib.sha256(b"abc").hexdigest())
        listing = self.admin("container", "list").stdout.decode()
        self.assertIn("ct1\tattached\t" + ct.netns, listing)
        self.admin("container", "detach", "ct1")
        p = harness.run_cli(self.daemon, ("vhsm", "digest"), container=ct, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn("ct1\tdetached", self.admin("container", "list").stdout.decode())
        # Attach errors are clear.
        p = self.admin("container", "attach", "ct9", "--pid", "999999999", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"no namespace file", p.stderr)

    def test_squatter_is_refused(self):
        ct = self.container()
        # A process in the container binds the VHSM port before the daemon attaches.
        squat = subprocess.Popen(
            ["nsenter", "--net=" + ct.netns, "--", harness.PYTHON, "-c",
             "import socket,sys,time; s=socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2);"
             "s.bind((int(sys.argv[1]),0)); print('bound', flush=True); time.sleep(60)",
             str(self.daemon.port)], stdout=subprocess.PIPE)
        self.assertEqual(squat.stdout.readline().strip(), b"bound")
        try:
            p = self.admin("container", "attach", "ct1", "--pid", str(ct.pid), check=False)
            self.assertEqual(p.returncode, 1)
            self.assertIn(b"squatting", p.stderr)
        finally:
            squat.kill()
            squat.wait()


def _raw_admin(port):
    c = harness.RawClient(port)
    plain = c.call(req(user_list={"container": "host"}))  # outside any channel
    assert plain.status in (pb.INVALID_ARGUMENT, pb.FAILED_PRECONDITION), plain.message
    c.open_session()
    resp = c.call(req(user_list={"container": "host"}))
    return {"status": resp.status}


if __name__ == "__main__":
    harness.main()
