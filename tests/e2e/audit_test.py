"""The audit log through the real daemon: 10,000 operations chain intact;
one edited byte, a deleted record before the last checkpoint, and two
records swapped are each reported with the right record number, by vhsmd
(`vhsm-admin audit verify`) and by the offline script (tools/audit_verify.py,
Python's cryptography) on an export; container admins read their own
container's log, users do not; no password or data reaches it."""
import json
import os
import sqlite3
import subprocess

import harness
import vhsm_pb2 as pb

SCRIPT = os.path.abspath("tools/audit_verify.py")


def macs(port, n):
    c = harness.RawClient(port)
    c.open_session()
    assert c.login("alice", "pw-alice").status == pb.OK
    r = pb.Request()
    r.key_generate.type = pb.HMAC_SHA256
    r.key_generate.id = "k"
    assert c.call(r).status == pb.OK
    for i in range(n):
        assert c.mac("k", b"data %d" % i).status == pb.OK
    c.close()


class AuditCase(harness.DaemonTestCase):
    """A daemon with alice on the host; verdicts by vhsmd and offline."""

    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")

    def verdict(self):
        r = self.admin("audit", "verify", "--container", "host", check=False)
        return r.returncode, r.stdout.decode().strip()

    def offline(self):
        out = self.path("audit.json")
        self.admin("audit", "export", "--container", "host", "--out", out)
        r = subprocess.run(["/usr/bin/python3", SCRIPT, out, self.path("data/audit.pub")],
                           capture_output=True)
        return r.returncode, r.stdout.decode().strip()

    def sql(self, statement, args=()):
        db = sqlite3.connect(self.path("data/vhsm.db"))
        rows = db.execute(statement, args).fetchall()
        db.commit()
        db.close()
        return rows


