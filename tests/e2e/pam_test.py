"""pam_vhsm.so through pamtester (a real PAM application) inside a test
container's network namespace, against the real daemon: the right password
is accepted; a wrong one and an unknown user are refused alike; a user locked
out after failed logins is refused by `account`; `chauthtok` changes the VHSM
password and the user's keys work with the new one; no password reaches a
log."""
import os
import subprocess
import uuid

import harness

PAM = os.path.abspath("vhsm/pam/pam_vhsm.so")


class PamTest(harness.DaemonTestCase):
    # Three failures lock a user out (for the uid that failed), quickly.
    daemon_flags = ("--lockout-failures", "3", "--login-delay-ms", "1")

    def setUp(self):
        super().setUp()
        self.c = self.container("shop")
        self.admin("user", "add", "--container", "shop", "alice", password="pw-alice")
        self.service = "vhsm-test-" + uuid.uuid4().hex[:8]
        self.conf = "/etc/pam.d/" + self.service
        self.write_conf("port_id=%d server_key=%s" % (self.daemon.port,
                                                     self.daemon.public_key_path))

    def tearDown(self):
        if os.path.exists(self.conf):
            os.remove(self.conf)
        super().tearDown()

    def write_conf(self, options):
        with open(self.conf, "w") as f:
            for kind in ("auth", "account", "password"):
                f.write("%s required %s %s\n" % (kind, PAM, options))

    def pamtester(self, user, op, answers=b""):
        env = harness.sanitizer_preload_env(PAM, dict(os.environ))
        p = subprocess.run(["nsenter", "--net=" + self.c.netns, "pamtester", self.service, user,
                            op], input=answers, capture_output=True, env=env, timeout=60)
        return p.returncode, (p.stdout + p.stderr).decode()

    def test_authenticate(self):
        rc, out = self.pamtester("alice", "authenticate", b"pw-alice\n")
        self.assertEqual((rc, "successfully authenticated" in out), (0, True), out)
        for user, pw in (("alice", b"wrong\n"), ("nobody", b"pw-alice\n")):
            rc, out = self.pamtester(user, "authenticate", pw)
            self.assertNotEqual(rc, 0)
            self.assertIn("Authentication failure", out)  # PAM_AUTH_ERR for both
        rc, out = self.pamtester("alice", "acct_mgmt")
        self.assertEqual(rc, 0, out)

    def test_locked_out_user_is_refused_by_account(self):
        for _ in range(3):
            rc, out = self.pamtester("alice", "authenticate", b"wrong\n")
            self.assertNotEqual(rc, 0)
        rc, out = self.pamtester("alice", "acct_mgmt")
        self.assertNotEqual(rc, 0)
        self.assertIn("Permission denied", out)  # PAM_PERM_DENIED
        # The right password is not even tried while locked out.
        rc, out = self.pamtester("alice", "authenticate", b"pw-alice\n")
        self.assertNotEqual(rc, 0)
        self.assertIn("maximum number of retries", out)  # PAM_MAXTRIES
        # Another user of the container is not affected.
        self.admin("user", "add", "--container", "shop", "bob", password="pw-bob")
        self.assertEqual(self.pamtester("bob", "acct_mgmt")[0], 0)

    def test_chauthtok_changes_the_password_and_keys_stay(self):
        v = lambda pw, *a, **kw: self.vhsm("alice", pw, *a, container=self.c, **kw)
        v("pw-alice", "key", "generate", "--type", "hmac-sha256", "--id", "k")
        mac = v("pw-alice", "mac", "--key", "k", input=b"data").stdout
        rc, out = self.pamtester("alice", "chauthtok", b"wrong\nnew-pw\nnew-pw\n")
        self.assertNotEqual(rc, 0)
        self.assertIn("Authentication token manipulation error", out)
        rc, out = self.pamtester("alice", "chauthtok", b"pw-alice\nnew-pw\nnew-pw\n")
        self.assertEqual(rc, 0, out)
        self.assertEqual(v("new-pw", "mac", "--key", "k", input=b"data").stdout, mac)
        self.assertNotEqual(v("pw-alice", "key", "list", check=False).returncode, 0)
        rc, out = self.pamtester("alice", "authenticate", b"new-pw\n")
        self.assertEqual(rc, 0, out)
        # No password in vhsmd's log.
        log = self.daemon.read_log()
        for word in ("pw-alice", "new-pw"):
            self.assertNotIn(word, log)

    def test_bad_options_and_no_daemon(self):
        self.write_conf("colour=blue")
        rc, out = self.pamtester("alice", "authenticate", b"pw-alice\n")
        self.assertNotEqual(rc, 0)
        self.write_conf("port_id=%d server_key=%s" % (harness.random_port(),
                                                     self.daemon.public_key_path))
        rc, out = self.pamtester("alice", "authenticate", b"pw-alice\n")
        self.assertNotEqual(rc, 0)
        self.assertIn("Authentication service cannot retrieve authentication info", out)


if __name__ == "__main__":
    harness.main()
