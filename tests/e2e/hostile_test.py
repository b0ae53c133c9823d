"""Hostile neighbours (issue #11): one tenant attacks, another is measured.

Every attack runs inside container B against a real vhsmd; the victim, a
well-behaved client in container A, is measured before and during the
attack, and must keep the share of its service stated in each test. The
floods are tools/bench/noisy.cc (`vhsm-flood`), the same code the benchmark
uses for its hmac64_noisy figures.
"""
import json
import os
import socket
import subprocess
import time

import harness
from harness import pb

FLOOD = os.path.abspath("tools/bench/vhsm-flood")
SO_RCVBUFFORCE = 33


def under_asan():
    out = subprocess.run(["ldd", harness.VHSMD], capture_output=True, text=True).stdout
    return "libasan" in out


def status_kb(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError("no %s in /proc/%d/status" % (field, pid))


if under_asan():
    # ASan keeps 256 MB of freed memory in quarantine by default, which
    # would hide what vhsmd itself holds; keep its bookkeeping small.
    os.environ["ASAN_OPTIONS"] = (os.environ.get("ASAN_OPTIONS", "") +
                                  ":quarantine_size_mb=4:thread_local_quarantine_size_kb=64")


class HostileTest(harness.DaemonTestCase):
    iterations = 20000

    def setUp(self):
        super().setUp()
        self.a = self.container("victims")
        self.b = self.container("attackers")
        self.admin("user", "add", "--container", "victims", "alice", password="alice-pw")
        self.vhsm("alice", "alice-pw", "key", "import", "--type", "hmac-sha256", "--id", "k",
                  input=b"K" * 32, container=self.a)

    def flood(self, mode, seconds, **extra):
        args = ["nsenter", "--net=" + self.b.netns, "--", FLOOD, "--port-id",
                str(self.daemon.port), "--mode", mode, "--seconds", str(seconds)]
        for k, v in extra.items():
            args += ["--" + k, v]
        # The flood's clients sleep for their replies too: spinning (libvhsm's
        # default) its four signers are four CPU hogs on a 2-vCPU machine, and
        # the victim's share would then be the kernel's to give (a host caps
        # a container's CPU with cgroups), not vhsmd's: measured, a P-256
        # flood left the victim 20-50 % spinning and this bound flaked.
        env = dict(os.environ, VHSM_SPIN_US="0")
        return subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                env=env)

    def victim(self, mode, seconds, **extra):
        args = ["nsenter", "--net=" + self.a.netns, "--", FLOOD, "--port-id",
                str(self.daemon.port), "--mode", mode, "--user", "alice", "--password",
                "alice-pw", "--seconds", str(seconds)]
        for k, v in extra.items():
            args += ["--" + k, v]
        # The victim sleeps for its replies (VHSM_SPIN_US=0): alone on an
        # idle machine a spinning client is 2-3x faster, a gain that comes
        # from the idle core, not from vhsmd, and that any neighbour using a
        # core takes away (measured: under a login flood the victim makes
        # the same ~4,500 MACs/s spinning or not). What is measured here is
        # the share vhsmd gives it.
        env = dict(os.environ, VHSM_SPIN_US="0")
        p = subprocess.run(args, capture_output=True, timeout=120, env=env)
        self.assertEqual(p.returncode, 0, p.stderr.decode(errors="replace"))
        return json.loads(p.stdout)

    def under_attack(self, mode, victim_mode, seconds=2.0, attack=None, **extra):
        attacker = self.flood(mode, seconds + 3, **(attack or {}))
        try:
            time.sleep(1.0)  # the flood is in full swing
            return self.victim(victim_mode, seconds, **extra)
        finally:
            attacker.kill()
            attacker.wait()

    def check_hmac_share(self, mode, share, attack=None):
        if under_asan():
            # Every request the flood makes vhsmd serve costs about three
            # times as much under ASan; the victim's own client does not.
            share *= 0.6
        # Measured twice when the first try falls short: the victim's rate
        # alone swings by 2x here from one second to the next (seen: 9,000
        # and 14,000 op/s in one run), which alone can put one try under
        # the bound; a vhsmd that starves the victim fails both.
        for attempt in (1, 2):
            alone = self.victim("victim-hmac", 1.5, key="k")
            noisy = self.under_attack(mode, "victim-hmac", key="k", attack=attack)
            print("%s (try %d): victim alone %.0f op/s (p50 %.3f ms), under attack %.0f op/s "
                  "(p50 %.3f ms)" % (mode, attempt, alone["ops_per_s"], alone["p50_ms"],
                                     noisy["ops_per_s"], noisy["p50_ms"]))
            if noisy["ops_per_s"] >= share * alone["ops_per_s"]:
                break
        self.assertGreaterEqual(noisy["ops_per_s"], share * alone["ops_per_s"],
                                "%s: victim kept %.0f of %.0f op/s" %
                                (mode, noisy["ops_per_s"], alone["ops_per_s"]))
        return alone, noisy

    # -- 1. a client that never reads its replies --------------------------------
    # The bound for every flood: the victim keeps at least a fifth of the rate
    # it has alone (before issue #11, a non-reading neighbour left it 0.2%).
    # It shares the machine's two cores with the flood's own processes and
    # the daemon, and its rate alone swings by 2x from run to run here, so
    # this is what a test can hold without flaking; tools/bench measures
    # the real ratio (hmac64_noisy) in a release build.
    SHARE = 0.2

    def test_slow_reader_does_not_stall_other_tenants(self):
        self.check_hmac_share("slowreader", self.SHARE)

    def test_client_that_does_not_read_loses_its_sessions(self):
        c = harness.RawClient(self.daemon.port)
        c.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        c.open_session()
        r = pb.Request()
        r.digest.algorithm = pb.SHA256
        r.digest.data = b"x" * 64
        # Each one a fresh sealed message (a replay would end the session at
        # once, for another reason).
        frames = [harness.encode_frame(7, c.seal(r).SerializeToString()) for _ in range(6000)]
        # Never reading: past 32 lost replies the client is shed (one request
        # in 16 served), past 256 lost replies its sessions end.
        for frame in frames:
            c.send_raw(frame)
        time.sleep(0.3)
        c.sock.setblocking(False)
        try:
            while True:
                c.sock.recv(1 << 17)
        except BlockingIOError:
            pass
        c.sock.setblocking(True)
        resp = c.call(r)
        self.assertEqual(resp.status, pb.NOT_FOUND, resp.message)
        self.assertIn("no such session", resp.message)

    # -- 2. unbounded per-client queue, 3. starving slow work ----------------------
    def test_login_flood_does_not_delay_another_tenants_login(self):
        alone = self.victim("victim-login", 1.5)
        noisy = self.under_attack("loginflood", "victim-login", seconds=3.0)
        print("login: alone p50 %.1f ms max %.1f ms; under a login flood p50 %.1f ms max %.1f ms"
              % (alone["p50_ms"], alone["max_ms"], noisy["p50_ms"], noisy["max_ms"]))
        # Bound: about one PBKDF2 per worker (2 workers) on top of its own,
        # plus scheduling noise.
        pbkdf2 = alone["p50_ms"]
        self.assertLessEqual(noisy["p50_ms"], 3 * pbkdf2 + 20)
        self.assertGreater(noisy["ops"], 3)

    def test_login_flood_does_not_slow_other_tenants_macs(self):
        self.check_hmac_share("loginflood", self.SHARE)

    def check_signature_flood(self, key_type):
        self.admin("user", "add", "--container", "attackers", "mallory", password="m-pw")
        self.vhsm("mallory", "m-pw", "key", "generate", "--type", key_type, "--id", "flood",
                  container=self.b)
        self.check_hmac_share("signflood", self.SHARE,
                              attack={"user": "mallory", "password": "m-pw", "key": "flood"})

    def test_rsa_signature_flood_does_not_slow_other_tenants_macs(self):
        # Signatures travel unmarked (their cost depends on the key): vhsmd
        # serves P-256 ones itself and must leave RSA-4096 ones (~5 ms
        # each) to its workers, or every MAC of the victim would wait
        # behind the flood's signatures.
        self.check_signature_flood("rsa-4096")

    def test_p256_signature_flood_does_not_slow_other_tenants_macs(self):
        # P-256 signatures are served by the polling thread with nonces
        # made ahead on a thread of their own (PresignFiller, nice 10): a
        # flood of them drains the pool and the rest go to the workers'
        # fair queue, and the victim's MACs still get their share.
        self.check_signature_flood("ec-p256")

    def test_big_frame_flood_memory_stays_bounded(self):
        before = status_kb(self.daemon.proc.pid, "VmRSS")
        with open("/proc/%d/clear_refs" % self.daemon.proc.pid, "w") as f:
            f.write("5")  # reset the peak (VmHWM) to now
        alone, noisy = self.check_hmac_share("bigframes", self.SHARE)
        peak = status_kb(self.daemon.proc.pid, "VmHWM")
        print("bigframes: vhsmd RSS %d kB before, peak %d kB during the flood" % (before, peak))
        # Bound: the default memory budget is 40 MiB; queued frames of one
        # container are capped at 8 MiB. Under ASan, shadow memory and the
        # (small) quarantine come on top of that, so only growth is bounded.
        if not under_asan():
            self.assertLessEqual(peak, 64 * 1024)
        self.assertLessEqual(peak - before, 48 * 1024 if not under_asan() else 96 * 1024)

    # -- 5. lock-out as a weapon --------------------------------------------------
    def guess_as(self, uid, user, password, count):
        """Forks a process with `uid` in container B; returns its statuses."""
        def body():
            os.setresuid(uid, uid, uid)
            c = harness.RawClient(self.daemon.port)
            c.open_session()
            out = []
            for _ in range(count):
                r = c.login(user, password)
                out.append([r.status, r.message])
            return out
        return harness.in_namespace(self.b.netns, body)

    def test_guesses_from_one_uid_never_lock_out_the_owner(self):
        self.admin("user", "add", "--container", "attackers", "owner", password="owner-pw")
        first = self.guess_as(2000, "owner", "wrong", 12)
        self.assertNotIn("exception", first)
        statuses = [s for s, _m in first]
        self.assertIn(pb.RESOURCE_EXHAUSTED, statuses)  # the guesser is throttled
        # Forking again gives that uid no fresh budget.
        again = self.guess_as(2000, "owner", "owner-pw", 1)
        self.assertEqual(again[0][0], pb.RESOURCE_EXHAUSTED, again)
        self.assertIn("try again", again[0][1])
        # The owner, from another uid, gets in at once.
        owner = self.guess_as(1000, "owner", "owner-pw", 1)
        self.assertEqual(owner[0][0], pb.OK, owner)

    def test_unknown_users_are_throttled_exactly_like_real_ones(self):
        self.admin("user", "add", "--container", "attackers", "real", password="real-pw")
        real = self.guess_as(3000, "real", "wrong", 5)
        ghost = self.guess_as(3001, "ghost", "wrong", 5)
        self.assertEqual(real, ghost)

    # -- 6. log forgery and flooding ----------------------------------------------
    def test_forged_log_lines_never_appear(self):
        fake = '{"container":"host","uid":0,"op":"user_add","result":"ok"}'
        evil_id = "k\n" + fake + "\nvhsmd: container=host uid=0 op=user_add result=ok"

        def body():
            c = harness.RawClient(self.daemon.port)
            c.open_session()
            c.login("x\n" + fake, "pw")
            r = pb.Request()
            r.mac.key_id = evil_id
            r.mac.data = b"m"
            return c.call(r).status
        self.assertEqual(harness.in_namespace(self.b.netns, body), pb.UNAUTHENTICATED)
        self.daemon.stop()
        for line in self.daemon.read_log().splitlines():
            if line.startswith("vhsmd: "):
                self.assertNotIn("op=user_add", line)
                continue
            entry = json.loads(line)  # every other line is one whole JSON object
            if entry.get("op") == "user_add":
                self.assertEqual(entry["container"], "host")
                self.assertNotEqual(entry["pid"], None)
            self.assertNotIn("\n", json.dumps(entry.get("user")) if entry.get("user") else "")
        self.assertNotIn("\n" + fake + "\n", self.daemon.read_log())

    def test_log_flood_is_rate_limited_and_summarised(self):
        def body():
            c = harness.RawClient(self.daemon.port)
            c.open_session()
            r = pb.Request()
            r.digest.algorithm = pb.SHA256
            r.digest.data = b"x"
            for _ in range(3000):
                c.call(r)
            return True
        start = time.time()
        self.assertTrue(harness.in_namespace(self.b.netns, body))
        elapsed = time.time() - start
        self.daemon.stop()
        lines = [json.loads(l) for l in self.daemon.read_log().splitlines()
                 if l.startswith("{")]
        attackers = [l for l in lines if l.get("container") == "attackers" and "op" in l]
        summaries = [l for l in lines if l.get("container") == "attackers" and "suppressed" in l]
        # Default rate: 50 lines/s per container, burst 200.
        self.assertLessEqual(len(attackers), 200 + 50 * (elapsed + 1))
        self.assertTrue(summaries, "no 'lines suppressed' summary")
        self.assertIn("lines suppressed", summaries[0]["notice"])
        self.assertGreaterEqual(len(attackers) + sum(s["suppressed"] for s in summaries), 3001)

    # -- 7. secrets left in memory ------------------------------------------------
    def test_no_password_in_daemon_memory_after_login(self):
        secret = "pw-" + os.urandom(12).hex()
        self.admin("user", "add", "--container", "victims", "carol", password=secret)
        self.vhsm("carol", secret, "key", "list", container=self.a)
        c = harness.RawClient(self.daemon.port)
        c.open_session()
        self.assertEqual(c.login("nobody-here", secret).status, pb.UNAUTHENTICATED)
        time.sleep(0.2)
        pid = self.daemon.proc.pid
        needle = secret.encode()
        found = []
        with open("/proc/%d/maps" % pid) as maps, open("/proc/%d/mem" % pid, "rb", 0) as mem:
            for line in maps:
                fields = line.split()
                if "r" not in fields[1] or (len(fields) > 5 and fields[5].startswith("[v")):
                    continue
                lo, hi = (int(x, 16) for x in fields[0].split("-"))
                if hi - lo > (1 << 30):
                    continue  # ASan's shadow: reserved, never holds our data
                tail = b""
                for start in range(lo, hi, 1 << 24):
                    try:
                        mem.seek(start)
                        data = tail + mem.read(min(1 << 24, hi - start))
                    except OSError:
                        break
                    if needle in data:
                        found.append(line.strip())
                        break
                    tail = data[-len(needle):]
        self.assertEqual(found, [], "password found in vhsmd memory")

    # -- 8. large answers --------------------------------------------------------
    def test_key_list_of_5000_keys(self):
        def body():
            c = harness.RawClient(self.daemon.port, timeout=60)
            c.open_session()
            assert c.login("alice", "alice-pw").status == pb.OK
            c.sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 8 << 20)
            window, sent, got = 32, 0, 0
            while got < 5000:
                while sent < 5000 and sent - got < window:
                    r = pb.Request()
                    r.key_import.type = pb.HMAC_SHA256
                    r.key_import.id = "key-%05d" % sent
                    r.key_import.material = b"M" * 32
                    sent += 1
                    c.send_raw(harness.encode_frame(sent, c.seal(r).SerializeToString()))
                _seq, resp = c.recv_response()
                resp = c.unseal(resp)
                assert resp.status == pb.OK, resp.message
                got += 1
            return got
        self.assertEqual(harness.in_namespace(self.a.netns, body), 5000)
        out = self.vhsm("alice", "alice-pw", "key", "list", container=self.a).stdout.decode()
        ids = [l.split()[0] for l in out.splitlines() if l.strip()]
        self.assertEqual(len(ids), 5001)  # and "k"
        self.assertEqual(ids, sorted(ids))
        self.assertIn("key-04999", ids)
        js = json.loads(self.vhsm("alice", "alice-pw", "key", "list", "--json",
                                  container=self.a).stdout)
        self.assertEqual(len(js), 5001)


if __name__ == "__main__":
    harness.main()
