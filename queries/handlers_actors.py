"""Answers about who and which documents: role holders, programme relations, actors or wards that documents
share, and the lists of documents and programmes."""

from __future__ import annotations

import re

from rdflib import URIRef

from beleidsgraaf.ontology.namespaces import BG
from beleidsgraaf.queries.linking import Entity
from beleidsgraaf.queries.replies import Context, Evidence, Item, Reply, Row, _listing, _local, _merge, _not_found, evidence_of
from beleidsgraaf.queries.subjects import _owner, _role_in, _roles
from beleidsgraaf.queries.vocabulary import label
from beleidsgraaf.textkey import norm


def _role_name(role: URIRef, ctx: Context) -> str:
    """The role's label in the ontology (bg:wijkregisseur -> "wijkregisseur" / "ward director"); a role the ontology
    does not know is named by its local name, split into words ('bestuurlijkOpdrachtgever' -> 'bestuurlijk ...')."""
    try:
        return label(_local(role), ctx.lang)
    except KeyError:
        return re.sub(r"(?<!^)([A-Z])", r" \1", _local(role)).lower()


def role_holder(ctx: Context) -> Reply:
    role = _role_in(ctx)
    owner = _owner(ctx)
    ward = ctx.linked.first("ward")
    if owner is None and ctx.linked.unknown and ward is None:
        return _not_found(ctx, ctx.say("what_programme_or_document"), ("programme", "document"))
    person = ctx.linked.first("person")
    rows, sparql = ctx.run("actors", owner=owner.iri if owner else None, role=role)
    if ward is not None and role == BG.wijkregisseur:
        rows = [r for r in rows if norm(ward.label) in norm(str(r.quote or ""))]
    if person is not None:
        # "Bij welke programma's is Eugène van Mierlo opdrachtgever?": the person's roles, by surname too.
        surname = norm(person.label).split()[-1]
        rows = [r for r in rows if str(r.agent) == str(person.iri) or surname in norm(str(r.name)).split()]
    items = _merge(Item(f"{r.name} ({r.roleLabel or _local(r.role)}, {r.title})", str(r.agent), evidence_of(r)) for r in rows)
    role_name = _role_name(role, ctx) if role else ctx.say("what_role")
    where = ward.label if ward else (owner.label if owner else ctx.say("what_the_documents"))
    if not items:
        # The other roles of the programme or document asked about; without one, every document's would be noise.
        nearby_rows = ctx.run("actors", owner=owner.iri)[0] if owner is not None else []
        nearby = _merge(Item(f"{r.name} ({r.roleLabel or _local(r.role)})", str(r.agent), evidence_of(r)) for r in nearby_rows)
        answer = ctx.say("role_none", role=role_name, where=where)
        if nearby:
            answer += " " + ctx.say("role_named_nearby", items=_listing(nearby, 8))
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
        # Asked for the junior one: only holders whose line carries that qualifier.
        only = [i for i in items if any(asked.group(1).lower() in e.quote.lower() for e in i.evidence)]
        items = only or items
    plain = [i for i in items if i.text not in qualified]
    apart = [i for i in items if i.text in qualified]
    extra = " " + ctx.say("role_qualified", items=_listing(apart))
    return Reply(
        ctx.say("role", role=role_name[0].upper() + role_name[1:], where=where, items=_listing(plain or items))
        + (extra if plain and apart else ""),
        (plain or items) + (apart if plain else []),
        sparql,
        count=len(plain or items),
        # No role word we know: every role of the programme is no answer to "wie is de programma-adviseur".
        generic=person is None and (_other_role(ctx, role) or ABOUT_ROLE.search(ctx.question) is not None or role is None and (
            owner is None or ward is not None or bool(ctx.linked.first("body", "unit"))
            or bool(re.search(r"\b(wie is|who is)\b", ctx.question, re.I)))),
    )


# "Wat doet een wijkregisseur?" (taken, rol) asks what the role does, not who holds it.
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


def _programme_of(ctx: Context, document: Entity) -> Entity | None:
    """The programme a document is about, as the entity the index knows (None for a document of no programme)."""
    about = {str(r.programme) for r in ctx.run("documents")[0] if str(r.doc) == str(document.iri) and r.programme}
    return next((e for entities in ctx.index.by_key.values() for e in entities
                 if e.kind == "programme" and str(e.iri) in about), None)


