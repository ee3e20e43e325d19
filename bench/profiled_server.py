"""Runs a service (`services.aml`, or the one named by TRADEGUARD_PROFILE_SERVICE, e.g. `risk`)
with cProfile in every thread (the gRPC handlers run in a
thread pool, which a plain `python -m cProfile` would not see), timing each thread's own CPU
(waits for locks, the disk or the network cost nothing), and on exit writes the merged
statistics to the file named by TRADEGUARD_PROFILE_OUT. Used by bench/aml_stream.py.

    python bench/profiled_server.py [service flags...]
"""

from __future__ import annotations

import cProfile
import functools
import importlib
import os
import pstats
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_profiles: list[cProfile.Profile] = []


def _profile_this_thread(_frame: FrameType, _event: str, _arg: Any) -> None:
    """Called once in each new thread: swaps itself for a profiler of that thread. Its clock is
    that thread's CPU clock by id, not `time.thread_time`: the statistics are gathered in the
    main thread at exit, and calls still waiting then (an idle worker's queue read) would
    otherwise be timed with the main thread's CPU."""
    clock = time.pthread_getcpuclockid(threading.get_ident())
    profile = cProfile.Profile(functools.partial(time.clock_gettime, clock))
    _profiles.append(profile)
    profile.enable()


def main() -> int:
    service = os.environ.get("TRADEGUARD_PROFILE_SERVICE", "aml")
    serve = importlib.import_module(f"services.{service}.api.server").main

    out = Path(os.environ["TRADEGUARD_PROFILE_OUT"])
    threading.setprofile(_profile_this_thread)
    try:
        return serve(sys.argv[1:])
    finally:
        stats = pstats.Stats(*_profiles) if _profiles else None
        if stats is not None:
            stats.dump_stats(str(out))


if __name__ == "__main__":
    sys.exit(main())
