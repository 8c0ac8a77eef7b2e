"""The embedded store's files: an append-only journal of checksummed records and a snapshot.

Journal: the magic ``GSJ1`` then records of ``seq (u64) | length (u64) | crc32 (u32) | payload``,
the crc covering seq and payload. A record is acknowledged only after ``fsync``. On replay an
incomplete or mismatching *last* record is a torn write from a crash: it is dropped with a
warning. A bad record followed by more data is corruption and stops the replay.

Snapshot: the magic ``GSSNAP1\\n`` then ``version (u64) | length (u64) | crc32 (u32)`` and a
stream of pickled frames, written to a temporary file, fsynced and renamed over the old one.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> journal = Journal(folder / "journal.log")
>>> journal.append(1, b"hello")
>>> journal.close()
>>> [(r.seq, r.payload) for r in read_journal(folder / "journal.log")]
[(1, b'hello')]
>>> write_snapshot(folder / "snapshot.bin", 7, [["a", "b"], {"c": 1}])
>>> version, frames = read_snapshot(folder / "snapshot.bin")
>>> version, list(frames)
(7, [['a', 'b'], {'c': 1}])
"""

from __future__ import annotations

import errno
import io
import logging
import os
import pickle
import struct
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from graphsvc.store.base import CorruptStoreError, StoreError

__all__ = [
    "Journal",
    "JournalRecord",
    "read_journal",
    "read_snapshot",
    "write_snapshot",
]

log = logging.getLogger(__name__)

JOURNAL_MAGIC = b"GSJ1"
SNAPSHOT_MAGIC = b"GSSNAP1\n"
_HEADER = struct.Struct("<QQI")


def _crc(seq: int, payload: bytes) -> int:
    return zlib.crc32(payload, zlib.crc32(seq.to_bytes(8, "little")))


