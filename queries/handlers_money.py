"""Answers computed from the figures in tables: budgets (and their sums), whether a budget table adds up,
capacity in hours, and indicators with baseline and target."""

from __future__ import annotations

import re

from beleidsgraaf.queries import vocabulary
from beleidsgraaf.queries.linking import STOPWORDS, Entity, Linked
from beleidsgraaf.queries.replies import Context, Evidence, Item, Reply, Row, _euro, _listing, _merge, _not_found, evidence_of
from beleidsgraaf.queries.scope import named_towns
from beleidsgraaf.queries.subjects import _owner
from beleidsgraaf.textkey import norm

SUM_WORDS = re.compile(r"\bsamen\b|in totaal|\btotaal\b|\btotal\b|together|\bsum\b|\bsom\b|opgeteld|over de .* jaar", re.I)


def budget_check(ctx: Context) -> Reply:
    owner = _owner(ctx)
    rows, sparql = ctx.run("budget-tables", owner=owner.iri if owner else None)
    year = _year_in(ctx.question)
    if year is not None and any(str(year) in str(r.label) for r in rows):
        rows = [r for r in rows if str(year) in str(r.label) or not re.search(r"\b(19|20)\d\d\b", str(r.label))]
    items = []
    wrong = 0
    for r in rows:
        total, parts = float(r.total), float(r.sum)
        ok = abs(total - parts) < 0.5
        wrong += not ok
        verdict = ctx.say("adds_up") if ok else ctx.say("does_not_add_up", difference=_euro(total - parts))
        items.append(
            Item(ctx.say("table_check", title=r.title, table=r.label, sum=_euro(parts), total=_euro(total), verdict=verdict),
                 str(r.table), evidence_of(r))
        )
    if not items:
        where = " " + ctx.say("for_owner", owner=owner.label) if owner else ""
        return Reply(ctx.say("tables_none", where=where), [], sparql, False)
    return Reply(ctx.say("tables", count=len(items), wrong=wrong, items=_listing(items, 10)), items, sparql)


def _year_in(question: str) -> int | None:
    if re.search(r"\b(19|20)\d\d\s*[-–/]\s*(19|20)\d\d\b", question):
        return None  # "2023-2026" names a period, not one year
    match = re.search(r"\b(19[5-9]\d|20[0-4]\d)\b", question)
    return int(match.group(1)) if match else None


def _is_total(row: Row) -> bool:
    return row.isTotal is not None and bool(row.isTotal.toPython())


def _document_years(ctx: Context) -> dict[str, tuple[int, int]]:
    spans = {}
    for r in ctx.run("documents")[0]:
        if r.start is not None:
            spans[str(r.doc)] = (int(str(r.start)), int(str(r.end)))
        elif r.year is not None:
            spans[str(r.doc)] = (int(str(r.year)), int(str(r.year)))
    return spans


def _in_named_municipality(ctx: Context, rows: list[Row]) -> list[Row]:
    """A question that names a municipality ("in Utrecht") asks about its documents' money, not another's."""
    towns = named_towns(ctx)
    if not towns:
        return rows
    docs = {str(r.doc) for r in ctx.run("documents")[0] if r.municipality is not None and norm(str(r.municipality)) in towns}
    return [r for r in rows if str(r.doc) in docs]


def _row_kinds(question: str) -> set[str]:
    """The kinds of budget row a question names ("lasten", "expenses", "saldo van baten en lasten"), by the names
    the ontology gives them; a longer name wins over the names inside it."""
    text = f" {norm(question)} "
    names = sorted(((norm(n), kind) for kind in vocabulary.concepts("begrotingsposten") for n in vocabulary.names(kind)),
                   key=lambda pair: -len(pair[0]))
    found: set[str] = set()
    for name, kind in names:
        if f" {name} " in text:
            found.add(kind)
            text = text.replace(f" {name} ", " | ")
    return found


