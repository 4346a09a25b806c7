"""Findings: what the shapes report, in words a policy adviser reads, with document and line span.

``validate(store)`` runs every shape (see engine.py) plus the name-variant check and returns
Finding objects sorted by document and line. A finding's lines are the focus resource's own citation
(extraction before curation), unless the constraint names the lines itself (?firstLine / ?lastLine).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib.term import Node, URIRef

from beleidsgraaf.errors import BeleidsgraafError
from beleidsgraaf.shapes import engine, variants

HERE = Path(__file__).resolve().parent
LEVELS = ("info", "warning", "violation")
HIDDEN = {"firstLine", "lastLine", "label"}  # steer the finding; not shown as values
LABEL_NL = {"violation": "Fout", "warning": "Let op", "info": "Opmerking"}
EXTRACTION = "https://w3id.org/beleidsgraaf/def#extractie"


@dataclass(frozen=True)
class Finding:
    severity: str
    message_nl: str
    message_en: str
    focus: str
    label: str
    document: str | None
    lines: tuple[int, int] | None
    shape: str
    values: dict[str, Any] = field(default_factory=dict)
    document_title: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "severity": self.severity, "message_nl": self.message_nl, "message_en": self.message_en,
            "focus": self.focus, "label": self.label, "document": self.document, "document_title": self.document_title,
            "lines": list(self.lines) if self.lines else None, "shape": self.shape, "values": self.values,
        }


@dataclass(frozen=True)
class Source:
    label: str
    file: str | None
    title: str | None
    lines: tuple[int, int]


def rank(severity: str) -> int:
    if severity not in LEVELS:
        raise BeleidsgraafError(f"unknown severity '{severity}'", hint="use info, warning or violation")
    return LEVELS.index(severity)


BATCH = 1000  # resources per VALUES block when reading their labels and citations


def _sources(store: Any, head: str, foci: set[Node]) -> dict[str, Source]:
    """The citation to show for each resource in ``foci``: an extracted one before a curated one, then the earliest.

    Only the resources that have findings are read, a batch at a time: every citation and label in the store
    is some 400k rows at a million triples, and reading them took most of validate's time there."""
    def rows(name: str, batch: list[Node] | None = None) -> Any:
        text = head + (HERE / "queries" / name).read_text(encoding="utf-8")
        return store.query(text, {"x": batch} if batch is not None else None)

    documents = {str(r.doc): (str(r.file), str(r.title) if r.title else None) for r in rows("documents.rq")}
    ordered = sorted(foci, key=str)
    batches = [ordered[at:at + BATCH] for at in range(0, len(ordered), BATCH)]
    labels: dict[str, str] = {}
    for batch in batches:
        for r in rows("labels.rq", batch):
            labels.setdefault(str(r.x), str(r.label))
    best: dict[str, tuple[tuple[Any, ...], Source]] = {}
    for row in (row for batch in batches for row in rows("sources.rq", batch)):
        file, title = documents.get(str(row.doc), (None, None))
        key = (str(row.method) != EXTRACTION, file or "", int(row.first), int(row.last))
        focus = str(row.x)
        if focus not in best or key < best[focus][0]:
            best[focus] = (key, Source(labels.get(focus, ""), file, title, (int(row.first), int(row.last))))
    return {focus: source for focus, (_, source) in best.items()}


def _label(store: Any, head: str, focus: Node) -> str:
    rows = list(store.query(head + (HERE / "queries" / "label.rq").read_text(encoding="utf-8"), {"x": focus}))
    return str(rows[0][0]) if rows else engine.spoken(focus)


def _finding(hit: engine.Hit, sources: dict[str, Source], store: Any, head: str) -> Finding:
    check, values = hit.constraint, hit.values
    source = sources.get(str(hit.focus))
    label = str(values["label"]) if "label" in values else (source.label if source and source.label else "")
    lines = source.lines if source else None
    if "firstLine" in values and "lastLine" in values:
        lines = (int(values["firstLine"].toPython()), int(values["lastLine"].toPython()))  # type: ignore[union-attr]
    if not label:
        label = _label(store, head, hit.focus)
    shown = {name: engine.plain(value) for name, value in values.items() if name not in HIDDEN}
    return Finding(check.severity, engine.fill(check.message_nl, values), engine.fill(check.message_en, values),
                   str(hit.focus), label, source.file if source else None, lines, check.id, shown,
                   source.title if source else None)


def _variant_findings(entries: list[dict[str, Any]], sources: dict[str, Source]) -> list[Finding]:
    found = []
    for entry in entries:
        names = list(entry["spellings"])
        others = ", ".join(f"'{n}'" for n in names[1:])
        kind_nl, kind_en = ("Gebied", "Area") if entry["kind"] == "ward" else ("Persoon", "Person")
        source = sources.get(entry["focus"])
        found.append(Finding(
            "info", f"{kind_nl} '{names[0]}' wordt ook geschreven als {others}",
            f"{kind_en} '{names[0]}' is also written as {others}", entry["focus"], entry["label"],
            source.file if source else None, source.lines if source else None, f"NameVariants/{entry['kind']}",
            {"spellings": entry["spellings"]}, source.title if source else None))
    return found


def validate(store: Any, min_severity: str = "info") -> list[Finding]:
    """Every finding at or above ``min_severity`` ("info" | "warning" | "violation")."""
    floor = rank(min_severity)
    if hasattr(store, "exists") and not store.exists():
        raise BeleidsgraafError("the store is empty", hint="run 'beleidsgraaf ingest corpus/' first")
    head = engine.prologue(engine.shapes_graph())
    checks = [c for c in engine.constraints() if rank(c.severity) >= floor]
    hits = list(engine.run(store, checks))
    entries = variants.ward_variants(store, head) + variants.person_variants(store, head) if floor == 0 else []
    sources = _sources(store, head, {hit.focus for hit in hits} | {URIRef(entry["focus"]) for entry in entries})
    found = [_finding(hit, sources, store, head) for hit in hits]
    found += _variant_findings(entries, sources)
    return sorted(found, key=lambda f: (f.document or "~", f.lines or (0, 0), -rank(f.severity), f.shape, f.focus))


def check_names() -> dict[str, tuple[str, str]]:
    """Each check's name for people (Dutch, English): its message with the values left out, since the
    check ids ("InspanningShape/draagtBijAan/minCount") are internal."""
    names = {c.id: (_unfilled(c.message_nl), _unfilled(c.message_en)) for c in engine.constraints()}
    names["NameVariants/ward"] = ("Gebied met andere schrijfwijzen", "Area written in other ways")
    names["NameVariants/person"] = ("Persoon met andere schrijfwijzen", "Person written in other ways")
    return names


def _unfilled(message: str) -> str:
    return engine.PLACEHOLDER.sub("…", message)


def summary(found: list[Finding]) -> dict[str, int]:
    return {level: sum(1 for f in found if f.severity == level) for level in reversed(LEVELS)}


def timed(store: Any, min_severity: str = "info") -> tuple[list[Finding], float]:
    started = time.perf_counter()
    found = validate(store, min_severity)
    return found, time.perf_counter() - started
