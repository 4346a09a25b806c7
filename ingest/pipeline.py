"""ingest(paths, store) -> IngestReport. Reads everything first, writes once, atomically.

An ingest of exactly the inputs that built the current generation (see ``fingerprint``) changes
nothing and returns at once, unless forced.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import URIRef
from rdflib.namespace import RDF, SKOS

from beleidsgraaf.errors import InputError
from beleidsgraaf.ingest import embedding, fingerprint, identity, passages, readers
from beleidsgraaf.ingest.curated import build_overlay
from beleidsgraaf.ingest.extract import programme_names, ward_lists
from beleidsgraaf.ingest.gazetteer import Gazetteer
from beleidsgraaf.ingest.parts import extract_part
from beleidsgraaf.ingest.records import Extraction
from beleidsgraaf.ingest.segment import FilePlan, plan_file
from beleidsgraaf.ingest.text import norm
from beleidsgraaf.ingest.to_rdf import GraphBuilder, document_iri
from beleidsgraaf.ontology.model import ontology_graph
from beleidsgraaf.ontology.namespaces import BG, ONTOLOGY_GRAPH, curated_graph, extracted_graph
from beleidsgraaf.ontology.store import EmbeddedStore, GraphData, ntriples

Progress = Callable[[str, int, int], None]


@dataclass
class DocumentSummary:
    file: str
    title: str
    lines: tuple[int, int]
    goals: dict[str, int]
    efforts: int
    actors: int
    wards: int
    budgets: int


@dataclass
class IngestReport:
    files: list[str] = field(default_factory=list)
    documents: list[DocumentSummary] = field(default_factory=list)
    triples: int = 0
    curated_links: int = 0
    store: str = ""
    passages: int = 0  # search passages in the store after this ingest
    embedded: int = 0  # passage texts run through the embedding model (unchanged texts reuse stored vectors)
    unchanged: bool = False  # the store already held the graph of exactly these inputs; nothing was written

    @classmethod
    def restore(cls, data: dict) -> IngestReport:
        """The report stored with a generation (``fingerprint.artifact``), as an unchanged re-ingest returns it."""
        documents = [DocumentSummary(**{**d, "lines": tuple(d["lines"])}) for d in data.get("documents", [])]
        fields = {k: data[k] for k in ("files", "triples", "curated_links", "store", "passages") if k in data}
        return cls(**fields, documents=documents, embedded=0, unchanged=True)


def collect(paths: Iterable[Path]) -> list[Path]:
    """Files named, and supported files in folders named (recursively, symlink loops cut).

    Special files (FIFOs, devices, sockets) and files over the size limit are refused here, before
    the fingerprint opens every file; hidden files in folders are skipped, and a note says which.
    """
    found: list[Path] = []
    hidden: list[Path] = []
    seen_dirs: set[str] = set()
    for path in paths:
        if not path.exists():
            raise InputError(f"{path}: does not exist")
        if not path.is_dir():
            readers.check_file(path)
            found.append(path)
            continue
        for root, dirs, files in os.walk(path, followlinks=True):
            real = os.path.realpath(root)
            if real in seen_dirs:
                dirs[:] = []
                continue
            seen_dirs.add(real)
            dirs.sort()
            for name in sorted(files):
                candidate = Path(root) / name
                if not readers.supported(candidate):
                    continue
                if name.startswith("."):
                    hidden.append(candidate)
                    continue
                readers.check_file(candidate)
                found.append(candidate)
    readers.note_hidden(hidden)
    unique: dict[str, Path] = {}
    for path in found:
        unique.setdefault(os.path.realpath(path), path)
    if not unique:
        raise InputError("no supported files found", hint=f"supported: {', '.join(readers.READERS)}")
    return list(unique.values())


def _extract_file(plan: FilePlan, gazetteers: dict[str, Gazetteer], programmes: set[str]) -> list[Extraction]:
    out = []
    for part in plan.parts:
        gazetteer = gazetteers.setdefault(norm(part.document.municipality or ""), Gazetteer())
        out.append(extract_part(plan, part, gazetteer.lookup(), programmes))
    return out


def _existing_wards(store: EmbeddedStore, rereading: set[str]) -> list[tuple[str, str, str | None]]:
    """Wards already in the store from files not re-ingested now (the files re-read bring their own again)."""
    if not store.exists():
        return []
    rows = store.query(_query("listed-wards"))
    return list(dict.fromkeys((str(r[0]), str(r[1]).lower(), str(r[2])) for r in rows if str(r[3]) not in rereading))


def _unchanged(store: EmbeddedStore, files: list[Path], curated_dir: Path | None) -> tuple[str | None, IngestReport | None]:
    """The fingerprint of this ingest, and the stored report when the store was built from exactly these inputs."""
    if getattr(store.location, "backend", None) not in ("oxigraph", "memory"):
        return None, None  # a server's graphs may change behind this machine's back: always rebuild
    key = fingerprint.compute(files, curated_dir, embedding.model_name())
    stored = fingerprint.stored_report(store.artifact(fingerprint.ARTIFACT), key) if key else None
    if stored is None:
        return key, None
    report = IngestReport.restore(stored)
    report.store = str(store.location)
    return key, report


def ingest(paths: Iterable[Path], store: EmbeddedStore, progress: Progress | None = None,
           curated_dir: Path | None = None, force: bool = False,
           waiting: Callable[[str], None] | None = None) -> IngestReport:
    """Ingest ``paths`` (files and folders) into ``store``; ``force`` rebuilds even when nothing changed.

    The whole ingest holds the store's writer lock: what it reads from the store (the fingerprint,
    kept graphs, stored passages, known wards) is what its new generation is built on, so a second
    ingest waits (``waiting`` says so) instead of losing the first one's graph.
    """
    files = collect(list(paths))
    with store.writing(waiting):
        key, previous = _unchanged(store, files, curated_dir)
        if previous is not None and not force:
            return previous
        tick = progress or (lambda *_: None)
        sources = []
        for index, path in enumerate(files, start=1):
            tick(f"lezen {path.name}", index, len(files))
            sources.append(readers.read(path))
        names = [s.name for s in sources]
        duplicates = {n for n in names if names.count(n) > 1}
        if duplicates:
            raise InputError(f"two files share the name {sorted(duplicates)[0]}; citations need unique file names")
        identity.check_unique(names, _stored_files(store))
        report, generation = _build(sources, store, tick, curated_dir)
        if key is not None:
            # Added after the switch because it holds the final counts; a crash before this line only
            # means the next ingest of the same inputs rebuilds.
            store.add_artifact(generation, fingerprint.ARTIFACT, fingerprint.artifact(key, report))
    return report


def _stored_files(store: EmbeddedStore) -> list[str]:
    if not store.exists():
        return []
    return [str(row[0]) for row in store.query(_query("stored-files"))]


def _query(name: str) -> str:
    return (Path(__file__).with_name("queries") / f"{name}.rq").read_text(encoding="utf-8")


def _build(sources: list[readers.SourceText], store: EmbeddedStore, tick: Progress,
           curated_dir: Path | None) -> tuple[IngestReport, Path]:
    # Pass 1: ward lists and programme names across all files build the shared gazetteer.
    gazetteers: dict[str, Gazetteer] = {}
    programmes: set[str] = set()
    plans: list[FilePlan] = []
    for source in sources:
        plan = plan_file(source)
        plans.append(plan)
        for part in plan.parts:
            gazetteers.setdefault(norm(part.document.municipality or ""), Gazetteer()).add_listed(
                ward_lists(source, part.segment, plan.profile))
            if part.document.programme:
                programmes.add(part.document.programme)
        programmes |= {p for p in programme_names(list(source.lines)) if len(p.split()) <= 4}
    for label, kind, town in _existing_wards(store, {s.name for s in sources}):
        from beleidsgraaf.ingest.records import Evidence, WardRecord

        gazetteers.setdefault(norm(town), Gazetteer()).add_listed([WardRecord(label, kind, Evidence(1, 1, ""))])
    for plan in plans:
        for part in plan.parts:
            doc = part.document
            gazetteer = gazetteers.get(norm(doc.municipality or ""))
            if gazetteer:
                gazetteer.learn_variants((n, plan.source.line(n)) for n in range(doc.first, doc.last + 1))

    # Pass 2: extraction and graphs per file.
    report = IngestReport(store=str(store.location))
    graphs: dict[URIRef, GraphData] = {}
    for index, plan in enumerate(plans, start=1):
        source = plan.source
        tick(f"extraheren {source.name}", index, len(sources))
        file_slug = identity.file_key(source.name)
        extractions = _extract_file(plan, gazetteers, programmes)
        builder = GraphBuilder(source, file_slug)
        for ex in extractions:
            builder.extraction(ex, gazetteers.get(norm(ex.document.municipality or ""), Gazetteer()))
            report.documents.append(_summary(source.name, ex))
        documents = {ex.document.key: document_iri(file_slug, ex.document.key) for ex in extractions}
        overlay = build_overlay(source, file_slug, builder.graph, documents, curated_dir)
        # Held serialised until the write (``store.GraphData``): memory grows by bytes per file, not rdflib graphs.
        graphs[URIRef(extracted_graph(file_slug))] = ntriples(builder.graph)
        if overlay is not None:
            graphs[URIRef(curated_graph(file_slug))] = ntriples(overlay)
            report.curated_links += sum(1 for _ in overlay.subjects(RDF.type, BG.Bijdrage))
        report.files.append(source.name)
    graphs[ONTOLOGY_GRAPH] = ontology_graph()
    tick("opslaan", len(sources), len(sources))
    stale_curated = [URIRef(curated_graph(identity.file_key(s.name))) for s in sources]
    # The search index switches with the graph; files not re-ingested now keep their passages.
    tick("zoekindex", len(sources), len(sources))
    index = passages.build(sources, passages.stored(store))
    report.passages, report.embedded = len(index.passages), index.embedded
    generation = store.replace_graphs(graphs, drop=[g for g in stale_curated if g not in graphs], artifacts=index.artifacts())
    report.triples = store.triple_count()
    return report, generation


def _summary(file_name: str, ex: Extraction) -> DocumentSummary:
    levels: dict[str, int] = {}
    for goal in ex.goals:
        levels[goal.level] = levels.get(goal.level, 0) + 1
    return DocumentSummary(
        file=file_name, title=ex.document.title, lines=(ex.document.first, ex.document.last), goals=levels,
        efforts=len(ex.efforts), actors=len(ex.actors), wards=len(ex.wards), budgets=len(ex.budgets),
    )


__all__ = ["IngestReport", "ingest", "collect", "SKOS"]
