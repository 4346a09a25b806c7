"""Answers about one ward or all of them: the efforts that reach it, its coordination rules and contacts, its
buurten, CBS code, spellings and parent, and the list of wards."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from beleidsgraaf.ontology.namespaces import BG
from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries.linking import Entity
from beleidsgraaf.queries.replies import (
    Context,
    Evidence,
    Item,
    Reply,
    Row,
    _listing,
    _local,
    _merge,
    _not_found,
    evidence_of,
    run_named,
    shorten,
)
from beleidsgraaf.queries.subjects import _owner, _principle_asked
from beleidsgraaf.queries.vocabulary import label
from beleidsgraaf.textkey import norm


def ward_rules(store: EmbeddedStore) -> tuple[list[Row], str]:
    """The coordination rules that involve ward steering (duty for it, or coordination with the wijkregisseur)."""
    rows, sparql = run_named(store, "afstemming-rules")
    return [r for r in rows if "wijk" in (str(r.dutyFor) + str(r.coordinateWith)).lower()], sparql


def ward_contacts(store: EmbeddedStore, ward_label: str) -> list[Row]:
    """Wijkregisseurs whose cited line names the ward: the documents rarely say who covers which ward."""
    rows, _ = run_named(store, "actors", role=BG.wijkregisseur)
    return [r for r in rows if norm(ward_label) in norm(str(r.quote or ""))]


TARGETED_WORDS = re.compile(r"\bgericht|\btargeted\b|specifiek|specifically|\baimed\b", re.I)


def _ward_or_unknown(ctx: Context) -> Entity | Reply:
    ward = ctx.linked.first("ward")
    if ward is not None:
        return ward
    return _not_found(ctx, ctx.say("what_ward"), ("ward",))


def _steering(ctx: Context, row: Row) -> str:
    """The steering principle's own label in the ontology (lijnsturing / line steering)."""
    try:
        return label(_local(row.principle), ctx.lang) if row.principle else ctx.say("steering_unknown")
    except KeyError:
        return ctx.say("steering_unknown")


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
            via = " " + ctx.say("via", name=row.viaLabel) if row.viaLabel and norm(str(row.viaLabel)) != norm(ward.label) else ""
            targeted.append(
                Item(ctx.say("effort_targeted", effort=row.label, detail=detail, ward=ward.label, via=via), str(row.effort),
                     evidence_of(row))
            )
        else:
            citywide.append(Item(ctx.say("effort_citywide", effort=row.label, detail=detail), str(row.effort), evidence_of(row)))
    targeted, citywide = _merge(targeted), _merge(citywide)
    kind = ctx.say(f"efforts_{wanted or 'any'}")
    if not targeted and not citywide:
        nearby = _ward_mentions(ctx, ward)
        answer = ctx.say("ward_efforts_none", kind=kind, ward=ward.label)
        other = [r for r in rows if wanted and str(r.reach) == "gericht"]
        aimed = _merge(
            Item(ctx.say("effort_targeted", effort=r.label, detail=_steering(ctx, r), ward=ward.label, via=""), str(r.effort),
                 evidence_of(r))
            for r in other
        )
        if aimed:
            # "Welke lijnprojecten raken X?" with none: the work that does land there, under another steering principle.
            answer += " " + ctx.say("ward_efforts_other_steering", ward=ward.label, count=len(aimed), items=_listing(aimed, 8))
        wide = [r for r in rows if wanted and str(r.reach) != "gericht"]
        spread = _merge(Item(ctx.say("effort_citywide", effort=r.label, detail=_steering(ctx, r)), str(r.effort), evidence_of(r))
                        for r in wide)
        if spread:
            by_steering = Counter(_steering(ctx, r) for r in {str(r.effort): r for r in wide}.values())
            answer += " " + ctx.say("ward_efforts_other_citywide", ward=ward.label, count=len(spread),
                                    principles=", ".join(f"{name} {n}" for name, n in by_steering.most_common()))
        if nearby:
            answer += " " + ctx.say("ward_mentioned_in", ward=ward.label, count=len(nearby))
        return Reply(answer, aimed + nearby[:MENTIONS_SHOWN] + spread, sparql, found=False)
    parts = [ctx.say("ward_efforts_lead", kind=kind[0].upper() + kind[1:], ward=ward.label)]
    if targeted:
        parts.append(ctx.say("ward_efforts_targeted", ward=ward.label, count=len(targeted), items=_listing(targeted)))
    if citywide:
        parts.append(ctx.say("ward_efforts_citywide", ward=ward.label, count=len(citywide), items=_listing(citywide)))
    return Reply(" ".join(parts), targeted + citywide, sparql)


MENTIONS_SHOWN = 5  # passages naming the ward, cited after the efforts when none of the asked kind reaches it
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
        quote = shorten(passage["text"], 220)
        items.append(Item(ctx.say("mention", text=quote), None, [Evidence(document, (first, last), quote)]))
    # Lines that describe work (a pilot, a project, a start) say more about what reaches the ward than lists do.
    return sorted(items, key=lambda i: (not STRONG_CUES.search(i.text), not EFFORT_CUES.search(i.text)))


