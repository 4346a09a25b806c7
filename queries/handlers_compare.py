"""Answers that cross documents: who reaches a ward (by owner, targeted, city-wide or of unknown scope), how two
programmes or documents relate, what changed between two years or two documents, and sums and differences of
amounts or hours named in the question, with the arithmetic shown."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from rapidfuzz import fuzz

from beleidsgraaf.queries.handlers_money import _blocks, _focus, _is_total, budget_check
from beleidsgraaf.queries.linking import Entity
from beleidsgraaf.queries.replies import (
    Context,
    Evidence,
    Item,
    Reply,
    Row,
    _euro,
    _listing,
    _local,
    _merge,
    _not_found,
    evidence_of,
)
from beleidsgraaf.queries.subjects import _owner, _principle_asked, _roles
from beleidsgraaf.queries.vocabulary import label
from beleidsgraaf.textkey import norm

# --- Who reaches a ward ------------------------------------------------------------------------------------------

SCOPE_ORDER = ("gericht", "stadsbreed", "onbekend")
PROGRAMME_WORDS = re.compile(r"programma|programme|program\b", re.I)
# Per scope: the sentence of one owner's item, and of the lead that names the owners.
SCOPE_MESSAGES = {"gericht": ("reach_targeted", "reach_lead_targeted"), "stadsbreed": ("reach_citywide", "reach_lead_citywide"),
                  "onbekend": ("reach_unknown", "reach_lead_unknown")}
EXAMPLES_PER_OWNER = 3


def _steering_label(principle: str, ctx: Context) -> str:
    try:
        return label(principle, ctx.lang)
    except KeyError:
        return ctx.say("steering_unknown")


def _ward_reach_all(ctx: Context) -> Reply:
    """Every owner that reaches the ward, whatever steering principle the question named."""
    return ward_reach(Context(ctx.store, PROGRAMME_WORDS.sub(" ", ctx.question) + " programma", ctx.lang, ctx.linked,
                              ctx.index, ctx.texts, ctx.passages))


def ward_reach(ctx: Context) -> Reply:
    """The owners (line units, programmes, or the document where an effort names no owner) whose efforts reach the
    ward, grouped by scope: targeted at it, city-wide, and scope unknown (the documents name no area)."""
    from beleidsgraaf.queries.reports import afstemming_for  # reports builds on answer, which imports the handlers

    ward = ctx.linked.first("ward")
    if ward is None:
        return _not_found(ctx, ctx.say("what_ward"), ("ward",))
    report = afstemming_for(ctx.store, ward.iri, ward.label)
    # "programma's en lijneenheden" asks for both: only a question for one steering principle narrows to it.
    wanted = None if PROGRAMME_WORDS.search(ctx.question) else _principle_asked(ctx.question, ctx.linked)
    programme_names = {str(r.programme): str(r.label) for r in ctx.run("programmes")[0]}
    owner = _owner(ctx)
    if owner is not None and norm(owner.label) == norm(ward.label):
        owner = None  # "Binnenstad" names the ward here, not the programme of the same name
    groups: dict[str, dict[tuple[str, str], list[dict[str, Any]]]] = {scope: {} for scope in SCOPE_ORDER}
    for scope in report["scopes"]:
        for steering in scope["steering"]:
            if wanted and steering["steering"] != wanted:
                continue
            for holder in steering["owners"]:
                for effort in holder["efforts"]:
                    held_by = (effort["programme"], effort["document_iri"], effort["owner_iri"])
                    if owner is not None and str(owner.iri) not in held_by:
                        continue
                    # Without an owner the effort is its programme's (or, outside a programme, its document's).
                    name = (holder["owner"] or programme_names.get(effort["programme"] or "") or effort["document"]
                            or ctx.say("owner_unknown"))
                    groups[scope["scope"]].setdefault((name, steering["steering"]), []).append(effort)
    items: list[Item] = []
    summary: dict[str, str] = {}
    for scope in SCOPE_ORDER:
        entries: list[Item] = []
        names: dict[str, int] = {}  # one owner under two principles is named once in the lead, its efforts added up
        for (name, principle), efforts in sorted(groups[scope].items(), key=lambda kv: (-len(kv[1]), kv[0][0])):
            examples = "; ".join(e["effort"] for e in efforts[:EXAMPLES_PER_OWNER])
            evidence = [Evidence(ev["document"], tuple(ev["lines"]), ev["quote"])
                        for e in efforts[:EXAMPLES_PER_OWNER] for ev in e["evidence"][:1]]
            text = ctx.say(SCOPE_MESSAGES[scope][0], owner=name, steering=_steering_label(principle, ctx), count=len(efforts),
                           ward=ward.label, examples=examples)
            entries.append(Item(text, efforts[0]["owner_iri"] or efforts[0]["programme"] or efforts[0]["document_iri"],
                                evidence))
            names[name] = names.get(name, 0) + len(efforts)
        items += entries
        if entries:
            owners = [Item(f"{name} ({count})") for name, count in sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))]
            summary[scope] = ctx.say(SCOPE_MESSAGES[scope][1], ward=ward.label, count=len(owners), owners=_listing(owners, 8))
    kind = ctx.say(f"efforts_{wanted or 'any'}")
    if not items and wanted:
        # None under the principle asked: say so, then who does reach the ward.
        other = _ward_reach_all(ctx)
        answer = ctx.say("reach_none", kind=kind, ward=ward.label) + " " + other.answer
        return Reply(answer, other.items, None, bool(other.items), count=other.count)
    if not items:
        return Reply(ctx.say("reach_none", kind=kind, ward=ward.label), [], None, False)
    lead = []
    if not summary.get("gericht"):
        lead.append(ctx.say("reach_none_targeted", kind=kind, ward=ward.label))
    lead += [summary[s] for s in SCOPE_ORDER if summary.get(s)]
    return Reply(" ".join(lead), items, None, count=len(items))


# --- Two programmes or documents ---------------------------------------------------------------------------------

@dataclass
class _Side:
    entity: Entity
    programmes: set[str] = field(default_factory=set)
    documents: list[Row] = field(default_factory=list)


def _named_owners(ctx: Context) -> list[Entity]:
    """The programmes and documents the question names, in its order, each once."""
    found = (ctx.linked.first_of(m, "programme", "document") for m in ctx.linked.mentions)
    return list({norm(e.label): e for e in found if e is not None}.values())


def _side(ctx: Context, entity: Entity, documents: list[Row]) -> _Side:
    side = _Side(entity)
    for doc in documents:
        if str(doc.doc) == str(entity.iri) or (doc.programme is not None and str(doc.programme) == str(entity.iri)):
            side.documents.append(doc)
            if doc.programme is not None:
                side.programmes.add(str(doc.programme))
    if entity.kind == "programme":
        side.programmes.add(str(entity.iri))
    return side


def _in_documents(passage: dict[str, Any], docs: list[Row]) -> bool:
    first, last = passage["lines"]
    return any(str(d.file) == passage["document"] and int(d.first) <= first and last <= int(d.last) for d in docs)


def _naming(passages: list[dict[str, Any]], names: list[str]) -> list[dict[str, Any]]:
    """Passages that hold every name (as a word, with its capital: "Zorg" the programme, not "zorg"), each window
    once (the windows overlap by half)."""
    patterns = [re.compile(rf"(?<!\w){re.escape(n)}(?!\w)") for n in names]
    found, last_end = [], {}
    for passage in passages:
        first, last = passage["lines"]
        if first <= last_end.get(passage["document"], 0) or not all(p.search(passage["text"]) for p in patterns):
            continue
        last_end[passage["document"]] = last
        found.append(passage)
    return found


def _passage_item(passage: dict[str, Any]) -> Item:
    quote = passage["text"][:240]
    return Item(quote, None, [Evidence(passage["document"], tuple(passage["lines"]), quote)])


def programme_pair(ctx: Context) -> Reply:
    """Two programmes or documents side by side: whether one names the other (and whether that is mutual), the wards
    and actors both name, and the passages that name both."""
    owners = _named_owners(ctx)
    if len(owners) < 2:
        # One name is no pair: the registry's when_empty lets the passages answer.
        return Reply(ctx.say("pair_needs_two"), [], None, False)
    documents = ctx.run("documents")[0]
    a, b = (_side(ctx, e, documents) for e in owners[:2])
    names = (a.entity.label, b.entity.label)
    items: list[Item] = []
    # Programme relations between the two, either way.
    rows, sparql = ctx.run("programme-relations")
    refs = _merge(
        Item(f"{r.fromName} → {r.toName} ("
             + (ctx.say("mutual") if r.mutual is not None and r.mutual.toPython() else ctx.say("one_sided")) + ")",
             str(r.to), evidence_of(r))
        for r in rows
        if (str(r["from"]) in a.programmes and str(r.to) in b.programmes)
        or (str(r["from"]) in b.programmes and str(r.to) in a.programmes)
    )
    items += refs
    # Wards both name, each cited where each document names it.
    wards_a = {str(r.ward): r for r in ctx.run("programme-wards", owner=a.entity.iri)[0]}
    wards_b = {str(r.ward): r for r in ctx.run("programme-wards", owner=b.entity.iri)[0]}
    shared_wards = []
    for iri in sorted(set(wards_a) & set(wards_b), key=lambda i: str(wards_a[i].label)):
        ward_label = str(wards_a[iri].label)
        evidence = []
        for side in (a, b):
            cited = next((p for p in _naming(ctx.texts, [ward_label]) if _in_documents(p, side.documents)), None)
            if cited is not None:
                evidence.append(Evidence(cited["document"], tuple(cited["lines"]), cited["text"][:200]))
        targeted = [s.entity.label for s, w in ((a, wards_a[iri]), (b, wards_b[iri])) if w.targeted and w.targeted.toPython()]
        detail = " " + ctx.say("pair_ward_targeted", owners=", ".join(targeted)) if targeted else ""
        shared_wards.append(Item(ctx.say("pair_ward", ward=ward_label) + detail, iri, evidence))
    shared_wards = _merge(shared_wards)
    items += shared_wards
    # Actors with a role in both.
    actors_a: dict[str, list[Row]] = defaultdict(list)
    for r in ctx.run("actors", owner=a.entity.iri)[0]:
        actors_a[str(r.agent)].append(r)
    shared_actors: list[Item] = []
    seen: set[str] = set()
    for r in ctx.run("actors", owner=b.entity.iri)[0]:
        agent = str(r.agent)
        if agent not in actors_a or agent in seen:
            continue
        seen.add(agent)
        mine = actors_a[agent][0]
        roles = f"{mine.roleLabel or _local(mine.role)} / {r.roleLabel or _local(r.role)}"
        shared_actors.append(Item(ctx.say("pair_actor", name=r.name, roles=roles), agent, evidence_of(mine) + evidence_of(r)))
    items += shared_actors
    # Passages that name both.
    both = [_passage_item(p) for p in _naming(ctx.texts, list(names))]
    items += both[:8]
    refs_text = _listing(refs) if refs else ctx.say("pair_no_reference", a=names[0], b=names[1])
    answer = ctx.say("pair_lead", a=names[0], b=names[1], refs=refs_text, wards=len(shared_wards),
                     ward_items=_listing(shared_wards, 10) or "-", actors=len(shared_actors),
                     actor_items=_listing(shared_actors, 10) or "-", passages=len(both))
    found = bool(refs or shared_wards or shared_actors or both)
    return Reply(answer, items, sparql, found, count=len(items))


# --- What changed ------------------------------------------------------------------------------------------------

FEW_ROWS = 3
YEAR_OR_PERIOD = re.compile(r"\b((?:19|20)\d\d)(?:\s*[-–/]\s*((?:19|20)\d\d))?\b")


def _years(question: str) -> list[int]:
    """The single years the question names, in order, each once; a period ("2024-2026") is no single year."""
    years = [int(m.group(1)) for m in YEAR_OR_PERIOD.finditer(question) if not m.group(2)]
    return list(dict.fromkeys(years))


def _signed(value: float) -> str:
    return ("+" if value > 0 else "−" if value < 0 else "±") + _euro(abs(value))


def _change_item(ctx: Context, row: Row, y1: int, y2: int) -> Item:
    purpose = ctx.say("stated_total_row") if row.isTotal is not None and row.isTotal.toPython() else (
        str(row.purpose or "").strip(" :") or ctx.say("what_budget"))
    when1, when2 = row.col1 or y1, row.col2 or y2
    if row.a1 is not None and row.a2 is not None:
        a1, a2 = float(row.a1), float(row.a2)
        text = ctx.say("change_row", purpose=purpose, a1=_euro(a1), y1=when1, a2=_euro(a2), y2=when2, diff=_signed(a2 - a1),
                       title=row.title)
    else:
        year, other = (when1, y2) if row.a1 is not None else (when2, y1)
        amount = float(row.a1 if row.a1 is not None else row.a2)
        text = ctx.say("change_row_one_year", purpose=purpose, amount=_euro(amount), year=year, other=other, title=row.title)
    return Item(text, str(row.budget), evidence_of(row))


# Which column of a year a BBV row is read from when it has several (annual accounts: primary budget, amended budget,
# realisation): the realised figure first, then the amended budget, the budget, the primary budget.
COLUMN_RANK = ((re.compile(r"realisatie|rekening|realis", re.I), 0), (re.compile(r"na wijziging|gewijzigd", re.I), 1),
               (re.compile(r"primair", re.I), 3), (re.compile(r"begroting|budget", re.I), 2))
COLUMN_WORDS = re.compile(r"realisatie|rekening|primair|na wijziging|gewijzigd", re.I)


def _column_rank(column: str) -> int:
    return next((rank for pattern, rank in COLUMN_RANK if pattern.search(column)), len(COLUMN_RANK))


def _paired(cells: list[Row], y1: int, y2: int, question: str) -> list[Row]:
    """One row per table row with its amount in each year: cells of one document and first line with one purpose
    (in a BBV table the purpose names the column: "Baten, Begroting 2024 (P1 ...)", so the item and the text before
    the column are the row). A year with several columns takes the one the question names, else by COLUMN_RANK."""
    asked = COLUMN_WORDS.search(question)
    groups: dict[tuple[str, str, str], dict[int, list[Row]]] = defaultdict(lambda: defaultdict(list))
    for cell in cells:
        purpose, column = str(cell.purpose or ""), str(cell.column or "")
        label = purpose.split(", " + column)[0] if column and ", " + column in purpose else purpose
        key = (str(cell.doc), str(cell.first), str(cell.item) if cell.item is not None else label)
        groups[key][int(str(cell.year))].append(cell)
        cell["label"] = label
    rows = []
    for by_year in groups.values():
        chosen: dict[int, Row] = {}
        for year, options in by_year.items():
            if asked:
                options = [c for c in options if asked.group(0).lower() in str(c.column or "").lower()] or options
            chosen[year] = min(options, key=lambda c: (_column_rank(str(c.column or "")), str(c.budget)))
        first = chosen.get(y2) or chosen[y1]
        row = Row(first)
        row["purpose"] = first.label
        row["a1"] = chosen[y1].amount if y1 in chosen else None
        row["a2"] = chosen[y2].amount if y2 in chosen else None
        row["col1"] = str(chosen[y1].column) if y1 in chosen and chosen[y1].column else None
        row["col2"] = str(chosen[y2].column) if y2 in chosen and chosen[y2].column else None
        rows.append(row)
    return rows


def _items_asked(question: str) -> set[str]:
    """The kinds of budget row the question names ("de lasten", "the balance"), by their labels in the ontology; a
    longer label is read first, so "saldo van baten en lasten" is the balance, not income and expenditure."""
    from beleidsgraaf.queries.vocabulary import concepts

    text = f" {norm(question)} "
    labels = sorted(((norm(label(kind, lang)), kind) for kind in concepts("begrotingsposten") for lang in ("nl", "en")),
                    key=lambda pair: -len(pair[0]))
    asked: set[str] = set()
    for name, kind in labels:
        if name and f" {name} " in text:
            asked.add(kind)
            text = text.replace(f" {name} ", " | ")
    return asked


def _budget_change(ctx: Context, owner: Entity | None, y1: int, y2: int) -> Reply:
    cells, sparql = ctx.run("budget-changes", owner=owner.iri if owner else None, y1=y1, y2=y2)
    rows = _paired(cells, y1, y2, ctx.question)
    asked = _items_asked(ctx.question)
    if asked and (kind_rows := [r for r in rows if r.item is not None and _local(r.item) in asked]):
        rows = kind_rows  # "hoe veranderen de lasten": the expenditure rows only
    where = owner.label if owner else ctx.say("what_all_documents")
    if not rows:
        return Reply(ctx.say("change_none_years", where=where, y1=y1, y2=y2), [], sparql, False)
    items = [_change_item(ctx, r, y1, y2) for r in rows]
    parts = []
    by_doc: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_doc[str(r.title)].append(r)
    for title, doc_rows in by_doc.items():
        totals = [r for r in doc_rows if r.isTotal is not None and r.isTotal.toPython() and r.a1 is not None and r.a2 is not None]
        lines = [r for r in doc_rows if not (r.isTotal is not None and r.isTotal.toPython())]
        if totals:
            t = totals[0]
            parts.append(ctx.say("change_total", title=title, y1=y1, y2=y2, a1=_euro(float(t.a1)), a2=_euro(float(t.a2)),
                                 diff=_signed(float(t.a2) - float(t.a1))))
        elif not any(r.a1 is not None and r.a2 is not None for r in lines):
            # Each year on its own row (a row per year, not a column): the years' rows added up and compared.
            s1 = sum(float(r.a1) for r in lines if r.a1 is not None)
            s2 = sum(float(r.a2) for r in lines if r.a2 is not None)
            if s1 and s2:
                parts.append(ctx.say("change_sum", title=title, y1=y1, y2=y2, a1=_euro(s1), a2=_euro(s2), diff=_signed(s2 - s1)))
        changed = sum(1 for r in lines if r.a1 is not None and r.a2 is not None and float(r.a1) != float(r.a2))
        same = sum(1 for r in lines if r.a1 is not None and r.a2 is not None and float(r.a1) == float(r.a2))
        only1 = sum(1 for r in lines if r.a2 is None)
        only2 = sum(1 for r in lines if r.a1 is None)
        counts = ctx.say("change_counts", title=title, changed=changed, same=same, y1=y1, y2=y2, only1=only1, only2=only2)
        # After the total of the same document the title is said already: "X: totaal ...; 3 regels veranderd, ..."
        parts.append(counts[len(title) + 2:] if parts and parts[-1].startswith(title + ":") else counts)
    lead = ctx.say("change_years_lead", where=where, y1=y1, y2=y2)
    if len(items) <= FEW_ROWS:
        lead += " " + "; ".join(i.text for i in items) + "."  # a few rows are the answer themselves
    return Reply(lead + " " + " ".join(parts), items, sparql, count=len(items))


def _effort_labels(ctx: Context, owner: Entity) -> dict[str, Row]:
    from beleidsgraaf.queries.vocabulary import effort_kinds

    kinds = set(effort_kinds())
    rows, _ = ctx.run("din", owner=owner.iri)
    return {norm(str(r.label)): r for r in rows if _local(r.level) in kinds}


def _matches(key: str, others: dict[str, Row]) -> bool:
    return key in others or any(fuzz.token_set_ratio(key, other) >= 90 for other in others)


def _document_change(ctx: Context, first: Entity, second: Entity) -> Reply:
    """Efforts in one document and not the other (labels compared loosely: spelling and word order aside)."""
    a, b = _effort_labels(ctx, first), _effort_labels(ctx, second)
    if not a and not b:
        return Reply(ctx.say("change_none_documents", a=first.label, b=second.label), [], None, False)
    only_a = [r for k, r in a.items() if not _matches(k, b)]
    only_b = [r for k, r in b.items() if not _matches(k, a)]
    both = len(a) - len(only_a)
    items = [Item(ctx.say("change_only_in", effort=r.label, document=first.label), str(r.x), evidence_of(r)) for r in only_a]
    items += [Item(ctx.say("change_only_in", effort=r.label, document=second.label), str(r.x), evidence_of(r)) for r in only_b]
    answer = ctx.say("change_documents", a=first.label, b=second.label, only_a=len(only_a), only_b=len(only_b), both=both,
                     items_a=_listing(_merge(Item(str(r.label)) for r in only_a), 10) or "-",
                     items_b=_listing(_merge(Item(str(r.label)) for r in only_b), 10) or "-")
    return Reply(answer, items, None, count=len(items))


def _table_change(ctx: Context, owner: Entity) -> Reply | None:
    """One document with two budget tables and no year column (a first year and the years after): row by row."""
    tables, sparql = ctx.run("budget-tables", owner=owner.iri)
    tables = [t for t in tables if not re.search(r"\b(19|20)\d\d\b", str(t.label))]
    tables = list({str(t.table): t for t in tables}.values())
    if len(tables) < 2:
        return None
    first, second = sorted(tables, key=lambda t: int(str(t.first)))[:2]
    budgets, _ = ctx.run("budgets", owner=owner.iri)

    def cells(table: Row) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = defaultdict(list)
        for r in {str(r.budget): r for r in budgets}.values():
            if str(r.file) == str(table.file) and int(str(table.first)) <= int(str(r.first)) <= int(str(table.last)) + 1:
                out["" if _is_total(r) else norm(str(r.purpose or ""))].append(r)
        return out

    one, two = cells(first), cells(second)
    items = []
    for key in dict.fromkeys([*one, *two]):
        s1 = sum(float(r.amount) for r in one.get(key, []))
        s2 = sum(float(r.amount) for r in two.get(key, []))
        if s1 == s2 and len(one.get(key, [])) == len(two.get(key, [])):
            continue
        row = (two.get(key) or one.get(key))[0]
        purpose = str(row.purpose or "").strip(" :") or ctx.say("stated_total_row")
        items.append(Item(ctx.say("change_table_row", purpose=purpose, a1=_euro(s1), a2=_euro(s2), diff=_signed(s2 - s1)),
                          str(row.budget), evidence_of(row)))
    t1 = ctx.say("lines", document=first.file, first=first.first, last=first.last)
    t2 = ctx.say("lines", document=second.file, first=second.first, last=second.last)
    if not items:
        evidence = [Evidence(str(t.file), (int(str(t.first)), int(str(t.last))), str(t.label)) for t in (first, second)]
        return Reply(ctx.say("change_tables_same", t1=t1, t2=t2, rows=len(one), total=_euro(float(first.total))),
                     [Item(str(t.label), str(t.table), [e]) for t, e in zip((first, second), evidence, strict=True)], sparql)
    return Reply(ctx.say("change_tables", t1=t1, t2=t2, count=len(items), items=_listing(items, 10)), items, sparql)


def change(ctx: Context) -> Reply:
    """What changed: a budget between two years; efforts between two documents; two tables of one document."""
    years = _years(ctx.question)
    owners = _named_owners(ctx)
    if len(years) >= 2:
        y1, y2 = sorted(years[:2])
        return _budget_change(ctx, _owner(ctx), y1, y2)
    if len(owners) >= 2:
        return _document_change(ctx, owners[0], owners[1])
    owner = _owner(ctx)
    if owner is not None:
        tables = _table_change(ctx, owner)
        if tables is not None:
            return tables
    return Reply(ctx.say("change_needs_two"), [], None, False)


# --- Sums and differences ----------------------------------------------------------------------------------------

HOURS = re.compile(r"\buur\b|\buren\b|\bhours?\b|\bfte\b", re.I)
PER_YEAR = re.compile(r"per jaar|per year|jaarlijks|annual|a year|yearly|\bp/?jr\b", re.I)
MORE_LESS = re.compile(r"\bmeer\b|\bminder\b|\bmore\b|\bless\b|\bfewer\b|verschil|difference|\bdan\b|\bthan\b|\bminus\b", re.I)
OPERAND_START = re.compile(r"\b(totaal van|som van|total of|sum of|verschil tussen|difference between|tussen|between)\b", re.I)
SPLIT = re.compile(r"\b(dan|than|en|and|plus|minus|vs|versus|tegenover)\b", re.I)
SUM_ASKED = re.compile(r"\btotaal\b|\btotal\b|\bsamen\b|\bsom\b|\bsum\b|\bplus\b|opgeteld|bij elkaar|added", re.I)
CHECK_WORDS = re.compile(r"\bklop\w*|\btel\w* .*\bop\b|\badds? up\b|\bcorrect\b|\bconsistent", re.I)
STATED_TOTAL_WORDS = re.compile(r"\bregels\b|\brows\b|vermelde? totaal|stated total|\bklopt|\badd up|tabel|table", re.I)


def _operand(rows: list[Row], field_name: str, phrase: str) -> list[Row]:
    """The rows a phrase names ("een junior wijkregisseur"): those _focus narrows to, or none."""
    if not re.search(r"[a-zà-ÿ]{3}", norm(phrase)):
        return []
    focused = _focus(rows, field_name, phrase)
    if focused is rows or len(focused) == len(rows):
        return []
    # "een junior wijkregisseur" names the Junior wijkregisseur row, not every Wijkregisseur row: the rows whose
    # label the phrase holds most of, word by word.
    said = set(norm(phrase).split())

    def fit(row: Row) -> tuple[int, float]:
        words = norm(str(row.get(field_name) or "")).split()
        held = sum(w in said or w.rstrip("s") in said for w in words)
        return held, held / max(len(words), 1)

    best = max(fit(r) for r in focused)
    return [r for r in focused if fit(r) == best]


def _value(row: Row, hours: bool, per_year: bool) -> float | None:
    if not hours:
        return float(row.amount)
    value = row.perYear if per_year else row.perWeek
    return float(value) if value is not None else None


def arithmetic(ctx: Context) -> Reply:
    """The sum or difference of two amounts (or hours) the question names, each read from a table row of the
    named programme or document, with the arithmetic shown and both rows cited."""
    if len(_years(ctx.question)) >= 2:
        return change(ctx)  # "hoeveel minder in 2022 dan in 2020": one budget in two years
    owner = _owner(ctx)
    if owner is not None and norm(owner.label) not in norm(ctx.question):
        # A loose match of a row's name ("manager wijksturing") to a document ("Contract Wijksturing") names no owner.
        said = norm(ctx.question)
        roles = [name for name, _ in _roles(ctx) if re.search(rf"\b{re.escape(name)}\b", said)]
        if any(set(norm(owner.label).split()) & set(name.split()) for name in roles):
            owner = None
    hours = bool(HOURS.search(ctx.question))
    per_year = bool(PER_YEAR.search(ctx.question))
    rows, sparql = ctx.run("capacity" if hours else "budgets", owner=owner.iri if owner else None)
    key = "c" if hours else "budget"
    rows = [r for r in {str(r[key]): r for r in rows}.values() if hours or not _is_total(r)]
    field_name = "role" if hours else "purpose"
    text = ctx.question
    for mention in ctx.linked.mentions:
        # Only the owner's own name is no operand ("manager wijksturing" is a row, not the Contract Wijksturing).
        if owner is not None and ctx.linked.first_of(mention, "programme", "document") == owner:
            text = text.replace(mention.text, " ")
    start = OPERAND_START.search(text)
    body = text[start.end():] if start and not re.match(r"\s*(een|de|het|a|an|the)?\s*$", text[start.end():]) else text
    pairs: tuple[list[Row], list[Row]] | None = None
    for cut in SPLIT.finditer(body):
        left, right = _operand(rows, field_name, body[: cut.start()]), _operand(rows, field_name, body[cut.end():])
        if left and right and {str(r[key]) for r in left} != {str(r[key]) for r in right}:
            pairs = (left, right)
            break
    if pairs is None:
        if CHECK_WORDS.search(ctx.question) and not hours:
            return budget_check(ctx)  # "klopt het totaal van ...": the rows against the stated total
        if owner is not None and not hours:
            # "het verschil tussen de begroting 2023 en 2024-2026 van X": two tables of one document, not two rows.
            tables = change(ctx)
            if tables.found:
                return tables
        if STATED_TOTAL_WORDS.search(ctx.question) and not hours:
            return budget_check(ctx)
        return Reply(ctx.say("arithmetic_none"), [], sparql, False)
    (first, *_), (second, *_) = pairs
    v1, v2 = _value(first, hours, per_year), _value(second, hours, per_year)
    name1 = str(first[field_name]).strip(" :")
    name2 = str(second[field_name]).strip(" :")
    if v1 is None or v2 is None:
        return Reply(ctx.say("arithmetic_none"), [], sparql, False)
    unit = (lambda v: ctx.say("hours_per_year" if per_year else "hours_per_week", hours=f"{v:g}")) if hours else _euro
    evidence = [Item(f"{name}: {unit(v)} — {r.title}", str(r[key]), evidence_of(r)) for name, v, r in
                ((name1, v1, first), (name2, v2, second))]
    if MORE_LESS.search(ctx.question) and not SUM_ASKED.search(ctx.question):
        diff = v1 - v2
        calc = f"{unit(v1)} − {unit(v2)} = {unit(abs(diff)) if diff >= 0 else '−' + unit(abs(diff))}"
        answer = ctx.say("difference", a=name1, b=name2, diff=unit(abs(diff)),
                         direction=ctx.say("more" if diff >= 0 else "less"), calc=calc)
    else:
        calc = f"{unit(v1)} + {unit(v2)} = {unit(v1 + v2)}"
        answer = ctx.say("sum_of", a=name1, b=name2, sum=unit(v1 + v2), calc=calc)
    many = [len(_blocks(p)[0]) for p in pairs]  # rows of that name in one table (a table printed twice counts once)
    if max(many) > 1:
        answer += " " + ctx.say("arithmetic_per_row", counts=" / ".join(str(n) for n in many))
    return Reply(answer, evidence, sparql, count=None)
