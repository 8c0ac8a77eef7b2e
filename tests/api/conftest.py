"""Fixtures of the API tests: real uvicorn servers on loopback, stores, and a schema runner.

Servers run in subprocesses (`uvicorn --factory graphsvc.app:app_factory`) on 127.0.0.1 and a
free port, with their data folder in a temporary directory; each is stopped by its own PID.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from graphsvc.auth import Role
from graphsvc.loaders.demo import generate
from graphsvc.loaders.load import load_dataset
from graphsvc.schema import Context, Limits, build_schema
from graphsvc.schema.catalog import Indexes
from graphsvc.store import MemoryStore
from graphsvc.text import Segmenter

MINI = Path(__file__).resolve().parent.parent / "data" / "mini"
TOKENS = {"admin": "admin-secret-token", "portal": "portal-token", "planner": "planner-token"}
ORIGIN = "http://portal.example"


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def load_folder(dataset: Path, data_dir: Path) -> None:
    """Load a dataset folder into a fresh store in `data_dir`, then close it."""
    store = MemoryStore(data_dir)
    try:
        report = load_dataset(store, dataset)
        assert not report.rejects, report.rejects[:3]
    finally:
        store.close()


@dataclass
class Server:
    """A running graphsvc: its URL, process and log."""

    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def post(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        role: str | None = None,
        operation_name: str | None = None,
    ) -> httpx.Response:
        """POST a GraphQL request, as `role` (a key of TOKENS) or anonymously."""
        headers = {"Authorization": f"Bearer {TOKENS[role]}"} if role else {}
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        if operation_name is not None:
            body["operationName"] = operation_name
        return httpx.post(f"{self.url}/graphql", json=body, headers=headers, timeout=30)

    def data(self, query: str, variables: dict[str, Any] | None = None, **kw: Any) -> Any:
        """The `data` of a request that must succeed without errors."""
        response = self.post(query, variables, **kw)
        assert response.status_code == 200, response.text
        payload = response.json()
        assert "errors" not in payload, payload["errors"]
        return payload["data"]


def start_server(data_dir: Path, tmp: Path, **env: str) -> Server:
    """Start uvicorn on a free port and wait until /readyz answers 200."""
    port = free_port()
    tokens_file = tmp / "tokens.txt"
    tokens_file.write_text(
        f"# test tokens\n{TOKENS['portal']} portal\n{TOKENS['planner']} planner\n", "utf-8"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    environ.update(
        GRAPHSVC_DATA_DIR=str(data_dir),
        GRAPHSVC_ADMIN_TOKEN=TOKENS["admin"],
        GRAPHSVC_TOKENS_FILE=str(tokens_file),
        GRAPHSVC_DEMO_IF_EMPTY="false",
        **env,
    )
    log = tmp / f"uvicorn-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--factory",
                "graphsvc.app:app_factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=environ,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text('utf-8', 'replace')}")
        try:
            if httpx.get(f"{server.url}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    stop_server(server)
    raise RuntimeError(f"the server did not become ready: {log.read_text('utf-8', 'replace')}")


def stop_server(server: Server) -> None:
    """Stop the server's own process (SIGTERM, then SIGKILL after 10 s)."""
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait(timeout=10)


@pytest.fixture(scope="session")
def mini_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """graphsvc on the mini dataset, with admin, portal and planner tokens and CORS."""
    tmp = tmp_path_factory.mktemp("mini-server")
    load_folder(MINI, tmp / "graph")
    server = start_server(tmp / "graph", tmp, GRAPHSVC_CORS_ORIGINS=f'["{ORIGIN}"]')
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def locked_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """graphsvc with GraphiQL and introspection off, a 1 KiB body limit and no time to spare."""
    tmp = tmp_path_factory.mktemp("locked-server")
    load_folder(MINI, tmp / "graph")
    server = start_server(
        tmp / "graph",
        tmp,
        GRAPHSVC_GRAPHIQL="false",
        GRAPHSVC_INTROSPECTION="false",
        GRAPHSVC_MAX_BODY_BYTES="1024",
        GRAPHSVC_QUERY_TIMEOUT="0.000001",
    )
    yield server
    stop_server(server)


@pytest.fixture(scope="session")
def demo_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo dataset at a small scale (about 250 enterprises)."""
    folder = tmp_path_factory.mktemp("demo")
    generate(folder, seed=2024, scale=0.05)
    return folder


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory: pytest.TempPathFactory, demo_dir: Path) -> Iterator[MemoryStore]:
    """A store holding the small demo dataset."""
    store = MemoryStore(tmp_path_factory.mktemp("demo-store") / "graph")
    report = load_dataset(store, demo_dir)
    assert not report.rejects, report.rejects[:3]
    yield store
    store.close()


@pytest.fixture(scope="session")
def mini_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MemoryStore]:
    """A store holding the mini dataset (read-only in tests)."""
    store = MemoryStore(tmp_path_factory.mktemp("mini-store") / "graph")
    load_dataset(store, MINI)
    yield store
    store.close()


@pytest.fixture(scope="session")
def segmenter(mini_store: MemoryStore) -> Segmenter:
    """A segmenter that knows the mini dataset's keywords, as the service builds it."""
    return Segmenter(p["key"] for p in mini_store.iter_nodes("Keyword"))


Run = Callable[..., Any]


@pytest.fixture(scope="session")
def run_schema(segmenter: Segmenter) -> Run:
    """Execute a query in process against a store: `run(store, query, role=..., **vars)`."""
    schema = build_schema(limits=Limits())
    indexes: dict[int, tuple[Any, Indexes]] = {}  # one per store (kept alive), as per app

    def run(
        store: Any,
        query: str,
        role: Role = Role.PUBLIC,
        limits: Limits | None = None,
        **variables: Any,
    ) -> Any:
        ctx = Context(
            store=store,
            segmenter=segmenter,
            role=role,
            limits=limits or schema.limits,
            indexes=indexes.setdefault(id(store), (store, Indexes()))[1],
        )
        return asyncio.run(schema.execute(query, variable_values=variables, context_value=ctx))

    return run
