"""End-to-end test harness: a real vhsmd, real netlink, real network namespaces.

Pieces:
  Daemon      starts bazel-built vhsmd on a private data dir and random port id,
              waits for "vhsmd: ready", stops it with SIGTERM and fails the test
              if it exits non-zero or a sanitizer reported anything.
  Container   a process in a fresh network namespace (unshare -n), i.e. what a
              container runtime gives a container.
  RawClient   an independent Python implementation of the wire format (netlink
              frame + protobuf + secure channel), used to forge requests the
              libraries never send: raw_wire.py, re-exported here.
  run_cli     runs the vhsm / vhsm-admin commands, optionally inside a container
              (nsenter --net).
The working directory is the Bazel runfiles root of the workspace.
"""
import ctypes
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest

# The generated module lives in the runfiles tree (cwd), not beside the
# source file that Python resolved through the runfiles symlink.
sys.path.insert(0, os.path.abspath("tests/e2e"))
import vhsm_pb2 as pb  # noqa: E402,F401  (the BUILD's genrule; tests use harness.pb)
from raw_wire import (NETLINK_USERSOCK, PROLOGUE, SLOW_OPS, VHSM_REQUEST,  # noqa: E402,F401
                      VHSM_RESPONSE, RawClient, decode_frame, encode_frame, load_server_key,
                      nla, noise_initiator)

VHSMD = os.path.abspath("vhsm/server/vhsmd")
VHSM = os.path.abspath("tools/cli/vhsm")
VHSM_ADMIN = os.path.abspath("tools/cli/vhsm-admin")
PYTHON = "/usr/bin/python3"

CLONE_NEWNET = 0x40000000


def require_root(test):
    if os.geteuid() != 0:
        if os.environ.get("VHSM_REQUIRE_ROOT_TESTS", "") not in ("", "0"):
            test.fail("needs root (network namespaces); VHSM_REQUIRE_ROOT_TESTS is set")
        test.skipTest("needs root (network namespaces)")


def random_port():
    return 0x40000000 | random.getrandbits(28)


