"""Per-container limits of a real vhsmd (issue #11): sessions, keys,
contexts and queued requests stop at their configured caps, with an error
that names the cap; the other containers keep theirs."""
import os
import socket

import harness
from harness import pb

SO_RCVBUFFORCE = 33


class LimitsTest(harness.DaemonTestCase):
    def setUp(self):
        harness.require_root(self)
        self.daemon = harness.Daemon(extra=["--max-sessions", "3", "--max-keys", "2"]).start()
        self.containers = []

    def test_per_container_limits(self):
        clients = [harness.RawClient(self.daemon.port) for _ in range(4)]
        for c in clients[:3]:
            c.open_session()
        resp = clients[3].open_session(check=False)
        self.assertEqual(resp.status, pb.RESOURCE_EXHAUSTED)
        self.assertIn("open sessions, the limit", resp.message)
        # Closing one makes room.
        close = pb.Request()
        close.close_session.SetInParent()
        self.assertEqual(clients[0].call(close).status, pb.OK)
        clients[3].open_session()
        for c in clients[1:]:
            c.call(close)
        self.admin("user", "add", "--container", "host", "alice", password="pw")
        self.vhsm("alice", "pw", "key", "generate", "--type", "aes-256")
        self.vhsm("alice", "pw", "key", "generate", "--type", "aes-256")
        p = self.vhsm("alice", "pw", "key", "generate", "--type", "aes-256", check=False)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"keys, the limit", p.stderr)


class QueueBoundTest(harness.DaemonTestCase):
    # A login's PBKDF2 takes a good fraction of a second here, so the
    # requests sent behind it certainly have to wait.
    iterations = 2000000

    def test_queue_per_client_is_bounded_with_a_clear_error(self):
        c = harness.RawClient(self.daemon.port)
        c.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
        c.open_session()
        login = pb.Request()
        login.login.user = "nobody"
        login.login.password = b"x"

        digest = pb.Request()
        digest.digest.algorithm = pb.SHA256
        digest.digest.data = b"d"

        c.send_raw(harness.encode_frame(1, c.seal(login).SerializeToString()))
        # While the login's PBKDF2 runs on a worker, what follows must wait.
        for seq in range(2, 3001):
            c.send_raw(harness.encode_frame(seq, c.seal(digest).SerializeToString()))
        statuses, messages = {}, set()
        for _ in range(3000):
            _seq, resp = c.recv_response()
            if resp.HasField("sealed"):
                resp = c.unseal(resp)
            statuses[resp.status] = statuses.get(resp.status, 0) + 1
            if resp.status == pb.RESOURCE_EXHAUSTED:
                messages.add(resp.message)
        self.assertGreater(statuses.get(pb.RESOURCE_EXHAUSTED, 0), 0, statuses)
        self.assertTrue(any("max-queued-requests = 128" in m for m in messages), messages)
        self.assertGreaterEqual(statuses.get(pb.OK, 0), 128, statuses)


class CapsTest(harness.DaemonTestCase):
    """Per-container caps, set in the config file, answer with their names."""

    def setUp(self):
        harness.require_root(self)
        self.containers = []
        d = harness.Daemon()
        os.makedirs(d.dir, exist_ok=True)
        config = os.path.join(d.dir, "vhsmd.conf")
        with open(config, "w") as f:
            f.write("# limits\nmax-contexts = 5\nmax-sessions = 4\n")
        d.extra = ["--config", config]
        self.daemon = d.start()

    def test_context_and_session_caps_name_their_limit(self):
        a = self.container("a")
        b = self.container("b")

        def open_contexts():
            c = harness.RawClient(self.daemon.port)
            c.open_session()
            out = []
            for _ in range(6):
                r = pb.Request()
                r.digest_init.algorithm = pb.SHA256
                resp = c.call(r)
                out.append([resp.status, resp.message])
            return out
        got = harness.in_namespace(a.netns, open_contexts)
        self.assertEqual([s for s, _m in got[:5]], [pb.OK] * 5)
        self.assertEqual(got[5][0], pb.RESOURCE_EXHAUSTED)
        self.assertEqual(got[5][1], "container 'a' has 5 open digest/MAC contexts, the limit "
                                    "(max-contexts = 5)")
        # Container b has caps of its own.
        self.assertEqual([s for s, _m in harness.in_namespace(b.netns, open_contexts)[:5]],
                         [pb.OK] * 5)

        def open_sessions():
            clients = [harness.RawClient(self.daemon.port) for _ in range(5)]
            out = []
            for c in clients:
                resp = c.open_session(check=False)
                out.append([pb.OK, ""] if isinstance(resp, bytes) else [resp.status, resp.message])
            return out
        got = harness.in_namespace(a.netns, open_sessions)
        # open_contexts' session is still open (sessions outlive a process
        # that never closed them, until idle expiry): 3 more fit, then none.
        self.assertEqual([s for s, _m in got], [pb.OK] * 3 + [pb.RESOURCE_EXHAUSTED] * 2)
        refused = [m for s, m in got if s == pb.RESOURCE_EXHAUSTED]
        self.assertIn("(max-sessions = 4)", refused[0])


if __name__ == "__main__":
    harness.main()
