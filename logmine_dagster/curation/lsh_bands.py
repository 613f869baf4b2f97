"""The buckets of datasketch's MinHashLSH (its bands and rows for the threshold, the same bucket
keys, so the same proposals), keyed from one byte swap of the whole signature.

datasketch swaps the bytes of every band separately, on every insert and query: with 25 bands
that was over a third of a big day's near-duplicate assignment, on the caller's critical path.
Only what the near-duplicate index uses is here: insert and query, in memory.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np


class _Signed(Protocol):
    hashvalues: np.ndarray


class Bands:
    def __init__(self, threshold: float, num_perm: int):
        from datasketch import MinHashLSH

        lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)  # only for its choice of bands and rows
        self.num_perm = num_perm
        self.bands, self.rows = lsh.b, lsh.r
        self._tables: list[dict[bytes, list[str]]] = [{} for _ in range(self.bands)]

    def _keys(self, signature: _Signed) -> list[bytes]:
        values = signature.hashvalues
        if len(values) != self.num_perm:
            raise ValueError(f"expected a signature of {self.num_perm} values, got {len(values)}")
        data = values.byteswap().tobytes()  # what datasketch's _byteswap gives band by band
        width = self.rows * values.itemsize
        return [data[band * width:(band + 1) * width] for band in range(self.bands)]

    def insert(self, key: str, signature: _Signed) -> None:
        for table, band in zip(self._tables, self._keys(signature)):
            table.setdefault(band, []).append(key)

    def query(self, signature: _Signed) -> set[str]:
        found: set[str] = set()
        for table, band in zip(self._tables, self._keys(signature)):
            keys = table.get(band)
            if keys:
                found.update(keys)
        return found
