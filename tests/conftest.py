from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from beleidsgraaf.ingest.pipeline import ingest
from beleidsgraaf.ontology.store import open_store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory):
    """The shared corpus ingested once per session into an Oxigraph store."""
    location = tmp_path_factory.mktemp("store") / "bg"
    store = open_store(str(location))
    report = ingest([CORPUS], store)
    return store, report, str(location)


@pytest.fixture
def corpus_copy(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
