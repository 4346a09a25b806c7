from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from beleidsgraaf.ingest.pipeline import ingest
from beleidsgraaf.ontology.store import open_store

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"


def _shared(name: str) -> Path:
    """A folder of the shared data: $BELEIDSGRAAF_SHARED, else shared/ beside the checkout or above it (CI lays a
    copy beside the clone)."""
    import os

    roots = [Path(os.environ["BELEIDSGRAAF_SHARED"])] if os.environ.get("BELEIDSGRAAF_SHARED") else []
    roots += [parent / "shared" for parent in ROOT.parents]
    return next((root / name for root in roots if (root / name).is_dir()), roots[0] / name if roots else ROOT / name)


EXTERN = _shared("corpus-extern")


@pytest.fixture(scope="session")
def corpus_store(tmp_path_factory):
    """The shared corpus ingested once per session into an Oxigraph store."""
    location = tmp_path_factory.mktemp("store") / "bg"
    store = open_store(str(location))
    report = ingest([CORPUS], store)
    return store, report, str(location)


@pytest.fixture(scope="session")
def budget_store(tmp_path_factory):
    """Another municipality's programme budget (a BBV PDF of corpus-extern) ingested once per session, alone."""
    pdf = EXTERN / "wassenaar-2024-programmabegroting.pdf"
    assert pdf.is_file(), f"corpus-extern is missing: {EXTERN}"
    store = open_store(str(tmp_path_factory.mktemp("budget") / "bg"))
    ingest([pdf], store)
    return store


@pytest.fixture(scope="session")
def mixed_store(tmp_path_factory, budget_store):
    """The corpus beside another municipality's budget in one store, as a user who adds their own documents has
    it (after ``budget_store``, so the budget's passages are embedded once)."""
    store = open_store(str(tmp_path_factory.mktemp("mixed") / "bg"))
    ingest([CORPUS, EXTERN / "wassenaar-2024-programmabegroting.pdf"], store)
    return store


@pytest.fixture
def corpus_copy(tmp_path):
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    return target
