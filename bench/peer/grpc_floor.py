"""The floor of a unary call: grpcio's own server cost, measured beside the service it bounds.

    python bench/peer/grpc_floor.py --port PORT --response FILE

Serves ``/tradeguard.aml.v1.AmlMonitoring/ScreenTrade`` and answers every call with the bytes
of FILE (a real ScreenTradeResponse), doing nothing else: no decoding, interceptor, auth,
limits, metrics, screening or commit. The server is built as the services build theirs (the
same handler thread pool size, channel options and thread scheduling policy), so the server
CPU it spends per call, under the same client and pinning, is what any unary handler on grpcio
pays before its own work.
bench/aml_stream.py runs it in the rounds of unary ScreenTrade.
"""

from __future__ import annotations

import argparse
import signal
import sys
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from services.aml.settings import AmlSettings  # noqa: E402
from services.common.scheduling import batch_scheduling  # noqa: E402
from services.common.server import server_options  # noqa: E402

SERVICE = "tradeguard.aml.v1.AmlMonitoring"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--response", type=Path, required=True)
    args = parser.parse_args()
    response: bytes = args.response.read_bytes()

    def answer(request: bytes, context: grpc.ServicerContext) -> bytes:
        return response

    settings = AmlSettings()
    handler = grpc.method_handlers_generic_handler(
        SERVICE,
        {
            "ScreenTrade": grpc.unary_unary_rpc_method_handler(
                answer, request_deserializer=None, response_serializer=None
            )
        },
    )
    server = grpc.server(
        futures.ThreadPoolExecutor(settings.max_workers, thread_name_prefix="grpc-handler"),
        handlers=[handler],
        options=server_options(settings),
    )
    server.add_insecure_port(f"127.0.0.1:{args.port}")
    server.start()
    if settings.batch_scheduling:
        batch_scheduling()

    def stop(*_: Any) -> None:
        server.stop(0)

    signal.signal(signal.SIGTERM, stop)
    server.wait_for_termination()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
