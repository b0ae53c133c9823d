"""The wire as a client speaks it, implemented independently of the C++ code:
netlink frames (nlmsghdr + attributes), protobuf messages, and the secure
channel (Noise_NK_25519_AESGCM_SHA256 through python3-dissononce). RawClient
forges what the libraries never send. harness re-exports all of it."""
import base64
import os
import re
import socket
import struct
import sys

sys.path.insert(0, os.path.abspath("tests/e2e"))  # the generated vhsm_pb2 (runfiles)
import vhsm_pb2 as pb  # noqa: E402
from dissononce.cipher.aesgcm import AESGCMCipher  # noqa: E402
from dissononce.dh.x25519.public import PublicKey  # noqa: E402
from dissononce.dh.x25519.x25519 import X25519DH  # noqa: E402
from dissononce.hash.sha256 import SHA256Hash  # noqa: E402
from dissononce.processing.handshakepatterns.interactive.NK import NKHandshakePattern  # noqa: E402
from dissononce.processing.impl.cipherstate import CipherState  # noqa: E402
from dissononce.processing.impl.handshakestate import HandshakeState  # noqa: E402
from dissononce.processing.impl.symmetricstate import SymmetricState  # noqa: E402

NETLINK_USERSOCK = 2
VHSM_REQUEST, VHSM_RESPONSE = 0x5601, 0x5602


def nla(attr_type, data):
    length = 4 + len(data)
    return struct.pack("<HH", length, attr_type) + data + b"\0" * ((4 - length % 4) % 4)


def encode_frame(seq, payload, msg_type=VHSM_REQUEST, version=1):
    body = nla(1, struct.pack("<I", version)) + nla(2, payload)
    return struct.pack("<IHHII", 16 + len(body), msg_type, 1, seq, 0) + body


def decode_frame(data):
    length, msg_type, _flags, seq, _pid = struct.unpack_from("<IHHII", data)
    assert length == len(data), "nlmsg_len %d != %d" % (length, len(data))
    assert msg_type == VHSM_RESPONSE
    off, attrs = 16, {}
    while off < length:
        alen, atype = struct.unpack_from("<HH", data, off)
        attrs[atype] = data[off + 4:off + alen]
        off += (alen + 3) & ~3
    assert struct.unpack("<I", attrs[1])[0] == 1
    return seq, attrs[2]


def _slow_ops():
    """The operations clients mark slow: vhsm/proto/slow_ops.h's list (one
    list for both sides), each `case proto::Request::kKeyGenerate:` as
    "key_generate"."""
    here = os.path.dirname(os.path.abspath(__file__))
    with open(os.path.join(here, "..", "..", "vhsm", "proto", "slow_ops.h")) as f:
        names = re.findall(r"case proto::Request::k(\w+):", f.read())
    return {re.sub(r"(?<!^)([A-Z])", r"_\1", n).lower() for n in names}


SLOW_OPS = _slow_ops()
PROLOGUE = b"vhsm-channel-v1"


def load_server_key(value=None):
    """vhsmd's public key from a base64 value or a file (VHSM_SERVER_KEY)."""
    value = value or os.environ.get("VHSM_SERVER_KEY", "")
    if os.path.exists(value):
        with open(value) as f:
            value = f.read()
    return base64.b64decode(value.strip())


def noise_initiator(server_key):
    """A Noise_NK_25519_AESGCM_SHA256 initiator from python3-dissononce, an
    implementation independent of ours."""
    hs = HandshakeState(SymmetricState(CipherState(AESGCMCipher()), SHA256Hash()), X25519DH())
    hs.initialize(NKHandshakePattern(), True, PROLOGUE, rs=PublicKey(server_key))
    return hs


class RawClient:
    """One netlink socket speaking the protocol by hand, secure channel
    included (dissononce for Noise, our own framing and protobuf)."""

    def __init__(self, port, timeout=10.0, server_key=None):
        self.port = port
        self.sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_USERSOCK)
        self.sock.bind((0, 0))
        self.sock.settimeout(timeout)
        self.seq = 0
        self.session = b""
        self.server_key = server_key
        self.send_cs = self.recv_cs = None
        self.out = 0

    def close(self):
        self.sock.close()

    def send_raw(self, data):
        self.sock.sendto(data, (self.port, 0))

    def recv_response(self):
        data, _addr = self.sock.recvfrom(1 << 17)
        seq, payload = decode_frame(data)
        resp = pb.Response()
        resp.ParseFromString(payload)
        return seq, resp

    def seal(self, request, session=None):
        """The sealed outer request for `request` (session: another id to
        address, for tests that try someone else's)."""
        inner = pb.Request()
        inner.CopyFrom(request)
        inner.ClearField("session_id")
        self.send_cs.set_nonce(self.out)
        sid = self.session
        ct = self.send_cs.encrypt_with_ad(b"vhsm-req" + sid, inner.SerializeToString())
        outer = pb.Request()
        outer.session_id = self.session if session is None else session
        outer.sealed.counter = self.out
        outer.sealed.ciphertext = bytes(ct)
        outer.sealed.slow = request.WhichOneof("op") in SLOW_OPS
        self.out += 1
        return outer

    def unseal(self, resp):
        """The inner response of a sealed answer; an unsealed answer (an
        error from before the channel) as it is."""
        if not resp.HasField("sealed"):
            assert resp.status != pb.OK, "an unsealed OK answer"
            return resp
        self.recv_cs.set_nonce(resp.sealed.counter)
        pt = self.recv_cs.decrypt_with_ad(b"vhsm-resp" + self.session, resp.sealed.ciphertext)
        inner = pb.Response()
        inner.ParseFromString(bytes(pt))
        return inner

    def exchange(self, outer):
        self.seq += 1
        self.send_raw(encode_frame(self.seq, outer.SerializeToString()))
        while True:
            seq, resp = self.recv_response()
            if seq == self.seq:
                return resp

    def call(self, request, session=None):
        """Sends request, sealed in our channel once one is open (session:
        address another session id instead); returns the inner Response."""
        op = request.WhichOneof("op")
        if op in ("open_session", "server_key") or (not self.session and session is None):
            return self.exchange(request)
        return self.unseal(self.exchange(self.seal(request, session)))

    def open_session(self, check=True):
        """Opens a session (a Noise NK handshake); returns its id, or with
        check=False the daemon's refusal as a Response."""
        hs = noise_initiator(self.server_key or load_server_key())
        first = bytearray()
        hs.write_message(b"", first)
        r = pb.Request()
        r.open_session.handshake = bytes(first)
        resp = self.exchange(r)
        if not check and resp.status != pb.OK:
            return resp
        assert resp.status == pb.OK, resp.message
        payload = bytearray()
        self.send_cs, self.recv_cs = hs.read_message(resp.open_session.handshake, payload)
        self.session = bytes(payload)
        self.out = 0
        return self.session

    def login(self, user, password):
        r = pb.Request()
        r.login.user = user
        r.login.password = password.encode()
        return self.call(r)

    def mac(self, key_id, data):
        r = pb.Request()
        r.mac.key_id = key_id
        r.mac.data = data
        return self.call(r)
