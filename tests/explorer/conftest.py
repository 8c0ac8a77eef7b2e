"""Fixtures of the explorer tests: graphsvc on the demo data, and Debian's chromium driven by
Playwright (`executable_path`, nothing downloaded), one page per test with its console watched.

Screenshots go to var/test-artifacts/explorer/ (gitignored with var/).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright

from graphsvc.explorer import missing_files
from graphsvc.loaders.demo import generate
from tests.api.conftest import TOKENS, Server, load_folder, start_server, stop_server

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "var" / "test-artifacts" / "explorer"
VIEWPORT = {"width": 1400, "height": 1000}
TOKEN_KEY = "graphsvc.explorer.token"


def chromium_path() -> str:
    """Debian's chromium; the tests fail, saying how to install it, when it is missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed: `make test` installs it (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def explorer_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """graphsvc serving the Guangxi demo data (scale 0.1: 500 enterprises, 350 experts)."""
    if missing_files():
        pytest.fail(f"the explorer's library is not installed ({missing_files()}): run make setup")
    tmp = tmp_path_factory.mktemp("explorer-server")
    generate(tmp / "demo", seed=2024, scale=0.1)
    load_folder(tmp / "demo", tmp / "graph")
    server = start_server(tmp / "graph", tmp)
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    """Playwright for one test module: its sync API keeps an asyncio loop running in this
    thread while it lives (asyncio.run() fails meanwhile), so it must not outlive the module."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(
        executable_path=chromium_path(),
        args=["--no-sandbox", "--disable-dev-shm-usage"],
    )
    yield browser
    browser.close()


@dataclass
class Explorer:
    """A browser page on the explorer, and what its console said."""

    page: Page
    base: str
    console_errors: list[str] = field(default_factory=list)
    expected_errors: list[str] = field(default_factory=list)

    def open(self, route: str, *, status: str = "ready") -> None:
        """Go to a view (`#/...`) and wait until it has rendered (or failed, `status="error"`)."""
        self.page.goto(f"{self.base}{route}")
        self.wait(status)

    def wait(self, status: str = "ready", view: str | None = None) -> None:
        """Wait for the view (of that name) to end loading, and check it ended with `status`."""
        named = f"[data-view={view}]" if view else ""
        element = self.page.wait_for_selector(
            f".view{named}:is([data-status=ready], [data-status=error])",
            state="attached",
            timeout=60_000,
        )
        assert element is not None
        actual = element.get_attribute("data-status")
        notice = self.page.locator("#notice")
        said = notice.inner_text() if notice.is_visible() else ""
        assert actual == status, f"the view ended {actual}: {said}"

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=path, full_page=True)
        return path


def _start_page(browser: Browser, server: Server, token: str | None, language: str) -> Explorer:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")  # type: ignore[arg-type]
    script = f"localStorage.setItem('graphsvc.explorer.language', '{language}');"
    if token is not None:
        script += f"sessionStorage.setItem('{TOKEN_KEY}', '{token}');"
    context.add_init_script(script)
    page = context.new_page()
    explorer = Explorer(page, f"{server.url}/explorer/")

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            explorer.console_errors.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: explorer.console_errors.append(f"page error: {error}"))
    return explorer


def _finish(explorer: Explorer) -> None:
    missing = explorer.page.evaluate("() => window.explorer?.missingStrings || []")
    explorer.page.context.close()
    assert not missing, f"words missing from js/i18n.js: {missing}"
    unexpected = [
        text
        for text in explorer.console_errors
        if not any(part in text for part in explorer.expected_errors)
    ]
    assert not unexpected, f"console errors: {unexpected}"


@pytest.fixture
def explorer(browser: Browser, explorer_server: Server) -> Iterator[Explorer]:
    """A page as a planner (the planner token in sessionStorage), in Chinese."""
    page = _start_page(browser, explorer_server, TOKENS["planner"], "zh")
    yield page
    _finish(page)


@pytest.fixture
def make_explorer(browser: Browser, explorer_server: Server) -> Iterator[Any]:
    """Pages with another token (None: none) or language; each checked like `explorer`."""
    pages: list[Explorer] = []

    def make(token: str | None = None, language: str = "zh") -> Explorer:
        page = _start_page(browser, explorer_server, token, language)
        pages.append(page)
        return page

    yield make
    for page in pages:
        _finish(page)
