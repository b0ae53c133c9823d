#!/usr/bin/python3
"""Checks a VHSM audit export (vhsm-admin audit export) offline, with Python's
cryptography: the hash chain (vhsm/server/audit_log.h) and every checkpoint's
Ed25519 signature. Prints the first broken record's number and exits 1, or
"intact". Usage: audit_verify.py EXPORT.json [AUDIT_PUBLIC_KEY.pem]"""
import hashlib
import json
import struct
import sys

from cryptography.hazmat.primitives.serialization import load_pem_public_key


def s(v):
    b = v.encode()
    return struct.pack(">I", len(b)) + b


def encode(container, r):
    return (s("vhsm-audit-1") + s(container) + struct.pack(">QQII", r["seq"], r["time_ms"],
                                                          r["uid"], r["pid"] & 0xFFFFFFFF)
            + s(r["user"]) + s(r["role"]) + s(r["op"]) + s(r["key_id"])
            + struct.pack(">I", r["key_version"]) + s(r["result"]))


def verify(log, pem):
    key = load_pem_public_key(pem.encode())
    container = log["container"]
    checkpoints = {c["seq"]: c for c in log["checkpoints"] if c.get("kind") != "truncated"}
    h, expected = bytes(32), 1
    for t in [c for c in log["checkpoints"] if c.get("kind") == "truncated"]:
        # Records up to t's seq were dropped; the chain goes on from its hash.
        msg = b"vhsm-audit-truncated-1" + s(container) + struct.pack(">Q", t["seq"])
        try:
            key.verify(bytes.fromhex(t["signature"]), msg + bytes.fromhex(t["hash"]))
        except Exception:
            return t["seq"] + 1, "the truncation marker at record %d does not hold" % t["seq"]
        h, expected = bytes.fromhex(t["hash"]), t["seq"] + 1
    for r in log["records"]:
        if r["seq"] != expected:
            return expected, "record %d is missing" % expected
        h = hashlib.sha256(h + encode(container, r)).digest()
        if h.hex() != r["hash"]:
            return r["seq"], "record %d was altered or moved" % r["seq"]
        c = checkpoints.get(r["seq"])
        if c is not None:
            msg = b"vhsm-audit-checkpoint-1" + s(container) + struct.pack(">Q", c["seq"]) + h
            try:
                key.verify(bytes.fromhex(c["signature"]), msg)
            except Exception:
                return r["seq"], "the checkpoint at record %d does not hold" % r["seq"]
            if c["hash"] != h.hex():
                return r["seq"], "the checkpoint at record %d does not hold" % r["seq"]
        expected += 1
    if checkpoints and max(checkpoints) >= expected:
        return expected, "records from %d on (checkpointed) are missing" % expected
    return 0, "intact: %d records, %d checkpoints" % (expected - 1, len(checkpoints))


def main():
    with open(sys.argv[1]) as f:
        log = json.load(f)
    pem = open(sys.argv[2]).read() if len(sys.argv) > 2 else log["public_key_pem"]
    bad, what = verify(log, pem)
    print(what)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