def fsync_dir(folder: Path) -> None:
    """Make a rename or a new file in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class JournalRecord:
    """One replayed record: its sequence number (the graph version it produces) and payload."""

    seq: int
    payload: bytes


class Journal:
    """An append-only journal file; `append` returns once the record is on disk.

    The file is unbuffered: a record the disk refused (full, read-only) is cut off the file
    at once, and never lingers in a buffer to reach the file with a later record.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        fresh = not path.exists() or path.stat().st_size == 0
        try:
            self._file: BinaryIO = path.open("ab", buffering=0)
            if fresh:
                self._write_all(JOURNAL_MAGIC)
                os.fsync(self._file.fileno())
                fsync_dir(path.parent)
            self._end = self._file.seek(0, os.SEEK_END)  # where the next record starts
        except OSError as e:
            raise StoreError(f"cannot open the journal {path}: {e.strerror or e}") from e
        self._cut_needed = False  # a refused record could not be cut off yet

    def _write_all(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = self._file.write(view)  # a raw file may write part of it
            if not written:
                raise OSError(errno.EIO, "the file took no bytes")
            view = view[written:]

    def append(self, seq: int, payload: bytes) -> None:
        """Write one record and fsync it; raise StoreError (nothing acknowledged) on failure."""
        start = self._end
        try:
            if self._cut_needed:
                self._cut(start)
            self._write_all(_HEADER.pack(seq, len(payload), _crc(seq, payload)) + payload)
            os.fsync(self._file.fileno())
        except OSError as e:
            self._undo(start)
            raise StoreError(f"cannot write the journal {self.path}: {e.strerror or e}") from e
        self._end = self._file.tell()

    def _cut(self, start: int) -> None:
        os.ftruncate(self._file.fileno(), start)
        self._cut_needed = False

    def _undo(self, start: int) -> None:
        """Cut a partly written record so the journal stays well formed; when that fails
        too, the next append cuts it first (and is refused if it still cannot)."""
        try:
            self._cut(start)
        except OSError as e:
            self._cut_needed = True
            log.warning("could not cut a refused record off the journal yet: %s", e)

    def reset(self) -> None:
        """Start an empty journal (after a snapshot has made its records redundant).

        Raises StoreError, the journal unchanged, when the new file cannot be written.
        """
        tmp = self.path.with_suffix(".tmp")
        try:
            with tmp.open("wb") as f:
                f.write(JOURNAL_MAGIC)
                f.flush()
                os.fsync(f.fileno())
            tmp.replace(self.path)
        except OSError as e:
            tmp.unlink(missing_ok=True)
            raise StoreError(f"cannot empty the journal {self.path}: {e.strerror or e}") from e
        self._file.close()
        self._file = self.path.open("ab", buffering=0)
        self._end = self._file.seek(0, os.SEEK_END)
        self._cut_needed = False
        try:
            fsync_dir(self.path.parent)
        except OSError as e:
            raise StoreError(f"cannot sync the data folder {self.path.parent}: {e}") from e

    def size(self) -> int:
        """Bytes in the journal file."""
        return self._end

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def read_journal(path: Path) -> Iterator[JournalRecord]:
    """Yield the journal's complete records; drop a torn last record (and cut it off the file).

    Raises CorruptStoreError when the journal is damaged anywhere but at its tail.
    """
    if not path.exists():
        return
    size = path.stat().st_size
    with path.open("rb") as f:
        magic = f.read(len(JOURNAL_MAGIC))
        if magic != JOURNAL_MAGIC:
            if len(magic) < len(JOURNAL_MAGIC) and JOURNAL_MAGIC.startswith(magic):
                return  # created, then crashed before its header was written: empty
            raise CorruptStoreError(f"{path} is not a graphsvc journal (bad magic {magic!r})")
        number = 0
        offset = f.tell()
        previous: int | None = None
        while offset < size:
            number += 1
            header = f.read(_HEADER.size)
            torn = _torn_reason(header, f, size, offset)
            if torn is None:
                seq, length, crc = _HEADER.unpack(header)
                payload = f.read(length)
                if _crc(seq, payload) != crc:
                    torn = "its checksum does not match"
                    if f.tell() < size:
                        raise CorruptStoreError(
                            f"{path}: record #{number} at byte {offset} is damaged ({torn}) and "
                            "more records follow; refusing to start. Nothing was changed."
                        )
                elif previous is not None and seq != previous + 1:
                    raise CorruptStoreError(
                        f"{path}: record #{number} at byte {offset} has sequence {seq} after "
                        f"{previous}; refusing to start. Nothing was changed."
                    )
            if torn is not None:
                log.warning(
                    "journal %s: record #%d at byte %d is torn (%s), a write cut short by a "
                    "crash; it was never acknowledged and is dropped, the %d records before "
                    "it are kept",
                    path,
                    number,
                    offset,
                    torn,
                    number - 1,
                )
                f.close()
                with path.open("r+b") as g:
                    g.truncate(offset)
                    g.flush()
                    os.fsync(g.fileno())
                return
            previous = seq
            yield JournalRecord(seq, payload)
            offset = f.tell()


def _torn_reason(header: bytes, f: BinaryIO, size: int, offset: int) -> str | None:
    if len(header) < _HEADER.size:
        return f"only {len(header)} of {_HEADER.size} header bytes"
    _, length, _ = _HEADER.unpack(header)
    if offset + _HEADER.size + length > size:
        return f"{size - offset - _HEADER.size} of {length} payload bytes"
    return None


class _ChecksummingWriter:
    """A file wrapper that counts and checksums what passes through (pickle streams into it)."""

    def __init__(self, f: BinaryIO, seed: int) -> None:
        self.f, self.crc, self.length = f, seed, 0

    def write(self, data: bytes) -> int:
        self.crc = zlib.crc32(data, self.crc)
        self.length += len(data)
        return self.f.write(data)


def _frame_bytes(frame: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.fast = True  # no memo: frames hold plain tuples, dicts and strings
    pickler.dump(frame)
    return buffer.getvalue()


def write_snapshot(path: Path, version: int, frames: Iterable[Any]) -> None:
    """Write a snapshot atomically: a temporary file, fsync, rename, fsync of the folder.

    The state comes as an iterable of frames (small lists), each pickled on its own and
    streamed to disk, so neither a copy of the graph nor a pickle memo is held in memory.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as f:
            f.write(SNAPSHOT_MAGIC + _HEADER.pack(version, 0, 0))
            writer = _ChecksummingWriter(f, zlib.crc32(version.to_bytes(8, "little")))
            for frame in frames:
                writer.write(_frame_bytes(frame))
            f.seek(len(SNAPSHOT_MAGIC))
            f.write(_HEADER.pack(version, writer.length, writer.crc))
            f.flush()
            os.fsync(f.fileno())
        tmp.replace(path)
        fsync_dir(path.parent)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write the snapshot {path}: {e.strerror or e}") from e


def read_snapshot(path: Path) -> tuple[int, Iterator[Any]] | None:
    """The snapshot's version and its frames; None when there is none.

    Raises CorruptStoreError when it is damaged: the checksum is verified in a first
    streaming pass, before anything is unpickled.
    """
    if not path.exists():
        return None
    f = path.open("rb")
    try:
        magic = f.read(len(SNAPSHOT_MAGIC))
        header = f.read(_HEADER.size)
        if magic != SNAPSHOT_MAGIC or len(header) < _HEADER.size:
            raise CorruptStoreError(
                f"{path} is not a graphsvc snapshot or is cut short; refusing to start. "
                "Nothing was changed: restore the file from a backup or move the data folder away."
            )
        version, length, crc = _HEADER.unpack(header)
        start = f.tell()
        actual, seen = zlib.crc32(version.to_bytes(8, "little")), 0
        while chunk := f.read(1 << 20):
            actual = zlib.crc32(chunk, actual)
            seen += len(chunk)
        if seen != length or actual != crc:
            raise CorruptStoreError(
                f"{path} is damaged (checksum mismatch, {seen} of {length} bytes); refusing "
                "to start. Nothing was changed: restore the file from a backup or move the data "
                "folder away."
            )
        f.seek(start)
    except BaseException:
        f.close()
        raise

    def frames() -> Iterator[Any]:
        with f:
            end = start + length
            while f.tell() < end:
                yield pickle.load(f)  # our own file, its checksum verified

    return version, frames()
