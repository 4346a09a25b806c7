"""Placeholder passage vectors for scale runs, so ingest at 1 M triples does not wait an hour on the dense model.

multilingual-e5-small embeds about 40 passages/s on two cores; a 55-municipality corpus has well over
100k passages. Scale runs therefore register this embedder: passage vectors are deterministic unit
vectors drawn from each text's hash (no model run, meaningless for ranking, same shape and dtype as
the real ones), while questions are still embedded by the real model, so search and ask latency is
the product's. The model's own throughput is measured apart (``embedding_throughput``) and reported
next to the ingest figures, which are labelled as excluding it.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Sequence

import numpy as np

NAME = "bench-placeholder-vectors"


class PlaceholderPassages:
    name = NAME

    def __init__(self) -> None:
        from beleidsgraaf.ingest import embedding

        self._real = embedding.for_questions(embedding.DEFAULT_MODEL)  # questions only: as search embeds them
        self.dim = self._real.dim

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
            rows.append(vector / np.linalg.norm(vector))
        return np.vstack(rows) if rows else np.zeros((0, self.dim), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return self._real.query(text)


def register() -> None:
    """Make ingest and search in this process use the placeholder (by name, as the model is chosen)."""
    from beleidsgraaf.ingest import embedding

    embedding.MODELS[NAME] = PlaceholderPassages
    os.environ[embedding.ENV_MODEL] = NAME


def embedding_throughput(texts: Sequence[str]) -> dict[str, float]:
    """The real default model over ``texts`` (after one warm-up batch): passages per second."""
    from beleidsgraaf.ingest import embedding

    model = embedding.load(embedding.DEFAULT_MODEL)
    model.passages(list(texts[: embedding.BATCH // 4]))
    started = time.perf_counter()
    model.passages(list(texts))
    seconds = time.perf_counter() - started
    return {"model": model.name, "sample": len(texts), "seconds": seconds, "passages_per_s": len(texts) / seconds}