def _afstemming_rules(ctx: Context) -> Reply:
    """Without a ward: the coordination rules themselves, from the named document when there is one."""
    owner = _owner(ctx)
    rows, sparql = ctx.run("afstemming-rules")
    if owner is not None:
        rows = [r for r in rows if norm(owner.label) in norm(str(r.title))] or rows
    wanted = _principle_asked(ctx.question, ctx.linked)
    items = _merge(Item(shorten(str(r.text), 400), str(r.rule), evidence_of(r))
                   for r in rows if not wanted or wanted in str(r.dutyFor))
    if not items:
        return Reply(ctx.say("afstemming_none"), [], sparql, False)
    return Reply(ctx.say("afstemming_rules", count=len(items), rules=" | ".join(i.text for i in items[:4])), items, sparql)


def afstemming(ctx: Context) -> Reply:
    if ctx.linked.first("ward") is None and not ctx.linked.unknown:
        return _afstemming_rules(ctx)
    ward = _ward_or_unknown(ctx)
    if isinstance(ward, Reply):
        return ward
    efforts = ward_efforts(ctx)
    rules_rows, rules_sparql = ward_rules(ctx.store)
    rules = _merge(Item(shorten(str(r.text), 300), str(r.rule), evidence_of(r)) for r in rules_rows)
    contacts = ward_contacts(ctx.store, ward.label)
    contact_items = _merge(
        Item(f"{r.name} ({label('wijkregisseur', ctx.lang)})", str(r.agent), evidence_of(r)) for r in contacts
    )
    parts = [efforts.answer]
    if rules:
        parts.append(ctx.say("afstemming_rules_first", count=len(rules), rule=rules[0].text))
    if contact_items:
        parts.append(ctx.say("afstemming_contact", items=_listing(contact_items)))
    else:
        parts.append(ctx.say("afstemming_no_contact", ward=ward.label))
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
        return Reply(ctx.say("buurten_none", ward=ward.label), [], sparql, False)
    return Reply(
        ctx.say("buurten", ward=ward.label, count=len(items), items=_listing(items, 80))
        + (" " + ctx.say("also_mentioned", items=_listing(loose, 10)) if loose else ""),
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
        return Reply(ctx.say("code_none", ward=ward.label), [], sparql, False)
    item = Item(f"{ward.label}: {', '.join(codes)}", str(ward.iri), evidence_of(rows[0]))
    return Reply(ctx.say("code_derived", ward=ward.label, codes=", ".join(codes)), [item], sparql)


def ward_variants(ctx: Context) -> Reply:
    ward = _ward_or_unknown(ctx)
    if isinstance(ward, Reply):
        return ward
    rows, sparql = _ward_detail(ctx, ward)
    variants = sorted({str(r.alt) for r in rows if r.alt})
    items = [Item(v, str(ward.iri)) for v in variants]
    if not variants:
        return Reply(ctx.say("variants_none", ward=ward.label), [], sparql)
    return Reply(ctx.say("variants", ward=ward.label, variants=", ".join(variants)), items, sparql)


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
        return Reply(ctx.say("parent_none", ward=ward.label), [], sparql, False)
    return Reply(ctx.say("parent", ward=ward.label, items=_listing(parents)), parents, sparql)


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
        answer = ctx.say("wards_listed", count=len(listed), split=split, items=_listing(listed))
        if mentioned:
            answer += " " + ctx.say("also_mentioned_count", count=len(mentioned), items=_listing(mentioned, 12))
        return Reply(answer, listed + mentioned, sparql, count=len(listed))
    return Reply(ctx.say("wards_mentioned", count=len(mentioned), items=_listing(mentioned)), mentioned, sparql)


def programme_wards(ctx: Context) -> Reply:
    """The areas a programme or document reaches: those its efforts target, each with those efforts, and those its
    text only names; every one with the lines that say so."""
    owner = _owner(ctx)
    if owner is None:
        return _not_found(ctx, ctx.say("what_programme_or_document"), ("programme", "document"))
    rows, sparql = ctx.run("wards-of-programme", owner=owner.iri)
    targeted: dict[str, Item] = {}
    named: dict[str, Item] = {}
    for row in rows:
        ward = str(row.ward)
        if str(row.reach) == "gericht":
            item = targeted.setdefault(ward, Item(str(row.label), ward))
            if row.effortLabel and str(row.effortLabel) not in item.text:
                item.text += ("; " if "(" in item.text else " (") + str(row.effortLabel)
        elif ward not in targeted:
            item = named.setdefault(ward, Item(str(row.label), ward))
        else:
            continue
        item.evidence += [e for e in evidence_of(row) if e not in item.evidence][:3 - len(item.evidence)]
    for item in targeted.values():
        item.text += ")" if "(" in item.text else ""
    named = {ward: item for ward, item in named.items() if ward not in targeted}
    if not targeted and not named:
        return Reply(ctx.say("programme_wards_none", owner=owner.label), [], sparql, False)
    parts = []
    if targeted:
        parts.append(ctx.say("programme_wards_targeted", owner=owner.label, count=len(targeted),
                             items=_listing([Item(i.text.split(" (")[0]) for i in targeted.values()])))
    else:
        parts.append(ctx.say("programme_wards_none_targeted", owner=owner.label))
    if named:
        parts.append(ctx.say("programme_wards_named", count=len(named), items=_listing(list(named.values()))))
    return Reply(" ".join(parts), list(targeted.values()) + list(named.values()), sparql, count=len(targeted) + len(named))
