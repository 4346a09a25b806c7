"""Generations of a store folder: one writer at a time, an atomic switch, and safe clean-up.

A store folder holds ``gen-<ns>-<pid>`` folders and a ``current`` symlink to one of them. A writer
takes the folder's lock, builds a new generation, switches the link with one rename, and removes
old generations. Readers resolve ``current`` and never take the lock. Used by the embedded store
(graph and artifacts) and by the remote store (its local artifacts), so both behave alike.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from beleidsgraaf.errors import StoreError

ENV_LOCK_TIMEOUT = "BELEIDSGRAAF_LOCK_TIMEOUT"
LOCK_FILE = ".lock"
PREFIX = "gen-"


class Generations:
    def __init__(self, root: Path) -> None:
        # Absolute and resolved once, here: clean-up compares generation paths with the resolved
        # link, and a relative root once made every generation, the new one too, look like garbage.
        self.root = root.expanduser().resolve()
        self._depth = 0

    @property
    def current(self) -> Path | None:
        link = self.root / "current"
        if not link.is_symlink():
            return None
        target = link.resolve()
        return target if target.exists() else None

    def new(self) -> Path:
        """The path of a new generation (not created); call inside ``writing``."""
        return self.root / f"{PREFIX}{time.time_ns()}-{os.getpid()}"

    @contextlib.contextmanager
    def writing(self, waiting: Callable[[str], None] | None = None) -> Iterator[None]:
        """Hold the folder's writer lock; re-entrant within one instance.

        Everything a writer reads to build the next generation must be read inside this block, or
        a second writer's data could be lost between that read and the switch. The lock is an
        ``flock`` on ``.lock``: the kernel releases it when the holder dies, even by ``kill -9``.
        """
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.root.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.root / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._acquire(fd, waiting)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
            self._depth = 1
            try:
                yield
            finally:
                self._depth = 0
        finally:
            os.close(fd)  # releases the lock

    def _acquire(self, fd: int, waiting: Callable[[str], None] | None) -> None:
        with contextlib.suppress(BlockingIOError):
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        timeout = float(os.environ.get(ENV_LOCK_TIMEOUT) or 600)
        if waiting is not None:
            waiting(f"another ingest (process {holder}) is writing to {self.root}; waiting up to {timeout:.0f} s")
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(BlockingIOError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            if time.monotonic() >= deadline:
                raise StoreError(f"another ingest (process {holder}) is still writing to {self.root} after "
                                 f"{timeout:.0f} s; nothing was written",
                                 hint=f"try again when it is done, or set {ENV_LOCK_TIMEOUT}")
            time.sleep(0.1)

    def switch(self, generation: Path, durable: bool = True) -> None:
        """Point ``current`` at ``generation`` with one rename, then remove generations no longer needed."""
        if not self._depth:
            raise StoreError("internal: a generation may only be switched under the writer lock")
        previous = self.current
        tmp_link = self.root / f".current-{os.getpid()}"
        with contextlib.suppress(FileNotFoundError):
            tmp_link.unlink()
        tmp_link.symlink_to(generation.name)
        os.replace(tmp_link, self.root / "current")
        if durable:
            dir_fd = os.open(self.root, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        self._collect_garbage(generation, previous)

    def _collect_garbage(self, written: Path, previous: Path | None) -> None:
        """The generation just written and the one it replaced stay (a reader that resolved ``current``
        a moment before the switch can still open it); leftovers of crashed writers go. Under the lock,
        so no other generation is being written."""
        written = written.resolve()
        if self.current != written:
            return  # the link is not where this writer put it: touch nothing
        keep = {written, previous}
        for child in self.root.glob(f"{PREFIX}*"):
            if child.resolve() not in keep:
                shutil.rmtree(child, ignore_errors=True)
        for stale in self.root.glob(".current-*"):
            with contextlib.suppress(FileNotFoundError):
                stale.unlink()

    def owns(self, generation: Path) -> bool:
        return generation.parent.resolve() == self.root and generation.name.startswith(PREFIX)
