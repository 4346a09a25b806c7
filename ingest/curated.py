"""Curated overlay: DIN links a person read from the source lines where the PDF flattened the diagram.

Files: ``curated/<file stem>__<document>.yaml`` beside the documents (or in the folder given by
``--curated``) with ``links: [{from, from_level, to, to_level, lines: [a, b], quote, why}]``. They are
data about one document, so they live with it, not in the package. Labels are resolved against the
extracted graph of the same file; a label that is not there becomes a curated node of the stated level. Everything lands in the
file's own curated named graph, so extracted and curated facts stay apart.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from rapidfuzz import fuzz
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from beleidsgraaf.errors import InputError
from beleidsgraaf.ingest.readers import SourceText
from beleidsgraaf.ingest.records import Evidence
from beleidsgraaf.ingest.text import norm, quote, slugify
from beleidsgraaf.ingest.to_rdf import EFFORT_CLASS, GOAL_CLASS, GraphBuilder
from beleidsgraaf.ontology.namespaces import BG, ID
from beleidsgraaf.textkey import NUMBERED

FOLDER = "curated"
LEVEL_CLASS = {**GOAL_CLASS, **EFFORT_CLASS}


def folder_for(source_path: Path, directory: Path | None = None) -> Path:
    """Where a file's overlays are: the folder given, else ``curated/`` beside the file."""
    return directory if directory is not None else source_path.parent / FOLDER


def overlay_files(source_name: str, directory: Path) -> list[Path]:
    stem = Path(source_name).stem
    return sorted(directory.glob(f"{stem}__*.yaml")) + sorted(directory.glob(f"{stem}.yaml"))


def _index(extracted: Graph) -> list[tuple[str, URIRef, URIRef]]:
    rows = []
    for cls in LEVEL_CLASS.values():
        for subject in extracted.subjects(RDF.type, cls):
            label = extracted.value(subject, RDFS.label)
            doc = extracted.value(subject, URIRef("http://www.w3.org/ns/prov#wasDerivedFrom"))
            if label is not None and isinstance(subject, URIRef) and isinstance(doc, URIRef):
                rows.append((norm(str(label)), subject, doc))
                # "Programmalijn 1: Integrale preventie" in a DIN list is "Integrale preventie" in the section text.
                if bare := NUMBERED.sub("", str(label)):
                    rows.append((norm(bare), subject, doc))
    return rows


def _resolve(label: str, level: str, index: list[tuple[str, URIRef, URIRef]], extracted: Graph) -> URIRef | None:
    key = norm(label)
    wanted = LEVEL_CLASS.get(level)
    best: tuple[float, URIRef | None] = (0.0, None)
    for candidate, subject, _ in index:
        score = 100.0 if candidate == key else fuzz.ratio(candidate, key)
        if wanted is not None and (subject, RDF.type, wanted) in extracted:
            score += 1
        if score > best[0]:
            best = (score, subject)
    return best[1] if best[0] >= 92 else None


def build_overlay(source: SourceText, file_slug: str, extracted: Graph, documents: dict[str, URIRef],
                  directory: Path | None = None) -> Graph | None:
    files = overlay_files(source.name, folder_for(source.path, directory))
    if not files:
        return None
    builder = GraphBuilder(source, file_slug)
    index = _index(extracted)
    for path in files:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"{path.name}: invalid YAML in curated overlay ({exc})") from exc
        doc_key = path.stem.split("__", 1)[1] if "__" in path.stem else "document"
        doc = documents.get(doc_key) or (next(iter(documents.values())) if len(documents) == 1 else None)
        if doc is None:
            raise InputError(f"{path.name}: no document '{doc_key}' in {source.name}",
                             hint=f"known documents: {', '.join(sorted(documents))}")
        for number, link in enumerate(data.get("links") or [], start=1):
            lines = link.get("lines") or []
            valid = len(lines) == 2 and all(isinstance(n, int) for n in lines)
            if not valid or not 1 <= lines[0] <= lines[1] <= len(source.lines):
                raise InputError(f"{path.name}: link {number} has no valid source lines [first, last]")
            evidence = Evidence(lines[0], lines[1], link.get("quote") or quote(source.span(*lines)))
            ends = []
            for side in ("from", "to"):
                label, level = str(link[side]), str(link.get(f"{side}_level", "doel"))
                iri = _resolve(label, level, index, extracted)
                if iri is None:
                    iri = ID[f"curated/{file_slug}/{doc_key}/{level}-{slugify(label, 50)}"]
                    builder.labelled(iri, LEVEL_CLASS.get(level, BG.Beleidsdoel), label, doc, evidence)
                    # Part of the same DIN as the extracted elements: the programme the document is about, or itself.
                    builder.graph.add((iri, BG.onderdeelVan, extracted.value(doc, BG.betreftProgramma) or doc))
                    if level in EFFORT_CLASS:
                        # A curated effort names no ward; its scope is stated as unknown, not left out.
                        builder.graph.add((iri, BG.heeftWijkbereik, BG.onbekend))
                ends.append(iri)
            node = builder.contribution(ends[0], ends[1], doc, evidence, method=BG.curatie)
            if link.get("why"):
                builder.graph.add((node, RDFS.comment, Literal(str(link["why"]), lang="en")))
    return builder.graph