class Daemon:
    def __init__(self, iterations=10000, threads=2, extra=()):
        self.dir = tempfile.mkdtemp(prefix="vhsmd-", dir=os.environ.get("TEST_TMPDIR"))
        self.port = random_port()
        self.iterations = iterations
        self.threads = threads
        self.extra = list(extra)
        self.proc = None
        self.log_path = os.path.join(self.dir, "vhsmd.log")
        self.run_dir = os.path.join(self.dir, "run")  # where vhsmd pins namespaces

    def start(self):
        self.log = open(self.log_path, "ab")
        offset = self.log.tell()  # look for this run's "ready", not an earlier one's
        self.proc = subprocess.Popen(
            [VHSMD, "--data-dir", os.path.join(self.dir, "data"), "--port-id", str(self.port),
             "--run-dir", self.run_dir,
             "--pbkdf2-iterations", str(self.iterations), "--threads", str(self.threads)]
            + self.extra,
            stdout=self.log, stderr=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if "vhsmd: ready" in self.read_log()[offset:]:
                # This test's clients, raw ones included, pin this daemon.
                with open(self.public_key_path) as f:
                    os.environ["VHSM_SERVER_KEY"] = f.read().strip()
                return self
            if self.proc.poll() is not None:
                raise RuntimeError("vhsmd exited early:\n" + self.read_log())
            time.sleep(0.02)
        raise RuntimeError("vhsmd did not become ready:\n" + self.read_log())

    def read_log(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode(errors="replace")

    def stop(self, sig=signal.SIGTERM):
        """Sends sig (SIGTERM); returns the exit code. Asserts a clean exit."""
        if self.proc is None:
            return 0
        self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise RuntimeError("vhsmd did not stop on signal %d" % sig)
        self.proc = None
        self.log.close()
        log = self.read_log()
        for marker in ("AddressSanitizer", "LeakSanitizer", "runtime error:"):
            if marker in log:
                raise RuntimeError("sanitizer report in vhsmd log:\n" + log[-5000:])
        if rc != 0:
            raise RuntimeError("vhsmd exited with %d:\n%s" % (rc, log[-3000:]))
        return rc

    def cleanup(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
        unmount_under(self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def public_key_path(self):
        return os.path.join(self.dir, "data", "vhsmd.pub")

    def env(self, **extra):
        e = dict(os.environ)
        e["VHSM_PORT_ID"] = str(self.port)
        # Clients pin the daemon's key, as the README tells users to (the
        # key itself: the data directory is root's alone).
        if os.path.exists(self.public_key_path):
            with open(self.public_key_path) as f:
                e["VHSM_SERVER_KEY"] = f.read().strip()
        e.pop("VHSM_PASSWORD", None)
        e.pop("VHSM_USER", None)
        e.update({k: str(v) for k, v in extra.items()})
        return e


def free_port():
    """A TCP port free on 127.0.0.1 now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def unmount_under(directory):
    """Lazily unmounts every mount (namespace pins) below directory."""
    with open("/proc/self/mountinfo") as f:
        points = [line.split()[4] for line in f]
    for point in points:
        if point.startswith(directory + "/"):
            subprocess.run(["umount", "-l", point], capture_output=True)


class Container:
    """A process in its own network namespace, standing in for a container."""

    def __init__(self):
        self.proc = subprocess.Popen(["unshare", "-n", "sleep", "infinity"])
        mine = os.readlink("/proc/self/ns/net")
        deadline = time.time() + 10
        while time.time() < deadline:
            try:
                if os.readlink("/proc/%d/ns/net" % self.proc.pid) != mine:
                    break
            except OSError:
                pass
            time.sleep(0.01)
        else:
            raise RuntimeError("unshare -n did not make a namespace")
        self.pid = self.proc.pid
        self.netns = "/proc/%d/ns/net" % self.pid

    def close(self):
        self.proc.kill()
        self.proc.wait()


def run_cli(daemon, args, input=b"", container=None, env=None, check=True, timeout=60):
    """Runs vhsm/vhsm-admin (args[0] picks which); returns CompletedProcess."""
    binary = {"vhsm": VHSM, "vhsm-admin": VHSM_ADMIN}[args[0]]
    cmd = [binary] + list(args[1:])
    if container is not None:
        cmd = ["nsenter", "--net=" + container.netns, "--"] + cmd
    p = subprocess.run(cmd, input=input, env=env or daemon.env(), capture_output=True,
                       timeout=timeout)
    if check and p.returncode != 0:
        raise AssertionError("%s failed (%d): %s" % (" ".join(args), p.returncode,
                                                     p.stderr.decode(errors="replace")))
    return p


def in_namespace(netns_path, fn):
    """Runs fn() in a forked child inside netns_path; returns its JSON result."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        code = 0
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            fd = os.open(netns_path, os.O_RDONLY)
            if libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns")
            out = json.dumps(fn()).encode()
        except BaseException as e:  # report any failure to the parent
            out = json.dumps({"exception": repr(e)}).encode()
            code = 1
        os.write(w, out)
        os._exit(code)
    os.close(w)
    chunks = []
    while True:
        b = os.read(r, 65536)
        if not b:
            break
        chunks.append(b)
    os.close(r)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks).decode())



def sanitizer_preload_env(shared_object, env):
    """Under --config=asan our .so is instrumented but the openssl command is
    not: the sanitizer runtimes must then be preloaded into openssl."""
    libs = []
    out = subprocess.run(["ldd", shared_object], capture_output=True, text=True).stdout
    for line in out.splitlines():
        if "libasan" in line or "libubsan" in line:
            libs.append(line.split("=>")[1].split()[0])
    if libs:
        env = dict(env)
        env["LD_PRELOAD"] = " ".join(libs)
        env["ASAN_OPTIONS"] = "detect_leaks=0"  # openssl's own allocations are not ours to judge
    return env


class DaemonTestCase(unittest.TestCase):
    """Starts one daemon per test; stops it (asserting a clean exit) after."""
    iterations = 10000
    threads = 2
    daemon_flags = ()

    def setUp(self):
        require_root(self)
        self.daemon = Daemon(iterations=self.iterations, threads=self.threads,
                             extra=self.daemon_flags).start()
        self.containers = []

    def tearDown(self):
        for c in self.containers:
            c.close()
        try:
            if self.daemon.proc is not None:
                self.daemon.stop()
        finally:
            self.daemon.cleanup()

    def path(self, name):
        """A path in this test's daemon directory."""
        return os.path.join(self.daemon.dir, name)

    def write(self, name, data):
        """Writes bytes to path(name); returns the path."""
        with open(self.path(name), "wb") as f:
            f.write(data)
        return self.path(name)

    def container(self, name=None):
        c = Container()
        self.containers.append(c)
        if name:
            self.admin("container", "attach", name, "--pid", str(c.pid))
        return c

    def admin(self, *args, password=None, check=True):
        env = self.daemon.env(**({"VHSM_PASSWORD": password} if password else {}))
        return run_cli(self.daemon, ("vhsm-admin",) + args, env=env, check=check)

    def vhsm(self, user, password, *args, input=b"", container=None, check=True):
        env = self.daemon.env(VHSM_USER=user, VHSM_PASSWORD=password)
        return run_cli(self.daemon, ("vhsm",) + args, input=input, container=container,
                       env=env, check=check)


def main():
    unittest.main(verbosity=2)
