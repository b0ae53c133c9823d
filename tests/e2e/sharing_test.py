"""Key sharing inside a container, through the vhsm command and the real
daemon: bob signs with alice/K (the signature verifies with alice's public
key, by the openssl command); he cannot delete, export, re-share it or use it
for what was not granted; rotation and revocation follow alice; a grant moved
to another user's row in the database is refused as corrupted; nobody in
another container reaches it."""
import os
import sqlite3
import subprocess

import harness
import vhsm_pb2 as pb


def grantee_tries(port):
    """Every operation that names a key, by bob on alice/k (granted: sign)."""
    c = harness.RawClient(port)
    c.open_session()
    assert c.login("bob", "pw-bob").status == pb.OK
    tries = {
        "sign": {"key_id": "alice/k", "message": b"m"},
        "verify": {"key_id": "alice/k", "message": b"m", "signature": b"s"},
        "mac": {"key_id": "alice/k", "data": b"m"},
        "mac_init": {"key_id": "alice/k"},
        "encrypt": {"key_id": "alice/k", "plaintext": b"m"},
        "decrypt": {"key_id": "alice/k", "ciphertext": b"m" * 40},
        "rewrap": {"key_id": "alice/k", "ciphertext": b"m" * 40},
        "key_public": {"id": "alice/k"},
        "key_info": {"id": "alice/k"},
        "key_delete": {"id": "alice/k"},
        "key_rotate": {"id": "alice/k"},
        "key_set": {"id": "alice/k", "min_version": 1},
        "key_export": {"id": "alice/k", "wrap_with": "mine"},
        "key_share": {"key_id": "alice/k", "grantee": "carol", "ops": 8},
        "key_unshare": {"key_id": "alice/k", "grantee": "bob"},
        "key_derive": {"key_id": "alice/k", "peer_public_key": b"x", "new_type": pb.AES_256},
    }
    out = {}
    for op, fields in tries.items():
        r = pb.Request()
        sub = getattr(r, op)
        sub.SetInParent()
        for k, v in fields.items():
            setattr(sub, k, v)
        resp = c.call(r)
        out[op] = [resp.status, resp.message]
    c.close()
    return out


class SharingTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.c = self.container("shop")
        for user in ("alice", "bob", "carol"):
            self.admin("user", "add", "--container", "shop", user, password="pw-" + user)
        self.msg = self.write("msg", os.urandom(300))

    def v(self, user, *args, **kw):
        return self.vhsm(user, "pw-" + user, *args, container=self.c, **kw)

    def verifies_with_alices_key(self, sig):
        pub = self.write("alice.pem", self.v("alice", "key", "public", "k").stdout)
        r = subprocess.run(["openssl", "dgst", "-sha256", "-verify", pub, "-signature", sig,
                            self.msg], capture_output=True)
        return r.returncode == 0

    def test_share_use_rotate_unshare(self):
        self.v("alice", "key", "generate", "--type", "ec-p256", "--id", "k")
        r = self.v("bob", "sign", "--key", "alice/k", "--in", self.msg, check=False)
        self.assertIn(b"no key 'alice/k' shared with you", r.stderr)
        self.v("alice", "key", "share", "k", "--with", "bob", "--ops", "sign")
        sig = self.path("sig")
        self.v("bob", "sign", "--key", "alice/k", "--in", self.msg, "--out", sig)
        self.assertTrue(self.verifies_with_alices_key(sig))
        # What bob cannot do with it.
        for args, why in ((("key", "delete", "alice/k"), b"no key"),
                          (("key", "export", "alice/k", "--wrap-with", "kek"), b"only its owner"),
                          (("key", "share", "alice/k", "--with", "carol", "--ops", "sign"),
                           b"no key"),
                          (("key", "rotate", "alice/k"), b"no key"),
                          (("verify", "--key", "alice/k", "--sig", sig, "--in", self.msg),
                           b"may not verify")):
            r = self.v("bob", *args, check=False)
            self.assertNotEqual(r.returncode, 0, args)
            self.assertIn(why, r.stderr, args)
        # Not beyond what the key itself may do.
        r = self.v("alice", "key", "share", "k", "--with", "bob", "--ops", "mac", check=False)
        self.assertIn(b"cannot share operations it may not do", r.stderr)
        # Rotation follows alice: bob signs with the new version.
        self.v("alice", "key", "rotate", "k")
        self.v("bob", "sign", "--key", "alice/k", "--in", self.msg, "--out", sig)
        self.assertTrue(self.verifies_with_alices_key(sig))
        # Revoked: no more.
        self.v("alice", "key", "unshare", "k", "--with", "bob")
        r = self.v("bob", "sign", "--key", "alice/k", "--in", self.msg, check=False)
        self.assertIn(b"shared with you", r.stderr)
        # Deleted by alice: gone for everyone.
        self.v("alice", "key", "share", "k", "--with", "carol", "--ops", "sign")
        self.v("alice", "key", "delete", "k")
        r = self.v("carol", "sign", "--key", "alice/k", "--in", self.msg, check=False)
        self.assertIn(b"no key 'alice/k'", r.stderr)

    def test_the_grantees_table(self):
        self.v("alice", "key", "generate", "--type", "ec-p256", "--id", "k")
        self.v("alice", "key", "share", "k", "--with", "bob", "--ops", "sign")
        got = harness.in_namespace(self.c.netns, lambda: grantee_tries(self.daemon.port))
        self.assertNotIn("exception", got, got)
        allowed = {op for op, (status, _) in got.items() if status == pb.OK}
        self.assertEqual(allowed, {"sign", "key_public"}, got)
        # alice's key is whole afterwards: still one version, still hers.
        info = self.v("alice", "key", "info", "k").stdout.decode()
        self.assertIn("latest_version\t1", info)

    def test_a_moved_grant_is_refused(self):
        self.v("alice", "key", "generate", "--type", "hmac-sha256", "--id", "k")
        self.v("alice", "key", "share", "k", "--with", "bob", "--ops", "mac")
        mine = self.v("alice", "mac", "--key", "k", input=b"data").stdout
        self.assertEqual(self.v("bob", "mac", "--key", "alice/k", input=b"data").stdout, mine)
        db = sqlite3.connect(self.path("data/vhsm.db"))
        db.execute("UPDATE grants SET grantee = 'carol' WHERE grantee = 'bob'")
        db.commit()
        db.close()
        r = self.v("carol", "mac", "--key", "alice/k", input=b"data", check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"corrupted", r.stderr)

    def test_grants_move_with_the_container(self):
        self.v("alice", "key", "generate", "--type", "hmac-sha256", "--id", "k")
        self.v("alice", "key", "share", "k", "--with", "bob", "--ops", "mac")
        mac = self.v("alice", "mac", "--key", "k", input=b"data").stdout
        out = self.path("shop.vhsmexport")
        self.admin("container", "export", "shop", "--out", out)
        other = harness.Daemon().start()
        try:
            harness.run_cli(other, ("vhsm-admin", "container", "import", "shop", "--in", out),
                            env=other.env())
            env = other.env(VHSM_USER="bob", VHSM_PASSWORD="pw-bob")
            # On the new host, in the host's own container for simplicity:
            # the import keeps the name, so attach a fresh namespace as shop.
            c2 = harness.Container()
            try:
                harness.run_cli(other, ("vhsm-admin", "container", "attach", "shop", "--pid",
                                        str(c2.pid)), env=other.env())
                got = harness.run_cli(other, ("vhsm", "mac", "--key", "alice/k"), input=b"data",
                                      container=c2, env=env).stdout
                self.assertEqual(got, mac)
            finally:
                c2.close()
        finally:
            other.stop()
            other.cleanup()

    def test_other_containers_do_not_reach_it(self):
        self.v("alice", "key", "generate", "--type", "hmac-sha256", "--id", "k")
        self.v("alice", "key", "share", "k", "--with", "bob", "--ops", "mac")
        other = self.container("cafe")
        self.admin("user", "add", "--container", "cafe", "bob", password="pw-bob")
        r = self.vhsm("bob", "pw-bob", "mac", "--key", "alice/k", input=b"x", container=other,
                      check=False)
        self.assertIn(b"no key 'alice/k'", r.stderr)
        # Nor can alice share with a user of another container.
        self.admin("user", "add", "--container", "cafe", "dave", password="pw-dave")
        r = self.v("alice", "key", "share", "k", "--with", "dave", "--ops", "mac", check=False)
        self.assertIn(b"no user 'dave' in this container", r.stderr)


if __name__ == "__main__":
    harness.main()
