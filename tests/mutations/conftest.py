"""Fixtures of the write tests: a real server on a private copy of the mini dataset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.api.conftest import MINI, Server, load_folder, start_server, stop_server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """graphsvc on its own copy of the mini dataset: its tests may write."""
    tmp = tmp_path_factory.mktemp("write-server")
    load_folder(MINI, tmp / "graph")
    server = start_server(tmp / "graph", tmp)
    yield server
    stop_server(server)


def data_dir(server: Server) -> Path:
    """The server's data folder (where its journal lives)."""
    return Path(server.log).parent / "graph"
