"""A data folder that fills up or turns read-only under a running server: writes are refused
with a clear payload error (never a 500 or a stack trace), nothing acknowledged is lost,
reads go on, and writes work again once there is space, or after the volume is repaired and
the server restarted.

Real file systems: a 1 MiB tmpfs filled to the last byte, and an ext4 volume that the kernel
remounts read-only on a file system error (`errors=remount-ro`), files open or not.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import httpx

from tests.api.conftest import MINI, Server, load_folder, start_server, stop_server
from tests.faults.conftest import ext4_error, ext4_volume, fill, repair_ext4, tmpfs

POST = """mutation($i: PostDemandInput!) {
  postDemand(input: $i) { demand { key } errors { field message } } }"""
RECORD = """mutation($i: RecordServiceInput!) {
  recordService(input: $i) { service { rating } errors { field message } } }"""


LONG = "提高活化度" * 300  # a few KB in the journal: more than a page's slack


def _post(server: Server, key: str) -> dict[str, Any]:
    """Post a demand (a few KB of journal); the payload."""
    title = f"{key} 重质碳酸钙表面改性工艺优化 {LONG}"
    response = server.post(
        POST, {"i": {"key": key, "enterprise": "ENT-1", "title": title}}, role="admin"
    )
    return _payload(response, "postDemand")


def _payload(response: httpx.Response, name: str) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert "Traceback" not in response.text and 'File "' not in response.text
    body = response.json()
    assert "errors" not in body, body  # a refused write is a payload error, not a failure
    payload: dict[str, Any] = body["data"][name]
    return payload


def _listed(server: Server) -> set[str]:
    data = server.data(
        '{ demands(filter: {enterprise: "ENT-1"}, first: 100) { edges { node { key } } } }'
    )
    return {e["node"]["key"] for e in data["demands"]["edges"]}


def _reads_answer(server: Server) -> None:
    data = server.data(
        '{ enterprise(key: "ENT-1") { name } search(text: "碳酸钙") { label } '
        'recommendExperts(demand: "DEM-1", first: 2) { expert { key } } stats { version } }',
        role="portal",
    )
    assert data["enterprise"]["name"] and data["search"] and data["recommendExperts"]
    assert httpx.get(f"{server.url}/readyz", timeout=10).status_code == 200


def _refusal(payload: dict[str, Any], reason: str) -> None:
    assert payload["errors"], payload
    [error] = payload["errors"]
    assert error["field"] == ""
    assert error["message"].startswith("the write failed, nothing changed: ")
    assert reason in error["message"], error


def test_a_full_disk_refuses_writes_clearly_and_loses_nothing(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "disk", "1m") as disk:
        folder = disk / "graph"
        load_folder(MINI, folder)
        server = start_server(folder, tmp_path)
        try:
            acknowledged = [f"FULL-{i}" for i in range(3)]
            for key in acknowledged:
                assert _post(server, key)["errors"] == []
            filler = fill(disk)
            refused: list[str] = []
            for i in range(50):  # the journal's last page may still take a record or two
                key = f"FULL-X{i}"
                payload = _post(server, key)
                if payload["errors"]:
                    _refusal(payload, "No space left on device")
                    assert payload["demand"] is None
                    refused.append(key)
                    if len(refused) == 3:
                        break
                else:
                    acknowledged.append(key)
            assert len(refused) == 3
            service = {
                "expert": "EXP-1",
                "enterprise": "ENT-1",
                "role": "visit",
                "idempotencyKey": LONG,
            }
            recorded = server.post(
                RECORD, {"i": {**service, "startOn": "2025-01-02"}}, role="admin"
            )
            _refusal(_payload(recorded, "recordService"), "No space left on device")

            _reads_answer(server)  # reads go on, and show no trace of the refused writes
            assert _listed(server) >= set(acknowledged)
            assert not _listed(server) & set(refused)

            filler.unlink()  # space again: the same server takes writes again
            assert _post(server, "FULL-AFTER")["errors"] == []
            acknowledged.append("FULL-AFTER")
            fill(disk)
            _refusal(_post(server, "FULL-AGAIN"), "No space left on device")
        finally:
            os.kill(server.process.pid, signal.SIGKILL)
            server.process.wait(timeout=30)
        # A restart on the still full disk serves every acknowledged write, nothing else.
        server = start_server(folder, tmp_path)
        try:
            listed = _listed(server)
            assert listed >= set(acknowledged)
            assert not listed & {*refused, "FULL-AGAIN"}
            (disk / "filler").unlink()
            assert _post(server, "FULL-RESTARTED")["errors"] == []
        finally:
            stop_server(server)


def test_a_read_only_data_folder_refuses_writes_clearly_and_loses_nothing(tmp_path: Path) -> None:
    with ext4_volume(tmp_path / "volume", tmp_path / "volume.img") as volume:
        folder = volume / "graph"
        load_folder(MINI, folder)
        server = start_server(folder, tmp_path)
        try:
            acknowledged = [f"RO-{i}" for i in range(3)]
            for key in acknowledged:
                assert _post(server, key)["errors"] == []
            ext4_error(volume)  # the kernel remounts the volume read-only under the server
            for i in range(3):
                payload = _post(server, f"RO-X{i}")
                _refusal(payload, "Read-only file system")
            service = {
                "expert": "EXP-1",
                "enterprise": "ENT-1",
                "role": "visit",
                "idempotencyKey": LONG,
            }
            recorded = server.post(
                RECORD, {"i": {**service, "startOn": "2025-01-02"}}, role="admin"
            )
            _refusal(_payload(recorded, "recordService"), "Read-only file system")
            _reads_answer(server)
            assert _listed(server) >= set(acknowledged)
        finally:
            stop_server(server)
        repair_ext4(volume)  # what an operator does: check the volume, mount it writable
        server = start_server(folder, tmp_path)
        try:
            listed = _listed(server)
            assert listed >= set(acknowledged)
            assert not {k for k in listed if k.startswith("RO-X")}
            assert _post(server, "RO-AFTER")["errors"] == []
        finally:
            stop_server(server)
