"""Roles through the real daemon: the host operator (root in the host
namespace), a container admin and a user. The role table: every operation
tried by each kind of caller over raw requests; only the documented ones get
past the role check. A container admin manages its container's users from
inside it with the vhsm command, and reaches no other container."""
import os

import harness
import vhsm_pb2 as pb

# The documented table (README "Roles"): who may call each operation.
#   host:  the host operator only;  admin: a container admin (logged in);
#   admin or host: the audit log;
#   login: any logged-in user (admins included);  any: any session.
HOST = {"container_attach", "container_attach_many", "container_detach", "container_list",
        "container_export",
        "container_import", "container_quota", "user_add", "user_delete", "user_list",
        "user_password"}
ADMIN = {"member_add", "member_delete", "member_list", "member_quota"}
ADMIN_OR_HOST = {"audit_read", "audit_verify"}
ANY = {"digest_init", "digest_update", "digest_final", "digest", "mac_update", "mac_final",
       "logout", "user_status"}
# Not in the table: they open or close sessions, or take a password.
SKIP = {"open_session", "sealed", "server_key", "close_session", "login"}


def all_ops():
    ops = [f.name for f in pb.Request.DESCRIPTOR.oneofs_by_name["op"].fields
           if f.name not in SKIP]
    return sorted(ops, key=lambda op: op == "logout")  # logout last: it ends the login


def expected(op, caller):
    if op in HOST:
        return caller == "host"
    if op in ADMIN:
        return caller == "admin"
    if op in ADMIN_OR_HOST:
        return caller in ("admin", "host")
    if op in ANY:
        return True
    return caller in ("user", "admin")  # everything else needs a login


def request_for(op):
    """A request of `op` that passes validation (every enum set), so that
    the role check is what answers."""
    r = pb.Request()
    sub = getattr(r, op)
    sub.SetInParent()
    for f in sub.DESCRIPTOR.fields:
        if f.type == f.TYPE_ENUM and f.label != f.LABEL_REPEATED:
            setattr(sub, f.name, f.enum_type.values[1].number)
    return r


def try_all(port, user=None, password=None):
    c = harness.RawClient(port)
    c.open_session()
    if user:
        resp = c.login(user, password)
        assert resp.status == pb.OK, resp.message
    out = {}
    for op in all_ops():
        resp = c.call(request_for(op))
        out[op] = [resp.status, resp.message]
    c.close()
    return out


class RolesTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.c = self.container("shop")
        self.admin("user", "add", "--container", "shop", "--role", "admin", "ann",
                   password="pw-ann")
        self.admin("user", "add", "--container", "shop", "bob", password="pw-bob")

    def test_role_table(self):
        port = self.daemon.port
        results = {
            "host": try_all(port),
            "nobody": harness.in_namespace(self.c.netns, lambda: try_all(port)),
            "user": harness.in_namespace(self.c.netns, lambda: try_all(port, "bob", "pw-bob")),
            "admin": harness.in_namespace(self.c.netns, lambda: try_all(port, "ann", "pw-ann")),
        }
        denied = (pb.PERMISSION_DENIED, pb.UNAUTHENTICATED)
        wrong = []
        for caller, statuses in results.items():
            self.assertNotIn("exception", statuses, statuses)
            for op, (status, message) in statuses.items():
                allowed = expected(op, caller)
                if allowed == (status in denied):
                    wrong.append("%s by %s: %s %s" % (op, caller, pb.StatusCode.Name(status),
                                                      message))
        self.assertEqual(wrong, [])
        # Every operation but the skipped ones was tried by every caller.
        self.assertEqual(len(results["user"]), len(all_ops()))
        self.assertGreater(len(all_ops()), 40)

    def test_container_admin_manages_users_from_inside(self):
        pw = self.write("carol.pw", b"pw-carol\n")
        ann = lambda *a, **kw: self.vhsm("ann", "pw-ann", *a, container=self.c, **kw)
        ann("user", "add", "carol", "--password-file", pw)
        self.assertEqual(ann("user", "list").stdout.decode().splitlines(),
                         ["ann\tadmin", "bob\tuser", "carol\tuser"])
        self.assertEqual(ann("user", "list", "--role", "admin").stdout.decode().splitlines(),
                         ["ann\tadmin"])
        # carol works; the host operator sees her in shop only.
        self.vhsm("carol", "pw-carol", "key", "generate", "--type", "hmac-sha256", "--id", "k",
                  container=self.c)
        self.assertIn(b"carol", self.admin("user", "list", "--container", "shop").stdout)
        self.assertNotIn(b"carol", self.admin("user", "list", "--container", "host").stdout)
        ann("user", "delete", "carol")
        r = self.vhsm("carol", "pw-carol", "key", "list", container=self.c, check=False)
        self.assertIn(b"login failed", r.stderr)
        # Admins are the host operator's to delete; so is oneself.
        ann("user", "add", "dan", "--role", "admin", "--password-file", pw)
        for victim, why in (("dan", b"the host operator deletes admins"),
                            ("ann", b"cannot delete themselves")):
            r = ann("user", "delete", victim, check=False)
            self.assertIn(why, r.stderr)
        self.admin("user", "delete", "--container", "shop", "dan")
        # A user is no admin.
        r = self.vhsm("bob", "pw-bob", "user", "add", "eve", "--password-file", pw,
                      container=self.c, check=False)
        self.assertIn(b"is for the container's admins; 'bob' is not one", r.stderr)
        # An admin of another container reaches nobody here.
        other = self.container("cafe")
        self.admin("user", "add", "--container", "cafe", "--role", "admin", "zed",
                   password="pw-zed")
        r = self.vhsm("zed", "pw-zed", "user", "delete", "bob", container=other, check=False)
        self.assertIn(b"no user 'bob' here", r.stderr)
        self.assertEqual(self.vhsm("zed", "pw-zed", "user", "list", container=other).stdout,
                         b"zed\tadmin\n")
        self.vhsm("bob", "pw-bob", "key", "list", container=self.c)  # bob untouched

    def test_quotas(self):
        gen = lambda user, kid, **kw: self.vhsm(user, "pw-" + user, "key", "generate", "--type",
                                                "hmac-sha256", "--id", kid, container=self.c,
                                                **kw)
        self.admin("container", "quota", "shop", "--max-keys", "3")
        for kid in ("a", "b", "c"):
            gen("bob", kid)
        r = gen("ann", "d", check=False)
        self.assertIn(b"holds 3 keys, the limit", r.stderr)
        # Above the container's: refused; within it: bob is held to it.
        ann = lambda *a, **kw: self.vhsm("ann", "pw-ann", *a, container=self.c, **kw)
        r = ann("user", "quota", "bob", "--max-keys", "5", check=False)
        self.assertIn(b"cannot exceed the container's, 3 keys", r.stderr)
        self.admin("container", "quota", "shop", "--max-keys", "0")  # back to --max-keys
        ann("user", "quota", "bob", "--max-keys", "3")
        r = gen("bob", "d", check=False)
        self.assertIn(b"user 'bob' holds 3 keys, the quota the container's admins set", r.stderr)
        gen("ann", "d")  # ann has no quota of her own
        ann("user", "quota", "bob", "--max-keys", "0")
        gen("bob", "d")
        r = self.vhsm("bob", "pw-bob", "user", "quota", "bob", "--max-keys", "100",
                      container=self.c, check=False)
        self.assertIn(b"is for the container's admins", r.stderr)

    def test_own_password(self):
        old, new = self.write("old", b"pw-bob\n"), self.write("new", b"pw-bob-2\n")
        self.vhsm("bob", "pw-bob", "key", "generate", "--type", "hmac-sha256", "--id", "k",
                  container=self.c)
        mac = self.vhsm("bob", "pw-bob", "mac", "--key", "k", input=b"x",
                        container=self.c).stdout
        out = self.vhsm("bob", "unused", "user", "password", "--old-password-file", old,
                        "--password-file", new, container=self.c).stdout
        self.assertEqual(out, b"password changed\n")
        self.assertEqual(self.vhsm("bob", "pw-bob-2", "mac", "--key", "k", input=b"x",
                                   container=self.c).stdout, mac)
        r = self.vhsm("bob", "pw-bob", "key", "list", container=self.c, check=False)
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    harness.main()
