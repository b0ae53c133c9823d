"""A port squatter: binds the VHSM port (as an unprivileged uid) and answers
like vhsmd would if it did not hold the daemon's key, recording every byte
it receives. Used by channel_test.py.

usage: squatter.py PORT UID RECORD_FILE
"""
import os
import socket
import struct
import sys

sys.path.insert(0, os.path.abspath("tests/e2e"))
import vhsm_pb2 as pb  # noqa: E402

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402


def nla(attr_type, data):
    length = 4 + len(data)
    return struct.pack("<HH", length, attr_type) + data + b"\0" * ((4 - length % 4) % 4)


def frame(seq, payload):
    body = nla(1, struct.pack("<I", 1)) + nla(2, payload)
    return struct.pack("<IHHII", 16 + len(body), 0x5602, 0, seq, 0) + body


def payload_of(data):
    off = 16
    while off < len(data):
        alen, atype = struct.unpack_from("<HH", data, off)
        if atype == 2:
            return data[off + 4:off + alen]
        off += (alen + 3) & ~3
    return b""


def main():
    port, uid, record = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 2)
    s.bind((port, 0))
    out = open(record, "ab", buffering=0)  # before giving up root
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    own = X25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    print("bound", flush=True)
    with out:
        while True:
            data, (sender, _groups) = s.recvfrom(1 << 17)
            out.write(data)
            seq = struct.unpack_from("<I", data, 8)[0]
            req = pb.Request()
            try:
                req.ParseFromString(payload_of(data))
            except Exception:
                continue
            resp = pb.Response(request_id=req.request_id, status=pb.OK)
            if req.HasField("open_session"):
                # Whatever it answers, it cannot make Noise message 2.
                resp.open_session.handshake = os.urandom(48)
            elif req.HasField("server_key"):
                resp.server_key.public_key = own
            else:
                resp.bytes.data = b"\x00" * 32  # a "MAC", a "signature"...
            s.sendto(frame(seq, resp.SerializeToString()), (sender, 0))


if __name__ == "__main__":
    main()
