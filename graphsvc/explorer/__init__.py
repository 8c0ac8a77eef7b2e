"""The planners' explorer: a web page at /explorer that reads the graph through /graphql only.

The page is static: HTML, CSS and ES modules in `static/`, served as they are. Its drawing
library, cytoscape.js, comes from npm (`web/package.json`, pinned by `web/package-lock.json`):
`make setup` runs `npm ci` and copies the library's ES module build into `static/vendor/`, so
the page loads nothing from elsewhere and works offline. Without those files (a pip install
that skipped `make setup`) /explorer answers 503 saying how to install them.
"""

from __future__ import annotations

from pathlib import Path

from starlette.responses import PlainTextResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Message, Receive, Scope, Send

__all__ = ["STATIC", "VENDOR_FILES", "ExplorerFiles", "missing_files", "routes"]

STATIC = Path(__file__).resolve().parent / "static"
VENDOR_FILES = ("vendor/cytoscape.esm.min.js",)

# Same origin only: the page may load its own files and talk to /graphql, nothing else.
SECURITY_HEADERS = {
    "content-security-policy": (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "x-content-type-options": "nosniff",
    "cache-control": "no-cache",
}

NOT_INSTALLED = (
    "The explorer's drawing library is not installed: {missing} is missing. "
    "Run `make setup` in the graphsvc source tree (it runs `npm ci` in web/ and copies "
    "cytoscape.js into graphsvc/explorer/static/vendor/), then reload this page.\n"
)


def missing_files(static: Path = STATIC) -> list[str]:
    """The library files under `static` the page needs and does not have.

    >>> missing_files(Path("/nonexistent"))
    ['vendor/cytoscape.esm.min.js']
    """
    return [name for name in VENDOR_FILES if not (static / name).is_file()]


class ExplorerFiles:
    """The page's files with same-origin security headers; 503 while the library is missing."""

    def __init__(self, static: Path = STATIC) -> None:
        self.static = static
        self.files = StaticFiles(directory=static, html=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        missing = missing_files(self.static)
        if missing:
            reply = PlainTextResponse(
                NOT_INSTALLED.format(missing=", ".join(missing)),
                status_code=503,
                headers={"retry-after": "3600"},
            )
            await reply(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.files(scope, receive, send_with_headers)


def routes(static: Path = STATIC) -> list[BaseRoute]:
    """The routes that serve the explorer at /explorer/ (/explorer redirects there)."""
    return [Mount("/explorer", app=ExplorerFiles(static), name="explorer")]
