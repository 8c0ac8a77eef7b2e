"""The running service's long-lived parts: settings, the store, the segmenter, the tokens.

Opened once (by the app's lifespan or a CLI command) and handed to requests.
"""

from __future__ import annotations

import gc
import logging
import secrets
import tempfile
import threading
from dataclasses import dataclass, field
from pathlib import Path

from graphsvc.auth import Role, TokenError, Tokens, parse_token_file
from graphsvc.config import Backend, Settings
from graphsvc.loaders.load import LoadReport, Progress, load_dataset
from graphsvc.store import GraphStore, MemoryStore, StoreError
from graphsvc.text import Segmenter

__all__ = ["Service", "admin_token_path", "fill_with_demo", "open_store"]

log = logging.getLogger(__name__)
ADMIN_TOKEN_FILE = "admin.token"


def open_store(settings: Settings) -> GraphStore:
    """The configured backend's store."""
    if settings.backend is Backend.MEMORY:
        return MemoryStore(settings.data_dir)
    from graphsvc.store.neo4j import Neo4jStore

    return Neo4jStore(
        settings.neo4j_uri,
        user=settings.neo4j_user,
        password=settings.neo4j_password.get_secret_value(),
        database=settings.neo4j_database,
        pool_size=settings.neo4j_pool_size,
        connection_timeout=settings.neo4j_connection_timeout,
        acquisition_timeout=settings.neo4j_acquisition_timeout,
        query_timeout=settings.neo4j_query_timeout,
        max_retry_time=settings.neo4j_max_retry_time,
        bulk_commit_every=settings.neo4j_bulk_commit_every,
    )


def fill_with_demo(
    store: GraphStore, *, seed: int, scale: float, progress: Progress | None = None
) -> LoadReport:
    """Generate the demo dataset into a temporary folder and load it."""
    from graphsvc.loaders.demo import generate

    with tempfile.TemporaryDirectory(prefix="graphsvc-demo-") as tmp:
        folder = Path(tmp)
        generate(folder, seed=seed, scale=scale)
        return load_dataset(store, folder, progress=progress)


def admin_token_path(settings: Settings) -> Path:
    """Where a generated admin token is kept when GRAPHSVC_ADMIN_TOKEN is unset."""
    return settings.data_dir / ADMIN_TOKEN_FILE


def _admin_token(settings: Settings) -> str:
    if settings.admin_token is not None:
        return settings.admin_token.get_secret_value()
    path = admin_token_path(settings)
    if path.exists():
        return path.read_text("utf-8").strip()
    token = secrets.token_urlsafe(32)
    path.parent.mkdir(parents=True, exist_ok=True)  # the neo4j backend may have no folder yet
    path.touch(mode=0o600)
    path.write_text(token + "\n", "utf-8")
    return token


@dataclass
class Service:
    """What requests need, opened in the background so liveness answers at once."""

    settings: Settings
    store: GraphStore | None = None
    segmenter: Segmenter | None = None
    tokens: Tokens = field(default_factory=Tokens)
    error: str | None = None
    _ready: threading.Event = field(default_factory=threading.Event)

    @property
    def ready(self) -> bool:
        """True once the graph is loaded and the store answers."""
        return (
            self._ready.is_set()
            and self.error is None
            and self.store is not None
            and self.store.ping()
        )

    @property
    def opened(self) -> bool:
        """True once opening has finished, whether it worked or not."""
        return self._ready.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until ready (or failed); True when ready."""
        self._ready.wait(timeout)
        return self.ready

    def open(self, progress: Progress | None = None) -> None:
        """Open the store, fill an empty one with the demo data, build the segmenter."""
        try:
            store = open_store(self.settings)
            self.store = store
            if self.settings.demo_if_empty and store.version == 0 and not store.counts().nodes:
                log.info("the store is empty: generating and loading the demo dataset")
                fill_with_demo(
                    store,
                    seed=self.settings.demo_seed,
                    scale=self.settings.demo_scale,
                    progress=progress,
                )
            self.tokens = self._tokens()
            self.segmenter = _segmenter(store)
            # The graph's millions of objects live as long as the process: keep the cyclic
            # garbage collector from walking them again and again.
            gc.collect()
            gc.freeze()
            self._ready.set()
        except (StoreError, TokenError, OSError) as e:
            self.error = str(e)
            log.error("cannot start: %s", e)
            self._ready.set()
            raise

    def _tokens(self) -> Tokens:
        tokens: dict[str, Role] = {}
        names: dict[str, str] = {}
        if self.settings.tokens_file is not None:
            path = self.settings.tokens_file
            try:
                lines = path.read_text("utf-8").splitlines()
            except OSError as e:
                raise TokenError(f"{path}: cannot be read ({e.strerror})") from e
            tokens, names = parse_token_file(lines, str(path))
        admin = _admin_token(self.settings)
        tokens[admin] = Role.ADMIN
        names.setdefault(admin, "admin")
        return Tokens(tokens, names)

    def close(self) -> None:
        """Close the store."""
        if self.store is not None:
            self.store.close()


def _segmenter(store: GraphStore) -> Segmenter:
    from graphsvc.reference import vocabulary

    terms = [v.term for v in vocabulary()]
    terms.extend(props["key"] for props in store.iter_nodes("Keyword"))
    return Segmenter(terms)
