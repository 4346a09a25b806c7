"""Answers about the goal-effort hierarchy (DIN): the goals or efforts of a programme per level, what an element
contributes to, and what it stands for."""

from __future__ import annotations

import os
import re
from functools import cache

from beleidsgraaf.queries.handlers_wards import ward_efforts
from beleidsgraaf.queries.replies import (
    Context,
    Evidence,
    Item,
    Reply,
    _listing,
    _local,
    _merge,
    _not_found,
    distinct,
    evidence_of,
    lines_of,
    shorten,
)
from beleidsgraaf.queries.subjects import _owner
from beleidsgraaf.queries.text_answers import _completed
from beleidsgraaf.queries.vocabulary import effort_kinds, goal_levels, label, level_name
from beleidsgraaf.textkey import NUMBERED, norm


@cache
def _level_words() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """A goal level is asked for by the word its Dutch and English labels start with: "strategische doelen" and
    "strategic goals" both share "strategi" with "strategisch doel" / "strategic goal". Levels without a word of
    their own ("beleidsdoel" / "policy goal" share none) are never asked for by name."""
    words = []
    for level in goal_levels():
        stem = os.path.commonprefix([label(level, "nl").split()[0].lower(), label(level, "en").split()[0].lower()])
        if len(stem) >= 4:
            words.append((level, re.compile(re.escape(stem), re.I)))
    return tuple(words)


def _goal_name(ctx: Context, level: str | None) -> str:
    """The ontology's name of a goal level; a goal of no known level is simply a goal (bg:Doel)."""
    return level_name(level or "Doel", ctx.lang, default=label("Doel", ctx.lang))


def _din(ctx: Context, levels: tuple[str, ...], what: str) -> Reply:
    owner = _owner(ctx)
    if owner is None:
        # Without a programme or document there is no DIN to read; `ask` turns this into a question back
        # (the intent's when_empty: ask_document).
        reply = _not_found(ctx, ctx.say("what_programme_or_document"), ("programme", "document"))
        reply.missing = "document"
        return reply
    rows, sparql = ctx.run("din", owner=owner.iri)
    # A goal named in the question (the levels under strategic goal X): only what contributes to that goal.
    named_goal = ctx.linked.first("goal")
    if named_goal is not None and any(str(r.parent) == str(named_goal.iri) for r in rows):
        rows = [r for r in rows if str(r.parent) == str(named_goal.iri)]
        levels = tuple({_local(r.level) for r in rows})
    items = []
    for r in rows:
        level = _local(r.level)
        if level not in levels:
            continue
        name = level_name(level, ctx.lang)
        parent = f" → {r.parentLabel}" if r.parentLabel else ""
        items.append(Item(f"{r.label} ({name}{parent})", str(r.x), evidence_of(r)))
    items = _merge(items)
    if not items:
        return Reply(ctx.say("din_none", what=what, owner=owner.label), [], sparql, False)
    return Reply(ctx.say("din", what=what[0].upper() + what[1:], owner=owner.label, count=distinct(items), items=_listing(items)),
                 items, sparql)


def _asked_goals(ctx: Context) -> str:
    """What a goal question asks for, in words: the levels it names ("strategisch doel"), else goals."""
    asked = [level for level, pattern in _level_words() if pattern.search(ctx.question)]
    return ", ".join(level_name(level, ctx.lang) for level in asked) if asked else ctx.say("what_goals")


def din_goals(ctx: Context) -> Reply:
    asked = tuple(level for level, pattern in _level_words() if pattern.search(ctx.question))
    return _din(ctx, asked or goal_levels(), _asked_goals(ctx))


@cache
def _kind_words() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """An effort kind other than the general one is asked for by its Dutch or English label, singular or
    plural ("werkvelden", "projects", "programme lines")."""
    words = []
    for kind in effort_kinds()[1:]:
        forms = [re.escape(label(kind, lang).lower()) for lang in ("nl", "en")]
        words.append((kind, re.compile(r"\b(?:" + "|".join(forms) + r")(?:en|s|es)?\b", re.I)))
    return tuple(words)


def din_efforts(ctx: Context) -> Reply:
    ward = ctx.linked.first("ward")
    if ward is not None and _owner(ctx) is None:
        return ward_efforts(ctx)
    asked = tuple(kind for kind, pattern in _kind_words() if pattern.search(ctx.question))
    if asked:
        # "Op welke werkvelden ...": the efforts of that kind, when the document has them; else all efforts.
        narrowed = _din(ctx, asked, ", ".join(level_name(kind, ctx.lang) for kind in asked))
        if narrowed.found:
            return narrowed
    return _din(ctx, effort_kinds(), ctx.say("efforts_any"))


def contributes_to(ctx: Context) -> Reply:
    element = ctx.linked.first("effort", "goal")
    if element is None:
        return din_goals(ctx)
    rows, sparql = ctx.run("contributes-to", element=element.iri)
    items = _merge(
        Item(
            f"{r.label} ({_goal_name(ctx, _local(r.level) if r.level else None)}"
            + (f" {r.number}" if r.number else "")  # "doelen 2, 3 en 4": the documents cite goals by number
            + (", " + ctx.say("directly") if r.direct and r.direct.toPython() else "")
            + ")",
            str(r.goal),
            evidence_of(r),
        )
        for r in rows
    )
    if not items:
        return Reply(ctx.say("contributes_none", element=element.label), [], sparql, False)
    return Reply(ctx.say("contributes", element=element.label, items=_listing(items)), items, sparql)


def element(ctx: Context) -> Reply:
    """What a goal or effort stands for: where the document explains it ("Het versterken van participatie —
    dat betekent dat ..."), else the lines it is named on, and the goals it serves."""
    found = ctx.linked.first("effort", "goal")
    if found is None:
        return din_goals(ctx)
    rows, sparql = ctx.run("element", element=found.iri)
    if not rows:
        return Reply(ctx.say("element_none", element=found.label), [], sparql, False)
    row = rows[0]
    kind = level_name(_local(row.kind), ctx.lang, default="element")
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
        answer += f': "{shorten(explained["text"], 700)}" ({lines_of(ctx, explained)})'
        items.append(Item(shorten(explained["text"], 1200), None,
                          [Evidence(explained["document"], tuple(explained["lines"]), shorten(explained["text"], 200))]))
    if goals:
        answer += " " + ctx.say("element_goals", goals="; ".join(goals[:6]))
    return Reply(answer + ".", items, sparql)
