"""nginx serves HTTPS with a VHSM key through the engine (issue 18): the
certificate's key stays in vhsmd, `ssl_certificate_key engine:vhsm:KEY`,
two worker processes forked after the key was loaded (each opens its own
session: libvhsm notices the fork), many requests verified against the
certificate by Python's ssl module."""
import os
import socket
import ssl
import subprocess
import time
import unittest

import harness

ENGINE = os.path.abspath("vhsm/engine/vhsm-engine.so")
NGINX = "/usr/sbin/nginx"


class NginxTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        if not os.path.exists(NGINX):
            self.fail("nginx is not installed (tools/bootstrap installs nginx-light)")
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")
        self.vhsm("alice", "pw-alice", "key", "generate", "--type", "ec-p256", "--id", "web")
        self.password_file = self.write("alice.password", b"pw-alice")
        # The engine found by its id ("engine:vhsm:web") in OPENSSL_ENGINES;
        # the user and password from the environment nginx's master starts with.
        engines = self.path("engines")
        os.makedirs(engines)
        os.symlink(ENGINE, os.path.join(engines, "vhsm.so"))
        self.env = harness.sanitizer_preload_env(ENGINE, self.daemon.env(
            VHSM_USER="alice", VHSM_PASSWORD_FILE=self.password_file, OPENSSL_ENGINES=engines))
        self.cert = self.path("web.crt")
        subprocess.run(["openssl", "req", "-new", "-x509", "-engine", "vhsm", "-keyform",
                        "engine", "-key", "web", "-subj", "/CN=localhost", "-days", "1",
                        "-out", self.cert], env=self.env, check=False, capture_output=True)
        self.assertTrue(os.path.exists(self.cert) and os.path.getsize(self.cert) > 0)

    def test_https_with_the_key_in_vhsmd(self):
        self.serve(self.env)

    def test_https_configured_in_openssl_cnf(self):
        # The README's openssl.cnf: the engine loaded by path and configured
        # there; nothing in the environment but OPENSSL_CONF.
        conf = self.write("openssl.cnf", ("""openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
vhsm = vhsm_section
[vhsm_section]
dynamic_path = %s
USER = alice
PASSWORD_FILE = %s
PORT_ID = %d
SERVER_KEY = %s
default_algorithms = PKEY_CRYPTO
""" % (ENGINE, self.password_file, self.daemon.port, self.daemon.public_key_path)).encode())
        env = {k: v for k, v in self.env.items()
               if not k.startswith("VHSM_") and k != "OPENSSL_ENGINES"}
        env["OPENSSL_CONF"] = conf
        self.serve(env)

    def serve(self, env):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        prefix = self.path("nginx")
        os.makedirs(os.path.join(prefix, "logs"))
        self.write("nginx/nginx.conf", ("""
worker_processes 2;
daemon off;
ssl_engine vhsm;
pid %(p)s/nginx.pid;
error_log %(p)s/logs/error.log info;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path %(p)s/body;
  proxy_temp_path %(p)s/proxy;
  fastcgi_temp_path %(p)s/fastcgi;
  uwsgi_temp_path %(p)s/uwsgi;
  scgi_temp_path %(p)s/scgi;
  server {
    listen 127.0.0.1:%(port)d ssl;
    ssl_certificate %(cert)s;
    ssl_certificate_key engine:vhsm:web;
    location / { return 200 "hello from a key in vhsmd\\n"; }
  }
}
""" % {"p": prefix, "port": port, "cert": self.cert}).encode())
        server = subprocess.Popen([NGINX, "-p", prefix, "-c", prefix + "/nginx.conf"],
                                  env=env, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.PIPE)
        try:
            context = ssl.create_default_context(cafile=self.cert)
            deadline = time.time() + 20
            while True:
                try:
                    body = self.get(context, port)
                    break
                except OSError:
                    if time.time() > deadline or server.poll() is not None:
                        server.kill()
                        log = os.path.join(prefix, "logs", "error.log")
                        raise AssertionError(
                            "nginx did not serve: " + server.communicate()[1].decode()[-2000:] +
                            (open(log).read()[-2000:] if os.path.exists(log) else ""))
                    time.sleep(0.1)
            self.assertEqual(body, b"hello from a key in vhsmd\n")
            # Many full handshakes: both workers sign, each with its own session.
            for _ in range(40):
                self.assertEqual(self.get(context, port), b"hello from a key in vhsmd\n")
            # The certificate nginx sent is the one for the key in vhsmd.
            pub = self.vhsm("alice", "pw-alice", "key", "public", "web").stdout
            cert_pub = subprocess.run(["openssl", "x509", "-in", self.cert, "-pubkey", "-noout"],
                                      capture_output=True, check=True).stdout
            self.assertEqual(pub.strip(), cert_pub.strip())
        finally:
            server.terminate()
            server.wait(timeout=10)

    @staticmethod
    def get(context, port):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
            with context.wrap_socket(raw, server_hostname="localhost") as tls:
                tls.sendall(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
                data = b""
                while True:
                    chunk = tls.recv(4096)
                    if not chunk:
                        break
                    data += chunk
        return data.split(b"\r\n\r\n", 1)[1]


if __name__ == "__main__":
    harness.main()
