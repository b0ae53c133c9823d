"""Our Noise NK against python3-dissononce, an independent implementation,
in both directions: the same handshake hash on both sides, each side's
payloads and transport messages opened by the other."""
import os
import subprocess
import sys
import unittest

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from dissononce.cipher.aesgcm import AESGCMCipher
from dissononce.dh.keypair import KeyPair
from dissononce.dh.x25519.private import PrivateKey
from dissononce.dh.x25519.public import PublicKey
from dissononce.dh.x25519.x25519 import X25519DH
from dissononce.hash.sha256 import SHA256Hash
from dissononce.processing.handshakepatterns.interactive.NK import NKHandshakePattern
from dissononce.processing.impl.cipherstate import CipherState
from dissononce.processing.impl.handshakestate import HandshakeState
from dissononce.processing.impl.symmetricstate import SymmetricState

PEER = os.path.abspath(sys.argv.pop(1)) if len(sys.argv) > 1 else "vhsm/noise/noise_peer"
PROLOGUE = b"vhsm-channel-v1"


def handshake_state():
    return HandshakeState(SymmetricState(CipherState(AESGCMCipher()), SHA256Hash()), X25519DH())


def raw(key):
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def public_raw(key):
    return key.public_key().public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw)


class Peer:
    def __init__(self, *args):
        self.p = subprocess.Popen([PEER] + list(args), stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, text=True)

    def read(self):
        line = self.p.stdout.readline()
        assert line.endswith("\n"), "noise_peer said nothing"
        return bytes.fromhex(line.strip())

    def write(self, data):
        self.p.stdin.write(bytes(data).hex() + "\n")
        self.p.stdin.flush()

    def close(self):
        self.p.stdin.close()
        assert self.p.wait(timeout=10) == 0


class NoiseInteropTest(unittest.TestCase):
    def test_ours_initiates_dissononce_responds(self):
        static = X25519PrivateKey.generate()
        responder = handshake_state()
        responder.initialize(NKHandshakePattern(), False, PROLOGUE,
                             s=KeyPair(PublicKey(public_raw(static)), PrivateKey(raw(static))))
        peer = Peer("initiator", public_raw(static).hex(), PROLOGUE.hex())
        payload = bytearray()
        responder.read_message(peer.read(), payload)
        self.assertEqual(bytes(payload), b"")
        second = bytearray()
        c1, c2 = responder.write_message(b"session-id", second)
        peer.write(second)
        self.assertEqual(peer.read(), b"session-id")
        self.assertEqual(peer.read(), responder.symmetricstate.get_handshake_hash())
        self.assertEqual(bytes(c1.decrypt_with_ad(b"", peer.read())), b"ping")
        peer.write(c2.encrypt_with_ad(b"", b"pong"))
        self.assertEqual(peer.read(), b"pong")
        peer.close()

    def test_dissononce_initiates_ours_responds(self):
        static = X25519PrivateKey.generate()
        initiator = handshake_state()
        initiator.initialize(NKHandshakePattern(), True, PROLOGUE,
                             rs=PublicKey(public_raw(static)))
        peer = Peer("responder", raw(static).hex(), PROLOGUE.hex())
        first = bytearray()
        initiator.write_message(b"", first)
        peer.write(first)
        self.assertEqual(peer.read(), b"")
        payload = bytearray()
        c1, c2 = initiator.read_message(peer.read(), payload)
        self.assertEqual(bytes(payload), b"session-id")
        self.assertEqual(peer.read(), initiator.symmetricstate.get_handshake_hash())
        peer.write(c1.encrypt_with_ad(b"", b"ping"))
        self.assertEqual(peer.read(), b"ping")
        self.assertEqual(bytes(c2.decrypt_with_ad(b"", peer.read())), b"pong")
        peer.close()

    def test_a_responder_with_another_key_is_refused(self):
        real, other = X25519PrivateKey.generate(), X25519PrivateKey.generate()
        responder = handshake_state()
        responder.initialize(NKHandshakePattern(), False, PROLOGUE,
                             s=KeyPair(PublicKey(public_raw(other)), PrivateKey(raw(other))))
        peer = Peer("initiator", public_raw(real).hex(), PROLOGUE.hex())
        with self.assertRaises(Exception):
            responder.read_message(peer.read(), bytearray())
        peer.p.kill()
        peer.p.wait()


if __name__ == "__main__":
    unittest.main(verbosity=2)
