"""The ASGI app: GraphQL (and GraphiQL) at /graphql, probes at /livez and /readyz, /metrics,
the planners' explorer page at /explorer.

Built by a factory (`uvicorn --factory graphsvc.app:app_factory`, settings from `GRAPHSVC_*`);
the store opens in the lifespan, in a background thread, so `/livez` answers at once and
`/readyz` turns 200 when the graph is loaded. Requests to /graphql are refused before
GraphQL sees them when the graph is not ready (503), the token is unknown (401) or the body
is too large (413).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import Message, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http import GraphQLHTTPResponse
from strawberry.types import ExecutionResult
from strawberry.types.unset import UnsetType

from graphsvc import explorer
from graphsvc.cache import VersionedCache
from graphsvc.config import Settings
from graphsvc.events import EventHub
from graphsvc.schema import Context, Limits, build_schema
from graphsvc.schema.catalog import Indexes
from graphsvc.schema.limits import error_code
from graphsvc.schema.metrics import CONTENT_TYPE, Metrics
from graphsvc.schema.recommend import warm_model
from graphsvc.service import Service
from graphsvc.store.base import GraphStore, StoreError

__all__ = ["app_factory", "create_app"]

log = logging.getLogger(__name__)


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with a typed context, the caller's role, and orjson."""

    def __init__(self, service: Service, limits: Limits, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service = service
        self.limits = limits
        self.metrics = metrics
        self.indexes = Indexes()
        self.cache = VersionedCache()
        self.events = EventHub()

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        service = self.service
        assert service.store is not None and service.segmenter is not None
        authorization = request.headers.get("authorization")
        role = service.tokens.role_of(authorization)
        assert role is not None  # refused by the endpoint before we get here
        websocket = isinstance(request, WebSocket)
        context = Context(
            store=service.store,
            segmenter=service.segmenter,
            role=role,
            limits=self.limits,
            indexes=self.indexes,
            cache=self.cache,
            # a subscription lives as long as its client wants it
            deadline=math.inf if websocket else time.monotonic() + self.limits.query_timeout,
            record_operation=self.metrics.record_operation,
            actor=service.tokens.actor_of(authorization),
            events=self.events,
        )
        request.scope["graphsvc.context"] = context  # for the response cache's metrics
        return context

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """A websocket client (a browser cannot set headers) may send its token in the
        connection_init payload: `{"Authorization": "Bearer <token>"}`."""
        params = context.connection_params or {}
        authorization = params.get("Authorization", params.get("authorization"))
        if authorization is None:
            return UnsetType()  # ack without a payload
        role = self.service.tokens.role_of(str(authorization))
        if role is None:
            raise ConnectionRejectionError({"message": "invalid or unknown bearer token"})
        context.role = role
        context.actor = self.service.tokens.actor_of(str(authorization))
        return UnsetType()  # ack without a payload

    async def process_result(
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        for error in result.errors or ():
            code = error_code(error)
            if code is not None:
                error.extensions = {**(error.extensions or {}), "code": code}
        return await super().process_result(request, result)

    def decode_json(self, data: str | bytes) -> object:
        value = orjson.loads(data)
        if not isinstance(value, dict | list):
            raise json.JSONDecodeError("a GraphQL request is a JSON object", "", 0)
        return value

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status, headers=headers)


class ResponseCache:
    """Error-free answers to POSTed queries, per graph version, caller role and day (some
    fields, like an expert's current load, depend on the date); an LRU of `size` entries."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[Any, ...], tuple[Response, str]] = OrderedDict()
        self._version = -1

    def key(self, store: GraphStore, request: Request, body: bytes) -> tuple[Any, ...] | None:
        """The cache key of a request, None when it must not be cached."""
        if self.size == 0 or len(body) > 8192:
            return None
        try:
            version = store.version
        except StoreError:  # gone since the readiness check: GraphQL answers why
            return None
        if version != self._version:
            self._entries.clear()
            self._version = version
        auth = request.headers.get("authorization")
        return (version, date.today().toordinal(), auth, request.headers.get("content-type"), body)

    def get(self, key: tuple[Any, ...] | None) -> tuple[Response, str] | None:
        """A cached response and its operation name."""
        if key is None:
            return None
        hit = self._entries.get(key)
        if hit is not None:
            self._entries.move_to_end(key)
        return hit

    def recorder(self, key: tuple[Any, ...] | None, send: Send, scope: Scope) -> Send:
        """A `send` that keeps a 200 answer without errors under `key`."""
        if key is None:
            return send
        status = 0
        headers: list[tuple[bytes, bytes]] = []

        async def record(message: Message) -> None:
            nonlocal status, headers
            if message["type"] == "http.response.start":
                status, headers = message["status"], list(message.get("headers", []))
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                body = message.get("body", b"")
                context = scope.get("graphsvc.context")
                if (
                    status == 200
                    and key[0] == self._version
                    and getattr(context, "operation_kind", None) == "query"
                    and not body.startswith(b'{"data":null')
                    and b'"errors":' not in body
                ):
                    name = getattr(context, "operation", None) or "anonymous"
                    self._store(key, body, headers, name)
            await send(message)

        return record

    def _store(
        self, key: tuple[Any, ...], body: bytes, headers: list[tuple[bytes, bytes]], name: str
    ) -> None:
        response = Response(body, media_type="application/json")
        response.raw_headers = [h for h in headers if h[0].lower() != b"content-length"] + [
            (b"content-length", str(len(body)).encode())
        ]
        self._entries[key] = (response, name)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)


class _BodyTooLargeError(Exception):
    pass


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise _BodyTooLargeError
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def create_app(settings: Settings | None = None, *, limits: Limits | None = None) -> Starlette:
    """The graphsvc ASGI application."""
    settings = settings or Settings()
    limits = limits or Limits()
    service = Service(settings)
    metrics = Metrics()
    graphql = GraphQLApp(
        service,
        limits,
        metrics,
        schema=build_schema(limits=limits, introspection=settings.introspection),
        graphql_ide="graphiql" if settings.graphiql else None,
    )

    warm = threading.Event()
    answers = ResponseCache(limits.response_cache)

    def open_and_warm() -> None:
        service.open()  # logs its own failure, which /readyz then reports
        assert service.store is not None and service.segmenter is not None
        started = time.monotonic()
        try:
            graphql.indexes.catalog(service.store).keys("Enterprise")
            graphql.indexes.search_index(service.store, service.segmenter.tokens)
            warm_model(service.store, graphql.cache)
        except Exception:
            # Serving goes on: each index is built again by the first query that needs it.
            log.exception("warming the indexes failed; queries will build them on demand")
            return
        warm.set()
        log.info("indexes and the recommender built in %.1f s", time.monotonic() - started)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.service = service
        task = asyncio.get_running_loop().run_in_executor(None, open_and_warm)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):  # already logged where it happened
                await task
            service.close()

    def unavailable() -> str:
        """Why requests are refused with 503 (a store that stopped answering is not loading)."""
        if service.error is not None:
            return service.error
        if service.opened:
            return "the graph store does not answer; retry shortly"
        return "the graph is still loading; retry shortly"

    async def graphql_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        async def send_counted(message: Message) -> None:
            if message["type"] == "http.response.start":
                metrics.record_response(message["status"])
            await send(message)

        request = Request(scope)
        reply: Response | None = None
        if not service.ready:
            reply = _error(503, unavailable())
        elif service.tokens.role_of(request.headers.get("authorization")) is None:
            reply = _error(
                401,
                "invalid or unknown bearer token",
                {"WWW-Authenticate": 'Bearer realm="graphsvc"'},
            )
        elif request.method == "POST":
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limits.max_body_bytes:
                reply = _error(
                    413, f"the request body is larger than {limits.max_body_bytes} bytes"
                )
            else:
                try:
                    body = await _read_body(receive, limits.max_body_bytes)
                except _BodyTooLargeError:
                    reply = _error(
                        413, f"the request body is larger than {limits.max_body_bytes} bytes"
                    )
                else:
                    key = answers.key(service.store, request, body)  # type: ignore[arg-type]
                    hit = answers.get(key)
                    if hit is not None:
                        metrics.record_operation(hit[1], "ok", 0.0)
                        await hit[0](scope, receive, send_counted)
                        return
                    replayed = False

                    async def receive_body() -> Message:
                        nonlocal replayed
                        if replayed:
                            return await receive()
                        replayed = True
                        return {"type": "http.request", "body": body, "more_body": False}

                    await graphql(scope, receive_body, answers.recorder(key, send_counted, scope))
                    return
        else:
            await graphql(scope, receive, send_counted)
            return
        await reply(scope, receive, send_counted)

    class GraphQLEndpoint:
        """A raw ASGI endpoint (a function would be taken for a request handler)."""

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await graphql_endpoint(scope, receive, send)

    class SubscriptionEndpoint:
        """Subscriptions over graphql-transport-ws, once the graph is ready; a token in a
        header must be known (one may also come in the connection_init payload)."""

        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            websocket = WebSocket(scope, receive, send)
            if not service.ready:
                await websocket.close(code=1013, reason=unavailable()[:120])
            elif service.tokens.role_of(websocket.headers.get("authorization")) is None:
                await websocket.close(code=4401, reason="invalid or unknown bearer token")
            else:
                await graphql(scope, receive, send)

    async def livez(request: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def readyz(request: Request) -> Response:
        if service.ready:
            with contextlib.suppress(StoreError):  # gone since the ping: unavailable below
                version = service.store.version  # type: ignore[union-attr]
                return JSONResponse({"status": "ready", "version": version, "warm": warm.is_set()})
        if service.error is not None:
            reason = service.error
        elif service.opened:
            reason = "the store does not answer"
        else:
            reason = "loading the graph"
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)

    async def metrics_endpoint(request: Request) -> Response:
        return Response(metrics.render(), media_type=CONTENT_TYPE)

    middleware = []
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_methods=["GET", "POST"],
                allow_headers=["authorization", "content-type"],
            )
        )
    return Starlette(
        routes=[
            Route("/graphql", GraphQLEndpoint(), methods=["GET", "POST"]),
            WebSocketRoute("/graphql", SubscriptionEndpoint()),
            Route("/livez", livez),
            Route("/readyz", readyz),
            Route("/metrics", metrics_endpoint),
            *explorer.routes(),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


def app_factory() -> Starlette:
    """For `uvicorn --factory graphsvc.app:app_factory`: settings from the environment."""
    return create_app(Settings())
