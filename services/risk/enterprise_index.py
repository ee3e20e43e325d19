"""Feature-table row of an enterprise id, without a Python object per row.

A million-row table's index as a dict holds a million strings and entries: building it takes
one long stretch under the interpreter lock (the column turned into Python strings), and freeing
the old one at a swap another, both stopping every call for a second or more. Here the ids stay
in the column's own UTF-8 buffers and a compiled open-addressing hash table (row numbers in an
array twice the table's size) finds them: building and freeing it are a few array operations,
and the compiled parts run without the interpreter lock.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa
from numba import njit

_EMPTY = -1


class EnterpriseIndex:
    """Immutable; `row(id)` is the id's row in the column the index was built from, or -1."""

    __slots__ = ("_data", "_offsets", "_slots")

    def __init__(self, ids: pl.Series) -> None:
        self._data, self._offsets = _utf8_buffers(ids)
        n = len(self._offsets) - 1
        size = 1 << max(3, (2 * n - 1).bit_length())  # at most half full
        self._slots = np.full(size, _EMPTY, np.int64)
        _fill(self._data, self._offsets, self._slots)

    @classmethod
    def from_arrays(
        cls, data: np.ndarray, offsets: np.ndarray, slots: np.ndarray
    ) -> EnterpriseIndex:
        """The index whose `arrays` these are (built in another process)."""
        index = cls.__new__(cls)
        index._data, index._offsets, index._slots = data, offsets, slots
        return index

    @property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The ids' UTF-8 bytes, their row offsets and the hash slots."""
        return self._data, self._offsets, self._slots

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def row(self, enterprise_id: str) -> int:
        key = enterprise_id.encode()
        if not key:  # a missing id in the table has no bytes either; it never matches
            return _EMPTY
        return int(_find(key, self._data, self._offsets, self._slots))


def _utf8_buffers(ids: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The column's UTF-8 bytes and row offsets into them (Arrow's large-string layout)."""
    column = ids.cast(pl.String).to_arrow()
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks()
    array = column.cast(pa.large_string())
    _, offsets_buffer, data_buffer = array.buffers()
    n = len(array)
    offsets = np.frombuffer(offsets_buffer, np.int64)[array.offset : array.offset + n + 1]
    if data_buffer is None:
        return np.zeros(0, np.uint8), np.zeros(n + 1, np.int64)
    return np.frombuffer(data_buffer, np.uint8), offsets


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _hash(data: np.ndarray | bytes, start: int, end: int) -> np.uint64:
    """FNV-1a of data[start:end]."""
    h = np.uint64(14695981039346656037)
    prime = np.uint64(1099511628211)
    for i in range(start, end):
        h = (h ^ np.uint64(data[i])) * prime
    return h


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _fill(data: np.ndarray, offsets: np.ndarray, slots: np.ndarray) -> None:
    mask = np.uint64(slots.shape[0] - 1)
    for row in range(offsets.shape[0] - 1):
        at = _hash(data, offsets[row], offsets[row + 1]) & mask
        while slots[at] != _EMPTY:
            at = (at + np.uint64(1)) & mask
        slots[at] = row


@njit(cache=True, nogil=True)  # type: ignore[misc]
def _find(key: bytes, data: np.ndarray, offsets: np.ndarray, slots: np.ndarray) -> int:
    mask = np.uint64(slots.shape[0] - 1)
    n = len(key)
    at = _hash(key, 0, n) & mask
    while True:
        row = slots[at]
        if row == _EMPTY:
            return _EMPTY
        start = offsets[row]
        if offsets[row + 1] - start == n:
            same = True
            for i in range(n):
                if data[start + i] != key[i]:
                    same = False
                    break
            if same:
                return int(row)
        at = (at + np.uint64(1)) & mask
