"""The SDK as users get it: the release tarball unpacked alone, the C and
C++ examples built with `pkg-config --cflags --libs vhsm` (no Bazel, no
source tree), run against a real vhsmd and checked against Python's hmac
and the openssl command."""
import hmac
import os
import subprocess
import sys
import tarfile
import tempfile

import harness

TARBALL = os.path.abspath(sys.argv.pop(1))
EXAMPLE_C = os.path.abspath("examples/vhsm_mac.c")
EXAMPLE_CC = os.path.abspath("examples/vhsm_sign.cc")


class SdkTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.root = tempfile.mkdtemp(dir=self.daemon.dir)
        with tarfile.open(TARBALL) as t:
            t.extractall(self.root)
        (top,) = os.listdir(self.root)
        self.prefix = os.path.join(self.root, top)
        self.pc_env = dict(os.environ, PKG_CONFIG_PATH=os.path.join(self.prefix, "lib/pkgconfig"))

    def build(self, source, compiler, *extra):
        flags = subprocess.run(["pkg-config", "--cflags", "--libs", "vhsm"], env=self.pc_env,
                               capture_output=True, text=True, check=True).stdout.split()
        lib = os.path.join(self.prefix, "lib", "libvhsm.so.1")
        ldd = subprocess.run(["ldd", lib], capture_output=True, text=True).stdout
        if "libasan" in ldd:  # an ASan build of the tarball: link its runtime too
            flags += ["-fsanitize=address,undefined"]
        out = os.path.join(self.root, os.path.basename(source) + ".bin")
        # Only the tarball: no -I or -L into the source tree or Bazel's output.
        subprocess.run([compiler, *extra, source, *flags,
                        "-Wl,-rpath," + os.path.join(self.prefix, "lib"), "-o", out],
                       check=True, capture_output=True, cwd=self.root)
        return out

    def test_c_and_cxx_examples_from_the_tarball(self):
        self.admin("user", "add", "--container", "host", "alice", password="pw")
        key = os.urandom(32)
        self.vhsm("alice", "pw", "key", "import", "--type", "hmac-sha256", "--id", "k",
                  input=key)
        self.vhsm("alice", "pw", "key", "generate", "--type", "ec-p256", "--id", "ec")
        pub = os.path.join(self.root, "ec.pem")
        with open(pub, "wb") as f:
            f.write(self.vhsm("alice", "pw", "key", "public", "ec").stdout)
        env = harness.sanitizer_preload_env(os.path.join(self.prefix, "lib", "libvhsm.so.1"),
                                            self.daemon.env())
        env.pop("LD_PRELOAD", None)  # the examples link the runtime themselves
        mac_bin = self.build(EXAMPLE_C, "cc")
        data = os.urandom(5000)
        out = subprocess.run([mac_bin, "alice", "pw", "k"], input=data, env=env,
                             capture_output=True, check=True).stdout.decode().strip()
        self.assertEqual(out, hmac.new(key, data, "sha256").hexdigest())
        sign_bin = self.build(EXAMPLE_CC, "c++", "-std=c++17")
        sig = subprocess.run([sign_bin, "alice", "pw", "ec"], input=data, env=env,
                             capture_output=True, check=True).stdout
        msg, sig_path = os.path.join(self.root, "msg"), os.path.join(self.root, "sig")
        with open(msg, "wb") as f:
            f.write(data)
        with open(sig_path, "wb") as f:
            f.write(sig)
        subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig_path,
                        msg], check=True, capture_output=True)
        # A wrong password: one clear line, exit 1.
        p = subprocess.run([mac_bin, "alice", "wrong", "k"], input=b"x", env=env,
                           capture_output=True)
        self.assertEqual(p.returncode, 1)
        self.assertIn(b"wrong password", p.stderr)


if __name__ == "__main__":
    harness.main()
