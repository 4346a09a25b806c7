"""Answer a question in Dutch or English with values from the graph and the lines they come from.

Steps: link the names in the question (``linking``), recognise the intent (``intents``), run the
intent's named queries with bound parameters, compute what must be computed (sums, counts,
"does the total add up"), and write a short answer in the question's language. When nothing in
the graph answers it, say so plainly and show what was found nearby; when no intent fits,
answer from the best passages and say that the answer is passage-based.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from rdflib import Literal, URIRef

from beleidsgraaf.ontology.namespaces import BG
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries import intents, named
from beleidsgraaf.queries.linking import NUMBERED, STOPWORDS, Entity, EntityIndex, Linked, link
from beleidsgraaf.textkey import norm

MAX_QUESTION = 2000
MAX_LISTED = 25


@dataclass
class Evidence:
    document: str
    lines: tuple[int, int]
    quote: str

    def as_dict(self) -> dict[str, Any]:
        return {"document": self.document, "lines": list(self.lines), "quote": self.quote}


@dataclass
class Item:
    text: str
    iri: str | None = None
    evidence: list[Evidence] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"text": self.text, "iri": self.iri, "evidence": [e.as_dict() for e in self.evidence]}


@dataclass
class Reply:
    answer: str
    items: list[Item] = field(default_factory=list)
    sparql: str | None = None
    found: bool = True
    count: int | None = None  # what "hoeveel" counts, when that is not every item listed
    generic: bool = False  # everything of a kind in every document: the question named nothing to narrow it


@dataclass
class Context:
    store: EmbeddedStore
    question: str
    lang: str
    linked: Linked
    index: EntityIndex
    texts: list[dict[str, Any]] = field(default_factory=list)

    def t(self, nl: str, en: str) -> str:
        return en if self.lang == "en" else nl

    def run(self, name: str, **params: object) -> tuple[list[Row], str]:
        return run_named(self.store, name, **params)


def run_named(store: EmbeddedStore, name: str, **params: object) -> tuple[list[Row], str]:
    """A named query with its parameters bound (None = not given); rows read unbound variables as None."""
    query = named.get(name)
    values = {k: v for k, v in params.items() if v is not None}
    bindings = {k: (v if isinstance(v, URIRef | Literal) else Literal(v)) for k, v in values.items()}
    return [Row({str(k): v for k, v in r.asdict().items()}) for r in store.query(query.text, bindings)], query.text


def ward_rules(store: EmbeddedStore) -> tuple[list[Row], str]:
    """The coordination rules that involve ward steering (duty for it, or coordination with the wijkregisseur)."""
    rows, sparql = run_named(store, "afstemming-rules")
    return [r for r in rows if "wijk" in (str(r.dutyFor) + str(r.coordinateWith)).lower()], sparql


def ward_contacts(store: EmbeddedStore, ward_label: str) -> list[Row]:
    """Wijkregisseurs whose cited line names the ward: the documents rarely say who covers which ward."""
    rows, _ = run_named(store, "actors", role=BG.wijkregisseur)
    return [r for r in rows if norm(ward_label) in norm(str(r.quote or ""))]


class Row(dict[str, Any]):
    """A result row where an unbound OPTIONAL variable reads as None."""

    def __getattr__(self, name: str) -> Any:
        return self.get(name)


def evidence_of(row: Any) -> list[Evidence]:
    file, first = getattr(row, "file", None), getattr(row, "first", None)
    if file is None or first is None:
        return []
    last = getattr(row, "last", None) or first
    quote = getattr(row, "quote", None)
    return [Evidence(str(file), (int(first), int(last)), str(quote or ""))]


def _merge(items: Iterable[Item]) -> list[Item]:
    """One item per text, evidence pooled (the union default graph repeats rows per named graph)."""
    merged: dict[str, Item] = {}
    for item in items:
        known = merged.setdefault(item.text, Item(item.text, item.iri, []))
        for ev in item.evidence:
            if all((e.document, e.lines) != (ev.document, ev.lines) for e in known.evidence):
                known.evidence.append(ev)
    return list(merged.values())


def _listing(items: list[Item], limit: int = MAX_LISTED) -> str:
    names = [i.text for i in items[:limit]]
    more = f" (+{len(items) - limit})" if len(items) > limit else ""
    return "; ".join(names) + more


def _euro(value: float) -> str:
    whole = f"{value:,.0f}".replace(",", ".")
    return f"€ {whole}"


def _local(iri: object) -> str:
    return str(iri).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


PRINCIPLE_WORDS = {
    "lijnsturing": re.compile(r"\blijn|\bline\b|lijnproject|line (team|unit|project)", re.I),
    "programmasturing": re.compile(r"programmaproject|programme project|programmasturing|programme steering", re.I),
    "wijksturing": re.compile(r"wijksturing|ward steering|wijkproject", re.I),
}
PRINCIPLE_NAMES = {
    "lijnsturing": ("lijnsturing", "line steering"),
    "programmasturing": ("programmasturing", "programme steering"),
    "wijksturing": ("wijksturing", "ward steering"),
}


def _principle_asked(question: str, linked: Linked | None = None) -> str | None:
    for mention in linked.mentions if linked else []:
        question = question.replace(mention.text, " ")  # "Contract Wijksturing" names a document, not a principle
    for principle, pattern in PRINCIPLE_WORDS.items():
        if pattern.search(question):
            return principle
    return None


# -- handlers ----------------------------------------------------------------------------------------
def _ward_or_unknown(ctx: Context) -> Entity | Reply:
    ward = ctx.linked.first("ward")
    if ward is not None:
        return ward
    return _not_found(ctx, ctx.t("gebied", "ward"), ("ward",))


def _not_found(ctx: Context, what: str, kinds: tuple[str, ...]) -> Reply:
    names = ctx.linked.unknown
    if names:
        # Not a resource in the graph, but the text may still name it ("Sociale Herovering"): quote that.
        key = norm(names[0])
        quoted = [t for t in ctx.texts if re.search(rf"\b{re.escape(key)}\b", t["norm"])]
        if quoted:
            best = max(quoted, key=lambda t: sum(w in t["norm"] for w in norm(ctx.question).split() if len(w) > 3))
            item = Item(best["text"][:700], None, [Evidence(best["document"], tuple(best["lines"]), best["text"][:200])])
            return Reply(
                ctx.t(
                    f"Niet gevonden als {what}: '{names[0]}'; de tekst noemt het wel in {best['document']} regels "
                    f'{best["lines"][0]}–{best["lines"][1]}: "{best["text"][:400]}"',
                    f"Not found as a {what}: '{names[0]}'; the text does name it in {best['document']} lines "
                    f'{best["lines"][0]}–{best["lines"][1]}: "{best["text"][:400]}"',
                ),
                [item],
            )
        near = ctx.index.suggest(names[0], kinds)
        hint = ctx.t(
            f" Bekende namen die erop lijken: {', '.join(near)}." if near else "",
            f" Known names that look similar: {', '.join(near)}." if near else "",
        )
        return Reply(
            ctx.t(
                f"Niet gevonden: '{names[0]}' komt als {what} niet voor in de documenten.{hint}",
                f"Not found: '{names[0]}' does not occur as a {what} in the documents.{hint}",
            ),
            found=False,
        )
    return Reply(
        ctx.t(
            f"Niet gevonden: de vraag noemt geen {what} die in de documenten voorkomt.",
            f"Not found: the question names no {what} that occurs in the documents.",
        ),
        found=False,
    )


def _steering(ctx: Context, row: Row) -> str:
    principle = _local(row.principle) if row.principle else ""
    return PRINCIPLE_NAMES.get(principle, ("sturing onbekend", "steering unknown"))[ctx.lang == "en"]


def ward_efforts(ctx: Context) -> Reply:
    ward = _ward_or_unknown(ctx)
    if isinstance(ward, Reply):
        return ward
    rows, sparql = ctx.run("efforts-in-ward", ward=ward.iri)
    wanted = _principle_asked(ctx.question, ctx.linked)
    only_targeted = bool(TARGETED_WORDS.search(ctx.question))
    document = _owner(ctx)
    if document is not None and document.label == ward.label:
        document = None  # "de binnenstad" is the ward here; the programme of the same name does not narrow it
    targeted: list[Item] = []
    citywide: list[Item] = []
    for row in rows:
        principle = _local(row.principle) if row.principle else None
        if wanted and principle != wanted:
            continue
        if document is not None and str(document.iri) not in (str(row.doc), str(row.programme), str(row.owner)):
            continue  # "welke inspanningen in de notitie van 2008": only that document's
        if only_targeted and str(row.reach) != "gericht":
            continue
        owner = str(row.ownerLabel) if row.ownerLabel else None
        detail = ", ".join(x for x in (_steering(ctx, row), owner) if x)
        if str(row.reach) == "gericht":
            via = f" {ctx.t('via', 'via')} {row.viaLabel}" if row.viaLabel and norm(str(row.viaLabel)) != norm(ward.label) else ""
            targeted.append(
                Item(
                    f"{row.label} ({detail}; {ctx.t('gericht op', 'targeted at')} {ward.label}{via})",
                    str(row.effort),
                    evidence_of(row),
                )
            )
        else:
            citywide.append(
                Item(f"{row.label} ({detail}; {ctx.t('stadsbreed', 'city-wide')})", str(row.effort), evidence_of(row))
            )
    targeted, citywide = _merge(targeted), _merge(citywide)
    kind = {
        "lijnsturing": ctx.t("lijnprojecten/-inspanningen", "line efforts"),
        "programmasturing": ctx.t("programma-inspanningen", "programme efforts"),
        "wijksturing": ctx.t("wijkinspanningen", "ward efforts"),
    }.get(wanted or "", ctx.t("inspanningen", "efforts"))
    if not targeted and not citywide:
        nearby = _ward_mentions(ctx, ward)
        answer = ctx.t(
            f"Niet gevonden: de documenten noemen geen {kind} die {ward.label} raken.",
            f"Not found: the documents name no {kind} that reach {ward.label}.",
        )
        other = [r for r in rows if wanted and str(r.reach) == "gericht"]
        aimed = _merge(
            Item(f"{r.label} ({_steering(ctx, r)}; {ctx.t('gericht op', 'targeted at')} {ward.label})", str(r.effort),
                 evidence_of(r))
            for r in other
        )
        if aimed:
            # "Welke lijnprojecten raken X?" with none: the work that does land there, under another steering principle.
            answer += ctx.t(f" Wel gericht op {ward.label}, met andere sturing ({len(aimed)}): ",
                            f" Targeted at {ward.label} under another steering principle ({len(aimed)}): ")
            answer += _listing(aimed, 8) + "."
        if nearby:
            answer += (
                ctx.t(f" {ward.label} wordt wel genoemd in: ", f" {ward.label} is mentioned in: ") + _listing(nearby, 6) + "."
            )
        return Reply(answer, aimed + nearby, sparql, found=False)
    parts = []
    if targeted:
        parts.append(
            ctx.t(f"Gericht op {ward.label} ({len(targeted)}): ", f"Targeted at {ward.label} ({len(targeted)}): ")
            + _listing(targeted)
        )
    if citywide:
        parts.append(
            ctx.t(
                f"Stadsbreed, dus ook in {ward.label} ({len(citywide)}): ",
                f"City-wide, so also in {ward.label} ({len(citywide)}): ",
            )
            + _listing(citywide)
        )
    head = ctx.t(
        f"{kind[0].upper()}{kind[1:]} die {ward.label} raken. ", f"{kind[0].upper()}{kind[1:]} that reach {ward.label}. "
    )
    return Reply(head + " ".join(p + "." for p in parts), targeted + citywide, sparql)


STRONG_CUES = re.compile(r"pilot|project|starten|we starten", re.I)
EFFORT_CUES = re.compile(r"pilot|project|starten|aanpak|inzet|activiteit|uitvoer", re.I)


def _ward_mentions(ctx: Context, ward: Entity) -> list[Item]:
    """Passages that name the ward (any spelling), quoted: what the text says about it."""
    rows, _ = ctx.run("ward-detail", ward=ward.iri)
    names = {norm(ward.label)} | {norm(str(r.alt)) for r in rows if r.alt}
    patterns = [re.compile(rf"\b{re.escape(n)}\b") for n in names if n]
    items: list[Item] = []
    last_end: dict[str, int] = {}
    for passage in ctx.texts:
        document, (first, last) = passage["document"], passage["lines"]
        if first <= last_end.get(document, 0) or not any(p.search(passage["norm"]) for p in patterns):
            continue  # windows overlap by half: a mention is cited once
        last_end[document] = last
        quote = passage["text"][:220]
        items.append(Item(f'{ctx.t("vermelding", "mention")}: "{quote}"', None, [Evidence(document, (first, last), quote)]))
    # Lines that describe work (a pilot, a project, a start) say more about what reaches the ward than lists do.
    return sorted(items, key=lambda i: (not STRONG_CUES.search(i.text), not EFFORT_CUES.search(i.text)))


def afstemming_rules(ctx: Context) -> Reply:
    """Without a ward: the coordination rules themselves, from the named document when there is one."""
    owner = _owner(ctx)
    rows, sparql = ctx.run("afstemming-rules")
    if owner is not None:
        rows = [r for r in rows if norm(owner.label) in norm(str(r.title))] or rows
    wanted = _principle_asked(ctx.question, ctx.linked)
    items = _merge(Item(str(r.text)[:400], str(r.rule), evidence_of(r)) for r in rows if not wanted or wanted in str(r.dutyFor))
    if not items:
        return Reply(
            ctx.t(
                "Niet gevonden: de documenten geven geen afstemmingsregels.",
                "Not found: the documents state no coordination rules.",
            ),
            [],
            sparql,
            False,
        )
    return Reply(
        ctx.t(f"Afstemmingsregels ({len(items)}): ", f"Coordination rules ({len(items)}): ")
        + " | ".join(i.text for i in items[:4]),
        items,
        sparql,
    )


def afstemming(ctx: Context) -> Reply:
    if ctx.linked.first("ward") is None and not ctx.linked.unknown:
        return afstemming_rules(ctx)
    ward = _ward_or_unknown(ctx)
    if isinstance(ward, Reply):
        return ward
    efforts = ward_efforts(ctx)
    rules_rows, rules_sparql = ward_rules(ctx.store)
    rules = _merge(Item(str(r.text)[:300], str(r.rule), evidence_of(r)) for r in rules_rows)
    contacts = ward_contacts(ctx.store, ward.label)
    contact_items = _merge(
        Item(f"{r.name} ({ctx.t('wijkregisseur', 'ward director')})", str(r.agent), evidence_of(r)) for r in contacts
    )
    parts = [efforts.answer]
    if rules:
        parts.append(
            ctx.t(f"Afstemmingsregels ({len(rules)}), o.a.: ", f"Coordination rules ({len(rules)}), e.g.: ") + rules[0].text
        )
    if contact_items:
        parts.append(ctx.t("Contact: ", "Contact: ") + _listing(contact_items))
    else:
        parts.append(
            ctx.t(
                f"De documenten noemen geen wijkregisseur bij naam voor {ward.label}.",
                f"The documents name no ward director for {ward.label}.",
            )
        )
    return Reply(
        " ".join(parts),
        efforts.items + rules[:8] + contact_items,
        efforts.sparql or rules_sparql,
        found=efforts.found or bool(rules),
    )


def ward_buurten(ctx: Context) -> Reply:
    town = ctx.linked.first("gemeente") if ctx.linked.first("ward") is None else None
    ward = town or _ward_or_unknown(ctx)
    if isinstance(ward, Reply):
        return ward
    rows, sparql = ctx.run("ward-buurten", ward=ward.iri)
    if town is not None:
        rows = [r for r in rows if _local(r.kind) == "Buurt"]  # "hoeveel buurten heeft Almelo": the buurten, not the wijken
    coded = [r for r in rows if r.cbs]
    # Buurten from the numbered (CBS) list count; names only mentioned in passing are listed apart.
    items = _merge(Item(f"{r.label}" + (f" ({r.cbs})" if r.cbs else ""), str(r.part), evidence_of(r)) for r in (coded or rows))
    loose = _merge(Item(str(r.label), str(r.part), evidence_of(r)) for r in rows if coded and not r.cbs)
    if not items:
        return Reply(
            ctx.t(
                f"Niet gevonden: de documenten noemen geen buurten van {ward.label}.",
                f"Not found: the documents list no buurten (neighbourhoods) of {ward.label}.",
            ),
            [],
            sparql,
            False,
        )
    return Reply(
        ctx.t(
            f"{ward.label} heeft {len(items)} buurten: {_listing(items, 80)}."
            + (f" Ook genoemd: {_listing(loose, 10)}." if loose else ""),
            f"{ward.label} has {len(items)} neighbourhoods (buurten): {_listing(items, 80)}."
            + (f" Also mentioned: {_listing(loose, 10)}." if loose else ""),
        ),
        items + loose,
        sparql,
        count=len(items),
    )


def _ward_detail(ctx: Context, ward: Entity) -> tuple[list[Any], str]:
    return ctx.run("ward-detail", ward=ward.iri)


def ward_code(ctx: Context) -> Reply:
    ward = _ward_or_unknown(ctx)
    if isinstance(ward, Reply):
        return ward
    rows, sparql = _ward_detail(ctx, ward)
    codes = sorted({str(r.code) for r in rows if r.code})
    if not codes:
        return Reply(
            ctx.t(
                f"Niet gevonden: de documenten geven geen CBS-code voor {ward.label}.",
                f"Not found: the documents give no CBS code for {ward.label}.",
            ),
            [],
            sparql,
            False,
        )
    item = Item(f"{ward.label}: {', '.join(codes)}", str(ward.iri), evidence_of(rows[0]))
    return Reply(
        ctx.t(
            f"Niet vermeld in de documenten: geen CBS-code; afgeleid uit het nummer van {ward.label} in de lijst: "
            f"{', '.join(codes)}.",
            f"Not stated in the documents: no CBS code; derived from the number of {ward.label} in the list of wards: "
            f"{', '.join(codes)}.",
        ),
        [item],
        sparql,
    )


def ward_variants(ctx: Context) -> Reply:
    ward = _ward_or_unknown(ctx)
    if isinstance(ward, Reply):
        return ward
    rows, sparql = _ward_detail(ctx, ward)
    variants = sorted({str(r.alt) for r in rows if r.alt})
    items = [Item(v, str(ward.iri)) for v in variants]
    if not variants:
        return Reply(
            ctx.t(
                f"De documenten schrijven {ward.label} steeds op dezelfde manier.",
                f"The documents always spell {ward.label} the same way.",
            ),
            [],
            sparql,
        )
    return Reply(
        ctx.t(f"{ward.label} komt ook voor als: {', '.join(variants)}.", f"{ward.label} also occurs as: {', '.join(variants)}."),
        items,
        sparql,
    )


def ward_parent(ctx: Context) -> Reply:
    ward = _ward_or_unknown(ctx)
    if isinstance(ward, Reply):
        return ward
    # A name can be both a listed buurt and a loosely mentioned ward: the buurt knows its wijk.
    candidates = [e for m in ctx.linked.mentions for e in m.of_kind("ward") if e.label == ward.label] or [ward]
    parents: list[Item] = []
    sparql = None
    for candidate in candidates:
        rows, sparql = _ward_detail(ctx, candidate)
        found = _merge(Item(str(r.parentLabel), str(r.parent), evidence_of(r)) for r in rows if r.parentLabel)
        if found and (not parents or candidate.cls == "Buurt"):
            parents = found
    if not parents:
        return Reply(
            ctx.t(
                f"Niet gevonden: de documenten zeggen niet waarin {ward.label} ligt.",
                f"Not found: the documents do not say where {ward.label} lies.",
            ),
            [],
            sparql,
            False,
        )
    return Reply(
        ctx.t(f"{ward.label} ligt in {_listing(parents)}.", f"{ward.label} lies in {_listing(parents)}."), parents, sparql
    )


_ROLE_CACHE: dict[int, list[tuple[str, URIRef]]] = {}


def _roles(ctx: Context) -> list[tuple[str, URIRef]]:
    key = id(ctx.store)
    if key not in _ROLE_CACHE:
        rows, _ = ctx.run("roles")
        pairs = [(norm(str(r.label)), URIRef(str(r.role))) for r in rows]
        extra = [(norm(word), BG[role]) for role, words in intents.role_words().items() for word in words]
        extra.append(("opdrachtgever", BG.bestuurlijkOpdrachtgever))
        _ROLE_CACHE[key] = sorted(pairs + extra, key=lambda p: -len(p[0]))
    return _ROLE_CACHE[key]


def _role_in(ctx: Context) -> URIRef | None:
    text = norm(ctx.question)
    for label, role in _roles(ctx):
        if re.search(rf"\b{re.escape(label)}\b", text):
            if role == BG.bestuurlijkOpdrachtgever and "ambtelijk" in text:
                return BG.ambtelijkOpdrachtgever
            return role
    return None


def _owner(ctx: Context) -> Entity | None:
    """The programme or document the question is about: the longest such name wins ("plan Leefbare wijken en
    dorpen" over a stray "wijksturing")."""
    # "manager wijksturing" names a role, not the Contract Wijksturing.
    roles = [label for label, _ in _roles(ctx) if re.search(rf"\b{re.escape(label)}\b", norm(ctx.question))]
    mentions = [
        m
        for m in ctx.linked.mentions
        if m.of_kind("programme", "document") and not any(norm(m.text) in label and norm(m.text) != label for label in roles)
    ]
    if not mentions:
        return None
    longest = max(mentions, key=lambda m: len(m.text))
    return ctx.linked.first_of(longest, "programme", "document")


def _role_name(role: URIRef, ctx: Context) -> str:
    """'bestuurlijkOpdrachtgever' -> 'bestuurlijk opdrachtgever' (the graph's own label would need a query)."""
    words = re.sub(r"(?<!^)([A-Z])", r" \1", _local(role)).lower()
    english = {"wijkregisseur": "ward director", "programmamanager": "programme manager", "wethouder": "alderman"}
    return english.get(words, words) if ctx.lang == "en" else words


def role_holder(ctx: Context) -> Reply:
    role = _role_in(ctx)
    owner = _owner(ctx)
    ward = ctx.linked.first("ward")
    if owner is None and ctx.linked.unknown and ward is None:
        return _not_found(ctx, ctx.t("programma of document", "programme or document"), ("programme", "document"))
    person = ctx.linked.first("person")
    rows, sparql = ctx.run("actors", owner=owner.iri if owner else None, role=role)
    if ward is not None and role == BG.wijkregisseur:
        rows = [r for r in rows if norm(ward.label) in norm(str(r.quote or ""))]
    if person is not None:
        # "Bij welke programma's is Eugène van Mierlo opdrachtgever?": the person's roles, by surname too.
        surname = norm(person.label).split()[-1]
        rows = [r for r in rows if str(r.agent) == str(person.iri) or surname in norm(str(r.name)).split()]
    items = _merge(Item(f"{r.name} ({r.roleLabel or _local(r.role)}, {r.title})", str(r.agent), evidence_of(r)) for r in rows)
    role_name = _role_name(role, ctx) if role else ctx.t("rol", "role")
    where = ward.label if ward else (owner.label if owner else ctx.t("de documenten", "the documents"))
    if not items:
        nearby_rows, _ = ctx.run("actors", owner=owner.iri if owner else None)
        nearby = _merge(Item(f"{r.name} ({r.roleLabel or _local(r.role)})", str(r.agent), evidence_of(r)) for r in nearby_rows)
        answer = ctx.t(
            f"Niet gevonden: de documenten noemen geen {role_name} bij naam voor {where}.",
            f"Not found: the documents do not name a {role_name} for {where}.",
        )
        if nearby:
            answer += ctx.t(" Wel genoemd: ", " Named nearby: ") + _listing(nearby, 8) + "."
        return Reply(answer, nearby[:8], sparql, False)
    # "Junior wijkregisseur: X" holds a qualified form of the role: listed, but apart and not counted,
    # unless the question asks for that qualifier itself.
    qualified = {
        i.text
        for i in items
        for e in i.evidence
        if (q := QUALIFIER.search(e.quote))
        and q.group(1).lower() not in ctx.question.lower()
        and role is not None
        and norm(re.sub(r"(?<!^)([A-Z])", r" \1", _local(role))) in norm(e.quote)
    }
    asked = QUALIFIER.search(ctx.question)
    if asked and role is not None:
        # "Wie is de junior wijkregisseur?": only holders whose line carries that qualifier.
        only = [i for i in items if any(asked.group(1).lower() in e.quote.lower() for e in i.evidence)]
        items = only or items
    plain = [i for i in items if i.text not in qualified]
    apart = [i for i in items if i.text in qualified]
    extra = ctx.t(
        f" Met een toevoeging (junior e.d.): {_listing(apart)}.", f" With a qualifier (junior etc.): {_listing(apart)}."
    )
    return Reply(
        ctx.t(
            f"{role_name[0].upper()}{role_name[1:]} voor {where}: {_listing(plain or items)}.",
            f"{role_name[0].upper()}{role_name[1:]} for {where}: {_listing(plain or items)}.",
        )
        + (extra if plain and apart else ""),
        (plain or items) + (apart if plain else []),
        sparql,
        count=len(plain or items),
        # No role word we know: every role of the programme is no answer to "wie is de programma-adviseur".
        generic=person is None and (_other_role(ctx, role) or ABOUT_ROLE.search(ctx.question) is not None or role is None and (
            owner is None or ward is not None or bool(ctx.linked.first("body", "unit"))
            or bool(re.search(r"\b(wie is|who is)\b", ctx.question, re.I)))),
    )


# "Wat zijn de taken van de wijkregisseur?" asks what the role does, not who holds it.
ABOUT_ROLE = re.compile(r"^(?!.*\b(wie|who|whom|welke personen|namen|names)\b).*"
                        r"\b(taken|taak|rol|verantwoordelijk\w*|doet|tasks?|role|responsib\w*|does|bevoegd\w*)\b", re.I)
ROLE_NOUN = re.compile(r"\w*(advis\w*|manager|leider|leader|co[oö]rdinat\w*|secretar\w*|voorzitter|chair\w*|ondersteuner|"
                       r"trekker|aanspreekpunt|contactpersoon)\b", re.I)


def _other_role(ctx: Context, role: URIRef | None) -> bool:
    """The question names a role ("programma-adviseur") other than the one recognised ("team")."""
    said = norm(ctx.question)
    if role is not None:
        for label, known in _roles(ctx):
            if known == role:
                said = re.sub(rf"\b{re.escape(label)}\b", " ", said)
    return any(not any(norm(m.group(0)) == label for label, _ in _roles(ctx)) for m in ROLE_NOUN.finditer(said))


QUALIFIER = re.compile(r"\b(junior|senior|assistent|adjunct|plaatsvervangend|interim)\b", re.I)


def relations(ctx: Context) -> Reply:
    programme = ctx.linked.first("programme")
    document = ctx.linked.first("document")
    if programme is None and document is None and ctx.linked.unknown:
        return _not_found(ctx, ctx.t("programma", "programme"), ("programme",))
    rows, sparql = ctx.run("programme-relations", programme=programme.iri if programme else None)
    if document is not None and programme is None:
        rows = [r for r in rows if str(r.fromTitle) == document.label]
    outgoing, incoming = [], []
    for r in rows:
        mutual = ctx.t("wederzijds", "mutual") if r.mutual and r.mutual.toPython() else ctx.t("eenzijdig", "one-sided")
        text = f"{r.fromName} → {r.toName} ({mutual})"
        item = Item(text, str(r.to), evidence_of(r))
        if programme is not None and str(r.to) == str(programme.iri):
            incoming.append(item)
        else:
            outgoing.append(item)
    outgoing, incoming = _merge(outgoing), _merge(incoming)
    if not outgoing and not incoming:
        who = (programme or document).label if (programme or document) else ""
        return Reply(
            ctx.t(
                f"Niet gevonden: de documenten leggen geen programmarelaties voor {who}.",
                f"Not found: the documents state no programme relations for {who}.",
            ),
            [],
            sparql,
            False,
        )
    parts = []
    if outgoing:
        parts.append(
            ctx.t(f"Genoemd als verwant ({len(outgoing)}): ", f"Named as related ({len(outgoing)}): ") + _listing(outgoing)
        )
    if incoming:
        parts.append(
            ctx.t(f"Noemen {programme.label} ({len(incoming)}): ", f"Name {programme.label} ({len(incoming)}): ")
            + _listing(incoming)
        )
    # "Welke programma's noemen Zorg?" asks who names Zorg: that half first.
    if (
        programme is not None
        and incoming
        and re.search(
            rf"\b(noemen|noemt|name|names|mention|mentions|verwijzen naar|refer to)\b\W+(\w+\W+){{0,3}}"
            rf"{re.escape(norm(programme.label))}",
            norm(ctx.question),
        )
    ):
        parts.reverse()
    return Reply(" ".join(p + "." for p in parts), outgoing + incoming, sparql)


def shared(ctx: Context) -> Reply:
    found = (ctx.linked.first_of(m, "programme", "document") for m in ctx.linked.mentions)
    owners = list({norm(e.label): e for e in found if e is not None}.values())
    wards = re.search(r"\bwijk|\bbuurt|\bdorp|\bgebied|\bward|neighbourhood|village|area", ctx.question, re.I)
    actors = re.search(r"actor|person|persoon|personen|partner|team|people|mensen|organisat|partij", ctx.question, re.I) or (
        len(owners) >= 2 and not wards)
    rows, sparql = ctx.run("shared-actors" if actors else "shared-wards")
    if actors:
        items = [Item(f"{r.name}: {r.roles}", str(r.agent)) for r in rows]
    else:
        items = [Item(f"{r.wardLabel}: {r.documents}", str(r.ward)) for r in rows]
    if len(owners) >= 2:
        # "Welke partij noemen zowel Duurzaamheid als Nieuwstraatkwartier?": shared by exactly those named.
        items = [i for i in items if all(norm(o.label) in norm(i.text) for o in owners)]
    label = ctx.t("actoren" if actors else "gebieden", "actors" if actors else "wards")
    return Reply(
        ctx.t(
            f"Gedeelde {label} ({len(items)}): {_listing(items, 12)}.", f"Shared {label} ({len(items)}): {_listing(items, 12)}."
        ),
        items,
        sparql,
        bool(items),
    )


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
        verdict = ctx.t(
            "klopt" if ok else f"klopt niet: verschil {_euro(total - parts)}",
            "adds up" if ok else f"does not add up: difference {_euro(total - parts)}",
        )
        items.append(
            Item(
                f"{r.title}, {r.label}: {ctx.t('som', 'sum')} {_euro(parts)}, "
                f"{ctx.t('vermeld totaal', 'stated total')} {_euro(total)} — {verdict}",
                str(r.table),
                evidence_of(r),
            )
        )
    if not items:
        return Reply(
            ctx.t(
                "Niet gevonden: geen begrotingstabel met een vermeld totaal" + (f" voor {owner.label}" if owner else ""),
                "Not found: no budget table with a stated total" + (f" for {owner.label}" if owner else ""),
            )
            + ".",
            [],
            sparql,
            False,
        )
    head = ctx.t(
        f"{len(items)} tabellen met totaal; {wrong} kloppen niet. ", f"{len(items)} tables with a total; {wrong} do not add up. "
    )
    return Reply(head + _listing(items, 10) + ".", items, sparql)


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


def budget(ctx: Context) -> Reply:
    owner = _owner(ctx)
    year = _year_in(ctx.question)
    if owner is None and ctx.linked.unknown:
        return _not_found(ctx, ctx.t("programma of document", "programme or document"), ("programme", "document"))
    rows, sparql = ctx.run("budgets", owner=owner.iri if owner else None, y=year)
    if year is not None:
        all_years, _ = ctx.run("budgets", owner=owner.iri if owner else None)
        undated = [r for r in all_years if r.year is None and r.start is None]
        # A prose amount ("In 2020 is voor Wijkregie een budget van € 300.000") has its year in the sentence;
        # table rows often carry none (the year sits in the caption), so undated rows of a document whose own
        # year or period covers the year count too.
        covering = {str(d) for d, span in _document_years(ctx).items() if span[0] <= year <= span[1]} if owner else set()
        rows += [r for r in undated if str(year) in str(r.quote or "") or str(r.doc) in covering]
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
                return Reply(
                    ctx.t(
                        f"Niet gevonden: de documenten noemen geen apart budget voor {effort.label}.",
                        f"Not found: the documents state no separate budget for {effort.label}.",
                    ),
                    [],
                    sparql,
                    False,
                )
            own += mine
            per_effort[effort.label] = sum({str(r.budget): float(r.amount) for r in mine if not _is_total(r)}.values())
        rows = own
    else:
        # "How much subsidy does Stichting Almelo Promotie receive": the rows that name the organisation.
        names = [norm(m.entities[0].label) for m in ctx.linked.mentions
                 if m.entities and ctx.linked.first_of(m, "programme", "document") is None]
        named = [r for r in rows if any(n in norm(f"{r.purpose or ''} {r.effortLabel or ''} {r.quote or ''}") for n in names)]
        # "budget voor buurtbemiddeling", "wat reserveert Duurzaamheid voor het Nieuwstraatkwartier": the rows for that purpose.
        narrow = owner is None or len(ctx.linked.mentions) > 1
        focused_rows = _focus(rows, "purpose", ctx.question, ctx.linked) if narrow else rows
        generic = owner is None and not named and focused_rows is rows  # every budget of every document
        rows = named or focused_rows
    items, totals, parts_sum = [], [], 0.0
    for r in rows:
        when = str(r.year) if r.year else (f"{r.start}–{r.end}" if r.start else "")
        purpose = str(r.purpose or "").strip(" :") or ctx.t("budget", "budget")
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
    where = owner.label if owner else ctx.t("alle documenten", "all documents")
    if not items:
        answer = ctx.t(
            f"Niet gevonden: de documenten noemen geen budget voor {where}",
            f"Not found: the documents state no budget for {where}",
        )
        if year:
            answer += ctx.t(f" in {year}", f" in {year}")
            other, _ = ctx.run("budgets", owner=owner.iri if owner else None)
            years = sorted({str(r.year) for r in other if r.year} | {f"{r.start}–{r.end}" for r in other if r.start})
            if years:
                answer += ctx.t(f"; wel voor: {', '.join(years[:8])}", f"; there are budgets for: {', '.join(years[:8])}")
        return Reply(answer + ".", [], sparql, False)
    total_text = (
        ctx.t(f" Som van de regels: {_euro(parts_sum)}.", f" Sum of the rows: {_euro(parts_sum)}.") if owner and year else ""
    )
    if totals:
        total_text = ctx.t(" Vermeld totaal: ", " Stated total: ") + "; ".join(t.text for t in _merge(totals)[:4]) + "."
    focused = _focus(rows, "purpose", ctx.question, ctx.linked)
    if SUM_WORDS.search(ctx.question) and len(per_effort) > 1:
        # "Hoeveel trekken we samen uit voor het SchuldenLab en Vroeg er op af?": the efforts' amounts added up.
        spread = "; ".join(f"{label} {_euro(amount)}" for label, amount in per_effort.items())
        total_text = ctx.t(f" Samen: {_euro(sum(per_effort.values()))} ({spread}).",
                           f" Together: {_euro(sum(per_effort.values()))} ({spread}).") + total_text
    elif SUM_WORDS.search(ctx.question) and focused is not rows:
        # "Wat kosten de vijf wijkregisseurs samen": the rows for that purpose, in the first table that lists them.
        first = _blocks(list({str(r.budget): r for r in focused}.values()))[0]
        amount = sum(float(r.amount) for r in first)
        span = f"{first[0].first}–{first[-1].first}"
        # The sum of every listed row would mix in the other table's copies of these rows: only the stated totals stay.
        stated = total_text if totals else ""
        total_text = (
            ctx.t(
                f" Samen ({len(first)} regels, {first[0].file} regels {span}): {_euro(amount)}.",
                f" Together ({len(first)} rows, {first[0].file} lines {span}): {_euro(amount)}.",
            )
            + stated
        )
    elif SUM_WORDS.search(ctx.question) and not year:
        # "over de vier jaar samen": add up the stated yearly totals (one per year), else the rows.
        yearly: dict[str, float] = {}
        for r in rows:
            if r.isTotal is not None and r.isTotal.toPython() and r.year is not None:
                yearly.setdefault(str(r.year), float(r.amount))
        if yearly:
            spread = ", ".join(f"{y} {_euro(v)}" for y, v in sorted(yearly.items()))
            total_text = (
                ctx.t(
                    f" Samen over {len(yearly)} jaar: {_euro(sum(yearly.values()))} ({spread}).",
                    f" Together over {len(yearly)} years: {_euro(sum(yearly.values()))} ({spread}).",
                )
                + total_text
            )
        for r in rows:
            # "€ 625.000 per jaar" over a period 2023–2026: the yearly amount times the years, shown as a sum.
            if r.start is not None and re.search(r"per jaar|jaarlijks|per year|structureel", str(r.quote or ""), re.I):
                years = int(str(r.end)) - int(str(r.start)) + 1
                total = float(r.amount) * years
                total_text = (
                    ctx.t(
                        f" {_euro(float(r.amount))} per jaar × {years} jaar ({r.start}–{r.end}) = {_euro(total)}.",
                        f" {_euro(float(r.amount))} per year × {years} years ({r.start}–{r.end}) = {_euro(total)}.",
                    )
                    + total_text
                )
                break
    listing = (
        ctx.t(
            f"Budgetten voor {where}" + (f" in {year}" if year else "") + f" ({len(items)}): ",
            f"Budgets for {where}" + (f" in {year}" if year else "") + f" ({len(items)}): ",
        )
        + _listing(items, 12)
        + "."
    )
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
        if mention.of_kind("document", "ward") or mention.of_kind("programme") and mention.text[:1].isupper():
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


def capacity(ctx: Context) -> Reply:
    owner = _owner(ctx)
    rows, sparql = ctx.run("capacity", owner=owner.iri if owner else None)
    rows = list({str(r.c): r for r in rows}.values())
    rows = _focus(rows, "role", ctx.question, ctx.linked)
    blocks = _blocks(rows)
    if not blocks:
        return Reply(
            ctx.t(
                "Niet gevonden: de documenten noemen geen capaciteit (uren)" + (f" voor {owner.label}" if owner else "") + ".",
                "Not found: the documents state no capacity (hours)" + (f" for {owner.label}" if owner else "") + ".",
            ),
            [],
            sparql,
            False,
        )
    items = []
    for r in [row for block in blocks for row in block]:
        hours = []
        if r.perWeek is not None:
            hours.append(ctx.t(f"{float(r.perWeek):g} uur per week", f"{float(r.perWeek):g} hours per week"))
        if r.perYear is not None:
            hours.append(ctx.t(f"{float(r.perYear):g} uur per jaar", f"{float(r.perYear):g} hours per year"))
        line = ctx.t("regel", "line")
        items.append(Item(f"{r.role}: {', '.join(hours)} — {r.title}, {line} {r.first}", str(r.c), evidence_of(r)))
    # The same table can be printed twice (one per year): add up the first one and say how many there are.
    first = blocks[0]
    week = sum(float(r.perWeek) for r in first if r.perWeek is not None)
    year = sum(float(r.perYear) for r in first if r.perYear is not None)
    span = f"{first[0].first}–{first[-1].first}"
    total = ctx.t(
        f" Samen ({len(first)} regels, {first[0].file} regels {span}): {week:g} uur per week, {year:g} uur per jaar.",
        f" Together ({len(first)} rows, {first[0].file} lines {span}): {week:g} hours per week, {year:g} hours per year.",
    )
    if len(blocks) > 1:
        total += ctx.t(f" ({len(blocks)} tabellen met capaciteit gevonden.)", f" ({len(blocks)} capacity tables found.)")
    answer = ctx.t("Capaciteit: ", "Capacity: ") + _listing(items, 12) + "."
    if len(first) > 1:
        answer = total.strip() + " " + answer if SUM_WORDS.search(ctx.question) else answer + total
    return Reply(answer, items, sparql)


def indicators(ctx: Context) -> Reply:
    owner = _owner(ctx)
    rows, sparql = ctx.run("indicators", owner=owner.iri if owner else None)
    items = _merge(
        Item(
            f"{r.label}"
            + (f" ({ctx.t('nulwaarde', 'baseline')} {r.baseline})" if r.baseline else "")
            + (f" ({ctx.t('streefwaarde', 'target')} {r.target})" if r.target else ""),
            str(r.indicator),
            evidence_of(r),
        )
        for r in rows
    )
    if not items:
        return Reply(
            ctx.t(
                "Niet gevonden: de documenten geven geen indicatoren met nul- of streefwaarde"
                + (f" voor {owner.label}" if owner else "")
                + ".",
                "Not found: the documents give no indicators with baseline or target"
                + (f" for {owner.label}" if owner else "")
                + ".",
            ),
            [],
            sparql,
            False,
        )
    return Reply(ctx.t("Indicatoren: ", "Indicators: ") + _listing(items) + ".", items, sparql)


LEVEL_WORDS = [
    ("Visie", re.compile(r"visie|vision", re.I)),
    ("StrategischDoel", re.compile(r"strateg", re.I)),
    ("TactischDoel", re.compile(r"tactis|tactic", re.I)),
    ("OperationeelDoel", re.compile(r"operation", re.I)),
]
GOAL_LEVELS = ("Visie", "StrategischDoel", "TactischDoel", "OperationeelDoel", "Beleidsdoel")
EFFORT_LEVELS = ("Inspanning", "Project", "Activiteit", "Werkveld", "Programmalijn")
LEVEL_NAMES = {
    "Visie": ("visie", "vision"),
    "StrategischDoel": ("strategisch doel", "strategic goal"),
    "TactischDoel": ("tactisch doel", "tactical goal"),
    "OperationeelDoel": ("operationeel doel", "operational goal"),
    "Beleidsdoel": ("doel", "goal"),
    "Inspanning": ("inspanning", "effort"),
    "Project": ("project", "project"),
    "Activiteit": ("activiteit", "activity"),
    "Werkveld": ("werkveld", "field of work"),
    "Programmalijn": ("programmalijn", "programme line"),
}


def _din(ctx: Context, levels: tuple[str, ...], what: tuple[str, str]) -> Reply:
    owner = _owner(ctx)
    if owner is None:
        if ctx.linked.unknown:
            return _not_found(ctx, ctx.t("programma of document", "programme or document"), ("programme", "document"))
        return Reply(
            ctx.t(
                f"Welk programma of document bedoelt u? Noem het, dan geef ik de {what[0]}.",
                f"Which programme or document do you mean? Name it and I will give the {what[1]}.",
            ),
            [],
            None,
            False,
        )
    rows, sparql = ctx.run("din", owner=owner.iri)
    # "Welke tactische doelen horen bij het strategisch doel 'X'": only what contributes to the named goal.
    named_goal = ctx.linked.first("goal")
    if named_goal is not None and any(str(r.parent) == str(named_goal.iri) for r in rows):
        rows = [r for r in rows if str(r.parent) == str(named_goal.iri)]
        levels = tuple({_local(r.level) for r in rows})
    items = []
    for r in rows:
        level = _local(r.level)
        if level not in levels:
            continue
        name = LEVEL_NAMES.get(level, (level, level))[ctx.lang == "en"]
        parent = f" → {r.parentLabel}" if r.parentLabel else ""
        items.append(Item(f"{r.label} ({name}{parent})", str(r.x), evidence_of(r)))
    items = _merge(items)
    if not items:
        return Reply(
            ctx.t(
                f"Niet gevonden: de documenten geven geen {what[0]} voor {owner.label}.",
                f"Not found: the documents give no {what[1]} for {owner.label}.",
            ),
            [],
            sparql,
            False,
        )
    return Reply(
        ctx.t(
            f"{what[0][0].upper()}{what[0][1:]} van {owner.label} ({len(items)}): ",
            f"{what[1][0].upper()}{what[1][1:]} of {owner.label} ({len(items)}): ",
        )
        + _listing(items)
        + ".",
        items,
        sparql,
    )


def din_goals(ctx: Context) -> Reply:
    asked = tuple(level for level, pattern in LEVEL_WORDS if pattern.search(ctx.question))
    levels = asked or GOAL_LEVELS
    names = ", ".join(LEVEL_NAMES[level][ctx.lang == "en"] for level in asked) if asked else ctx.t("doelen", "goals")
    return _din(ctx, levels, (names, names) if asked else ("doelen", "goals"))


def din_efforts(ctx: Context) -> Reply:
    ward = ctx.linked.first("ward")
    if ward is not None and _owner(ctx) is None:
        return ward_efforts(ctx)
    return _din(ctx, EFFORT_LEVELS, ("inspanningen", "efforts"))


def contributes_to(ctx: Context) -> Reply:
    element = ctx.linked.first("effort", "goal")
    if element is None:
        return din_goals(ctx)
    rows, sparql = ctx.run("contributes-to", element=element.iri)
    items = _merge(
        Item(
            f"{r.label} ({LEVEL_NAMES.get(_local(r.level), ('doel', 'goal'))[ctx.lang == 'en']}"
            + (f" {r.number}" if r.number else "")  # "doelen 2, 3 en 4": the documents cite goals by number
            + (ctx.t(", direct", ", directly") if r.direct and r.direct.toPython() else "")
            + ")",
            str(r.goal),
            evidence_of(r),
        )
        for r in rows
    )
    if not items:
        return Reply(
            ctx.t(
                f"Niet gevonden: de documenten koppelen {element.label} aan geen doel.",
                f"Not found: the documents link {element.label} to no goal.",
            ),
            [],
            sparql,
            False,
        )
    return Reply(
        ctx.t(f"{element.label} draagt bij aan: ", f"{element.label} contributes to: ") + _listing(items) + ".", items, sparql
    )


def element(ctx: Context) -> Reply:
    """What a goal or effort stands for: where the document explains it ("Het versterken van participatie —
    dat betekent dat ..."), else the lines it is named on, and the goals it serves."""
    found = ctx.linked.first("effort", "goal")
    if found is None:
        return din_goals(ctx)
    rows, sparql = ctx.run("element", element=found.iri)
    if not rows:
        return Reply(ctx.t(f"Niet gevonden: {found.label}.", f"Not found: {found.label}."), [], sparql, False)
    row = rows[0]
    kind = LEVEL_NAMES.get(_local(row.kind), ("element", "element"))[ctx.lang == "en"]
    key = norm(NUMBERED.sub("", str(row.label)))
    named_at = set(range(int(row.first), int(row.last) + 1))
    windows = [t for t in ctx.texts if t["document"] == str(row.file) and key in t["norm"]]
    # The explanation is where the name opens a passage of its own, not the list line it was extracted from.
    others = [t for t in windows if not named_at & set(range(t["lines"][0], t["lines"][1] + 1))] or windows
    headed = [t for t in others if re.match(rf"^((het|de|een)\s+)?{re.escape(key)}\b", t["norm"])] or others
    explained = _completed(headed[0], ctx.texts) if headed else None
    goals = sorted({str(r.goalLabel) for r in rows if r.goalLabel})
    items = [Item(f"{row.label} ({kind}, {row.title})", str(found.iri), evidence_of(row))]
    answer = f"{row.label} ({kind}, {row.title})"
    if explained is not None:
        answer += f': "{explained["text"][:700]}" ({explained["document"]} {ctx.t("regels", "lines")} ' \
                  f'{explained["lines"][0]}–{explained["lines"][1]})'
        items.append(Item(explained["text"][:1200], None,
                          [Evidence(explained["document"], tuple(explained["lines"]), explained["text"][:200])]))
    if goals:
        answer += ctx.t(" Draagt bij aan: ", " Contributes to: ") + "; ".join(goals[:6])
    return Reply(answer + ".", items, sparql)


def document_meta(ctx: Context) -> Reply:
    rows, sparql = ctx.run("documents")
    owner = _owner(ctx)
    if owner is not None:
        rows = [r for r in rows if str(r.doc) == str(owner.iri) or norm(owner.label) in norm(str(r.title))]
    items = []
    for r in rows:
        if r.start:
            years = int(str(r.end)) - int(str(r.start)) + 1
            period = f"{r.start}–{r.end}, {years} " + ctx.t("jaar", "years")
        else:
            period = str(r.year) if r.year else ctx.t("jaar onbekend", "year unknown")
        items.append(
            Item(
                f"{r.title} ({_local(r.kind)}, {r.municipality or '?'}, {period}; {r.steering or '-'}; "
                f"{r.file} {ctx.t('regels', 'lines')} {r.first}–{r.last})",
                str(r.doc),
                [Evidence(str(r.file), (int(r.first), int(r.first)), str(r.title))],
            )
        )
    if not items:
        return Reply(ctx.t("Niet gevonden.", "Not found."), [], sparql, False)
    return Reply(ctx.t(f"Documenten ({len(items)}): ", f"Documents ({len(items)}): ") + _listing(items) + ".", items, sparql)


def programme_list(ctx: Context) -> Reply:
    rows, sparql = ctx.run("programmes")
    items = _merge(Item(str(r.label) + (f" ({r.contract})" if r.contract else ""), str(r.programme)) for r in rows)
    return Reply(ctx.t(f"Programma's ({len(items)}): ", f"Programmes ({len(items)}): ") + _listing(items) + ".", items, sparql)


def ward_list(ctx: Context) -> Reply:
    rows, sparql = ctx.run("wards")
    municipality = ctx.linked.first("gemeente")
    if municipality is not None:
        rows = [r for r in rows if str(r.parent) == str(municipality.iri)]
    wards = [r for r in rows if _local(r.kind) in ("Wijk", "Dorp", "Stadsdeel")]
    # A numbered list of wards (with CBS codes) is the municipality's own division; other names were only mentioned.
    listed = _merge(Item(f"{r.label} ({_local(r.kind).lower()}, {r.cbs})", str(r.ward)) for r in wards if r.cbs)
    mentioned = _merge(Item(str(r.label), str(r.ward)) for r in wards if not r.cbs)
    if listed:
        kinds = {k: sum(f"({k}," in i.text for i in listed) for k in ("wijk", "dorp", "stadsdeel")}
        split = ", ".join(
            f"{n} {k}{'en' if k != 'dorp' and n != 1 else ''}{'en' if k == 'dorp' and n != 1 else ''}"
            for k, n in kinds.items()
            if n
        )
        answer = (
            ctx.t(
                f"Wijken en dorpen in de gebiedenlijst ({len(listed)}: {split}): ",
                f"Wards and villages in the list of wards ({len(listed)}: {split}): ",
            )
            + _listing(listed)
            + "."
        )
        if mentioned:
            answer += (
                ctx.t(f" Ook genoemd ({len(mentioned)}): ", f" Also mentioned ({len(mentioned)}): ")
                + _listing(mentioned, 12)
                + "."
            )
        return Reply(answer, listed + mentioned, sparql, count=len(listed))
    return Reply(
        ctx.t(f"Wijken en dorpen ({len(mentioned)}): ", f"Wards and villages ({len(mentioned)}): ") + _listing(mentioned) + ".",
        mentioned,
        sparql,
    )


HANDLERS: dict[str, Callable[[Context], Reply]] = {
    "afstemming": afstemming,
    "ward_efforts": ward_efforts,
    "ward_buurten": ward_buurten,
    "ward_code": ward_code,
    "ward_variants": ward_variants,
    "ward_parent": ward_parent,
    "role_holder": role_holder,
    "relations": relations,
    "shared": shared,
    "budget_check": budget_check,
    "capacity": capacity,
    "budget": budget,
    "indicators": indicators,
    "contributes_to": contributes_to,
    "din_efforts": din_efforts,
    "din_goals": din_goals,
    "document_meta": document_meta,
    "element": element,
    "programme_list": programme_list,
    "ward_list": ward_list,
}
TARGETED_WORDS = re.compile(r"\bgericht|\btargeted\b|specifiek|specifically|\baimed\b", re.I)
SUM_WORDS = re.compile(r"\bsamen\b|in totaal|\btotaal\b|\btotal\b|together|\bsum\b|\bsom\b|opgeteld|over de .* jaar", re.I)
COUNT_WORDS = re.compile(r"\bhoeveel\b|\bhow many\b|\baantal\b|\bnumber of\b", re.I)
MIN_INTENT_SCORE = 1.5
# Content words a question may carry beyond its intent and names before the text, not the graph, answers it.
SPECIFIC_WORDS = 2


# -- entry points --------------------------------------------------------------------------------------
GENERIC_LISTS = ("ward_list", "programme_list", "document_meta", "shared")
COMPUTED = ("budget_check", "budget", "capacity")
QUESTION_WORDS = set(
    "welke wat wie waar hoe hoeveel zijn worden wordt volgens komende jaren document documenten plan contract which what "
    "who where does there according years heeft hebben geeft gemeente municipality bijlage annex appendix list lijst "
    "under onder staan genoemd named villages wards noemt".split()
)


def _unexplained(question: str, intent: intents.Intent, linked: Linked) -> list[str]:
    """Content words of the question that neither the intent's cues nor a linked name account for."""
    text = question
    for cue in intent.cues:
        text = cue.sub(" ", text)
    for mention in linked.mentions:
        text = text.replace(mention.text, " ")
    return [w for w in norm(text).split() if len(w) > 4 and w not in QUESTION_WORDS and w not in STOPWORDS]


def _covered(words: list[str], text: str) -> int:
    """How many of ``words`` (or, for English words, their Dutch glossary renderings) the text holds."""
    from beleidsgraaf.queries.search import tokenize, translated

    held = set(tokenize(text))
    return sum(1 for w in words if (set(tokenize(w)) | set(translated(w))) & held)


def _needs_text(question: str, intent: intents.Intent, linked: Linked, passages: list[dict[str, Any]],
                reply: Reply | None) -> bool:
    """The question asks about something the intent's answer does not speak of ("wanneer moet het loket
    operationeel zijn" is not a list of operational goals) and the best passages do."""
    if intent.name == "passage":
        return True
    leftover = _unexplained(question, intent, linked)
    named = {e.label for m in linked.mentions if (e := linked.first_of(m, "programme", "document"))}
    if intent.name in GENERIC_LISTS and len(leftover) >= 3 and not (intent.name == "shared" and len(named) >= 2):
        return True  # "Welke wijken krijgen specifieke aandacht?" is not "welke wijken zijn er"
    if reply is None or not passages:
        return False
    best = max(passages[:5], key=lambda p: _covered(leftover, p["text"]))
    in_passages = _covered(leftover, best["text"])
    if reply.generic:
        # A list of everything answers nothing; a passage with the question's own words or names does.
        # Passages come from the documents named already, so the other names (a ward, a body) must be in one.
        names = [m.entities[0].label for m in linked.mentions if m.entities and not linked.first_of(m, "programme", "document")]
        names = names or [m.entities[0].label for m in linked.mentions if m.entities]
        return bool(in_passages) or any(_covered(names, p["text"]) >= max(1, len(names)) for p in passages[:5])
    if intent.name in COMPUTED or len(leftover) < SPECIFIC_WORDS:
        return False  # a sum or a check is computed from the graph; no passage holds it
    if in_passages < SPECIFIC_WORDS:
        return False
    first, last = best["lines"]
    if any(e.document == best["document"] and first - 3 <= e.lines[0] <= last + 20 for i in reply.items for e in i.evidence):
        return False  # the graph's answer comes from that very passage (or the list it opens)
    said = " ".join([reply.answer] + [i.text for i in reply.items] + [e.quote for i in reply.items for e in i.evidence])
    return in_passages > _covered(leftover, said) if reply.found else True


KIND_NOUNS = r"(programma|programme|program|wijk|ward|buurt|dorp|village|neighbourhood|district)"


def _named_as_kind(name: str, question: str) -> bool:
    return bool(re.search(rf"\b{KIND_NOUNS}\s+{re.escape(name)}\b|\b{re.escape(name)}[- ]{KIND_NOUNS}\b", question, re.I))


class Answerer:
    """Holds the entity index and models for one store generation; answers many questions."""

    def __init__(self, store: EmbeddedStore) -> None:
        self.store = store
        self.index = EntityIndex(store)
        self.texts = _load_texts(store)
        self.documents = run_named(store, "documents")[0]

    def _in_text(self, name: str) -> bool:
        key = f" {norm(name)} "
        return any(key in f" {t['norm']} " for t in self.texts)

    def ask(self, question: str) -> dict[str, Any]:
        question = (question or "").strip()
        if not question:
            raise ValueError("empty question")
        if len(question) > MAX_QUESTION:
            raise ValueError(f"question longer than {MAX_QUESTION} characters")
        lang = intents.language(question)
        linked = link(question, self.index)
        # A capitalised word the documents do use ("lobby richting het Rijk") is no unknown name, only not a
        # resource; unless the question calls it a programme or ward ("the Sport programme").
        linked.unknown = [name for name in linked.unknown if _named_as_kind(name, question) or not self._in_text(name)]
        ctx = Context(self.store, question, lang, linked, self.index, self.texts)
        ranked = intents.rank(question, linked)
        best_score, best = ranked[0]
        scope = _scope(self.documents, linked)
        passages = _passages(self.store, question, scope=scope)
        if best_score < MIN_INTENT_SCORE or _needs_text(question, best, linked, passages, None):
            return _with_stated_counts(_passage_answer(question, lang, passages, linked, ctx), scope, ctx)
        reply = HANDLERS[best.name](ctx)
        if _needs_text(question, best, linked, passages, reply):
            return _with_stated_counts(_passage_answer(question, lang, passages, linked, ctx), scope, ctx)
        answer = reply.answer
        items = [i.as_dict() for i in reply.items[:50]]
        if not reply.found and passages:
            # What the text says nearby, whole: a reader checks "not found" against it.
            top = _completed(passages[0], ctx.texts)
            quote = f'{top["document"]} {ctx.t("regels", "lines")} {top["lines"][0]}–{top["lines"][1]}: "{top["text"][:600]}"'
            answer += ctx.t(f" Dichtstbijzijnde passage: {quote}", f" Nearest passage: {quote}")
            items = items or _passage_items([_completed(p, ctx.texts) for p in passages[:3]])
        missing = [name for name in linked.unknown if name not in answer]
        if missing and not reply.found:
            answer += ctx.t(f" Onbekend in de documenten: {', '.join(missing)}.", f" Not in the documents: {', '.join(missing)}.")
        if (
            COUNT_WORDS.search(question)
            and reply.found
            and reply.items
            and best.name not in ("budget_check", "capacity", "budget")
        ):
            counted = reply.count if reply.count is not None else len(reply.items)
            answer = ctx.t(f"Aantal: {counted}. ", f"Count: {counted}. ") + answer
        result = {
            "question": question,
            "intent": best.name,
            "answer": answer,
            "answers": items,
            "passages": passages,
            "sparql": reply.sparql,
        }
        return _with_stated_counts(result, scope, ctx)


NUMBER_WORDS = "twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|dertien|veertien|vijftien|twintig"
STATED_COUNTS = 4  # counts quoted from the text next to the answer


def _with_stated_counts(result: dict[str, Any], scope: list[Span], ctx: Context) -> dict[str, Any]:
    """"Hoeveel inspanningen ...?": what the documents themselves say ("10 inspanningen voor doel I", "de volgende
    twee strategische hoofdopgaven"), quoted with its lines next to the graph's count; they may differ."""
    asked = COUNTED.search(ctx.question)
    if not asked:
        return result
    from beleidsgraaf.queries.search import tokenize, translated

    after = ctx.question[asked.start("noun"):].split()[:2]  # "hoeveel strategische hoofdopgaven": both words
    stems = {t for w in after for t in tokenize(w) + translated(w) if len(t) > 3}
    pattern = re.compile(rf"\b(\d{{1,3}}|{NUMBER_WORDS})\s+((?:\w+\s+){{0,2}}?)([\w-]+)", re.I)
    found: dict[str, tuple[dict[str, Any], str]] = {}
    for t in ctx.texts:
        if scope and not any(t["document"] == f and a <= t["lines"][0] <= b for f, a, b in scope):
            continue
        for match in pattern.finditer(t["text"]):
            if re.fullmatch(r"(19|20)\d\d", match.group(1)) or not set(tokenize(match.group(3))) & stems:
                continue
            text = t["text"]
            start = text.rfind(" ", 0, max(0, match.start() - 30)) + 1  # whole words around the number
            end = text.find(" ", match.end() + 40)
            phrase = text[start: end if end > 0 else len(text)].strip()
            found.setdefault(norm(match.group(0)), (t, phrase))
    if not found:
        return result
    shown = list(found.values())[:STATED_COUNTS]
    said = "; ".join(f'"…{phrase}…" ({t["document"]} {ctx.t("regels", "lines")} {t["lines"][0]}–{t["lines"][1]})'
                     for t, phrase in shown)
    result["answer"] += ctx.t(" De tekst noemt zelf: ", " The text itself says: ") + said + "."
    result["answers"] = result["answers"] + [
        {"text": phrase, "iri": None, "evidence": [{"document": t["document"], "lines": list(t["lines"]), "quote": phrase}]}
        for t, phrase in shown
    ]
    return result


def _load_texts(store: EmbeddedStore) -> list[dict[str, Any]]:
    """The passage windows stored with the graph (one JSON object per line), for exact name look-ups."""
    path = store.artifact("passages.jsonl")
    if path is None:
        return []
    texts = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for text in texts:
        text["norm"] = norm(text["text"])  # name look-ups compare normalised text; do it once per store generation
    return sorted(texts, key=lambda t: (t["document"], t["lines"][0]))


Span = tuple[str, int, int]  # file name, first and last line of a document in it
SCOPED_DEPTH = 60  # results searched for passages inside the documents a question names


def _scope(rows: list[Row], linked: Linked) -> list[Span]:
    """The documents (rows of the ``documents`` query) the question names, by programme, document or
    municipality ("volgens de Utrechtse notitie")."""
    named: list[Span] = []
    towns: list[Span] = []
    for mention in linked.mentions:
        owner = linked.first_of(mention, "programme", "document")
        if owner is not None:
            named += [(str(r.file), int(r.first), int(r.last)) for r in rows if str(owner.iri) in (str(r.doc), str(r.programme))]
        elif mention.entities:
            town = norm(mention.entities[0].label)
            towns += [(str(r.file), int(r.first), int(r.last)) for r in rows
                      if r.municipality and norm(str(r.municipality)) == town]
    several = len({norm(str(r.municipality)) for r in rows if r.municipality}) > 1  # else naming the town narrows nothing
    return list(dict.fromkeys(named + (towns if several else [])))


def _passages(store: EmbeddedStore, question: str, k: int = 5, scope: list[Span] | None = None) -> list[dict[str, Any]]:
    """The best passages; when the question names documents, the best passages inside them."""
    try:
        from beleidsgraaf.queries.search import search
    except ImportError:  # search is optional until its index exists
        return []
    try:
        found = [p.as_dict() for p in search(store, question, SCOPED_DEPTH if scope else k)]
    except Exception:  # noqa: BLE001 - a missing or stale index must not break graph answers
        return []
    inside = [p for p in found if any(p["document"] == f and a <= p["lines"][0] <= b for f, a, b in scope or [])]
    return (inside or found)[:k]


SHORT_PASSAGE = 160
LIST_LINES = 20  # how far a passage that announces a list (ends in ':') runs on to show the list


def _next_window(passage: dict[str, Any], texts: list[dict[str, Any]]) -> dict[str, Any] | None:
    follow = [t for t in texts if t["document"] == passage["document"] and t["lines"][0] > passage["lines"][1]]
    if not follow:
        return None
    nxt = min(follow, key=lambda t: t["lines"][0])
    return nxt if nxt["lines"][0] <= passage["lines"][1] + 3 else None


def _completed(passage: dict[str, Any], texts: list[dict[str, Any]]) -> dict[str, Any]:
    """A passage completed to the end of its last sentence, and, when it announces a list ("... bestaat uit
    de volgende activiteiten:"), run on over the list."""
    first = passage["lines"][0]
    # A short window (cells of a flattened table) runs on once: alone it lacks the words that answer.
    if len(passage["text"]) < SHORT_PASSAGE and (nxt := _next_window(passage, texts)):
        passage = {**passage, "text": f"{passage['text'].rstrip()} {nxt['text'].strip()}", "lines": [first, nxt["lines"][1]]}
    announces = bool(re.search(r":\W*$", passage["text"].rstrip()))
    while announces and passage["lines"][1] - first < LIST_LINES:
        nxt = _next_window(passage, texts)
        if nxt is None:
            break
        passage = {**passage, "text": f"{passage['text'].rstrip()} {nxt['text'].strip()}", "lines": [first, nxt["lines"][1]]}
    text = passage["text"].rstrip()
    if re.search(r"[.!?;]\W*$", text):
        return passage
    nxt = _next_window(passage, texts)
    if nxt is None:
        return passage
    end = re.search(r"[.!?](\s|$)", nxt["text"])
    if end is None:
        return passage
    return {**passage, "text": f"{text} {nxt['text'][: end.end()].strip()}", "lines": [first, nxt["lines"][1]]}


QUANTITY = re.compile(r"\bhoeveel\b|\bhoe (groot|hoog|lang)\b|\bhow (much|many|large|big|high|long)\b|\bwelk bedrag\b|"
                      r"\bwhat (annual |yearly )?(budget|amount)\b", re.I)
MONEY_WORDS = re.compile(r"geld|budget|bedrag|\bkost|euro|€|subsid|how much", re.I)
MONEY_TEXT = re.compile(r"€|\beuro\b|\d{1,3}(\.\d{3})+|\bmiljoen\b|\bmln\b", re.I)
NUMBER_TEXT = re.compile(r"(?<![\d.])(?!(19|20)\d\d\b)\d+|\b(twee|drie|vier|vijf|zes|zeven|acht|negen|tien|elf|twaalf|twintig|"
                         r"honderd|duizend|two|three|four|five|six|seven|eight|nine|ten|twelve|twenty|hundred|thousand)\b", re.I)


COUNTED = re.compile(r"\b(hoeveel|how many)\s+(?P<noun>[a-zà-ÿ-]{4,})", re.I)


def _number_near(noun: str, text: str, reach: int = 4) -> bool:
    from beleidsgraaf.queries.search import tokenize, translated

    wanted = set(tokenize(noun)) | set(translated(noun))
    words = re.findall(r"[\w.,-]+", text)
    stems = [set(tokenize(w)) for w in words]
    for i, word in enumerate(words):
        if NUMBER_TEXT.fullmatch(word.strip(".,")) and any(wanted & stems[j] for j in
                                                           range(max(0, i - reach), min(len(words), i + reach + 1))):
            return True
    return False


def _unstated(question: str, shown: list[dict[str, Any]], ctx: Context) -> str | None:
    """Why the best passages cannot answer: a year they never mention, or an amount or number they do not give."""
    nearest = shown[:3]
    for year in re.findall(r"\b(?:19|20)\d\d\b", question):
        if not any(year in p["text"] for p in nearest):
            return ctx.t(f"Niet gevonden: de documenten noemen hierover niets voor {year}.",
                         f"Not found: the documents state nothing on this for {year}.")
    if QUANTITY.search(question):
        money = MONEY_WORDS.search(question)
        counted = COUNTED.search(question)
        if money:
            stated = any(MONEY_TEXT.search(p["text"]) for p in nearest)
        elif counted:
            # "hoeveel inwoners": a number next to that noun (or its Dutch word), not any list number nearby.
            stated = any(_number_near(counted.group("noun"), p["text"]) for p in nearest)
        else:
            stated = any(NUMBER_TEXT.search(p["text"]) for p in nearest)
        if not stated:
            what = ctx.t("bedrag", "amount") if money else ctx.t("aantal", "number")
            return ctx.t(f"Niet gevonden: de documenten noemen hier geen {what}.",
                         f"Not found: the documents state no {what} for this.")
    return None


def _reranked(question: str, shown: list[dict[str, Any]], linked: Linked) -> list[dict[str, Any]]:
    """The passages that hold most of the question's content words first, the names it links counting double
    (search order breaks ties): fusion ranks a passage that merely sounds alike above the one that names the
    programme adviser of the programme asked about."""
    focus = [w for w in dict.fromkeys(norm(question).split()) if len(w) > 3 and w not in QUESTION_WORDS and w not in STOPWORDS]
    names = list(dict.fromkeys(m.entities[0].label for m in linked.mentions if m.entities))
    if not focus and not names:
        return shown

    def score(p: dict[str, Any]) -> int:
        held = norm(p["text"])
        return _covered(focus, p["text"]) + 2 * sum(1 for n in names if norm(n) in held)

    scored = [(-score(p), rank, p) for rank, p in enumerate(shown)]
    return [p for _, _, p in sorted(scored, key=lambda t: (t[0], t[1]))]


def _passage_answer(question: str, lang: str, passages: list[dict[str, Any]], linked: Linked, ctx: Context) -> dict[str, Any]:
    shown = _reranked(question, [_completed(p, ctx.texts) for p in passages[:5]], linked)
    if linked.unknown and not linked.mentions:
        reply = _not_found(ctx, ctx.t("naam", "name"), ("ward", "programme", "document", "person"))
        answer = reply.answer
    elif shown:
        top = shown[0]
        quote = f'{top["document"]} {ctx.t("regels", "lines")} {top["lines"][0]}–{top["lines"][1]}: "{top["text"][:900]}"'
        unstated = _unstated(question, shown, ctx)
        if unstated:
            answer = unstated + ctx.t(" Dichtstbijzijnde passage: ", " Nearest passage: ") + quote
        else:
            answer = ctx.t("Antwoord uit een passage: ", "Passage-based answer: ") + quote
    else:
        answer = ctx.t("Niet gevonden in de documenten.", "Not found in the documents.")
    return {"question": question, "intent": None, "answer": answer, "answers": _passage_items(shown), "passages": passages,
            "sparql": None}


def _passage_items(shown: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "text": p["text"][:1200],
            "iri": None,
            "evidence": [{"document": p["document"], "lines": list(p["lines"]), "quote": p["text"][:200]}],
        }
        for p in shown
    ]


_ANSWERERS: dict[str, Answerer] = {}


def answerer(store: EmbeddedStore) -> Answerer:
    """One Answerer per store generation, so a new ingest is picked up without a restart."""
    key = f"{store.location}:{store.current}"
    if key not in _ANSWERERS:
        _ANSWERERS.clear()
        _ANSWERERS[key] = Answerer(store)
    return _ANSWERERS[key]


def ask(store: EmbeddedStore, question: str) -> dict[str, Any]:
    return answerer(store).ask(question)


def ask_many(store: EmbeddedStore, questions: Iterable[str]) -> Iterable[dict[str, Any]]:
    worker = answerer(store)
    for question in questions:
        try:
            yield worker.ask(question)
        except ValueError as exc:
            yield {"question": question, "intent": None, "answer": f"Error: {exc}", "answers": [], "passages": [], "sparql": None}
