"""The ASGI app: GraphQL at /graphql, liveness and readiness probes.

Built by a factory (`uvicorn --factory graphsvc.app:app_factory`, settings from `GRAPHSVC_*`);
the store opens in the lifespan, in a background thread, so `/livez` answers at once and
`/readyz` turns 200 when the graph is loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from graphsvc.config import Settings
from graphsvc.schema import Context, build_schema
from graphsvc.service import Service

__all__ = ["app_factory", "create_app"]

log = logging.getLogger(__name__)


def _service(request: Request | WebSocket) -> Service:
    service: Service = request.app.state.service
    return service


class GraphQLApp(GraphQL[Context, None]):
    """Strawberry's ASGI view with a typed context and the caller's role from its token."""

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        service = _service(request)
        assert service.store is not None and service.segmenter is not None
        role = service.tokens.role_of(request.headers.get("authorization"))
        assert role is not None  # refused by `graphql_endpoint` before we get here
        return Context(store=service.store, segmenter=service.segmenter, role=role)


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"errors": [{"message": message}]}, status_code=status)


def create_app(settings: Settings | None = None) -> Starlette:
    """The graphsvc ASGI application."""
    settings = settings or Settings()
    service = Service(settings)
    graphql = GraphQLApp(build_schema(), graphql_ide="graphiql" if settings.graphiql else None)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.service = service
        task = asyncio.get_running_loop().run_in_executor(None, service.open)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await task
            service.close()

    async def graphql_endpoint(scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope)
        if not service.ready:
            reply = _error(503, service.error or "the graph is still loading; retry shortly")
        elif service.tokens.role_of(request.headers.get("authorization")) is None:
            reply = _error(401, "invalid or unknown bearer token")
        else:
            await graphql(scope, receive, send)
            return
        await reply(scope, receive, send)

    async def livez(request: Request) -> Response:
        return JSONResponse({"status": "alive"})

    async def readyz(request: Request) -> Response:
        if service.ready:
            return JSONResponse({"status": "ready", "version": service.store.version})  # type: ignore[union-attr]
        reason = service.error or "loading the graph"
        return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)

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
            Route("/graphql", graphql_endpoint, methods=["GET", "POST"]),
            Route("/livez", livez),
            Route("/readyz", readyz),
        ],
        middleware=middleware,
        lifespan=lifespan,
    )


def app_factory() -> Starlette:
    """For `uvicorn --factory graphsvc.app:app_factory`: settings from the environment."""
    return create_app(Settings())
