"""A per-user, content-addressed cache of passage embeddings (text hash -> vector), one file per model.

Ingesting the corpus runs the embedding model over a few thousand passages (about a minute on
two cores); a fresh store, such as each test session's, would pay that every time. Vectors
depend only on the model and the text, so they are shared across stores here. It is only a
cache: unreadable or unwritable means "not cached", never an error. ``BELEIDSGRAAF_CACHE=off``
disables it; another value names the folder (default: $XDG_CACHE_HOME/beleidsgraaf).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

import numpy as np

ENV_CACHE = "BELEIDSGRAAF_CACHE"
MAX_ENTRIES = 200_000


def folder() -> Path | None:
    setting = os.environ.get(ENV_CACHE, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "beleidsgraaf"


def _path(model: str) -> Path | None:
    root = folder()
    return root / f"embeddings-{file_name(model)}.npz" if root else None


def file_name(model: str) -> str:
    """``model`` as one safe file-name part: a sentence-transformers name may be a path or ``owner/model``."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", model).strip("._")[-80:]
    return safe if safe == model else f"{safe}-{hashlib.sha256(model.encode('utf-8')).hexdigest()[:10]}"


def read(model: str) -> dict[str, np.ndarray]:
    path = _path(model)
    if path is None or not path.is_file():
        return {}
    try:
        with np.load(path, allow_pickle=False) as data:
            keys, vectors = data["keys"], data["vectors"]
    except (OSError, ValueError, KeyError):
        return {}
    return {str(k): v for k, v in zip(keys, vectors, strict=True)}


def add(model: str, entries: dict[str, np.ndarray]) -> None:
    """Merge ``entries`` into the model's file (written whole and renamed, so readers never see half a file)."""
    path = _path(model)
    if path is None or not entries:
        return
    merged = read(model)
    merged.update(entries)
    keys = list(merged)[-MAX_ENTRIES:]
    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".embeddings-", suffix=".npz")
        with os.fdopen(handle, "wb") as out:
            np.savez(out, keys=np.array(keys), vectors=np.stack([merged[k] for k in keys]).astype(np.float16))
        os.replace(tmp, path)
        tmp = None
    except OSError:
        return
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