class AuditTest(AuditCase):
    def test_chain_and_what_breaks_it(self):
        macs(self.daemon.port, 10000)
        rc, out = self.verdict()
        self.assertEqual(rc, 0, out)
        self.assertRegex(out, r"host: 100\d\d records, 10 checkpoints: intact")
        self.assertEqual(self.offline()[0], 0)
        cols = "time_ms, uid, pid, user, role, op, key_id, key_version, result, hash"

        # One byte of one record.
        self.sql("UPDATE audit SET op = 'mad' WHERE container = 'host' AND seq = 500")
        rc, out = self.verdict()
        self.assertEqual(rc, 1)
        self.assertIn("BROKEN at record 500: record 500 was altered", out)
        self.assertEqual(self.offline(), (1, "record 500 was altered or moved"))
        self.sql("UPDATE audit SET op = 'mac' WHERE container = 'host' AND seq = 500")
        self.assertEqual(self.verdict()[0], 0)

        # A record deleted before the last checkpoint.
        saved = self.sql("SELECT * FROM audit WHERE container = 'host' AND seq = 700")
        self.sql("DELETE FROM audit WHERE container = 'host' AND seq = 700")
        rc, out = self.verdict()
        self.assertIn("BROKEN at record 700: record 700 is missing", out)
        self.assertEqual(self.offline(), (1, "record 700 is missing"))
        self.sql("INSERT INTO audit VALUES (%s)" % ",".join("?" * len(saved[0])), saved[0])
        self.assertEqual(self.verdict()[0], 0)

        # Two records swapped.
        a = self.sql("SELECT %s FROM audit WHERE container = 'host' AND seq = 800" % cols)[0]
        b = self.sql("SELECT %s FROM audit WHERE container = 'host' AND seq = 801" % cols)[0]
        setter = ", ".join("%s = ?" % c.strip() for c in cols.split(","))
        self.sql("UPDATE audit SET %s WHERE container = 'host' AND seq = 800" % setter, b)
        self.sql("UPDATE audit SET %s WHERE container = 'host' AND seq = 801" % setter, a)
        rc, out = self.verdict()
        self.assertIn("BROKEN at record 800", out)
        self.assertEqual(self.offline()[1], "record 800 was altered or moved")

    def test_the_chain_goes_on_across_restarts(self):
        macs(self.daemon.port, 10)
        self.daemon.stop()  # a clean stop checkpoints every chain
        self.daemon.start()
        rc, out = self.verdict()
        self.assertEqual(rc, 0, out)
        self.assertIn("1 checkpoints: intact", out)
        first = int(out.split(": ")[1].split()[0])
        c = harness.RawClient(self.daemon.port)
        c.open_session()
        self.assertEqual(c.login("alice", "pw-alice").status, pb.OK)
        self.assertEqual(c.mac("k", b"after").status, pb.OK)
        c.close()
        rc, out = self.verdict()
        self.assertEqual(rc, 0, out)
        self.assertGreater(int(out.split(": ")[1].split()[0]), first)
        self.assertEqual(self.offline()[0], 0)

    def test_admins_read_their_containers_log_users_do_not(self):
        c = self.container("shop")
        self.admin("user", "add", "--container", "shop", "--role", "admin", "ann",
                   password="pw-ann")
        self.admin("user", "add", "--container", "shop", "bob", password="pw-bob")
        self.vhsm("bob", "pw-bob", "key", "generate", "--type", "hmac-sha256", "--id", "bk",
                  container=c)
        self.vhsm("bob", "pw-bob", "mac", "--key", "bk", input=b"secret data", container=c)
        self.vhsm("bob", "wrong", "key", "list", container=c, check=False)
        out = self.vhsm("ann", "pw-ann", "audit", "list", container=c).stdout.decode()
        lines = [l.split("\t") for l in out.splitlines()]
        ops = [(l[2], l[4], l[5], l[6]) for l in lines]
        self.assertEqual(ops.count(("bob", "key_generate", "bk", "ok")), 1)  # once, with the key
        self.assertIn(("bob", "mac", "bk", "ok"), ops)
        self.assertIn(("bob", "login", "-", "unauthenticated"), ops)
        j = json.loads(self.vhsm("ann", "pw-ann", "audit", "list", "--json",
                                 container=c).stdout)
        self.assertTrue(all(e["op"] != "" for e in j))
        # --since: nothing is newer than the future; everything newer than 1970.
        self.assertEqual(self.vhsm("ann", "pw-ann", "audit", "list", "--since",
                                   "2999-01-01T00:00:00Z", container=c).stdout, b"")
        later = self.vhsm("ann", "pw-ann", "audit", "list", "--since", "1", container=c)
        self.assertGreaterEqual(len(later.stdout.splitlines()), len(lines))
        self.assertIn("intact", self.vhsm("ann", "pw-ann", "audit", "verify",
                                          container=c).stdout.decode())
        r = self.vhsm("bob", "pw-bob", "audit", "list", container=c, check=False)
        self.assertIn(b"is for the container's admins", r.stderr)
        # The host operator sees shop's log; the host's log has no shop record.
        rc_out = self.admin("audit", "verify", "--container", "shop").stdout.decode()
        self.assertIn("shop:", rc_out)
        self.assertIn("intact", rc_out)
        rows = self.sql("SELECT * FROM audit")
        text = repr(rows)
        for secret in ("pw-bob", "pw-ann", "secret data", "wrong"):
            self.assertNotIn(secret, text)
        self.assertFalse([r for r in rows if r[0] == "host" and r[5] == "bob"])
        # vhsm-admin audit verify without --container checks every container.
        out = self.admin("audit", "verify").stdout.decode()
        self.assertIn("host:", out)
        self.assertIn("shop:", out)


class AuditRetentionTest(AuditCase):
    """With --audit-retention 1000, the oldest records go (in steps) behind a
    signed truncation marker; the rest still verify, tampering still shows."""
    daemon_flags = ("--audit-retention", "1000")

    def test_old_records_go_behind_a_signed_marker(self):
        macs(self.daemon.port, 3500)
        rc, out = self.verdict()
        self.assertEqual(rc, 0, out)
        first = self.sql("SELECT MIN(seq), MAX(seq), COUNT(*) FROM audit WHERE container = 'host'")
        low, high, count = first[0]
        self.assertGreater(low, 1000)  # dropped
        self.assertEqual(count, high - low + 1)
        self.assertGreaterEqual(count, 1000)  # kept
        kinds = self.sql("SELECT seq, kind FROM audit_checkpoints WHERE container = 'host'"
                         " ORDER BY seq")
        self.assertEqual(kinds[0], (low - 1, "truncated"))
        self.assertEqual(self.offline()[0], 0)
        # A forged marker, or a record missing after it, still shows.
        gone = low + 100
        self.sql("DELETE FROM audit WHERE container = 'host' AND seq = ?", (gone,))
        rc, out = self.verdict()
        self.assertIn("BROKEN at record %d: record %d is missing" % (gone, gone), out)
        self.assertEqual(self.offline(), (1, "record %d is missing" % gone))
        self.sql("UPDATE audit_checkpoints SET signature = zeroblob(64) WHERE kind = 'truncated'")
        rc, out = self.verdict()
        self.assertIn("truncation marker", out)
        self.assertIn("truncation marker", self.offline()[1])


if __name__ == "__main__":
    harness.main()
