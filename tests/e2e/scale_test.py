"""10,000 containers on one vhsmd (issue 18): attached with one
`vhsm-admin container attach --from FILE`, one request served in each,
vhsmd's RSS per container within budget, and a restart that re-attaches
them all within 10 s. Slow (a minute): tagged manual, run by tools/test."""
import ctypes
import os
import shutil
import tempfile
import time
import unittest

import harness
import vhsm_pb2 as pb

N = int(os.environ.get("VHSM_SCALE_CONTAINERS", "10000"))
CLONE_NEWNET = 0x40000000
MS_BIND = 4096
MNT_DETACH = 2
libc = ctypes.CDLL(None, use_errno=True)


def make_namespaces(directory, n):
    """n network namespaces kept by bind mounts at directory/nI (a child
    makes them, so this process stays in its own)."""
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            for i in range(n):
                path = os.path.join(directory, "n%d" % i)
                open(path, "w").close()
                if libc.unshare(CLONE_NEWNET) != 0 or libc.mount(
                        b"/proc/self/ns/net", path.encode(), b"none", MS_BIND, None) != 0:
                    code = 1
                    break
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    return status == 0


def unmount_all_under(directory):
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in points:
        if point.startswith(directory + "/"):
            libc.umount2(point.encode(), MNT_DETACH)


def rss_kb(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def ask_each(port, paths):
    """One request (the daemon's key) from inside each namespace; returns how
    many were answered. A child hops from namespace to namespace."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        answered = 0
        try:
            for path in paths:
                fd = os.open(path, os.O_RDONLY)
                libc.setns(fd, CLONE_NEWNET)
                os.close(fd)
                c = harness.RawClient(port, timeout=5)
                q = pb.Request()
                q.server_key.SetInParent()
                if c.exchange(q).status == pb.OK:
                    answered += 1
                c.close()
        finally:
            os.write(w, str(answered).encode())
            os._exit(0)
    os.close(w)
    out = os.read(r, 64)
    os.close(r)
    os.waitpid(pid, 0)
    return int(out or b"0")


class ScaleTest(unittest.TestCase):
    def setUp(self):
        harness.require_root(self)
        self.ns_dir = tempfile.mkdtemp(prefix="vhsm-scale-ns-", dir="/tmp")
        self.daemon = None
        started = time.monotonic()
        self.assertTrue(make_namespaces(self.ns_dir, N), "could not make the namespaces")
        print("made %d namespaces in %.1f s" % (N, time.monotonic() - started))
        self.paths = [os.path.join(self.ns_dir, "n%d" % i) for i in range(N)]

    def tearDown(self):
        if self.daemon is not None:
            try:
                if self.daemon.proc is not None:
                    self.daemon.stop()
            finally:
                unmount_all_under(self.daemon.dir)  # its pins, quickly
                self.daemon.cleanup()
        unmount_all_under(self.ns_dir)
        shutil.rmtree(self.ns_dir, ignore_errors=True)

    def test_ten_thousand_containers(self):
        self.daemon = d = harness.Daemon().start()
        listing = os.path.join(d.dir, "containers")
        with open(listing, "w") as f:
            for i, path in enumerate(self.paths):
                f.write("c%d %s\n" % (i, path))
        before = rss_kb(d.proc.pid)
        started = time.monotonic()
        r = harness.run_cli(d, ["vhsm-admin", "container", "attach", "--from", listing],
                            timeout=600)
        took = time.monotonic() - started
        self.assertEqual(r.stdout.decode().strip(), "attached %d of %d containers" % (N, N))
        print("attached %d containers in %.2f s (%.0f per second)" % (N, took, N / took))
        self.assertGreaterEqual(N / took, 500)
        self.assertEqual(ask_each(d.port, self.paths), N)
        per_container = (rss_kb(d.proc.pid) - before) / N
        print("vhsmd's RSS: %.2f KB per container (attached, one request each)" % per_container)
        self.assertLessEqual(per_container, 8)
        # A restart re-attaches every one of them before "ready".
        d.proc.terminate()
        self.assertEqual(d.proc.wait(timeout=60), 0)
        d.proc = None
        d.log.close()
        started = time.monotonic()
        d.start()
        took = time.monotonic() - started
        print("restarted with %d containers in %.2f s" % (N, took))
        self.assertLess(took, 10)
        self.assertNotIn("not re-attached", d.read_log())
        listed = harness.run_cli(d, ["vhsm-admin", "container", "list"]).stdout.decode()
        attached = [l for l in listed.splitlines() if l.startswith("c") and "\tattached\t" in l]
        self.assertEqual(len(attached), N)
        sample = self.paths[::max(1, N // 500)]
        self.assertEqual(ask_each(d.port, sample), len(sample))


if __name__ == "__main__":
    harness.main()
