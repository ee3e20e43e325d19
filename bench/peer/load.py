"""Asyncio gRPC load generators shared by the risk benchmark (ours and the peer)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import grpc
import numpy as np


@dataclass(frozen=True)
class UnaryResult:
    calls: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: int

    @property
    def calls_per_second(self) -> float:
        return self.calls / self.seconds


async def _unary(
    call: Callable[..., Any],
    requests: Sequence[Any],
    metadata: Any,
    concurrency: int,
    seconds: float,
) -> UnaryResult:
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds

    async def worker(offset: int) -> None:
        nonlocal errors
        i = offset
        while time.perf_counter() < end:
            start = time.perf_counter()
            try:
                await call(requests[i % len(requests)], metadata=metadata, timeout=10)
                latencies.append(time.perf_counter() - start)
            except grpc.RpcError:
                errors += 1
            i += concurrency

    began = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    elapsed = time.perf_counter() - began
    lat = np.asarray(latencies) * 1000
    return UnaryResult(
        len(latencies),
        elapsed,
        float(np.percentile(lat, 50)),
        float(np.percentile(lat, 99)),
        errors,
    )


def run_unary(
    target: str,
    method: str,
    serializer: Callable[[Any], bytes],
    deserializer: Callable[..., Any],
    requests: Sequence[Any],
    metadata: Any,
    concurrency: int,
    seconds: float,
) -> UnaryResult:
    async def main() -> UnaryResult:
        async with grpc.aio.insecure_channel(target) as channel:
            call = channel.unary_unary(
                method, request_serializer=serializer, response_deserializer=deserializer
            )
            await call(requests[0], metadata=metadata, timeout=10)  # warm the connection
            return await _unary(call, requests, metadata, concurrency, seconds)

    return asyncio.run(main())


@dataclass(frozen=True)
class StreamResult:
    scores: int
    seconds: float
    errors: int

    @property
    def scores_per_second(self) -> float:
        return self.scores / self.seconds


def run_stream(
    target: str,
    method: str,
    serializer: Callable[[Any], bytes],
    deserializer: Callable[..., Any],
    batch: Any,
    metadata: Any,
    seconds: float,
    in_flight: int = 4,
) -> StreamResult:
    """One bidi stream; keeps `in_flight` batch messages outstanding for `seconds`."""

    async def main() -> StreamResult:
        async with grpc.aio.insecure_channel(target) as channel:
            call = channel.stream_stream(
                method, request_serializer=serializer, response_deserializer=deserializer
            )(metadata=metadata)
            slots = asyncio.Semaphore(in_flight)
            end = time.perf_counter() + seconds
            sent = 0

            async def writer() -> None:
                nonlocal sent
                while time.perf_counter() < end:
                    await slots.acquire()
                    await call.write(batch)
                    sent += 1
                await call.done_writing()

            began = time.perf_counter()
            task = asyncio.create_task(writer())
            scores = errors = 0
            async for response in call:
                slots.release()
                for result in response.results:
                    if result.WhichOneof("outcome") == "score":
                        scores += 1
                    else:
                        errors += 1
            await task
            return StreamResult(scores, time.perf_counter() - began, errors)

    return asyncio.run(main())
