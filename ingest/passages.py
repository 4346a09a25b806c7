"""Source lines -> passages (overlapping line windows) and their embeddings, stored with the graph.

A passage is a window of 3 to 6 non-blank lines of one file (up to 10 short ones), cut at paragraph breaks and
headings where it can, so a citation "file, lines a-b" points at text a person can read.
Windows inside a paragraph overlap by half; a window that ends at a paragraph break starts the
next one there. Embeddings are cached by text hash: passages whose text is unchanged take
their vector from the previous store generation instead of running the model again.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from beleidsgraaf.ingest import embedcache, embedding
from beleidsgraaf.ingest.readers import SourceText
from beleidsgraaf.ontology.store import EmbeddedStore

PASSAGES = "passages.jsonl"
VECTORS = "embeddings.npy"
META = "search-index.json"
FORMAT = 1

MIN_LINES = 3
MAX_LINES = 6
MAX_SHORT_LINES = 10  # lists of short lines (a wijk and its buurten) may run longer, up to SHORT_CHARS
SHORT_CHARS = 240
MAX_CHARS = 600
# No passage is longer than this: a longer line (a PDF page without line breaks, a DOCX paragraph of
# pages) is cut between words into several passages that all cite that line. 2,000 characters of
# Dutch prose are some 500 tokens, the most multilingual-e5-small reads (512); a whole 100,000-character
# line took the model 36 s, and a hit on it would show the reader that whole line.
MAX_PASSAGE_CHARS = 2000

_CONTENT = re.compile(r"\w", re.UNICODE)
_SENTENCE_END = re.compile(r"[.!?:;]\W*$")
# "2.1 Doelen", "7.4.3 Wijkregie", "Bijlage II", "Hoofdstuk 4": short lines that open a section. A single
# number ("1. Markgraven") is as often a list item, and a list belongs in one passage with its heading.
_HEADING = re.compile(r"^\s*(\d{1,2}(\.\d{1,2})+\.?\s+\S|(bijlage|hoofdstuk|paragraaf)\b)", re.IGNORECASE)


@dataclass(frozen=True)
class PassageRecord:
    document: str
    first: int
    last: int
    text: str

    @property
    def key(self) -> str:
        return text_hash(self.text)

    def as_json(self) -> dict:
        return {"document": self.document, "lines": [self.first, self.last], "text": self.text}


@dataclass
class PassageIndex:
    model: str
    passages: list[PassageRecord]
    vectors: np.ndarray  # (len(passages), dim) float16, L2-normalised rows
    embedded: int = 0  # texts run through the model by the build that made this index
    reused: int = 0  # texts whose vector came from the cache
    stats: dict = field(default_factory=dict)

    def artifacts(self) -> dict[str, bytes]:
        lines = "".join(json.dumps(p.as_json(), ensure_ascii=False) + "\n" for p in self.passages)
        buffer = io.BytesIO()
        np.save(buffer, self.vectors.astype(np.float16), allow_pickle=False)
        meta = {"format": FORMAT, "model": self.model, "passages": len(self.passages),
                "dim": int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0}
        return {PASSAGES: lines.encode("utf-8"), VECTORS: buffer.getvalue(),
                META: json.dumps(meta, indent=1).encode("utf-8")}


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def _is_heading(line: str) -> bool:
    return len(line.strip()) <= 80 and bool(_HEADING.match(line))


def _pieces(text: str, limit: int) -> list[str]:
    """``text`` cut between words into pieces of at most ``limit`` characters (inside a word only
    when one word is longer than that)."""
    out: list[str] = []
    start = 0
    while len(text) - start > limit:
        cut = text.rfind(" ", start, start + limit + 1)
        if cut <= start:
            cut = start + limit
        out.append(text[start:cut])
        start = cut + 1 if text[cut : cut + 1] == " " else cut
    out.append(text[start:])
    return out


def split(source: SourceText) -> list[PassageRecord]:
    """Line windows of one file; line numbers as ``grep -n`` counts them."""
    content: list[tuple[int, str, bool]] = []  # (line number, text, starts a paragraph)
    previous_blank = True
    for number, raw in enumerate(source.lines, start=1):
        if not _CONTENT.search(raw):
            previous_blank = True
            continue
        # PDFs put blank lines inside sentences ("zorgt ervoor dat op 1 april 2020 het loket" / "" / "operationeel is."):
        # a blank line after an unfinished sentence, before a line in lower case, is no paragraph break.
        runs_on = bool(content) and not _SENTENCE_END.search(content[-1][1]) and raw.lstrip()[:1].islower()
        starts = (previous_blank and not runs_on) or _is_heading(raw)
        for piece, text in enumerate(_pieces(" ".join(raw.split()), MAX_PASSAGE_CHARS)):
            content.append((number, text, starts and piece == 0))
        previous_blank = False
    out: list[PassageRecord] = []
    start = 0
    while start < len(content):
        end = start + 1
        chars = len(content[start][1])
        while end < len(content) and (end - start < MAX_LINES or (end - start < MAX_SHORT_LINES and chars < SHORT_CHARS)):
            if end - start >= MIN_LINES and content[end][2]:
                break
            if chars + len(content[end][1]) > MAX_CHARS and end - start >= 1:
                break
            chars += len(content[end][1])
            end += 1
        window = content[start:end]
        out.append(PassageRecord(source.name, window[0][0], window[-1][0], " ".join(t for _, t, _ in window)))
        if end >= len(content):
            break
        at_break = content[end][2]
        start = end if at_break or end - start <= 2 else start + (end - start + 1) // 2
    return out


def load(directory: Path | None) -> PassageIndex | None:
    """The index stored in a store generation's artifact folder, or None (missing or unreadable)."""
    if directory is None:
        return None
    try:
        meta = json.loads((directory / META).read_text(encoding="utf-8"))
        rows = [json.loads(line) for line in (directory / PASSAGES).read_text(encoding="utf-8").splitlines() if line]
        vectors = np.load(directory / VECTORS, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if meta.get("format") != FORMAT or len(rows) != len(vectors):
        return None
    passages = [PassageRecord(r["document"], int(r["lines"][0]), int(r["lines"][1]), r["text"]) for r in rows]
    return PassageIndex(str(meta.get("model")), passages, vectors)


def _embed(name: str, texts: list[str]) -> dict[str, np.ndarray]:
    """Vectors of ``texts`` by text hash, a batch at a time.

    Whatever was computed goes into the per-user cache even when the run is interrupted (Ctrl-C,
    a failure), so a cold ingest of a few minutes that is retried does not start from nothing.
    Texts go to the model in order of length, so each batch pads its texts to about the same length.
    """
    model = embedding.load(name)
    computed: dict[str, np.ndarray] = {}
    ordered = sorted(texts, key=len)
    try:
        for start in range(0, len(ordered), embedding.BATCH):
            batch = ordered[start : start + embedding.BATCH]
            vectors = model.passages(batch).astype(np.float16)
            computed.update({text_hash(t): v for t, v in zip(batch, vectors, strict=True)})
    finally:
        embedcache.add(name, computed)
    return computed


def build(sources: Sequence[SourceText], previous: PassageIndex | None = None,
          model: str | None = None) -> PassageIndex:
    """Passages of ``sources`` plus those of files in ``previous`` that are not among them.

    Vectors of texts already embedded by the same model, in ``previous`` or in the per-user
    cache (``embedcache``, one file per model), are reused; only new texts go through the model. When
    ``previous`` was built with another model, its kept passages are embedded again with this one, so
    one index never mixes the vectors of two models.
    """
    name = embedding.model_name(model)
    renewed = {s.name for s in sources}
    kept: list[PassageRecord] = []
    cache: dict[str, np.ndarray] = {}
    if previous is not None:
        same = previous.model == name
        for record, vector in zip(previous.passages, previous.vectors, strict=True):
            if same:
                cache.setdefault(record.key, vector)
            if record.document not in renewed:
                kept.append(record)
    fresh = [p for s in sources for p in split(s)]
    wanted = fresh + kept
    if any(p.key not in cache for p in wanted):
        disk = embedcache.read(name)
        cache.update({p.key: disk[p.key] for p in wanted if p.key not in cache and p.key in disk})
    reused = sum(1 for p in fresh if p.key in cache)
    missing = list(dict.fromkeys(p.text for p in wanted if p.key not in cache))
    if missing:
        cache.update(_embed(name, missing))
    # Sorted, so the artifact does not depend on the order in which files were ingested.
    records = sorted(kept + fresh, key=lambda r: (r.document, r.first, r.last))
    dim = next(iter(cache.values())).shape[0] if cache else 0
    matrix = np.zeros((len(records), dim), dtype=np.float16)
    for row, record in enumerate(records):
        matrix[row] = cache[record.key]
    return PassageIndex(name, records, matrix, embedded=len(missing), reused=reused,
                        stats={"kept": len(kept), "documents": sorted({r.document for r in records})})


def stored(store: EmbeddedStore) -> PassageIndex | None:
    """The index of the store's current generation (the embedding cache for the next ingest)."""
    meta = store.artifact(META)
    return load(meta.parent) if meta is not None else None
