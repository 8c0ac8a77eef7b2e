"""How graphsvc serves the explorer: the page and its library from /explorer, same origin only,
and a clear 503 when the library was never installed."""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import httpx
from starlette.applications import Starlette

from graphsvc.explorer import STATIC, VENDOR_FILES, routes
from tests.api.conftest import Server


def test_explorer_redirects_to_its_folder_and_serves_the_page(explorer_server: Server) -> None:
    bare = httpx.get(f"{explorer_server.url}/explorer", timeout=10)
    assert bare.status_code == 307
    assert bare.headers["location"].endswith("/explorer/")

    page = httpx.get(f"{explorer_server.url}/explorer/", timeout=10)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'src="js/main.js"' in page.text
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy


def test_the_library_and_modules_are_served_as_javascript(explorer_server: Server) -> None:
    for path in [*VENDOR_FILES, "js/main.js", "js/views/recommend.js"]:
        response = httpx.get(f"{explorer_server.url}/explorer/{path}", timeout=10)
        assert response.status_code == 200, path
        assert "javascript" in response.headers["content-type"], path
    missing = httpx.get(f"{explorer_server.url}/explorer/js/nothing.js", timeout=10)
    assert missing.status_code == 404


def test_the_page_loads_nothing_from_another_origin() -> None:
    own = [p for p in STATIC.rglob("*") if p.is_file() and "vendor" not in p.parts]
    assert own, "no page files found"
    for path in own:
        text = path.read_text("utf-8")
        assert not re.search(r"https?://|//cdn|@import", text), path
        for target in re.findall(r"""(?:import|from)\s+["']([^"']+)["']""", text):
            assert target.startswith("."), f"{path}: imports {target}"
    library = (STATIC / VENDOR_FILES[0]).read_text("utf-8")
    assert not re.search(r"""\bimport\s*(?:\(|[\w{*][^;]*?\bfrom\s*)["']""", library)


def test_a_missing_library_answers_503_saying_how_to_install_it(tmp_path: Path) -> None:
    static = tmp_path / "static"
    shutil.copytree(STATIC, static, ignore=shutil.ignore_patterns("vendor"))
    app = Starlette(routes=routes(static))

    async def get(path: str) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://explorer") as client:
            return await client.get(path)

    for path in ["/explorer/", "/explorer/js/main.js"]:
        response = asyncio.run(get(path))
        assert response.status_code == 503
        assert "make setup" in response.text
        assert "vendor/cytoscape.esm.min.js" in response.text
