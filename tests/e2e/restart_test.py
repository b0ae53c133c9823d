"""Restarts of a real vhsmd: what it re-attaches and keeps, one vhsmd per store, and
the lock-out of failed logins."""
import hmac
import json
import os
import signal
import subprocess
import time

import harness
from harness import pb


class RestartTest(harness.DaemonTestCase):
    def test_a_pinned_container_survives_its_path_naming_another(self):
        # What PID reuse does to /proc/PID/ns/net, done with a path we
        # control: attach through a name, then make the name point at
        # another namespace (and take vhsmd's pin away) before a restart.
        real, impostor = self.container(), self.container()
        name = os.path.join(self.daemon.dir, "netns-ct1")
        open(name, "w").close()
        subprocess.run(["mount", "--bind", real.netns, name], check=True)
        self.admin("container", "attach", "ct1", "--netns", name)
        self.admin("user", "add", "--container", "ct1", "alice", password="pw")
        self.vhsm("alice", "pw", "key", "generate", "--type", "aes-256", "--id", "k",
                  container=real)
        # With the pin, a restart serves the attached namespace even though
        # the name now points elsewhere.
        self.daemon.stop()
        subprocess.run(["umount", name], check=True)
        subprocess.run(["mount", "--bind", impostor.netns, name], check=True)
        self.daemon.start()
        self.vhsm("alice", "pw", "key", "list", container=real)
        p = self.vhsm("alice", "pw", "key", "list", container=impostor, check=False)
        self.assertEqual(p.returncode, 1)
        # Without the pin (a lost pin, stale records), the impostor is refused.
        self.daemon.stop()
        harness.unmount_under(self.daemon.run_dir)
        self.daemon.start()
        log = self.daemon.read_log()
        self.assertIn("not re-attached: container 'ct1'", log)
        self.assertIn("is another namespace", log)
        p = self.vhsm("alice", "pw", "key", "list", container=impostor, check=False)
        self.assertEqual(p.returncode, 1)
        self.assertNotIn(b"k", p.stdout)
        self.assertIn("ct1\tdetached", self.admin("container", "list").stdout.decode())
        subprocess.run(["umount", "-l", name])


    def test_restart_reattaches_containers_and_keeps_keys(self):
        ct = self.container("ct1")
        self.admin("user", "add", "--container", "ct1", "alice", password="pw")
        key = os.urandom(32)
        self.vhsm("alice", "pw", "key", "import", "--type", "hmac-sha256", "--id", "k",
                  input=key, container=ct)
        ec = self.vhsm("alice", "pw", "key", "generate", "--type", "ec-p256",
                       container=ct).stdout.strip().decode()
        pub_before = self.vhsm("alice", "pw", "key", "public", ec, container=ct).stdout
        self.daemon.stop()
        self.daemon.start()
        self.assertIn("ct1\tattached", self.admin("container", "list").stdout.decode())
        mac = self.vhsm("alice", "pw", "mac", "--key", "k", input=b"after restart", container=ct)
        self.assertEqual(mac.stdout.strip().decode(),
                         hmac.new(key, b"after restart", "sha256").hexdigest())
        self.assertEqual(self.vhsm("alice", "pw", "key", "public", ec, container=ct).stdout,
                         pub_before)
        # A container that is gone is reported, not fatal. (vhsmd's pin keeps
        # a namespace alive until detach; a reboot, or an operator's umount,
        # takes the pin away, and then the PID is all that is left.)
        self.daemon.stop()
        ct.close()
        self.containers.remove(ct)
        harness.unmount_under(self.daemon.run_dir)
        self.daemon.start()
        self.assertIn("not re-attached: container 'ct1'", self.daemon.read_log())
        self.assertIn("ct1\tdetached", self.admin("container", "list").stdout.decode())

    def test_sighup_stops_cleanly_with_every_audit_record_written(self):
        # SIGHUP (a closed terminal, a service manager) stops vhsmd the way
        # SIGTERM does; by default it would kill it with the last 50 ms of
        # audit records still queued.
        self.admin("user", "add", "--container", "host", "alice", password="pw")
        self.vhsm("alice", "pw", "key", "import", "--type", "hmac-sha256", "--id", "h",
                  input=b"k" * 32)
        for _ in range(3):
            self.vhsm("alice", "pw", "mac", "--key", "h", input=b"data")
        self.daemon.stop(sig=signal.SIGHUP)  # asserts exit status 0
        log = self.daemon.read_log()
        self.assertIn("vhsmd: SIGHUP, shutting down", log)
        self.assertIn("vhsmd: stopped", log)
        self.daemon.start()
        out = self.path("audit.json")
        self.admin("audit", "export", "--container", "host", "--out", out)
        with open(out) as f:
            ops = [r["op"] for r in json.load(f)["records"]]
        self.assertEqual(ops.count("mac"), 3, ops)

    def test_a_second_vhsmd_on_the_same_store_is_refused(self):
        # One SQLite store, one vhsmd: a second one (another port, another
        # run directory) would fork the audit chain and keep serving keys
        # the first one deleted.
        self.admin("user", "add", "--container", "host", "alice", password="pw")
        self.vhsm("alice", "pw", "key", "generate", "--type", "aes-256", "--id", "k")
        data = os.path.join(self.daemon.dir, "data")
        second = subprocess.run(
            [harness.VHSMD, "--data-dir", data, "--port-id", str(harness.random_port()),
             "--run-dir", os.path.join(self.daemon.dir, "run2")],
            capture_output=True, timeout=30)
        self.assertNotEqual(second.returncode, 0)
        err = second.stderr.decode()
        self.assertIn("in use by another vhsmd", err)
        self.assertIn("locked by process %d" % self.daemon.proc.pid, err)
        self.assertNotIn("vhsmd: ready", err)
        # The first one serves on, and its audit chain is whole.
        self.vhsm("alice", "pw", "key", "delete", "k")
        self.assertEqual(self.admin("audit", "verify", "--container", "host").returncode, 0)
        # Once it has stopped, the store is free again.
        self.daemon.stop()
        self.daemon.start()
        self.vhsm("alice", "pw", "key", "list")

    def test_a_full_disk_fails_cleanly_and_what_was_done_stands(self):
        # The store on a 600 KiB file system: fill it, then delete. A delete
        # that reports an error must not have deleted; one that reports
        # success has. (Seen by hand before the fix: a COMMIT that failed on
        # the full disk left its transaction open, and the "failed" delete
        # went in with the next commit once there was room. Which statement
        # a full disk stops varies; sqlite_transaction_test makes COMMIT
        # fail every time.)
        self.daemon.stop()
        data = os.path.join(self.daemon.dir, "data")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", data], check=True)
        self.addCleanup(subprocess.run, ["umount", "-l", data], capture_output=True)
        self.daemon.start()
        self.admin("user", "add", "--container", "host", "alice", password="pw")
        made = []
        for i in range(300):
            p = self.vhsm("alice", "pw", "key", "generate", "--type", "ec-p256", "--id",
                          "k%d" % i, check=False)
            if p.returncode != 0:
                self.assertIn(b"full", p.stderr)  # "database or disk is full"
                break
            made.append("k%d" % i)
        self.assertGreater(len(made), 3)
        self.assertLess(len(made), 300, "the file system never filled")
        deleted = {}
        for k in made[:4]:
            p = self.vhsm("alice", "pw", "key", "delete", k, check=False)
            deleted[k] = p.returncode == 0
        # Room again: every answer given was the truth, and vhsmd serves on.
        subprocess.run(["mount", "-o", "remount,size=16m", data], check=True)
        self.vhsm("alice", "pw", "key", "generate", "--type", "aes-256", "--id", "after")
        listed = self.vhsm("alice", "pw", "key", "list").stdout.decode().splitlines()
        for k, gone in deleted.items():
            self.assertEqual(k + "\taes-256" not in listed and k + "\tec-p256" not in listed,
                             gone, (k, deleted))
        self.assertIn("after\taes-256", listed)
        # What vhsmd warned of while the disk was full, it says is over:
        # a WAL checkpoint left pending (housekeeping every 10 s), audit
        # records that waited in memory (the writer, every 50 ms).
        for warned, over in (("cannot be checkpointed", "pending housekeeping is done"),
                             ("audit records cannot be written", "audit records are written again")):
            deadline = time.time() + 15
            while warned in self.daemon.read_log() and over not in self.daemon.read_log():
                self.assertLess(time.time(), deadline, self.daemon.read_log()[-2000:])
                time.sleep(0.2)
        self.assertEqual(self.admin("audit", "verify", "--container", "host").returncode, 0)

    def test_failed_logins_delay_then_lock_out(self):
        self.admin("user", "add", "--container", "host", "alice", password="right")
        c = harness.RawClient(self.daemon.port)
        c.open_session()
        self.assertEqual(c.login("alice", "bad1").status, pb.UNAUTHENTICATED)
        self.assertEqual(c.login("alice", "bad2").status, pb.UNAUTHENTICATED)
        resp = c.login("alice", "right")  # delayed: refused without a check
        self.assertEqual(resp.status, pb.RESOURCE_EXHAUSTED, resp.message)
        self.assertIn("try again", resp.message)
        time.sleep(0.3)
        self.assertEqual(c.login("alice", "right").status, pb.OK)
        # The counter was reset by the success.
        d = harness.RawClient(self.daemon.port)
        d.open_session()
        self.assertEqual(d.login("alice", "bad").status, pb.UNAUTHENTICATED)
        self.assertEqual(d.login("alice", "right").status, pb.OK)


if __name__ == "__main__":
    harness.main()
