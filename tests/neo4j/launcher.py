"""Start and stop the project's Neo4j launcher (neo4j/, built with Maven when missing).

Used by the Neo4j tests and benchmarks/neo4j.py. The server binds 127.0.0.1 on a free port
(or `port`), keeps its database in `data_dir`, and is stopped by its own PID.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JAR = ROOT / "neo4j" / "target" / "graphsvc-neo4j.jar"
HEAP = "1g"
START_TIMEOUT = 180.0


@dataclass
class Neo4jProcess:
    """A running launcher: its Bolt URI, process and log."""

    uri: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def port(self) -> int:
        """The Bolt port."""
        return int(self.uri.rsplit(":", 1)[1])


def build() -> Path:
    """The launcher's jar, built with Maven when it is not there yet."""
    if not JAR.exists():
        subprocess.run(["mvn", "-q", "-B", "package"], cwd=JAR.parents[1], check=True)
    return JAR


def _default_signals() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)  # CI may start us with SIGINT ignored
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start(
    data_dir: Path, port: int = 0, heap: str = HEAP, page_cache: int | None = None
) -> Neo4jProcess:
    """Start the launcher and wait until it prints its Bolt URI. `page_cache`: megabytes of
    Neo4j's page cache (the launcher's default, 256, without it); a large graph reads far
    faster when its store fits."""
    jar = build()
    data_dir.mkdir(parents=True, exist_ok=True)
    log = data_dir.parent / f"{data_dir.name}-neo4j.log"
    out = data_dir.parent / f"{data_dir.name}-neo4j.out"
    with log.open("ab") as err, out.open("wb") as stdout:
        process = subprocess.Popen(
            [
                "java",
                f"-Xmx{heap}",
                "-jar",
                str(jar),
                "--data-dir",
                str(data_dir),
                "--port",
                str(port),
                *(["--page-cache", str(page_cache)] if page_cache else []),
            ],
            stdout=stdout,
            stderr=err,
            stdin=subprocess.DEVNULL,
            preexec_fn=_default_signals,
        )
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        lines = out.read_text("utf-8", "replace").splitlines()
        uri = next((line for line in lines if line.startswith("bolt://")), None)
        if uri:
            return Neo4jProcess(uri, process, log)
        if process.poll() is not None:
            raise RuntimeError(f"neo4j exited: {log.read_text('utf-8', 'replace')[-3000:]}")
        time.sleep(0.2)
    stop(Neo4jProcess("", process, log))
    raise RuntimeError(f"neo4j printed no URI within {START_TIMEOUT:.0f} s")


def stop(neo4j: Neo4jProcess, timeout: float = 60) -> None:
    """Stop it cleanly (SIGTERM), or kill it after `timeout` seconds."""
    if neo4j.process.poll() is None:
        neo4j.process.terminate()
    try:
        neo4j.process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        neo4j.process.kill()
        neo4j.process.wait(timeout=30)


def kill(neo4j: Neo4jProcess) -> None:
    """SIGKILL it, as a crash would."""
    os.kill(neo4j.process.pid, signal.SIGKILL)
    neo4j.process.wait(timeout=30)
