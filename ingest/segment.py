"""Lines -> documents (a file may bundle several) with their metadata."""

from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from beleidsgraaf.ingest.bbv import Chapter, chapters
from beleidsgraaf.ingest.places import detect_municipality
from beleidsgraaf.ingest.profiles import Profile, choose_profile
from beleidsgraaf.ingest.readers import SourceText
from beleidsgraaf.ingest.records import DocumentRecord, Evidence
from beleidsgraaf.ingest.structure import Structure
from beleidsgraaf.ingest.text import clean, norm, quote, slugify

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


def _head(source: SourceText, segment: Segment, count: int, furniture: frozenset[int] = frozenset()) -> list[tuple[int, str]]:
    head: list[tuple[int, str]] = []
    for number in range(segment.first, segment.last + 1):
        text = source.line(number).strip()
        if text and number not in furniture:
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


def _named_title(head: list[tuple[int, str]], titles: dict) -> tuple[str, int] | None:
    """The first line of the head (a table of contents counts) that names a kind of document and its year
    ("Begroting 2024"); parts that together make one document ("Jaarverslag 2023" and "Jaarrekening
    2023" are the "Jaarstukken 2023") are named as the whole."""
    found: list[tuple[str, int]] = []
    for number, text in head:
        bare = TOC_TAIL.sub("", text).strip()
        for pattern in titles.get("patterns", []):
            # The title is the line itself, not a mention of another document in a sentence.
            if (match := re.search(pattern, bare, re.I)) and len(bare) <= len(match.group(0)) + 12:
                found.append((clean(match.group(0)), number))
    if not found:
        return None
    keys = {norm(t) for t, _ in found}
    for whole in titles.get("wholes", []):
        years = {m.group(1) for t, _ in found if (m := re.search(r"(\d{4})", t))}
        for year in sorted(years):
            if all(any(k.startswith(norm(part)) and year in k for k in keys) for part in whole["parts"]):
                line = min(n for t, n in found if year in t)
                return f"{whole['title']} {year}", line
    title, line = found[0]
    return title[0].upper() + title[1:].lower(), line


TOC_TAIL = re.compile(r"(?:\.\s*){3,}\s*\d*\s*$")


def _title(head: list[tuple[int, str]], kind: str, programme: str | None, manifest: ManifestEntry | None,
           whole_file: bool, titles: dict | None = None) -> tuple[str, int]:
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
    if not head:
        return "Document", 1
    if named := _named_title(head, titles):
        return named
    text = clean(head[0][1])
    # A cover page sets its title in capitals ("BEGROTING 2024"); the title reads as a sentence.
    return (text[0] + text[1:].lower() if text.isupper() else text), head[0][0]


def describe(source: SourceText, segment: Segment, profile: Profile, manifest: ManifestEntry | None,
             index: int, count: int, structure: Structure | None = None) -> DocumentRecord:
    # Table-of-contents lines are furniture to the extractors but name the document's parts to the title.
    head = _head(source, segment, 60, (structure.furniture - structure.toc) if structure else frozenset())
    kind = _kind(head, profile, bundled=count > 1)
    if count == 1 and manifest and manifest.title:
        # A file that is one document opens with whatever precedes it (a cover letter); its title says what it is.
        kind = _kind_of_title(manifest.title, profile) or kind
    programme = _programme(source, segment) if kind != "brief" else None
    whole_file = count == 1
    title, title_line = _title(head, kind, programme, manifest, whole_file, profile.get("document_titles") or {})
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
    if year is None and (named_year := YEAR.search(title)):
        year = int(named_year.group(1))  # "Jaarstukken 2023" is of 2023, whatever years its pages mention most
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


@dataclass
class Part:
    """One document of a file, with the BBV programme chapter it is (None for other parts)."""

    segment: Segment
    document: DocumentRecord
    chapter: Chapter | None = None


@dataclass
class FilePlan:
    source: SourceText
    profile: Profile
    structure: Structure
    parts: list[Part]

    @property
    def is_bbv(self) -> bool:
        return any(part.chapter is not None for part in self.parts)


def plan_file(source: SourceText, profile: Profile | None = None) -> FilePlan:
    """A file's documents: the profile's split (a bundle of contracts), else one document per BBV programme
    chapter plus what comes before and after them, else the whole file as one document."""
    profile = profile or choose_profile(source.lines)
    structure = Structure(source.lines, profile, source.pages)
    manifest = read_manifest(source.path)
    municipality = detect_municipality(source.lines, hint=manifest.municipality if manifest else None)
    found = chapters(structure) if not profile.get("split") else []
    if not found:
        segments = split_documents(source, profile)
        parts = [Part(seg, _of(describe(source, seg, profile, manifest, i, len(segments), structure), municipality))
                 for i, seg in enumerate(segments)]
        return FilePlan(source, profile, structure, parts)
    whole = _of(describe(source, Segment(1, len(source.lines)), profile, manifest, 0, 1, structure), municipality)
    pieces: list[tuple[Segment, Chapter | None]] = []
    if found[0].first > 1:
        pieces.append((Segment(1, found[0].first - 1), None))
    pieces += [(Segment(c.first, c.last), c) for c in found]
    if found[-1].last < len(source.lines):
        pieces.append((Segment(found[-1].last + 1, len(source.lines)), None))
    parts = []
    for index, (segment, chapter) in enumerate(pieces):
        if chapter is None:
            key = "document" if index == 0 else f"deel-{index}"
            document = replace(whole, key=key, first=segment.first, last=segment.last)
        else:
            label = f"{chapter.code} {chapter.name}" if chapter.code else chapter.name
            document = replace(whole, key=slugify(label), title=f"{whole.title}: {label}", kind="plan",
                               first=segment.first, last=segment.last, programme=chapter.name,
                               programme_code=chapter.code, steering=["programmasturing"],
                               evidence=Evidence(chapter.heading, chapter.heading, quote(source.line(chapter.heading))))
        parts.append(Part(segment, document, chapter))
    return FilePlan(source, profile, structure, parts)


def _of(document: DocumentRecord, municipality: str | None) -> DocumentRecord:
    """The document with the municipality the whole file is about, when the text names one clearly."""
    return replace(document, municipality=municipality) if municipality else document
