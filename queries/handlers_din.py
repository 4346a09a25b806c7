"""Answers about the goal-effort hierarchy (DIN): the goals or efforts of a programme per level, what an element
contributes to, and what it stands for."""

from __future__ import annotations

import re

from beleidsgraaf.queries.handlers_wards import ward_efforts
from beleidsgraaf.queries.replies import Context, Evidence, Item, Reply, _listing, _local, _merge, _not_found, evidence_of
from beleidsgraaf.queries.subjects import _owner
from beleidsgraaf.queries.text_answers import _completed
from beleidsgraaf.textkey import NUMBERED, norm

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
