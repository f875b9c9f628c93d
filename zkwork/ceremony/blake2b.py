"""BLAKE2b-512 (RFC 7693) whose state can be saved and restored in snarkjs's "partialHash"
layout: the 128-byte block buffer, the chain value h as sixteen u32 words (low, high), then
the bytes compressed and the bytes buffered as u64s. snarkjs's .ptau records keep the hash of
challenge || C(state) in that form; hashlib cannot export or restore a BLAKE2b state, so
Blake2b512 runs the compression function in a numba kernel and reads and writes that layout.
"""
import hashlib

import numpy as np

from zkwork.errors import EncodingError
from zkwork.jit import njit


_IV = np.array([
    0x6A09E667F3BCC908, 0xBB67AE8584CAA73B, 0x3C6EF372FE94F82B, 0xA54FF53A5F1D36F1,
    0x510E527FADE682D1, 0x9B05688C2B3E6C1F, 0x1F83D9ABFB41BD6B, 0x5BE0CD19137E2179,
], dtype=np.uint64)
_SIGMA = np.array([
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
    [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
    [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
    [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
    [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
    [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
    [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
    [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
    [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
    [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
], dtype=np.int64)
_BLOCK = 128
_PARAMETERS = 0x01010040  # digest length 64, no key, fanout 1, depth 1


@njit(cache=True)
def _rotr(x, n):
    return (x >> np.uint64(n)) | (x << np.uint64(64 - n))


@njit(cache=True)
def _mix(v, a, b, c, d, x, y):
    v[a] = v[a] + v[b] + x
    v[d] = _rotr(v[d] ^ v[a], 32)
    v[c] = v[c] + v[d]
    v[b] = _rotr(v[b] ^ v[c], 24)
    v[a] = v[a] + v[b] + y
    v[d] = _rotr(v[d] ^ v[a], 16)
    v[c] = v[c] + v[d]
    v[b] = _rotr(v[b] ^ v[c], 63)


@njit(cache=True)
def _compress(h, words, counters, final):
    """BLAKE2b's compression of the blocks words[k] (16 little-endian u64 each) into the
    chain h, block k with byte counter counters[k]; the last is final if `final`."""
    v = np.empty(16, dtype=np.uint64)
    for k in range(words.shape[0]):
        m = words[k]
        v[:8] = h
        v[8:] = _IV
        v[12] ^= counters[k]
        if final and k == words.shape[0] - 1:
            v[14] = ~v[14]
        for r in range(12):
            s = _SIGMA[r % 10]
            _mix(v, 0, 4, 8, 12, m[s[0]], m[s[1]])
            _mix(v, 1, 5, 9, 13, m[s[2]], m[s[3]])
            _mix(v, 2, 6, 10, 14, m[s[4]], m[s[5]])
            _mix(v, 3, 7, 11, 15, m[s[6]], m[s[7]])
            _mix(v, 0, 5, 10, 15, m[s[8]], m[s[9]])
            _mix(v, 1, 6, 11, 12, m[s[10]], m[s[11]])
            _mix(v, 2, 7, 8, 13, m[s[12]], m[s[13]])
            _mix(v, 3, 4, 9, 14, m[s[14]], m[s[15]])
        for i in range(8):
            h[i] ^= v[i] ^ v[i + 8]


class Blake2b512:
    """BLAKE2b-512 whose running state reads and writes snarkjs's partialHash layout (see
    the module docstring). As in BLAKE2b (and noble's code that snarkjs runs), the last
    block, full or not, stays buffered until more data or the digest comes."""

    def __init__(self, data=b""):
        self.h = _IV.copy()
        self.h[0] ^= np.uint64(_PARAMETERS)
        self.buffer = b""
        self.compressed = 0
        self.update(data)

    def update(self, data):
        """Absorb `data`, compressing every full block but the last, which stays buffered; returns self."""
        data = self.buffer + bytes(data)
        blocks = (len(data) - 1) // _BLOCK if data else 0
        if blocks:
            words = np.frombuffer(data[: blocks * _BLOCK], dtype="<u8").reshape(blocks, 16).astype(np.uint64)
            counters = self.compressed + _BLOCK * np.arange(1, blocks + 1, dtype=np.uint64)
            _compress(self.h, words, counters, False)
            self.compressed += blocks * _BLOCK
        self.buffer = data[blocks * _BLOCK :]
        return self

    def digest(self):
        """The 64-byte digest of the data so far; the running state is left unchanged."""
        h = self.h.copy()
        block = np.frombuffer(self.buffer.ljust(_BLOCK, b"\0"), dtype="<u8").reshape(1, 16).astype(np.uint64)
        _compress(h, block, np.array([self.compressed + len(self.buffer)], dtype=np.uint64), True)
        return h.astype("<u8").tobytes()

    def partial_hash(self):
        """The 216-byte state (the chain words' low/high u32 pairs are the u64s' bytes)."""
        return (self.buffer.ljust(_BLOCK, b"\0") + self.h.astype("<u8").tobytes()
                + self.compressed.to_bytes(8, "little") + len(self.buffer).to_bytes(8, "little") + bytes(8))

    @classmethod
    def from_partial_hash(cls, data):
        """The state a partialHash holds; EncodingError if it cannot be one."""
        data = bytes(data)
        compressed = int.from_bytes(data[192:200], "little")
        pos = int.from_bytes(data[200:208], "little")
        if len(data) != 216 or pos > _BLOCK or compressed % _BLOCK or (compressed and not pos):
            raise EncodingError("not a BLAKE2b partial hash: wrong size, buffer position or byte count")
        state = cls()
        state.h = np.frombuffer(data[_BLOCK:192], dtype="<u8").astype(np.uint64)
        state.buffer = data[:pos]
        state.compressed = compressed
        return state


def blake2b(*parts):
    """BLAKE2b-512 of the concatenated parts (hashlib's)."""
    h = hashlib.blake2b(digest_size=64)
    for part in parts:
        h.update(part)
    return h.digest()
