"""Hybrid passage search: BM25 over Dutch-normalised tokens plus dense cosine, fused by reciprocal rank.

The passages and their embeddings are written by ingest (``beleidsgraaf.ingest.passages``); this
module only reads them, once per store generation, and embeds the question with the same model.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from beleidsgraaf.errors import InputError, NotFoundError
from beleidsgraaf.ingest import embedding
from beleidsgraaf.ingest import passages as passage_index
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.textkey import strip_marks

MODES = ("hybrid", "bm25", "dense")
MAX_QUERY_CHARS = 1000
MAX_K = 100
# Reciprocal rank fusion constant. Cormack et al. use 60; a small constant favours the top of each
# list, which measured MRR@10 0.83 against 0.76 at 60 on the query set (k 3-10 alike; see benchmarks).
RRF_K = 10
CANDIDATES = 100  # depth of each ranked list that enters the fusion
# A close spelling variant counts as the word itself: Sluitersveld and Sluiterseveld are one ward. (0.8 measured
# MRR@10 0.795 against 0.834 at 1.0 on the query set.)
VARIANT_WEIGHT = 1.0
# Dutch words that an English question's words stand for (glossary.yaml) count a little less than the
# question's own words: a glossary entry is a likely rendering, not the author's word.
GLOSSARY_WEIGHT = 0.8
GLOSSARY_FILE = Path(__file__).with_name("glossary.yaml")

# Function words (Dutch and English) carry no topic; dropping them keeps BM25 on the content words.
_STOPWORD_TEXT = """
aan al alle als bij dan dat de deze die dit door een en er haar het hij hoe hun ik in is je kan maar met na naar niet
nog of om onder ook op over te tot uit van voor wat we wel welk welke wie wij waar wanneer worden wordt zijn zij zo
a an and are as at be by do does for from has have how in is it of on or that the their this to was what when where
which who why will with
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Passage:
    document: str
    lines: tuple[int, int]
    text: str
    score: float

    def as_dict(self) -> dict:
        return {
            "document": self.document,
            "lines": [self.lines[0], self.lines[1]],
            "text": self.text,
            "score": round(float(self.score), 6),
        }


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import snowballstemmer

    return snowballstemmer.stemmer("dutch")


def tokenize(text: str) -> list[str]:
    """Lower case, accents stripped, stop words dropped, Dutch Snowball stems (wijkregisseurs -> wijkregisseur)."""
    folded = strip_marks(unicodedata.normalize("NFKD", text.lower()))
    return [_stem(w) for w in _WORD.findall(folded) if w not in STOPWORDS and (len(w) > 1 or w.isdigit())]


@lru_cache(maxsize=1)
def _glossary() -> tuple[re.Pattern[str], dict[str, list[str]]]:
    import yaml

    data = yaml.safe_load(GLOSSARY_FILE.read_text(encoding="utf-8"))
    entries = {str(k).lower(): [str(v) for v in vs] for k, vs in data.items()}
    keys = sorted(entries, key=len, reverse=True)  # longest first: "hours per week" before "hours"
    pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys) + r")s?\b", re.IGNORECASE)
    return pattern, entries


def translated(text: str, known: Collection[str] = ()) -> list[str]:
    """The Dutch words for the English glossary terms in ``text``, as search tokens. A term that is itself
    a word of the documents (``known``: "budget", "pilot") is left alone: it is Dutch as well."""
    pattern, entries = _glossary()
    tokens: list[str] = []
    for match in pattern.finditer(text):
        own = tokenize(match.group(0))
        if own and all(t in known for t in own):
            continue
        for word in entries[match.group(1).lower()]:
            tokens.extend(tokenize(word))
    return tokens


