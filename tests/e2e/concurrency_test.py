"""8 client threads doing mixed operations for 10 s against one vhsmd: no
errors, every result checked, and (under --config=asan) no leak or sanitizer
report from the daemon at exit."""
import os
import subprocess

import harness

STRESS = os.path.abspath("tests/e2e/stress_client")


class ConcurrencyTest(harness.DaemonTestCase):
    def test_eight_threads_for_ten_seconds(self):
        self.admin("user", "add", "--container", "host", "alice", password="pw")
        key = os.urandom(32)
        self.vhsm("alice", "pw", "key", "import", "--type", "hmac-sha256", "--id", "stress-hmac",
                  input=key)
        self.vhsm("alice", "pw", "key", "generate", "--type", "ec-p256", "--id", "stress-ec")
        self.vhsm("alice", "pw", "key", "generate", "--type", "aes-256", "--id", "stress-aes")
        seconds = os.environ.get("VHSM_STRESS_SECONDS", "10")
        p = subprocess.run([STRESS, str(self.daemon.port), "alice", "pw", key.hex(), seconds, "8"],
                           capture_output=True, timeout=300)
        print(p.stdout.decode(), p.stderr.decode())
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        ops = int(p.stdout.split(b"ops=")[1].split()[0])
        self.assertGreater(ops, 100)


if __name__ == "__main__":
    harness.main()
