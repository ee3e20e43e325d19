"""One server interceptor that runs a chain of stages around every call, in the worker thread.

grpcio runs ``intercept_service`` on its polling thread, before the call reaches the worker pool,
so per-call work (timing, auth, context variables, limits) is done by wrapping the handler's
behaviour instead; that code runs in the thread that runs the handler. One interceptor with a
list of stages costs one handler wrap per call, not one per concern.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import grpc

from services.common.decoding import guarded_deserializer

#: Services that stay reachable without a token and outside the concurrency limit.
OPEN_SERVICES = frozenset(
    {
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
        "grpc.reflection.v1.ServerReflection",
    }
)


class CallInfo(NamedTuple):
    """Static facts about a call, known before the handler runs (a tuple: one is made per call,
    and a frozen dataclass's constructor costs several times a tuple's)."""

    full_method: str
    service: str
    method: str
    grpc_type: str
    metadata: tuple[tuple[str, str | bytes], ...]

    @property
    def is_open(self) -> bool:
        """Health and reflection: never authenticated, limited or counted as business calls."""
        return self.service in OPEN_SERVICES

    def metadata_value(self, key: str) -> str | None:
        for name, value in self.metadata:
            if name == key and isinstance(value, str):
                return value
        return None


def call_info(details: grpc.HandlerCallDetails, handler: grpc.RpcMethodHandler) -> CallInfo:
    full_method: str = details.method  # type: ignore[attr-defined]
    service, _, method = full_method.lstrip("/").rpartition("/")
    return CallInfo(
        full_method=full_method,
        service=service,
        method=method,
        grpc_type=_grpc_type(handler),
        metadata=tuple(details.invocation_metadata or ()),  # type: ignore[attr-defined]
    )


def _grpc_type(handler: grpc.RpcMethodHandler) -> str:
    if handler.request_streaming and handler.response_streaming:
        return "BIDI_STREAM"
    if handler.request_streaming:
        return "CLIENT_STREAM"
    if handler.response_streaming:
        return "SERVER_STREAM"
    return "UNARY"


@dataclass(slots=True)
class ActiveCall:
    """A call in progress, shared by the stages; ``request`` is a message or an iterator."""

    info: CallInfo
    context: grpc.ServicerContext
    request: Any
    on_response: list[Callable[[], None]] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)


class Stage(Protocol):
    """One concern around a call.

    ``enter`` runs before the handler; raising there refuses the call (inner stages and the
    handler are skipped, outer stages still see ``exit``). ``exit`` runs after the handler (after
    the last streamed response) with the exception in flight or None; raising there replaces it.
    Plain methods rather than context managers: this runs on every call.
    """

    def enter(self, call: ActiveCall) -> None: ...

    def exit(self, call: ActiveCall, error: BaseException | None) -> None: ...


def status_code(call: ActiveCall, error: BaseException | None) -> grpc.StatusCode:
    """The code the client will see, from the outcome and what the handler set on the context."""
    code = call.context.code()  # type: ignore[func-returns-value]
    if isinstance(code, grpc.StatusCode) and code is not grpc.StatusCode.OK:
        return code
    if isinstance(error, GeneratorExit):
        return grpc.StatusCode.CANCELLED
    if error is not None:
        return grpc.StatusCode.UNKNOWN
    return grpc.StatusCode.OK


class PipelineInterceptor(grpc.ServerInterceptor):  # type: ignore[misc]
    """Runs ``stages`` (outermost first) around every handled call."""

    def __init__(
        self, stages: Sequence[Stage], max_stream_message_bytes: int | None = None
    ) -> None:
        self._stages = tuple(stages)
        self._max_stream_message_bytes = max_stream_message_bytes
        # Full method -> (the handler found, its wrapped handler). Built once per method: this
        # runs on grpcio's one polling thread for every call, so it must stay short.
        self._wrapped: dict[str, tuple[grpc.RpcMethodHandler, grpc.RpcMethodHandler]] = {}

    def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], grpc.RpcMethodHandler | None],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> grpc.RpcMethodHandler | None:
        handler = continuation(handler_call_details)
        if handler is None:
            return None
        method: str = handler_call_details.method  # type: ignore[attr-defined]
        known = self._wrapped.get(method)
        if known is not None and known[0] is handler:
            return known[1]
        # The call's own metadata is read in the worker thread (see `_call`).
        info = call_info(handler_call_details, handler)._replace(metadata=())
        max_bytes = self._max_stream_message_bytes if handler.request_streaming else None
        wrapped = _rewrap(handler, info, self._stages, max_bytes)
        self._wrapped[method] = (handler, wrapped)
        return wrapped


def _call(info: CallInfo, context: grpc.ServicerContext, request: Any) -> ActiveCall:
    """A call with the method's facts and this call's metadata."""
    metadata = tuple(context.invocation_metadata() or ())
    own = CallInfo(info.full_method, info.service, info.method, info.grpc_type, metadata)
    return ActiveCall(own, context, request)


def _rewrap(
    handler: grpc.RpcMethodHandler,
    info: CallInfo,
    stages: tuple[Stage, ...],
    max_message_bytes: int | None,
) -> grpc.RpcMethodHandler:
    behavior, factory = _behavior_and_factory(handler)
    if handler.response_streaming:
        wrapped: Callable[..., Any] = _streaming(behavior, info, stages)
    else:
        wrapped = _unary(behavior, info, stages)
    return factory(
        wrapped,
        request_deserializer=guarded_deserializer(
            handler.request_deserializer, max_message_bytes, not handler.request_streaming
        ),
        response_serializer=_passing_bytes(handler.response_serializer),
    )


def _passing_bytes(serializer: Callable[[Any], bytes] | None) -> Callable[[Any], bytes] | None:
    """``serializer`` that sends a response already serialised (bytes) as it is, so a handler
    holding its answer's bytes (a stored response) need not decode them to be encoded again."""
    if serializer is None:
        return None
    encode = serializer

    def serialize(response: Any) -> bytes:
        return response if type(response) is bytes else encode(response)

    return serialize