class SearchIndex:
    """One store generation's passages, BM25 index and embedding matrix, held in memory."""

    def __init__(self, index: passage_index.PassageIndex) -> None:
        import bm25s

        self.model = index.model
        self.passages = index.passages
        self.vectors = np.asarray(index.vectors, dtype=np.float32)
        self.bm25 = bm25s.BM25()
        corpus = [tokenize(p.text) or [""] for p in self.passages]
        if corpus:
            self.bm25.index(corpus, show_progress=False)
        # In how many passages each token occurs, counted here where every passage is tokenized anyway
        # (tokenizing them again on a first question took 2-8 s at 89,000 passages).
        self.spread = Counter(t for tokens in corpus for t in set(tokens) if t)
        self.vocabulary = [t for t in (self.bm25.vocab_dict if corpus else {}) if t]

    def expand(self, tokens: list[str], extra: list[str] | None = None) -> dict[str, float]:
        """Query terms with weights, plus close spelling variants found in the index vocabulary.

        Variants make "Sluitersveld" also find "Sluiterseveld" and repair typos such as
        "ossenkopelerhoek"; only long words are expanded, so short words do not drift.
        """
        from rapidfuzz import fuzz, process

        weights: dict[str, float] = {}
        for token in tokens:
            known = token in self.bm25.vocab_dict
            if known:
                weights[token] = max(weights.get(token, 0.0), 1.0)
            if len(token) < 7 or token.isdigit():
                continue
            cutoff = 90 if known else 85
            for variant, _score, _ in process.extract(token, self.vocabulary, scorer=fuzz.ratio, score_cutoff=cutoff, limit=3):
                if variant != token:
                    weight = VARIANT_WEIGHT if known else 1.0
                    weights[variant] = max(weights.get(variant, 0.0), weight)
        for token in extra or []:
            if token in self.bm25.vocab_dict:
                weights[token] = max(weights.get(token, 0.0), GLOSSARY_WEIGHT)
        return weights

    def bm25_scores(self, text: str) -> np.ndarray:
        scores = np.zeros(len(self.passages), dtype=np.float32)
        for term, weight in self.expand(tokenize(text), translated(text, self.bm25.vocab_dict)).items():
            scores += weight * np.asarray(self.bm25.get_scores([term]), dtype=np.float32)
        return scores

    def dense_scores(self, text: str) -> np.ndarray:
        return self.vectors @ query_vector(self.model, text)

    def rank(self, text: str, mode: str) -> list[tuple[int, float]]:
        """(passage row, score) best first; scores are BM25, cosine, or fused reciprocal rank."""
        if not self.passages:
            return []
        if mode == "bm25":
            return _top(self.bm25_scores(text), positive=True)
        if mode == "dense":
            return _top(self.dense_scores(text))
        fused: dict[int, float] = {}
        for ranked in (_top(self.bm25_scores(text), positive=True), _top(self.dense_scores(text))):
            for rank, (row, _score) in enumerate(ranked, start=1):
                fused[row] = fused.get(row, 0.0) + 1.0 / (RRF_K + rank)
        return sorted(fused.items(), key=lambda item: (-item[1], item[0]))

    def search(self, text: str, k: int = 10, mode: str = "hybrid") -> list[Passage]:
        results: list[Passage] = []
        chosen: list[passage_index.PassageRecord] = []
        for row, score in self.rank(text, mode):
            record = self.passages[row]
            if _overlaps(record, chosen):
                continue
            chosen.append(record)
            results.append(Passage(record.document, (record.first, record.last), record.text, score))
            if len(results) == k:
                break
        return results


@lru_cache(maxsize=256)
def query_vector(model: str, text: str) -> np.ndarray:
    """The embedding of a question, computed once: ``ask`` routes the question with the same vector it searches
    with (``intents.rank``), and a scoped search repeats the question."""
    vector = embedding.for_questions(model).query(text)
    vector.flags.writeable = False  # shared by every caller of the cache
    return vector


def clean(text: str) -> str:
    """A question or search text with its whitespace normalised, as it is searched and embedded."""
    return " ".join((text or "").split())


def _top(scores: np.ndarray, positive: bool = False, depth: int = CANDIDATES) -> list[tuple[int, float]]:
    order = np.argsort(-scores, kind="stable")[:depth]
    return [(int(i), float(scores[i])) for i in order if not positive or scores[i] > 0]


_CACHE: dict[tuple[str, float], SearchIndex] = {}
_LOCK = threading.Lock()  # the HTTP app searches from worker threads


def index_for(store: EmbeddedStore) -> SearchIndex:
    """The search index of the store's current generation (loaded once per generation and process)."""
    current = store.current
    if current is None:
        raise NotFoundError(f"the store at {store.location.path} is empty", hint="run `beleidsgraaf ingest corpus/` first")
    meta = store.artifact(passage_index.META)
    key = (str(current), meta.stat().st_mtime if meta else 0.0)
    with _LOCK:
        return _CACHE[key] if key in _CACHE else _load_index(key, meta)


def _load_index(key: tuple[str, float], meta: Path | None) -> SearchIndex:
    loaded = passage_index.load(meta.parent if meta else None)
    if loaded is None:
        raise NotFoundError("the store has no search index", hint="ingest again with this version: `beleidsgraaf ingest corpus/`")
    _CACHE.clear()  # one generation at a time: an old index is never consulted again
    _CACHE[key] = SearchIndex(loaded)
    return _CACHE[key]


def _overlaps(a: passage_index.PassageRecord, chosen: list[passage_index.PassageRecord]) -> bool:
    """Windows overlap by design; a result that mostly repeats a better one adds nothing."""
    for b in chosen:
        if a.document == b.document:
            shared = min(a.last, b.last) - max(a.first, b.first) + 1
            if shared > 0 and shared * 2 > min(a.last - a.first, b.last - b.first) + 1:
                return True
    return False


def check_query(text: str, k: int, mode: str) -> str:
    cleaned = clean(text)
    if not cleaned:
        raise InputError("the search text is empty", hint='e.g. beleidsgraaf search "budget wijkregisseurs"')
    if len(cleaned) > MAX_QUERY_CHARS:
        raise InputError(
            f"the search text is {len(cleaned)} characters long; at most {MAX_QUERY_CHARS} are allowed",
            hint="search with a question or a few key words, not a whole document",
        )
    if mode not in MODES:
        raise InputError(f"unknown search mode '{mode}'", hint=f"use one of {', '.join(MODES)}")
    if not 1 <= k <= MAX_K:
        raise InputError(f"k must be between 1 and {MAX_K}, not {k}")
    return cleaned


def search(store: EmbeddedStore, text: str, k: int = 10, mode: str = "hybrid") -> list[Passage]:
    """The k best passages for ``text``: document (file name), line span, text and score, best first."""
    cleaned = check_query(text, k, mode)
    return index_for(store).search(cleaned, k, mode)
