"""Helpers of the fault tests: small real file systems that fill up or turn read-only.

The tests run as root (as CI does) and mount what they need: a tmpfs of a few hundred KiB
for a full disk, and an ext4 image on a loop device mounted `errors=remount-ro` for a disk
the kernel turns read-only under a running server (as it does on an I/O error). Each is
unmounted in a `finally`. When mounting is not permitted the test fails and says so: a
fault suite that skipped itself would prove nothing.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

__all__ = ["ext4_error", "ext4_volume", "fill", "repair_ext4", "tmpfs"]


def _run(*command: str) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode:
        pytest.fail(
            f"the fault tests need root and mounts: `{' '.join(command)}` failed "
            f"({done.returncode}): {done.stderr.strip()}; run them as root on a machine "
            "that allows tmpfs and loop mounts (as CI does)",
            pytrace=False,
        )


def _unmount(mountpoint: Path) -> None:
    """Unmount, lazily when a killed process's files are still being closed."""
    if subprocess.run(["umount", str(mountpoint)], capture_output=True, check=False).returncode:
        subprocess.run(["umount", "-l", str(mountpoint)], capture_output=True, check=False)


@contextlib.contextmanager
def tmpfs(mountpoint: Path, size: str) -> Iterator[Path]:
    """A tmpfs of `size` (e.g. "512k") mounted at `mountpoint` for the block."""
    mountpoint.mkdir(parents=True, exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mountpoint))
    try:
        yield mountpoint
    finally:
        _unmount(mountpoint)


@contextlib.contextmanager
def ext4_volume(mountpoint: Path, image: Path, size_mib: int = 16) -> Iterator[Path]:
    """An ext4 file system in `image` on a loop device, mounted `errors=remount-ro`."""
    for tool in ("mkfs.ext4", "losetup"):
        if shutil.which(tool) is None:
            pytest.fail(f"the fault tests need {tool} (e2fsprogs, mount)", pytrace=False)
    with image.open("wb") as f:
        f.truncate(size_mib << 20)
    _run("mkfs.ext4", "-q", "-F", str(image))
    done = subprocess.run(
        ["losetup", "-f", "--show", str(image)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        pytest.fail(f"the fault tests need a loop device: {done.stderr.strip()}", pytrace=False)
    device = done.stdout.strip()
    try:
        mountpoint.mkdir(parents=True, exist_ok=True)
        _run("mount", "-o", "errors=remount-ro", device, str(mountpoint))
        try:
            yield mountpoint
        finally:
            _unmount(mountpoint)
    finally:
        subprocess.run(["losetup", "-d", device], capture_output=True, check=False)


def ext4_error(mountpoint: Path) -> None:
    """Report a file system error to ext4, which remounts it read-only at once (as the
    kernel does after an I/O error), whatever files are open on it."""
    device = Path(_device_of(mountpoint)).name
    Path(f"/sys/fs/ext4/{device}/trigger_fs_error").write_text("graphsvc fault test\n")


def repair_ext4(mountpoint: Path) -> None:
    """Unmount a volume that went read-only, check it and mount it again, writable."""
    device = _device_of(mountpoint)
    _run("umount", str(mountpoint))
    subprocess.run(["e2fsck", "-fy", device], capture_output=True, check=False)
    _run("mount", "-o", "errors=remount-ro", device, str(mountpoint))


def _device_of(mountpoint: Path) -> str:
    for line in Path("/proc/mounts").read_text().splitlines():
        device, where, *_ = line.split()
        if where == str(mountpoint):
            return device
    raise AssertionError(f"{mountpoint} is not mounted")


def fill(folder: Path, name: str = "filler") -> Path:
    """Write a file into `folder` until its file system has no space left; return it."""
    path = folder / name
    chunk = b"\0" * 4096
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        while True:
            try:
                os.write(fd, chunk)
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
                break
        with contextlib.suppress(OSError):  # the last bytes of the last page
            while os.write(fd, b"\0"):
                pass
    finally:
        os.close(fd)
    return path