def relations(ctx: Context) -> Reply:
    programme = ctx.linked.first("programme")
    document = ctx.linked.first("document")
    if programme is None and document is not None:
        programme = _programme_of(ctx, document)  # a programme contract's relations are its programme's
    if programme is None and document is None and ctx.linked.unknown:
        return _not_found(ctx, ctx.say("what_programme"), ("programme",))
    rows, sparql = ctx.run("programme-relations", programme=programme.iri if programme else None)
    if document is not None and programme is None:
        rows = [r for r in rows if str(r.fromTitle) == document.label]
    outgoing, incoming = [], []
    for r in rows:
        mutual = ctx.say("mutual") if r.mutual and r.mutual.toPython() else ctx.say("one_sided")
        text = f"{r.fromName} → {r.toName} ({mutual})"
        item = Item(text, str(r.to), evidence_of(r))
        if programme is not None and str(r.to) == str(programme.iri):
            incoming.append(item)
        else:
            outgoing.append(item)
    outgoing, incoming = _merge(outgoing), _merge(incoming)
    if not outgoing and not incoming:
        who = (programme or document).label if (programme or document) else ""
        return Reply(ctx.say("relations_none", who=who), [], sparql, False)
    parts = []
    if outgoing:
        parts.append(ctx.say("relations_named", count=len(outgoing), items=_listing(outgoing)))
    elif programme is not None:
        parts.append(ctx.say("relations_names_none", programme=programme.label))
    if incoming:
        parts.append(ctx.say("relations_naming", programme=programme.label, count=len(incoming), items=_listing(incoming)))
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
    return Reply(" ".join(parts), outgoing + incoming, sparql)


def shared(ctx: Context) -> Reply:
    found = (ctx.linked.first_of(m, "programme", "document") for m in ctx.linked.mentions)
    owners = list({norm(e.label): e for e in found if e is not None}.values())
    wards = re.search(r"\bwijk|\bbuurt|\bdorp|\bgebied|\bward|neighbourhood|village|area", ctx.question, re.I)
    asked_actors = re.search(r"actor|person|persoon|personen|partner|team|people|mensen|organisat|partij", ctx.question, re.I)
    if len(owners) >= 2 and not wards and not asked_actors:
        # "Wat hebben A en B gemeen?": everything the two share (references, wards, actors, passages), not one list.
        from beleidsgraaf.queries.handlers_compare import programme_pair

        return programme_pair(ctx)
    actors = asked_actors
    rows, sparql = ctx.run("shared-actors" if actors else "shared-wards")
    if actors:
        items = [Item(f"{r.name}: {r.roles}", str(r.agent)) for r in rows]
    else:
        items = [Item(f"{r.wardLabel}: {r.documents}", str(r.ward)) for r in rows]
    if len(owners) >= 2:
        # "Welke partij noemen zowel Duurzaamheid als Nieuwstraatkwartier?": shared by exactly those named.
        items = [i for i in items if all(norm(o.label) in norm(i.text) for o in owners)]
    return Reply(
        ctx.say("shared_actors" if actors else "shared_wards", count=len(items), items=_listing(items, 12)),
        items,
        sparql,
        bool(items),
    )


def document_meta(ctx: Context) -> Reply:
    rows, sparql = ctx.run("documents")
    owner = _owner(ctx)
    if owner is not None:
        rows = [r for r in rows if str(r.doc) == str(owner.iri) or norm(owner.label) in norm(str(r.title))]
    items = []
    for r in rows:
        if r.start:
            years = int(str(r.end)) - int(str(r.start)) + 1
            period = ctx.say("period", start=r.start, end=r.end, years=years)
        else:
            period = str(r.year) if r.year else ctx.say("year_unknown")
        where = ctx.say("lines", document=r.file, first=r.first, last=r.last)
        items.append(
            Item(
                f"{r.title} ({_local(r.kind)}, {r.municipality or '?'}, {period}; {r.steering or '-'}; {where})",
                str(r.doc),
                [Evidence(str(r.file), (int(r.first), int(r.first)), str(r.title))],
            )
        )
    if not items:
        return Reply(ctx.say("not_found"), [], sparql, False)
    return Reply(ctx.say("documents", count=len(items), items=_listing(items)), items, sparql)


def programme_list(ctx: Context) -> Reply:
    rows, sparql = ctx.run("programmes")
    first: dict[str, Row] = {}
    for r in rows:  # one item per programme: a label in two spellings is still one programme
        first.setdefault(str(r.programme), r)
    items = []
    for r in first.values():
        about = ", ".join(str(v) for v in (r.contract, r.municipalityLabel) if v)
        items.append(Item(str(r.label) + (f" ({about})" if about else ""), str(r.programme)))
    items = _merge(items)
    return Reply(ctx.say("programmes", count=len(items), items=_listing(items)), items, sparql)
