"""Name variants: one ward or person written several ways, reported once with every spelling and its lines.

Wards carry their spellings as skos:altLabel (the gazetteer merged them); the lines of each spelling
come from the passage index written at ingest (artifact passages.jsonl) where it exists. Persons are
separate resources per spelling ('E. van Mierlo', 'Eugène van Mierlo'): they are grouped here when the
surnames match (rapidfuzz, to survive OCR slips) and the first names or initials agree.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

HERE = Path(__file__).resolve().parent
PARTICLES = {"van", "de", "der", "den", "ter", "te", "het", "la", "le"}
MAX_LINES = 8  # per spelling: enough to find them, not a concordance


def _query(name: str) -> str:
    return (HERE / "queries" / name).read_text(encoding="utf-8")


def _passages(store: Any) -> list[dict[str, Any]]:
    path = store.artifact("passages.jsonl") if hasattr(store, "artifact") else None
    if path is None:
        return []
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _where_all(spellings: set[str], passages: list[dict[str, Any]]) -> dict[str, list[list[Any]]]:
    """For every spelling, the passages that hold it as a whole word (the first MAX_LINES). One pass over the passages
    for all spellings: a pass per spelling took 163 s at 1 M triples (220 wards, 89k passages)."""
    hits: dict[str, list[list[Any]]] = {name: [] for name in spellings}
    if not spellings:
        return hits
    starts = re.compile(r"(?<![\w-])(?=" + "|".join(re.escape(n) for n in sorted(spellings, key=len, reverse=True)) + ")")
    by_first: dict[str, list[str]] = {}
    for name in spellings:
        by_first.setdefault(name[:1], []).append(name)
    for passage in passages:
        text = passage["text"]
        seen: set[str] = set()
        for match in starts.finditer(text):
            at = match.start()
            for name in by_first.get(text[at], []):
                end = at + len(name)
                if name not in seen and text.startswith(name, at) and not re.match(r"[\w-]", text[end:end + 1]):
                    seen.add(name)
        for name in seen:
            if len(hits[name]) < MAX_LINES:
                hits[name].append([passage["document"], *passage["lines"]])
    return hits


def ward_variants(store: Any, head: str) -> list[dict[str, Any]]:
    spellings: dict[str, dict[str, Any]] = {}
    for row in store.query(head + _query("ward_variants.rq")):
        entry = spellings.setdefault(str(row.ward), {"focus": str(row.ward), "label": str(row.pref), "spellings": set()})
        entry["spellings"].update({str(row.pref), str(row.alt)})
    passages = _passages(store)
    everywhere = _where_all({name for entry in spellings.values() for name in entry["spellings"]}, passages)
    found = []
    for entry in spellings.values():
        names = sorted(entry["spellings"], key=lambda s: (s != entry["label"], s))
        where = {name: everywhere[name] for name in names}
        found.append({"kind": "ward", "focus": entry["focus"], "label": entry["label"], "spellings": where})
    return found


def _split(name: str) -> tuple[str, str]:
    """(given names or initials, surname with particles), lowercased."""
    tokens = name.replace(".", ". ").split()
    for index, token in enumerate(tokens):
        if token.lower() in PARTICLES or (index and not token.endswith(".") and index == len(tokens) - 1):
            return " ".join(tokens[:index]).lower(), " ".join(tokens[index:]).lower()
    return " ".join(tokens[:-1]).lower(), tokens[-1].lower() if tokens else ""


def _same_person(a: str, b: str) -> bool:
    given_a, surname_a = _split(a)
    given_b, surname_b = _split(b)
    if not surname_a or fuzz.ratio(surname_a, surname_b) < 90:
        return False
    if not given_a or not given_b:
        return True
    return given_a[0] == given_b[0]


def person_variants(store: Any, head: str) -> list[dict[str, Any]]:
    names: dict[str, dict[str, Any]] = {}
    for row in store.query(head + _query("persons.rq")):
        entry = names.setdefault(str(row.name), {"focus": str(row.person), "lines": set()})
        entry["lines"].add((str(row.file), int(row.first), int(row.last)))
    groups: list[list[str]] = []
    for name in sorted(names, key=lambda n: (-len(n), n)):
        group = next((g for g in groups if _same_person(g[0], name)), None)
        if group is None:
            groups.append([name])
        else:
            group.append(name)
    found = []
    for group in groups:
        if len(group) < 2:
            continue
        where = defaultdict(list)
        for name in group:
            where[name] = [list(hit) for hit in sorted(names[name]["lines"])][:MAX_LINES]
        found.append({"kind": "person", "focus": names[group[0]]["focus"], "label": group[0], "spellings": dict(where)})
    return found
