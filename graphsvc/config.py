"""Settings: every one an environment variable `GRAPHSVC_<NAME>`, most also a CLI flag.

Examples
--------
>>> Settings(port=9000).port
9000
>>> Settings().data_dir.as_posix()
'var/graph'
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Backend", "Settings"]


class Backend(StrEnum):
    """Where the graph lives."""

    MEMORY = "memory"
    NEO4J = "neo4j"


class Settings(BaseSettings):
    """The service's configuration, read from `GRAPHSVC_*` environment variables."""

    model_config = SettingsConfigDict(env_prefix="GRAPHSVC_", extra="ignore")

    data_dir: Path = Field(Path("var/graph"), description="the embedded store's folder")
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=0, le=65535)
    backend: Backend = Backend.MEMORY
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    neo4j_pool_size: int = Field(100, ge=1, description="most Bolt connections per process")
    neo4j_connection_timeout: float = Field(5.0, gt=0, description="seconds to open a connection")
    neo4j_acquisition_timeout: float = Field(
        30.0, gt=0, description="seconds to wait for a free pooled connection"
    )
    neo4j_query_timeout: float = Field(
        60.0, gt=0, description="seconds a read or write transaction may run (bulk loads: none)"
    )
    neo4j_max_retry_time: float = Field(
        15.0, ge=0, description="seconds to retry a transaction on transient errors"
    )
    neo4j_bulk_commit_every: int = Field(
        200_000,
        ge=0,
        description="writes per transaction of a bulk load into an empty graph (0: one)",
    )

    admin_token: SecretStr | None = Field(
        None, description="the admin bearer token; generated into the data folder when unset"
    )
    tokens_file: Path | None = Field(None, description="more tokens: one `token role` a line")
    cors_origins: list[str] = Field(default_factory=list, description="allowed browser origins")
    graphiql: bool = True
    introspection: bool = True

    demo_if_empty: bool = Field(True, description="fill an empty store with the demo dataset")
    demo_seed: int = 2024
    demo_scale: float = Field(1.0, gt=0)
