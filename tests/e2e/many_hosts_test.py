"""Several vhsmd on one PostgreSQL store (issue 17): users, keys and
containers are shared, sessions are each vhsmd's own, and a change through
one vhsmd holds through the other within a second.

The PostgreSQL is a throwaway cluster (tools/pg-cluster). The daemons share
their long-term keys, as a deployment of many hosts does: the daemon key
that clients pin and the audit key that signs checkpoints."""
import hashlib
import hmac
import os
import shutil
import subprocess
import tempfile
import time
import unittest

import harness
import vhsm_pb2 as pb

PG_CLUSTER = os.path.abspath("tools/pg-cluster")
FAILOVER_CLIENT = os.path.abspath("tests/e2e/failover_client")


class Cluster:
    def __init__(self, fsync=False):
        self.dir = tempfile.mkdtemp(prefix="vhsm-pg-", dir="/tmp")  # "postgres" must reach it
        args = [PG_CLUSTER, "start", self.dir] + ([] if fsync else ["--no-fsync"])
        self.conninfo = subprocess.run(args, check=True, capture_output=True,
                                       text=True).stdout.strip()

    def run(self, command):
        subprocess.run([PG_CLUSTER, command, self.dir], check=True, capture_output=True)

    def destroy(self):
        subprocess.run([PG_CLUSTER, "destroy", self.dir], capture_output=True)


def second_daemon(first, conninfo, extra=(), port=None):
    """A vhsmd with its own data directory (and port, unless given), first's
    keys, one store."""
    d = harness.Daemon(extra=["--store", conninfo] + list(extra))
    if port is not None:
        d.port = port
    os.makedirs(os.path.join(d.dir, "data"), mode=0o700)
    for name in ("vhsmd.key", "audit.key"):
        shutil.copy2(os.path.join(first.dir, "data", name), os.path.join(d.dir, "data", name))
    return d.start()


