"""Certificates and data objects kept by vhsmd beside a user's keys, through
the vhsm command and the real daemon: stored and read back byte for byte
(the certificate's DER as the openssl command writes it), listed, private to
their user, refused when not what they claim, refused once edited in the
store, deleted, and carried by a container export to another vhsmd."""
import os
import sqlite3
import subprocess

import harness


class ObjectsTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")
        self.other = None

    def tearDown(self):
        if self.other is not None:
            try:
                self.other.stop()
            finally:
                self.other.cleanup()
        super().tearDown()

    def a(self, *args, **kw):
        return self.vhsm("alice", "pw-alice", *args, **kw)

    def make_cert(self, cn):
        key, pem, der = self.path(cn + ".key"), self.path(cn + ".pem"), self.path(cn + ".der")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                        "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-subj",
                        "/CN=" + cn, "-days", "2", "-out", pem], check=True, capture_output=True)
        subprocess.run(["openssl", "x509", "-in", pem, "-outform", "DER", "-out", der],
                       check=True)
        with open(der, "rb") as f:
            return pem, f.read()

    def listing(self):
        lines = self.a("object", "list").stdout.decode().splitlines()
        return [l.split("\t") for l in lines]

    def test_certificate_and_data_round_trip(self):
        pem, der = self.make_cert("web.example")
        h = self.a("object", "put", "--class", "certificate", "--in", pem, "--id", "01",
                   "--label", "web").stdout.decode().strip()
        self.assertTrue(h.isdigit(), h)
        data = os.urandom(3000)
        h2 = self.a("object", "put", "--class", "data", "--label", "notes", "--application",
                    "myapp", "--private", input=data).stdout.decode().strip()
        rows = {r[0]: r for r in self.listing()}
        self.assertEqual(rows[h], [h, "certificate", "01", "web", str(len(der))])
        self.assertEqual(rows[h2], [h2, "data", "", "notes", "3000"])
        out = self.path("got.der")
        self.a("object", "get", h, "--out", out)
        with open(out, "rb") as f:
            self.assertEqual(f.read(), der)
        # The openssl command reads what came back.
        r = subprocess.run(["openssl", "x509", "-inform", "DER", "-in", out, "-noout",
                            "-subject"], capture_output=True, check=True)
        self.assertIn(b"web.example", r.stdout)
        self.assertEqual(self.a("object", "get", h2).stdout, data)
        import json
        j = {o["handle"]: o for o in json.loads(self.a("object", "list", "--json").stdout)}
        self.assertTrue(j[int(h2)]["private"])
        self.assertEqual(j[int(h2)]["application"], "myapp")
        certs = self.a("object", "list", "--class", "certificate").stdout.decode()
        self.assertIn(h, certs)
        self.assertNotIn(h2, certs)

        self.a("object", "delete", h)
        r = self.a("object", "get", h, check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"no object " + h.encode(), r.stderr)
        self.assertEqual([row[0] for row in self.listing()], [h2])

    def test_bad_objects_are_refused_and_change_nothing(self):
        r = self.a("object", "put", "--class", "certificate", input=b"not a certificate",
                   check=False)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn(b"not a DER X.509 certificate", r.stderr)
        _, der = self.make_cert("x")
        r = self.a("object", "put", "--class", "certificate", input=der + b"\0", check=False)
        self.assertIn(b"bytes follow", r.stderr)
        r = self.a("object", "put", "--class", "data", input=b"v" * 40000, check=False)
        self.assertIn(b"exceeds the limit of 32768", r.stderr)
        r = self.a("object", "put", "--class", "secret", input=b"v", check=False)
        self.assertIn(b"unknown object class", r.stderr)
        r = self.a("object", "put", "--class", "data", "--label", "a\tb", input=b"v",
                   check=False)
        self.assertIn(b"invalid object label", r.stderr)
        r = self.a("object", "get", "12x", check=False)
        self.assertIn(b"invalid object handle", r.stderr)
        self.assertEqual(self.listing(), [])

    def test_objects_belong_to_their_user(self):
        h = self.a("object", "put", "--class", "data", "--label", "mine",
                   input=b"alice's").stdout.decode().strip()
        self.admin("user", "add", "--container", "host", "bob", password="pw-bob")
        bob = lambda *a, **kw: self.vhsm("bob", "pw-bob", *a, **kw)
        self.assertEqual(bob("object", "list").stdout, b"")
        for args in (("get", h), ("delete", h)):
            r = bob("object", *args, check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"no object", r.stderr)
        # A tenant in a container does not see the host's either.
        c = self.container("shop")
        self.admin("user", "add", "--container", "shop", "alice", password="pw-alice")
        r = self.vhsm("alice", "pw-alice", "object", "get", h, container=c, check=False)
        self.assertIn(b"no object", r.stderr)
        self.assertEqual(self.a("object", "get", h).stdout, b"alice's")

    def test_an_object_edited_in_the_store_is_refused(self):
        h = self.a("object", "put", "--class", "data", "--label", "orig",
                   input=b"value").stdout.decode().strip()
        db = sqlite3.connect(os.path.join(self.daemon.dir, "data", "vhsm.db"))
        db.execute("UPDATE objects SET label = 'forged' WHERE handle = ?", (int(h),))
        db.commit()
        db.close()
        for args in (("get", h), ("list",)):
            r = self.a("object", *args, check=False)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn(b"integrity check", r.stderr)

    def test_objects_move_with_their_container(self):
        pem, der = self.make_cert("moving")
        h = self.a("object", "put", "--class", "certificate", "--in", pem, "--id", "0a0b",
                   "--label", "mv").stdout.decode().strip()
        # Enough objects for several export pages.
        blobs = [os.urandom(20000) for _ in range(5)]
        for i, b in enumerate(blobs):
            self.a("object", "put", "--class", "data", "--label", "d%d" % i, input=b)
        out = self.path("host.vhsmexport")
        self.admin("container", "export", "host", "--out", out)
        self.other = harness.Daemon().start()
        b = self.other
        r = harness.run_cli(b, ("vhsm-admin", "container", "import", "host", "--in", out),
                            env=b.env())
        self.assertIn(b"1 users, 0 keys, 6 objects", r.stdout)
        env = b.env(VHSM_USER="alice", VHSM_PASSWORD="pw-alice")
        got = harness.run_cli(b, ("vhsm", "object", "get", h), env=env).stdout
        self.assertEqual(got, der)
        listed = harness.run_cli(b, ("vhsm", "object", "list"), env=env).stdout.decode()
        by_label = {l.split("\t")[3]: l.split("\t")[0] for l in listed.splitlines()}
        for i, blob in enumerate(blobs):
            got = harness.run_cli(b, ("vhsm", "object", "get", by_label["d%d" % i]),
                                  env=env).stdout
            self.assertEqual(got, blob)


if __name__ == "__main__":
    harness.main()
