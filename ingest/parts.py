"""One part of a file -> its records: the generic rules, and for a BBV programme chapter the BBV reading.

In a file with BBV programme chapters the chapters' goals, efforts and money tables come from the
BBV structure (numbered goals and results, baten/lasten tables); the generic list rules would read
the same pages as loose lists. Parts around the chapters (introduction, paragrafen, the financial
statements) keep what the generic rules find except goals and efforts: there a numbered list is
a table of contents, a list of risks or of taakvelden, rarely a policy goal.
"""

from __future__ import annotations

from dataclasses import replace

from rapidfuzz import fuzz

from beleidsgraaf.ingest import municipal, organisations
from beleidsgraaf.ingest.bbv import affiliated_body_lines, extract_chapter
from beleidsgraaf.ingest.extract import extract
from beleidsgraaf.ingest.indicators import indicator_tables
from beleidsgraaf.ingest.places import find_places
from beleidsgraaf.ingest.prose import find_prose
from beleidsgraaf.ingest.records import Extraction
from beleidsgraaf.ingest.segment import FilePlan, Part
from beleidsgraaf.textkey import norm


def extract_part(plan: FilePlan, part: Part, known_wards: dict[str, tuple[str, str]], programmes: set[str]) -> Extraction:
    profile = municipal.apply(plan.profile, part.document.municipality, plan.source.path.parent)
    out = extract(plan.source, part.segment, part.document, profile, known_wards, programmes)
    _add_places(plan, part, out, known_wards)
    _add_organisations(plan, part, out)
    if not plan.is_bbv:
        _add_prose(plan, part, out)
        return out
    structure = plan.structure
    out.indicators += indicator_tables(structure.lines, part.segment.first, part.segment.last, structure.furniture)
    if part.chapter is None:
        out.goals, out.efforts = [], []
        return out
    chapter = extract_chapter(plan.structure, part.chapter)
    for effort in chapter.efforts:
        effort.scope = "stadsbreed"  # a programme of the municipal budget serves the whole municipality
    tabled = {n for t in chapter.tables for n in range(t.evidence.first, t.evidence.last + 1)}
    generic_tables = [t for t in out.tables if t.evidence.first not in tabled]
    dropped_rows = {id(r) for t in out.tables if t.evidence.first in tabled for r in t.rows}
    out.goals, out.efforts = chapter.goals, chapter.efforts
    out.budgets = chapter.budgets + [b for b in out.budgets if b.evidence.first not in tabled and id(b) not in dropped_rows]
    out.tables = chapter.tables + generic_tables
    return out


def _add_places(plan: FilePlan, part: Part, out: Extraction, known_wards: dict[str, tuple[str, str]]) -> None:
    """Places of the document's municipality named in its running text (CBS wijken, buurten, kernen), beside
    the wards its own lists give; a place both name keeps the list's record and gains the CBS code. A spelling
    the ward lists of the corpus already know (a variant, 'Rohof' for 'Rohof en omgeving') is that ward."""
    if not part.document.municipality:
        return
    known = {norm(w.label): w for w in out.wards}
    for place in find_places(plan.source.lines, part.segment.first, part.segment.last, part.document.municipality):
        if norm(place.label) in known_wards and norm(known_wards[norm(place.label)][0]) != norm(place.label):
            continue  # another spelling of a listed ward: the list rules cite its mentions under the list's name
        if known_wards and (place.kind == "buurt" or _spelling_of_listed(place.label, known_wards)):
            # Where a document lists the municipality's wards and buurten, that list is the division the
            # documents use (its year, its spellings); a buurt or a close spelling from a later CBS year is not
            # added beside it, or "which buurten has X" would mix two divisions.
            continue
        if (listed := known.get(norm(place.label))) is not None:
            if listed.number is None:
                listed.code = listed.code or place.code
            continue
        known[norm(place.label)] = place
        out.wards.append(place)


def _add_organisations(plan: FilePlan, part: Part, out: Extraction) -> None:
    """Organisations named in running text (a type noun, an abbreviation the text introduces, a party) beside
    the actors the role rules found; one the role rules already have keeps their record and gains the short name."""
    known = {norm(a.name): a for a in out.actors}
    found = organisations.find(plan.source.lines, part.segment.first, part.segment.last, organisations.load_vocabulary(),
                               municipality=part.document.municipality)
    records = organisations.as_actor_records(found)
    headings = affiliated_body_lines(plan.structure, part.segment.first, part.segment.last) if plan.is_bbv else set()
    for body, record in zip(found, records, strict=True):
        if body.evidence.first in headings and body.kind == "organisation" and body.category != "gemeente":
            # Named as the heading of its own part of a section on verbonden partijen: the municipality has a stake
            # in it (a municipality named there is a fellow member, not the body).
            out.actors.append(replace(record, role="verbondenPartij"))
    for record in records:
        if (actor := known.get(norm(record.name))) is not None:
            actor.abbreviation = actor.abbreviation or record.abbreviation
            continue
        known[norm(record.name)] = record
        out.actors.append(record)


def _add_prose(plan: FilePlan, part: Part, out: Extraction) -> None:
    """Goals and efforts written as sentences, where the list rules found nothing on those lines and no record
    of that name: a list item and the sentence that repeats it are one goal."""
    taken = {n for record in [*out.goals, *out.efforts] for n in range(record.evidence.first, record.evidence.last + 1)}
    names = {norm(r.label) for r in [*out.goals, *out.efforts]}
    found = find_prose(plan.structure, part.segment.first, part.segment.last, year=part.document.year, known_goals=out.goals)
    for records, target in ((found.goals, out.goals), (found.efforts, out.efforts)):
        for record in records:
            lines = set(range(record.evidence.first, record.evidence.last + 1))
            if lines & taken or norm(record.label) in names:
                continue
            taken |= lines
            names.add(norm(record.label))
            record.order = len(target)
            target.append(record)  # type: ignore[arg-type]  # goals to goals, efforts to efforts


def _spelling_of_listed(label: str, known_wards: dict[str, tuple[str, str]]) -> bool:
    key = norm(label).replace(" ", "")
    return any(fuzz.ratio(key, other.replace(" ", "")) >= 85 for other in known_wards)
