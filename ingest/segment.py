"""Lines -> documents (a file may bundle several) with their metadata."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from beleidsgraaf.ingest.profiles import Profile
from beleidsgraaf.ingest.readers import SourceText
from beleidsgraaf.ingest.records import DocumentRecord, Evidence
from beleidsgraaf.ingest.text import clean, quote, slugify

YEAR_RANGE = re.compile(r"\b((?:19|20)\d\d)\s*(?:[-–]|t/m|tot en met)\s*((?:19|20)\d\d)\b")
YEAR = re.compile(r"\b(19[89]\d|20[0-4]\d)\b")
LOOPTIJD = re.compile(r"looptijd van (\d{1,2}) jaar", re.I)
PROGRAMME_NAME = re.compile(
    r"\bprogramma(?:contract|manager)?\s+(?:het\s+)?"
    r"((?:[A-Z][\w’'-]+)(?:\s+(?:en|&)\s+[A-Za-z][\w’'-]+|\s+[A-Z][\w’'-]+)*)"
)
MUNICIPALITY = re.compile(r"\b[Gg]emeente\s+([A-Z][a-z]+(?:[- ][A-Z][a-z]+)?)")
KIND_ORDER = ("programmacontract", "contract", "plan", "brief", "notitie")


@dataclass(frozen=True)
class Segment:
    first: int
    last: int


@dataclass(frozen=True)
class ManifestEntry:
    municipality: str | None
    year: int | None
    title: str | None


def read_manifest(path: Path) -> ManifestEntry | None:
    """MANIFEST.tsv beside a file (file, municipality, year, title) supplies metadata when present."""
    manifest = path.parent / "MANIFEST.tsv"
    if not manifest.is_file():
        return None
    with manifest.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            if row.get("file") == path.name:
                year = (row.get("year") or "").strip()
                return ManifestEntry(
                    municipality=(row.get("municipality") or "").strip() or None,
                    year=int(year) if year.isdigit() else None,
                    title=(row.get("title") or "").strip() or None,
                )
    return None


def split_documents(source: SourceText, profile: Profile) -> list[Segment]:
    rule = profile.get("split")
    total = len(source.lines)
    if not rule:
        return [Segment(1, total)]
    starts_re = [re.compile(p, re.I) for p in rule["start"]]
    cover_re = [re.compile(p, re.I) for p in rule.get("cover", [])]
    gap = int(rule.get("min_gap", 100))
    starts: list[int] = []
    for number, line in enumerate(source.lines, start=1):
        if any(p.search(line) for p in starts_re) and (not starts or number - starts[-1] >= gap):
            starts.append(number)
    moved: list[int] = []
    for start in starts:
        first = start
        # A cover block (role lines, date, annex list) printed just before the title belongs to it.
        for back in range(start - 1, max(start - int(rule.get("cover_reach", 10)), 1) - 1, -1):
            text = source.line(back)
            if not text.strip():
                continue
            if any(p.search(text) for p in cover_re):
                first = back
            elif first != start or back < start - 3:
                break
        moved.append(first)
    if not moved or moved[0] > 1:
        moved.insert(0, 1)
    bounds = sorted(set(moved))
    return [Segment(a, (bounds[i + 1] - 1) if i + 1 < len(bounds) else total) for i, a in enumerate(bounds)]


def _head(source: SourceText, segment: Segment, count: int) -> list[tuple[int, str]]:
    head: list[tuple[int, str]] = []
    for number in range(segment.first, segment.last + 1):
        text = source.line(number).strip()
        if text:
            head.append((number, text))
            if len(head) >= count:
                break
    return head


def _kind(head: list[tuple[int, str]], profile: Profile, bundled: bool) -> str:
    patterns = profile.get("document_kinds", {})
    # A letter opens with its salutation; other documents mention letters, not the other way round.
    if any(re.search(p, text, re.I) for p in patterns.get("brief", [])[:1] for _, text in head[:6]):
        return "brief"
    # A bundle profile knows what its parts are; a contract's head that mentions "plan" stays a contract.
    if bundled and profile.get("default_kind"):
        return str(profile.get("default_kind"))
    for kind in KIND_ORDER:
        for pattern in patterns.get(kind, []):
            if any(re.search(pattern, text, re.I) for _, text in head):
                return kind
    return profile.get("default_kind") or "notitie"


def _kind_of_title(title: str, profile: Profile) -> str | None:
    patterns = profile.get("document_kinds", {})
    for kind in KIND_ORDER:
        if any(re.search(pattern, title, re.I) for pattern in patterns.get(kind, [])):
            return kind
    return None


def _programme(source: SourceText, segment: Segment) -> str | None:
    counts: Counter[str] = Counter()
    for number in range(segment.first, segment.last + 1):
        for match in PROGRAMME_NAME.finditer(source.line(number)):
            counts[clean(match.group(1))] += 1
    if not counts:
        return None
    name, freq = counts.most_common(1)[0]
    return name if freq >= 3 else None


def _title(head: list[tuple[int, str]], kind: str, programme: str | None, manifest: ManifestEntry | None,
           whole_file: bool) -> tuple[str, int]:
    if whole_file and manifest and manifest.title:
        first_line = head[0][0] if head else 1
        return re.sub(r"\s*\(.*\)\s*$", "", manifest.title), first_line
    for index, (number, text) in enumerate(head[:12]):
        if re.fullmatch(r"(?i)(concept )?(programma ?contract|contract|plan)\s*", text) and index + 1 < len(head):
            return clean(f"{text.title()} {head[index + 1][1]}"), number
        if re.match(r"(?i)(programma ?contract|contract)\s+[A-Z]", text) and len(text) < 80:
            return clean(text[0].upper() + text[1:]), number
    if kind == "programmacontract" and programme:
        return f"Programmacontract {programme}", head[0][0]
    if kind != "brief" and not whole_file and programme:
        return f"{kind.title()} {programme}", head[0][0]
    if kind == "brief":
        return "Aanbiedingsbrief", head[0][0]
    return (clean(head[0][1]) if head else "Document"), (head[0][0] if head else 1)


def describe(source: SourceText, segment: Segment, profile: Profile, manifest: ManifestEntry | None,
             index: int, count: int) -> DocumentRecord:
    head = _head(source, segment, 60)
    kind = _kind(head, profile, bundled=count > 1)
    if count == 1 and manifest and manifest.title:
        # A file that is one document opens with whatever precedes it (a cover letter); its title says what it is.
        kind = _kind_of_title(manifest.title, profile) or kind
    programme = _programme(source, segment) if kind != "brief" else None
    whole_file = count == 1
    title, title_line = _title(head, kind, programme, manifest, whole_file)
    text = source.span(segment.first, min(segment.last, segment.first + 400))
    municipality = manifest.municipality if manifest else None
    if not municipality:
        found = Counter(m.group(1) for m in MUNICIPALITY.finditer(source.span(segment.first, segment.last)))
        municipality = found.most_common(1)[0][0] if found else None
    period = None
    if match := YEAR_RANGE.search(text):
        a, b = int(match.group(1)), int(match.group(2))
        period = (a, b) if 0 < b - a <= 12 else None
    year = manifest.year if manifest else None
    if year is None:
        years = Counter(int(y) for y in YEAR.findall(text))
        year = years.most_common(1)[0][0] if years else None
    if period is None and year and (m := LOOPTIJD.search(source.span(segment.first, segment.last))):
        period = (year, year + int(m.group(1)) - 1)
    steering = _steering(kind, title, programme, source, segment)
    bare_title = re.sub(r"(?i)^(concept\s+)?(programma ?contract|contract|plan)\s+", "", title)
    if programme is None and kind == "programmacontract" and bare_title != title:
        programme = bare_title  # "Programmacontract Binnenstad" is the contract of programme Binnenstad
    key = slugify(programme or bare_title) if count > 1 else "document"
    if count > 1 and kind == "brief":
        key = f"brief-{index}" if index else "aanbiedingsbrief"
    return DocumentRecord(
        key=key, title=title, kind=kind, municipality=municipality, year=year, period=period,
        first=segment.first, last=segment.last, programme=programme if kind != "brief" else None,
        steering=steering, evidence=Evidence(title_line, title_line, quote(source.line(title_line))),
    )


def _steering(kind: str, title: str, programme: str | None, source: SourceText, segment: Segment) -> list[str]:
    """Principles the document steers by; the first is its own (title, kind), then the rest by how often they occur."""
    body = source.span(segment.first, segment.last).lower()
    steering: list[str] = []
    if re.search(r"wijksturing|wijkregie|wijkgericht|wijkaanpak", f"{title} {programme or ''}".lower()):
        steering.append("wijksturing")
    elif kind == "programmacontract" or programme:
        steering.append("programmasturing")
    patterns = {
        "lijnsturing": r"lijnsturing|lijnorganisatie|\bde lijn\b|lijnproject",
        "programmasturing": r"programmasturing|programma's|programma’s",
        "wijksturing": r"wijksturing|wijkregie|wijkregisseur",
    }
    counts = {principle: len(re.findall(pattern, body)) for principle, pattern in patterns.items()}
    for principle in sorted(counts, key=lambda p: -counts[p]):
        if principle not in steering and counts[principle] >= 3:
            steering.append(principle)
    return steering or ["lijnsturing"]
