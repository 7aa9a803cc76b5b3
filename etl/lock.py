"""One writer at a time: every build, demo and import holds an exclusive lock on the warehouse.

The lock is `<warehouse>.lock` beside the warehouse link (e.g. `data/warehouse.duckdb.lock`),
held with `flock` for the whole command. The kernel drops the lock when its holder dies, even by
kill -9, so a stale lock recovers by itself: the file may still name a dead pid, but nobody holds
it, and the next writer takes it and writes its own pid. The pid, command and start time in the
file only serve the "busy" message. The file itself is never deleted (deleting a lock file lets a
waiter lock an unlinked inode while a newcomer locks a fresh one).

    with writer_lock(path, "import"):
        ...  # check, keep, build and publish
"""

from __future__ import annotations

import errno
import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

DEFAULT_WAIT = 900.0  # seconds; a full build at scale 1 takes well under two minutes
POLL = 0.2

_held: dict[str, int] = {}  # lock path -> nesting depth in this process


class Busy(Exception):
    """Another process held the lock longer than we were willing to wait."""


def lock_path(warehouse: Path) -> Path:
    """The lock file of a warehouse (the link's path, never the build it points to)."""
    warehouse = Path(os.path.abspath(warehouse))
    return warehouse.with_name(warehouse.name + ".lock")


def wait_seconds() -> float:
    """How long to wait for another writer (KL_LAS_VENT, seconds; 0 = do not wait)."""
    raw = os.environ.get("KL_LAS_VENT", "").strip()
    if not raw:
        return DEFAULT_WAIT
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value >= 0:
        from etl.config import SettingError

        raise SettingError(f"KL_LAS_VENT: fant «{raw}», forventet et antall sekunder (0 eller mer)")
    return value


def holder(path: Path) -> str:
    """Who holds (or last held) the lock, as the file says: 'import (pid 123, startet 10:41:07)'."""
    try:
        fields = dict(
            line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines() if "=" in line
        )
    except OSError:
        fields = {}
    if "pid" not in fields:
        return "en annen prosess"
    return f"{fields.get('kommando', 'bygg')} (pid {fields['pid']}, startet {fields.get('startet', '?')})"


@contextmanager
def writer_lock(warehouse: Path, command: str = "bygg", wait: float | None = None) -> Iterator[Path]:
    """Hold the warehouse's writer lock; wait up to `wait` seconds (default KL_LAS_VENT) for it.

    Re-entrant within one process, so a command may call a helper that takes it again."""
    path = lock_path(warehouse)
    key = str(path)
    if key in _held:
        _held[key] += 1
        try:
            yield path
        finally:
            _held[key] -= 1
        return
    wait = wait_seconds() if wait is None else wait
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, wait)
        os.ftruncate(fd, 0)
        os.pwrite(
            fd,
            f"pid={os.getpid()}\nkommando={command}\nstartet={time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode(),
            0,
        )
        _held[key] = 1
        try:
            yield path
        finally:
            del _held[key]
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    told = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
        who = holder(path)
        if time.monotonic() >= deadline:
            raise Busy(
                f"Lageret er opptatt: {who} bygger eller importerer nå ({path}). Prøv igjen når den "
                "er ferdig; ingenting er endret."
            )
        if not told:
            print(
                f"Venter: {who} bygger eller importerer nå. Fortsetter når den er ferdig "
                f"(venter høyst {wait:.0f} s; KL_LAS_VENT) …",
                file=sys.stderr,
                flush=True,
            )
            told = True
        time.sleep(POLL)
