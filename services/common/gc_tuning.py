"""Garbage-collector settings for a long-running server, applied once start-up is done.

Models, reference data and indexes live as long as the process: without `gc.freeze()` every
full collection rescans them (measured on the aml service: about a fifth of its CPU per trade).
A larger young generation lets a request's objects die by reference count before a collection
would promote them and bring the next full collection forward.
"""

from __future__ import annotations

import gc

#: Allocations between young-generation collections (CPython's default is 700).
GC_YOUNG_THRESHOLD = 10_000


def tune_gc_for_serving() -> None:
    """Move everything allocated so far out of the collector's reach and widen generation 0."""
    gc.freeze()
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
