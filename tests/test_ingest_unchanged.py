"""Re-ingesting exactly the inputs that built the store changes nothing and does no work; any changed
input (a file, the manifest, a curated overlay, the code) rebuilds; --force rebuilds anyway; an
interrupted embedding keeps its work."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from beleidsgraaf.api import service
from beleidsgraaf.ingest import embedcache, embedding, fingerprint, passages
from beleidsgraaf.ingest.pipeline import ingest
from beleidsgraaf.ontology.store import open_store
from tests.conftest import CORPUS

SMALL = "almelo-2020-contract-wijksturing.txt"
ADDED = "\nDe wijkraad van Hofkamp vraagt om extra bankjes in het park bij de vijver.\n"


@pytest.fixture
def small(tmp_path) -> Path:
    """A folder with one corpus file and the manifest, so a rebuild takes a second or two."""
    folder = tmp_path / "docs"
    folder.mkdir()
    shutil.copy(CORPUS / SMALL, folder / SMALL)
    shutil.copy(CORPUS / "MANIFEST.tsv", folder / "MANIFEST.tsv")
    return folder


def cli(*args: str, store: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "COLUMNS": "250", "BELEIDSGRAAF_LANG": "nl", **(env or {})}  # the Dutch wording below
    return subprocess.run([sys.executable, "-m", "beleidsgraaf", *args, "--store", str(store)],
                          capture_output=True, text=True, timeout=300, env=full)


def test_unchanged_reingest_writes_nothing_and_reports_the_stored_counts(small, tmp_path):
    location = str(tmp_path / "store")
    store = open_store(location)
    first = ingest([small], store)
    generation, before = store.current, service.export(location, "nq")
    assert not first.unchanged and first.triples > 1000 and first.passages > 100

    again = ingest([small], open_store(location))
    assert again.unchanged and again.embedded == 0
    assert (again.files, again.triples, again.passages, again.curated_links) == \
        (first.files, first.triples, first.passages, first.curated_links)
    assert again.documents == first.documents  # the CLI table can still be drawn from it
    assert open_store(location).current == generation  # no new generation was written
    assert service.export(location, "nq") == before

    # The same file by another path (here: named directly, not through its folder) is the same input.
    assert ingest([small / SMALL], open_store(location)).unchanged


def test_a_changed_file_rebuilds_and_force_rebuilds_the_same_graph(small, tmp_path, monkeypatch):
    location = str(tmp_path / "store")
    ingest([small], open_store(location))
    before = service.export(location, "nq")

    with (small / SMALL).open("a", encoding="utf-8") as handle:
        handle.write(ADDED + f"Kenmerk {uuid.uuid4().hex}.\n")  # a text no cache can hold yet
    changed = ingest([small], open_store(location))
    assert not changed.unchanged
    assert "bankjes in het park" in open_store(location).artifact(passages.PASSAGES).read_text(encoding="utf-8")
    assert 0 < changed.embedded <= 2  # only the new paragraph went through the model
    after = service.export(location, "nq")
    assert after != before

    monkeypatch.setenv(embedcache.ENV_CACHE, "off")  # so the vectors can only come from the stored index
    forced = ingest([small], open_store(location), force=True)
    assert not forced.unchanged and forced.embedded == 0
    assert service.export(location, "nq") == after  # a rebuild of the same inputs is the same graph
    assert ingest([small], open_store(location)).unchanged


def test_manifest_and_curated_overlays_are_inputs(small, tmp_path):
    location = str(tmp_path / "store")
    curated = tmp_path / "curated"
    shutil.copytree(CORPUS / "curated", curated)
    assert not ingest([small], open_store(location), curated_dir=curated).unchanged
    assert ingest([small], open_store(location), curated_dir=curated).unchanged

    manifest = small / "MANIFEST.tsv"
    manifest.write_text(manifest.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert not ingest([small], open_store(location), curated_dir=curated).unchanged

    overlay = sorted(curated.glob("almelo-2020-contract-wijksturing__*.yaml"))[0]
    overlay.write_text(overlay.read_text(encoding="utf-8") + "\n# reviewed again\n", encoding="utf-8")
    assert not ingest([small], open_store(location), curated_dir=curated).unchanged
    assert ingest([small], open_store(location), curated_dir=curated).unchanged


def test_the_fingerprint_covers_code_files_and_their_order(small, tmp_path, monkeypatch):
    files = [small / SMALL]
    key = fingerprint.compute(files, None, "m")
    assert key == fingerprint.compute(files, None, "m") and key != fingerprint.compute(files, None, "other-model")
    other = small / "notitie.txt"
    other.write_text("Notitie\n\nDe wijkraad vraagt om bankjes.\n", encoding="utf-8")
    assert fingerprint.compute([*files, other], None, "m") != fingerprint.compute([other, *files], None, "m")

    code = tmp_path / "code"
    (code / "__pycache__").mkdir(parents=True)
    (code / "rules.py").write_text("X = 1\n", encoding="utf-8")
    monkeypatch.setattr(fingerprint, "_PACKAGES", (code,))
    key = fingerprint.compute(files, None, "m")
    (code / "__pycache__" / "rules.cpython-311.pyc").write_bytes(b"\x00")
    assert fingerprint.compute(files, None, "m") == key  # byte code is not an input
    (code / "rules.py").write_text("X = 2\n", encoding="utf-8")
    assert fingerprint.compute(files, None, "m") != key
    other.unlink()
    assert fingerprint.compute([other], None, "m") is None  # unreadable: the ingest runs and says why


def test_cli_says_unchanged_and_force_rebuilds(small, tmp_path):
    store = tmp_path / "store"
    first = cli("ingest", str(small), store=store)
    assert first.returncode == 0, first.stderr
    assert "ongewijzigd" not in first.stdout and "Contract Wijksturing" in first.stdout
    again = cli("ingest", str(small), store=store)
    assert again.returncode == 0, again.stderr
    assert "ongewijzigd, 1 bestand," in again.stdout and "--force" in again.stdout
    forced = cli("ingest", str(small), "--force", store=store)
    assert forced.returncode == 0, forced.stderr
    assert "ongewijzigd" not in forced.stdout and "Contract Wijksturing" in forced.stdout


def test_a_remote_store_always_rebuilds(small, tmp_path):
    from tests.test_remote_store import Server

    server = Server(tmp_path / "server")
    try:
        for _ in range(2):
            result = cli("ingest", str(small), store=tmp_path / "artifacts", env=server.env)
            assert result.returncode == 0, result.stderr
            assert "ongewijzigd" not in result.stdout and f"sparql:{server.base}/query" in result.stdout
    finally:
        server.stop()


def test_an_interrupted_embedding_keeps_what_it_computed(small, tmp_path, monkeypatch):
    monkeypatch.setenv(embedcache.ENV_CACHE, str(tmp_path / "cache"))  # empty: every passage needs the model
    real = embedding.load()
    calls: list[int] = []

    class Interrupted:
        name, dim = real.name, real.dim

        def passages(self, texts: list[str]) -> object:
            calls.append(len(texts))
            if len(calls) == 2:
                raise KeyboardInterrupt  # Ctrl-C during the second batch
            return real.passages(texts)

    monkeypatch.setattr(embedding, "load", lambda _name=None: Interrupted())
    location = str(tmp_path / "store")
    with pytest.raises(KeyboardInterrupt):
        ingest([small], open_store(location))
    assert not open_store(location).exists()
    assert len(embedcache.read(real.name)) == calls[0] == embedding.BATCH  # the first batch is kept

    monkeypatch.setattr(embedding, "load", lambda _name=None: real)
    report = ingest([small], open_store(location))
    assert report.embedded == report.passages - embedding.BATCH  # the retry starts where it stopped