class ManyHostsTest(unittest.TestCase):
    flags = ("--lockout-failures", "4", "--login-delay-ms", "1")

    def setUp(self):
        harness.require_root(self)
        self.pg = Cluster()
        self.a = harness.Daemon(extra=["--store", self.pg.conninfo] + list(self.flags)).start()
        self.b = second_daemon(self.a, self.pg.conninfo, self.flags)
        self.extra_daemons = []
        self.containers = []

    def tearDown(self):
        for c in self.containers:
            c.close()
        for d in [self.a, self.b] + self.extra_daemons:
            try:
                if d.proc is not None:
                    d.stop()
            finally:
                d.cleanup()
        self.pg.destroy()

    def cli(self, daemon, *args, user=None, password=None, input=b"", container=None,
            check=True):
        env = daemon.env(**({"VHSM_USER": user} if user else {}),
                         **({"VHSM_PASSWORD": password} if password else {}))
        return harness.run_cli(daemon, args, input=input, env=env, container=container,
                               check=check)

    def client(self, daemon, user="alice", password="pw-alice"):
        c = harness.RawClient(daemon.port)
        c.open_session()
        self.assertEqual(c.login(user, password).status, pb.OK)
        return c

    def test_a_key_made_through_one_is_listed_and_used_through_the_other(self):
        self.cli(self.a, "vhsm-admin", "user", "add", "--container", "host", "alice",
                 password="pw-alice")
        key = os.urandom(32)
        self.cli(self.a, "vhsm", "key", "import", "--type", "hmac-sha256", "--id", "m",
                 user="alice", password="pw-alice", input=key)
        self.cli(self.b, "vhsm", "key", "generate", "--type", "ec-p256", "--id", "e",
                 user="alice", password="pw-alice")
        for d in (self.a, self.b):
            listed = self.cli(d, "vhsm", "key", "list", user="alice",
                              password="pw-alice").stdout.decode()
            self.assertIn("m", listed.split())
            self.assertIn("e", listed.split())
        data = os.urandom(100)
        want = hmac.new(key, data, hashlib.sha256).hexdigest()
        for d in (self.a, self.b):
            got = self.cli(d, "vhsm", "mac", "--key", "m", user="alice", password="pw-alice",
                           input=data).stdout.decode().strip()
            self.assertEqual(got, want)
        # A container attached to both: its users and keys are the same through either.
        c = harness.Container()
        self.containers.append(c)
        for d in (self.a, self.b):
            self.cli(d, "vhsm-admin", "container", "attach", "shop", "--pid", str(c.pid))
        self.cli(self.b, "vhsm-admin", "user", "add", "--container", "shop", "bob",
                 password="pw-bob")
        self.cli(self.a, "vhsm", "key", "import", "--type", "hmac-sha256", "--id", "k",
                 user="bob", password="pw-bob", input=key, container=c)
        got = self.cli(self.b, "vhsm", "mac", "--key", "k", user="bob", password="pw-bob",
                       input=data, container=c).stdout.decode().strip()
        self.assertEqual(got, want)
        # Sessions are each vhsmd's own, and so are the tenants: alice's key
        # is not bob's through either daemon.
        r = self.cli(self.b, "vhsm", "mac", "--key", "m", user="bob", password="pw-bob",
                     input=data, container=c, check=False)
        self.assertNotEqual(r.returncode, 0)

    def test_a_key_deleted_through_one_is_refused_through_the_other_within_a_second(self):
        self.cli(self.a, "vhsm-admin", "user", "add", "--container", "host", "alice",
                 password="pw-alice")
        self.cli(self.a, "vhsm", "key", "import", "--type", "hmac-sha256", "--id", "m",
                 user="alice", password="pw-alice", input=os.urandom(32))
        c = self.client(self.a)  # a session on A that has the key cached
        for _ in range(20):
            self.assertEqual(c.mac("m", b"x").status, pb.OK)
        self.cli(self.b, "vhsm", "key", "delete", "m", user="alice", password="pw-alice")
        deleted = time.monotonic()
        while True:
            r = c.mac("m", b"x")
            if r.status != pb.OK:
                break
            self.assertLess(time.monotonic() - deleted, 1.0, "A still uses a deleted key")
            time.sleep(0.01)
        self.assertEqual(r.status, pb.NOT_FOUND, r.message)
        refused_after = time.monotonic() - deleted
        self.assertLess(refused_after, 1.0)
        c.close()

    def test_failed_logins_through_both_lock_the_user_out_of_both(self):
        self.cli(self.a, "vhsm-admin", "user", "add", "--container", "host", "alice",
                 password="pw-alice")
        for d in (self.a, self.b, self.a, self.b):  # four failures, two on each
            c = harness.RawClient(d.port)
            c.open_session()
            self.assertEqual(c.login("alice", "wrong").status, pb.UNAUTHENTICATED)
            c.close()
        for d in (self.a, self.b):
            c = harness.RawClient(d.port)
            c.open_session()
            r = c.login("alice", "pw-alice")  # the right password: locked out all the same
            self.assertEqual(r.status, pb.RESOURCE_EXHAUSTED, r.message)
            self.assertIn("locked", r.message)
            c.close()

    def test_both_write_one_audit_chain_and_it_verifies_through_either(self):
        self.cli(self.a, "vhsm-admin", "user", "add", "--container", "host", "alice",
                 password="pw-alice")
        clients = [self.client(d) for d in (self.a, self.b)]
        r = pb.Request()
        r.key_generate.type = pb.HMAC_SHA256
        r.key_generate.id = "k"
        self.assertEqual(clients[0].call(r).status, pb.OK)
        # Interleaved: MACs (batched records) and key generations (records
        # in the change's transaction) through both daemons on one chain.
        for i in range(300):
            c = clients[i % 2]
            self.assertEqual(c.mac("k", b"%d" % i).status, pb.OK)
            if i % 25 == 0:
                g = pb.Request()
                g.key_generate.type = pb.AES_256
                g.key_generate.id = "g%d" % i
                self.assertEqual(c.call(g).status, pb.OK)
        for c in clients:
            c.close()
        # Each vhsmd writes its batched records within 50 ms (a verify writes
        # its own vhsmd's at once); give the other one a moment.
        time.sleep(0.5)
        for d in (self.a, self.b):
            out = self.cli(d, "vhsm-admin", "audit", "verify", "--container", "host",
                           check=False)
            text = out.stdout.decode() + out.stderr.decode()
            self.assertEqual(out.returncode, 0, text)
            self.assertIn("intact", text)
            records = int(text.split("host: ")[1].split(" records")[0])
            self.assertGreaterEqual(records, 300 + 12 + 3)

    def test_a_client_goes_on_when_its_container_moves_to_another_vhsmd(self):
        self.cli(self.a, "vhsm-admin", "user", "add", "--container", "shop", "bob",
                 password="pw-bob", check=False)  # no container yet: refused
        c = harness.Container()
        self.containers.append(c)
        self.cli(self.a, "vhsm-admin", "container", "attach", "shop", "--pid", str(c.pid))
        self.cli(self.a, "vhsm-admin", "user", "add", "--container", "shop", "bob",
                 password="pw-bob")
        key = os.urandom(32)
        self.cli(self.a, "vhsm", "key", "import", "--type", "hmac-sha256", "--id", "k",
                 user="bob", password="pw-bob", input=key, container=c)
        client = subprocess.Popen(
            ["nsenter", "--net=" + c.netns, "--", FAILOVER_CLIENT, str(self.a.port), "bob",
             "pw-bob"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=self.a.env(), text=True)
        try:
            self.assertEqual(client.stdout.readline().strip(), "ready")

            def mac(data):
                client.stdin.write("mac k %s\n" % data.hex())
                client.stdin.flush()
                return client.stdout.readline().strip()

            data = os.urandom(64)
            want = hmac.new(key, data, hashlib.sha256).hexdigest()
            self.assertEqual(mac(data), want)
            # Host A dies; the container moves to host C (same port id, keys, store).
            self.a.proc.kill()
            self.a.proc.wait()
            self.a.proc = None
            c_daemon = second_daemon(self.a, self.pg.conninfo, self.flags, port=self.a.port)
            self.extra_daemons.append(c_daemon)
            # (On this one machine C finds the container's namespace recorded in
            # the store and re-attaches it at start; on another host the
            # operator attaches it.)
            r = self.cli(c_daemon, "vhsm-admin", "container", "attach", "shop", "--pid",
                         str(c.pid), check=False)
            self.assertTrue(r.returncode == 0 or b"already attached" in r.stderr, r.stderr)
            # The same client, the same session object: it re-opens and logs in by itself.
            self.assertEqual(mac(data), want)
            self.assertEqual(mac(b"more"), hmac.new(key, b"more", hashlib.sha256).hexdigest())
        finally:
            client.stdin.close()
            client.wait(timeout=10)


class PostgresFaultsTest(unittest.TestCase):
    """PostgreSQL stopped and killed under a working vhsmd (fsync on)."""

    def setUp(self):
        harness.require_root(self)
        self.pg = Cluster(fsync=True)
        self.d = harness.Daemon(extra=["--store", self.pg.conninfo]).start()
        run = lambda *a, **k: harness.run_cli(self.d, a, **k)
        run("vhsm-admin", "user", "add", "--container", "host", "alice",
            env=self.d.env(VHSM_PASSWORD="pw-alice"))

    def tearDown(self):
        try:
            if self.d.proc is not None:
                self.d.stop()
        finally:
            self.d.cleanup()
            self.pg.destroy()

    def keygen(self, c, key_id):
        r = pb.Request()
        r.key_generate.type = pb.AES_256
        r.key_generate.id = key_id
        return c.call(r)

    def listed(self):
        out = harness.run_cli(self.d, ("vhsm", "key", "list"),
                              env=self.d.env(VHSM_USER="alice", VHSM_PASSWORD="pw-alice"))
        return set(out.stdout.decode().split())

    def test_requests_fail_fast_while_it_is_down_and_work_again_after(self):
        c = harness.RawClient(self.d.port)
        c.open_session()
        self.assertEqual(c.login("alice", "pw-alice").status, pb.OK)
        self.assertEqual(self.keygen(c, "before").status, pb.OK)
        self.pg.run("stop")
        for i in range(3):
            start = time.monotonic()
            r = self.keygen(c, "down%d" % i)
            self.assertEqual(r.status, pb.UNAVAILABLE, r.message)
            self.assertLess(time.monotonic() - start, 2.0)
        self.pg.run("start-again")
        self.assertEqual(self.keygen(c, "after").status, pb.OK)  # reconnected by itself
        c.close()
        self.assertTrue({"before", "after"} <= self.listed())
        self.assertFalse({"down0", "down1", "down2"} & self.listed())

    def test_no_acknowledged_key_is_lost_when_it_is_killed_during_key_generation(self):
        acknowledged = []
        for rnd in range(25):
            c = harness.RawClient(self.d.port)
            c.open_session()
            self.assertEqual(c.login("alice", "pw-alice").status, pb.OK)
            killer = subprocess.Popen(["sh", "-c", "sleep 0.%d; %s kill %s" %
                                       (2 + rnd % 5, PG_CLUSTER, self.pg.dir)])
            i = 0
            while killer.poll() is None or i < 3:
                r = self.keygen(c, "r%d-%d" % (rnd, i))
                if r.status == pb.OK:
                    acknowledged.append("r%d-%d" % (rnd, i))
                else:
                    self.assertEqual(r.status, pb.UNAVAILABLE, r.message)
                i += 1
                if killer.poll() is not None and r.status != pb.OK:
                    break
            killer.wait()
            c.close()
            self.pg.run("start-again")
        self.assertGreater(len(acknowledged), 25)
        missing = set(acknowledged) - self.listed()
        self.assertEqual(missing, set(), "acknowledged keys lost")


if __name__ == "__main__":
    harness.main()
