"""P-256 and P-384 signatures made with vhsmd's presignature pools (issue
18): many more than a pool holds, from several processes at once, each
verifies with Python's cryptography against the key's public half, and no
two share a nonce (r). A reused nonce would give the private key away."""
import os
import subprocess
import threading

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

import harness

POOL = 128  # vhsmd's PresignFiller::kDefaultCapacity
POOL_384 = 16  # PresignFiller::kP384Capacity


class PresignTest(harness.DaemonTestCase):
    def setUp(self):
        super().setUp()
        self.admin("user", "add", "--container", "host", "alice", password="pw-alice")
        self.vhsm("alice", "pw-alice", "key", "generate", "--type", "ec-p256", "--id", "e")
        pem = self.vhsm("alice", "pw-alice", "key", "public", "e").stdout
        self.pub = serialization.load_pem_public_key(pem)

    def sign_batch(self, tag, messages, key="e"):
        """Signs each message with one `vhsm batch` (one session); returns
        the signatures in order."""
        lines = []
        for i, m in enumerate(messages):
            data = self.write("%s-m%d" % (tag, i), m)
            lines.append("sign --key %s --in %s --out %s" % (key, data, self.path("%s-s%d" % (tag, i))))
        self.vhsm("alice", "pw-alice", "batch", input=("\n".join(lines) + "\n").encode())
        sigs = []
        for i in range(len(messages)):
            with open(self.path("%s-s%d" % (tag, i)), "rb") as f:
                sigs.append(f.read())
        return sigs

    def test_signatures_past_the_pool_verify_and_never_share_a_nonce(self):
        results = {}

        def run(tag):
            messages = [os.urandom(50 + i % 7) for i in range(POOL + 72)]
            results[tag] = (messages, self.sign_batch(tag, messages))

        # Three processes signing at once drain the pool, take from it while
        # it refills and get whole signatures when it is empty.
        threads = [threading.Thread(target=run, args=("p%d" % t,)) for t in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        rs = []
        for tag, (messages, sigs) in sorted(results.items()):
            self.assertEqual(len(sigs), len(messages), tag)
            for m, sig in zip(messages, sigs):
                self.pub.verify(sig, m, ec.ECDSA(hashes.SHA256()))  # raises if bad
                rs.append(decode_dss_signature(sig)[0])
            bad = bytearray(sigs[0])
            bad[-2] ^= 1
            with self.assertRaises(InvalidSignature):
                self.pub.verify(bytes(bad), messages[0], ec.ECDSA(hashes.SHA256()))
        self.assertEqual(len(rs), 3 * (POOL + 72))
        self.assertEqual(len(set(rs)), len(rs), "a nonce was used twice")

    def test_p384_signatures_past_the_pool_verify_and_never_share_a_nonce(self):
        self.vhsm("alice", "pw-alice", "key", "generate", "--type", "ec-p384", "--id", "big")
        pem = self.vhsm("alice", "pw-alice", "key", "public", "big").stdout
        pub = serialization.load_pem_public_key(pem)
        messages = [os.urandom(40 + i) for i in range(3 * POOL_384)]
        sigs = self.sign_batch("p384", messages, key="big")
        rs = set()
        for m, sig in zip(messages, sigs):
            pub.verify(sig, m, ec.ECDSA(hashes.SHA384()))  # raises if bad
            rs.add(decode_dss_signature(sig)[0])
        self.assertEqual(len(rs), len(messages), "a nonce was used twice")


if __name__ == "__main__":
    harness.main()