def _behavior_and_factory(handler: grpc.RpcMethodHandler) -> tuple[Callable[..., Any], Any]:
    if handler.request_streaming and handler.response_streaming:
        return handler.stream_stream, grpc.stream_stream_rpc_method_handler
    if handler.request_streaming:
        return handler.stream_unary, grpc.stream_unary_rpc_method_handler
    if handler.response_streaming:
        return handler.unary_stream, grpc.unary_stream_rpc_method_handler
    return handler.unary_unary, grpc.unary_unary_rpc_method_handler


def _enter(stages: tuple[Stage, ...], call: ActiveCall) -> int:
    """Enter stages in order; returns how many were entered (all, unless one raised)."""
    for index, stage in enumerate(stages):
        try:
            stage.enter(call)
        except BaseException as exc:
            call.state["refused_by"] = exc
            return index
    return len(stages)


def _exit(
    stages: tuple[Stage, ...], entered: int, call: ActiveCall, error: BaseException | None
) -> None:
    """Leave the entered stages innermost first, then re-raise whatever error remains."""
    for stage in reversed(stages) if entered == len(stages) else reversed(stages[:entered]):
        try:
            stage.exit(call, error)
        except BaseException as exc:
            error = exc
    if error is not None:
        raise error


def _unary(
    behavior: Callable[..., Any], info: CallInfo, stages: tuple[Stage, ...]
) -> Callable[[Any, grpc.ServicerContext], Any]:
    def run(request: Any, context: grpc.ServicerContext) -> Any:
        call = _call(info, context, request)
        entered = _enter(stages, call)
        if entered < len(stages):
            _exit(stages, entered, call, call.state.pop("refused_by"))  # re-raises
        try:
            response = behavior(call.request, context)
        except BaseException as exc:
            _exit(stages, entered, call, exc)
            raise
        _exit(stages, entered, call, None)
        return response

    return run


def _streaming(
    behavior: Callable[..., Any], info: CallInfo, stages: tuple[Stage, ...]
) -> Callable[[Any, grpc.ServicerContext], Iterator[Any]]:
    def run(request: Any, context: grpc.ServicerContext) -> Iterator[Any]:
        call = _call(info, context, request)
        entered = _enter(stages, call)
        if entered < len(stages):
            _exit(stages, entered, call, call.state.pop("refused_by"))  # re-raises
        try:
            for response in behavior(call.request, context):
                for hook in call.on_response:
                    hook()
                yield response
        except BaseException as exc:
            _exit(stages, entered, call, exc)
            raise
        _exit(stages, entered, call, None)

    return run