def _rows_of_kind(rows: list[Row], question: str) -> list[Row]:
    """Table rows of the kind and column the question names ("de lasten van P2", "realisatie 2023"); all rows when
    it names none or no row is of that kind."""
    kinds = _row_kinds(question)
    if kinds and (typed := [r for r in rows if r.rowKind is not None and str(r.rowKind).rsplit("#", 1)[-1] in kinds]):
        rows = typed
    words = {w for w in norm(question).split() if len(w) > 4}
    columned = [r for r in rows if r.column is not None and words & set(norm(str(r.column)).split())]
    return columned if columned and len(columned) < len(rows) else rows


def budget(ctx: Context) -> Reply:
    owner = _owner(ctx)
    year = _year_in(ctx.question)
    if owner is None and ctx.linked.unknown:
        return _not_found(ctx, ctx.say("what_programme_or_document"), ("programme", "document"))
    rows, sparql = ctx.run("budgets", owner=owner.iri if owner else None, y=year)
    if owner is None and rows and not (rows := _in_named_municipality(ctx, rows)):
        # The municipality named has no budget rows: the graph has nothing to list, the text may say more.
        return Reply(ctx.say("not_found_in_documents"), [], sparql, False, generic=True)
    if year is not None:
        all_years, _ = ctx.run("budgets", owner=owner.iri if owner else None)
        undated = [r for r in all_years if r.year is None and r.start is None]
        # A prose amount ("In 2020 is voor Wijkregie een budget van € 300.000") has its year in the sentence;
        # table rows often carry none (the year sits in the caption), so undated rows of a document whose own
        # year or period covers the year count too.
        covering = {str(d) for d, span in _document_years(ctx).items() if span[0] <= year <= span[1]} if owner else set()
        rows += [r for r in undated if str(year) in str(r.quote or "") or str(r.doc) in covering]
    rows = _rows_of_kind(rows, ctx.question)
    efforts = list({e.label: e for e in ctx.linked.all("effort")}.values())
    per_effort: dict[str, float] = {}
    generic = False
    if efforts:
        # A budget for an effort: rows stated in its section or whose purpose names it; otherwise say so, and
        # do not list the rest as if they were its budget.
        own: list[Row] = []
        for effort in efforts:
            words = [w for w in norm(effort.label).split() if len(w) > 3]
            mine = [r for r in rows if str(r.effortLabel or "") == effort.label
                    or words and sum(w in norm(str(r.purpose or "")) for w in words) >= max(1, len(words) // 2)]
            if not mine:
                return Reply(ctx.say("budget_none_for_effort", effort=effort.label), [], sparql, False)
            own += mine
            per_effort[effort.label] = sum({str(r.budget): float(r.amount) for r in mine if not _is_total(r)}.values())
        rows = own
    else:
        # A subsidy for an organisation the question names: the rows that name the organisation.
        names = [norm(m.entities[0].label) for m in ctx.linked.mentions
                 if m.entities and ctx.linked.first_of(m, "programme", "document", "gemeente") is None]
        named = [r for r in rows if any(n in norm(f"{r.purpose or ''} {r.effortLabel or ''} {r.quote or ''}") for n in names)]
        # "budget voor buurtbemiddeling", "wat reserveert Duurzaamheid voor het Nieuwstraatkwartier": the rows for that purpose.
        narrow = owner is None or len(ctx.linked.mentions) > 1
        focused_rows = _focus(rows, "purpose", ctx.question, ctx.linked) if narrow else rows
        generic = owner is None and not named and focused_rows is rows  # every budget of every document
        rows = named or focused_rows
    items, totals, parts_sum = [], [], 0.0
    for r in rows:
        when = str(r.year) if r.year else (f"{r.start}–{r.end}" if r.start else "")
        purpose = str(r.purpose or "").strip(" :") or ctx.say("what_budget")
        if r.effortLabel and norm(str(r.effortLabel)) not in norm(purpose):
            purpose = f"{r.effortLabel} ({purpose})"  # "Financiën: € 200.000" under "Ad 1) SchuldenLab"
        item = Item(
            f"{purpose}: {_euro(float(r.amount))}" + (f" ({when})" if when else "") + f" — {r.title}",
            str(r.budget),
            evidence_of(r),
        )
        items.append(item)
        if r.isTotal and r.isTotal.toPython():
            totals.append(item)
        else:
            parts_sum += float(r.amount)
    items = _merge(items)
    where = owner.label if owner else ctx.say("what_all_documents")
    in_year = " " + ctx.say("in_year", year=year) if year else ""
    if not items:
        other_years = ""
        if year:
            other, _ = ctx.run("budgets", owner=owner.iri if owner else None)
            years = sorted({str(r.year) for r in other if r.year} | {f"{r.start}–{r.end}" for r in other if r.start})
            if years:
                other_years = "; " + ctx.say("budget_other_years", years=", ".join(years[:8]))
        return Reply(ctx.say("budget_none", where=where, year=in_year, other=other_years), [], sparql, False)
    total_text = " " + ctx.say("sum_of_rows", sum=_euro(parts_sum)) if owner and year else ""
    if totals:
        total_text = " " + ctx.say("stated_total", totals="; ".join(t.text for t in _merge(totals)[:4]))
    focused = _focus(rows, "purpose", ctx.question, ctx.linked)
    if SUM_WORDS.search(ctx.question) and len(per_effort) > 1:
        # Two efforts named with "samen": the efforts' amounts added up.
        spread = "; ".join(f"{label} {_euro(amount)}" for label, amount in per_effort.items())
        total_text = " " + ctx.say("together", sum=_euro(sum(per_effort.values())), spread=spread) + total_text
    elif SUM_WORDS.search(ctx.question) and focused is not rows:
        # "Wat kosten de vijf wijkregisseurs samen": the rows for that purpose, in the first table that lists them.
        first = _blocks(list({str(r.budget): r for r in focused}.values()))[0]
        amount = sum(float(r.amount) for r in first)
        # The sum of every listed row would mix in the other table's copies of these rows: only the stated totals stay.
        stated = total_text if totals else ""
        where_rows = ctx.say("lines", document=first[0].file, first=first[0].first, last=first[-1].first)
        total_text = " " + ctx.say("together_rows", count=len(first), lines=where_rows, sum=_euro(amount)) + stated
    elif SUM_WORDS.search(ctx.question) and not year:
        # "over de vier jaar samen": add up the stated yearly totals (one per year), else the rows.
        yearly: dict[str, float] = {}
        for r in rows:
            if r.isTotal is not None and r.isTotal.toPython() and r.year is not None:
                yearly.setdefault(str(r.year), float(r.amount))
        if yearly:
            spread = ", ".join(f"{y} {_euro(v)}" for y, v in sorted(yearly.items()))
            total_text = " " + ctx.say("together_years", count=len(yearly), sum=_euro(sum(yearly.values())),
                                       spread=spread) + total_text
        for r in rows:
            # "€ 625.000 per jaar" over a period 2023–2026: the yearly amount times the years, shown as a sum.
            if r.start is not None and re.search(r"per jaar|jaarlijks|per year|structureel", str(r.quote or ""), re.I):
                years = int(str(r.end)) - int(str(r.start)) + 1
                total = float(r.amount) * years
                total_text = " " + ctx.say("per_year_times_years", amount=_euro(float(r.amount)), years=years, start=r.start,
                                           end=r.end, total=_euro(total)) + total_text
                break
    listing = ctx.say("budgets", where=where, year=in_year, count=len(items), items=_listing(items, 12))
    # A question for a total gets the total first; a lookup gets the amounts first.
    answer = (total_text.strip() + " " + listing) if SUM_WORDS.search(ctx.question) and total_text else listing + total_text
    return Reply(answer, items, sparql, generic=generic)


def _blocks(rows: list[Row]) -> list[list[Row]]:
    """Rows of one table: same file, consecutive lines (a gap of more than three lines starts a new table)."""
    ordered = sorted((r for r in rows if r.first is not None), key=lambda r: (str(r.file), int(str(r.first))))
    blocks: list[list[Row]] = []
    for row in ordered:
        last = blocks[-1][-1] if blocks else None
        if last is not None and str(last.file) == str(row.file) and int(str(row.first)) - int(str(last.first)) <= 3:
            blocks[-1].append(row)
        else:
            blocks.append([row])
    return blocks


COLUMN_WORDS = {"capaciteit", "budget", "formatie", "personeel", "kosten"}


def _focus(rows: list[Row], field: str, question: str, linked: Linked | None = None) -> list[Row]:
    """Rows whose label shares a word with the question ("wijkregisseurs" -> the Wijkregisseur rows), else all."""
    for mention in linked.mentions if linked else []:
        # Names of the programme or ward asked about are not purposes; a lower-case word that happens to name a
        # programme ("groen") still is one.
        if mention.of_kind("document", "ward", "gemeente") or mention.of_kind("programme") and mention.text[:1].isupper():
            question = question.replace(mention.text, " ")
    tokens = [w.rstrip("s") for w in norm(question).split()]
    phrases = set(tokens) | {" ".join(tokens[i : i + 2]) for i in range(len(tokens) - 1)}

    def label(row: Row) -> str:
        return " ".join(w.rstrip("s") for w in norm(str(row.get(field) or "")).split())

    # A label may carry a column word in front ("capaciteit Wijkregisseur"): match it whole or by its tail.
    exact = [
        r
        for r in rows
        if re.search(r"[a-z]", label(r))
        and (
            label(r) in phrases
            or " ".join(label(r).split()[-1:]) in phrases
            and len(label(r).split()) == 2
            and label(r).split()[0] in COLUMN_WORDS
        )
    ]
    if exact:
        return exact  # "de wijkregisseurs": the Wijkregisseur rows, not the Junior wijkregisseur
    # Content words and abbreviations ("UF", "US"); a word that many rows share ("adviseur") tells them apart less
    # than one few rows have ("verkeer", "UF"), so each counts by its rarity and the best-matching rows win.
    abbreviations = {norm(a) for a in re.findall(r"\b[A-Z]{2,5}\b", question)}
    words = {w for w in tokens if (len(w) > 4 and w not in STOPWORDS) or w in abbreviations}
    held = [{w.rstrip("s") for w in re.split(r"[\s-]+", norm(str(r.get(field) or "")))} & words for r in rows]
    spread = {w: sum(w in h for h in held) for w in words}
    scores = [sum(1 / spread[w] for w in h) for h in held]
    best = max(scores, default=0)
    return [r for r, score in zip(rows, scores, strict=True) if score >= best / 2] if best else rows


# Calendar weeks, used only where a document states hours per week and no hours per year for any row; the answer
# then says that this factor was assumed.
WEEKS_PER_YEAR = 52
PER_YEAR = re.compile(r"per jaar|per year|jaarlijks|annual|a year|yearly|\bp/?jr\b", re.I)
PER_WEEK = re.compile(r"per week|a week|weekly|wekelijks|\bp/?wk\b", re.I)
# "Programma ondersteuner 4 tot 8 uur": the table's range split over the role ("... 4 tot") and the hours (8).
RANGE_IN_ROLE = re.compile(r"^(.*?)\s+(\d+(?:[.,]\d+)?)\s+(tot|to|-|–)$")


def _stated_factor(rows: list[Row]) -> tuple[float, Row] | None:
    """Hours per year per hour per week as the document's own rows state them (the median of its rows that give
    both, so one row with another rule, a junior scale, does not set it), with a row that shows it."""
    both = sorted(((float(r.perYear) / float(r.perWeek), r) for r in rows
                   if r.perWeek is not None and r.perYear is not None and float(r.perWeek) > 0), key=lambda pair: pair[0])
    if not both:
        return None
    factor, _ = both[len(both) // 2]
    shown = max((r for _, r in both), key=lambda r: (abs(float(r.perYear) / float(r.perWeek) - factor) < 0.5, float(r.perWeek)))
    return factor, shown


def _role_question(ctx: Context) -> str:
    """The question with English or variant role names in the documents' words ("programme manager" ->
    "programmamanager"), so the rows' role labels can be matched."""
    from beleidsgraaf.queries.intents import role_words

    text = ctx.question
    for role, words in role_words().items():
        name = re.sub(r"(?<!^)([A-Z])", r" \1", role).lower()  # bestuurlijkOpdrachtgever -> bestuurlijk opdrachtgever
        for word in sorted(words, key=len, reverse=True):
            text = re.sub(rf"\b{re.escape(word)}\b", name, text, flags=re.I)
    return text


STATED_WEEK = re.compile(r"\b(\d+(?:[.,]\d+)?)\s*(?:uur|uren|hours?)\s+(?:per|a)\s+week\b", re.I)


def _hours_in_question(ctx: Context, every: list[Row], sparql: str, owner: Entity | None) -> Reply | None:
    """"Hoeveel uur per jaar is 32 uur per week?": the question's own figure converted, with the factor of the document
    whose text states it (or of the document named), else calendar weeks; the passage that states it cited."""
    stated = STATED_WEEK.search(ctx.question)
    if stated is None or not PER_YEAR.search(ctx.question):
        return None
    week = float(stated.group(1).replace(",", "."))
    said = re.compile(rf"\b{re.escape(stated.group(1))}\s*(uur|uren)\s+per\s+week", re.I)
    # Of the passages that state the figure, the one that shares most words with the question.
    words = {w for w in norm(ctx.question).split() if len(w) > 4 and w not in STOPWORDS}
    holding = [t for t in ctx.texts if said.search(t["text"])]
    passage = max(holding, key=lambda t: len(words & set(t["norm"].split())), default=None)
    title = None
    if passage is not None:
        first = passage["lines"][0]
        title = next((str(d.title) for d in ctx.run("documents")[0]
                      if str(d.file) == passage["document"] and int(d.first) <= first <= int(d.last)), None)
    if title is None and owner is not None:
        title = owner.label  # no passage states the figure: the factor of the programme or document named
        found = _stated_factor(every)
    else:
        found = _stated_factor([r for r in every if str(r.title) == title]) if title else None
    factor = found[0] if found else WEEKS_PER_YEAR
    where = title or (passage["document"] if passage else ctx.say("what_the_documents"))
    note = (ctx.say("factor_stated", title=where, week=f"{float(found[1].perWeek):g}", year=f"{float(found[1].perYear):g}",
                    factor=f"{factor:.4g}", line=found[1].first) if found else ctx.say("factor_assumed", title=where,
                                                                                       factor=WEEKS_PER_YEAR))
    year = f"{week * factor:,.0f}".replace(",", ".")
    items = []
    if passage is not None:
        quote = passage["text"][:240]
        items.append(Item(quote, None, [Evidence(passage["document"], tuple(passage["lines"]), quote)]))
    return Reply(ctx.say("hours_stated_converted", week=f"{week:g}", year=year, factor=f"{factor:.4g}") + " " + note,
                 items, sparql)


def capacity(ctx: Context) -> Reply:
    owner = _owner(ctx)
    rows, sparql = ctx.run("capacity", owner=owner.iri if owner else None)
    rows = list({str(r.c): r for r in rows}.values())
    every = rows
    if (converted := _hours_in_question(ctx, every, sparql, owner)) is not None:
        return converted
    rows = _focus(rows, "role", _role_question(ctx), ctx.linked)
    blocks = _blocks(rows)
    if not blocks:
        where = " " + ctx.say("for_owner", owner=owner.label) if owner else ""
        return Reply(ctx.say("capacity_none", where=where), [], sparql, False)
    per_year, per_week = bool(PER_YEAR.search(ctx.question)), bool(PER_WEEK.search(ctx.question))
    factors = {title: _stated_factor([r for r in every if str(r.title) == title]) for title in {str(r.title) for r in rows}}
    notes: dict[str, str] = {}
    items = []
    for r in [row for block in blocks for row in block]:
        role, low = str(r.role), None
        if (ranged := RANGE_IN_ROLE.match(role)) is not None:
            role, low = ranged.group(1), ranged.group(2)
        hours = []
        if r.perWeek is not None:
            week = f"{float(r.perWeek):g}"
            hours.append(ctx.say("hours_per_week", hours=f"{low}–{week}" if low else week))
        if r.perYear is not None:
            hours.append(ctx.say("hours_per_year", hours=f"{float(r.perYear):g}"))
        stated = factors.get(str(r.title))
        factor = stated[0] if stated else WEEKS_PER_YEAR
        if per_year and r.perYear is None and r.perWeek is not None:
            # Asked per year, stated per week: converted with the document's own factor, else calendar weeks.
            converted = "–".join(f"{float(v) * factor:,.0f}".replace(",", ".") for v in ([low] if low else []) + [r.perWeek])
            hours.append(ctx.say("hours_converted_year", hours=converted, week=f"{float(r.perWeek):g}", factor=f"{factor:.4g}"))
            if stated:
                shown = stated[1]
                notes[str(r.title)] = ctx.say("factor_stated", title=r.title, week=f"{float(shown.perWeek):g}",
                                              year=f"{float(shown.perYear):g}", factor=f"{factor:.4g}", line=shown.first)
            else:
                notes[str(r.title)] = ctx.say("factor_assumed", title=r.title, factor=WEEKS_PER_YEAR)
        elif per_week and r.perWeek is None and r.perYear is not None:
            hours.append(ctx.say("hours_converted_week", hours=f"{float(r.perYear) / factor:.1f}", factor=f"{factor:.4g}"))
            notes[str(r.title)] = (ctx.say("factor_stated", title=r.title, week=f"{float(stated[1].perWeek):g}",
                                           year=f"{float(stated[1].perYear):g}", factor=f"{factor:.4g}", line=stated[1].first)
                                   if stated else ctx.say("factor_assumed", title=r.title, factor=WEEKS_PER_YEAR))
        line = ctx.say("line", line=r.first)
        items.append(Item(f"{role}: {', '.join(hours)} — {r.title}, {line}", str(r.c), evidence_of(r)))
    # The same table can be printed twice (one per year): add up the first one and say how many there are.
    first = blocks[0]
    week = sum(float(r.perWeek) for r in first if r.perWeek is not None)
    year = sum(float(r.perYear) for r in first if r.perYear is not None)
    where_rows = ctx.say("lines", document=first[0].file, first=first[0].first, last=first[-1].first)
    total = " " + ctx.say("capacity_together", count=len(first), lines=where_rows, week=f"{week:g}", year=f"{year:g}")
    if len(blocks) > 1:
        total += " " + ctx.say("capacity_tables", count=len(blocks))
    answer = ctx.say("capacity", items=_listing(items, 12))
    if len(first) > 1:
        answer = total.strip() + " " + answer if SUM_WORDS.search(ctx.question) else answer + total
    if notes:
        answer += " " + " ".join(notes.values())
    return Reply(answer, items, sparql)


def indicators(ctx: Context) -> Reply:
    owner = _owner(ctx)
    rows, sparql = ctx.run("indicators", owner=owner.iri if owner else None)
    rows = _focus(rows, "label", ctx.question, ctx.linked)  # "de streefwaarde voor restafval": that indicator
    items = _merge(
        Item(
            f"{r.label}"
            + (" " + ctx.say("baseline", value=r.baseline) if r.baseline else "")
            + (" " + ctx.say("target", value=r.target) if r.target else ""),
            str(r.indicator),
            evidence_of(r),
        )
        for r in rows
    )
    if not items:
        where = " " + ctx.say("for_owner", owner=owner.label) if owner else ""
        return Reply(ctx.say("indicators_none", where=where), [], sparql, False)
    return Reply(ctx.say("indicators", items=_listing(items)), items, sparql)
