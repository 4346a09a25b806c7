"""Pages of a named query's rows: ``page(sparql, limit, offset)`` and ``count(sparql)`` for the total.

Both return query text for ``store.query`` (or the SPARQL endpoint) and work on a query before or after
``ontology.store.bind_values``: a query without a LIMIT or OFFSET of its own gets them appended, so its ORDER BY
decides the page; one that has them is wrapped as ``SELECT * { { <query> } } LIMIT n OFFSET m``. The wrappers
omit the WHERE keyword on purpose: ``bind_values`` puts its VALUES block after the first ``WHERE {``, which is then
the original query's own group, where the parameters belong (bound outside the subquery, an optional parameter
that the query tests with ``BOUND()`` would be unbound inside it and so select everything).

A first page is only cheap when the store can stop early: without ORDER BY, Oxigraph streams (DISTINCT too) and
stops after ``limit`` rows; with ORDER BY it still evaluates and sorts every row, and the page saves only the
rows' transfer and conversion. Keep the named queries that list everything fast for that reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

TOTAL = "total"  # the variable count() binds; "total_rows" when the query uses ?total itself
# Rows per page in the API and the CLI when the caller names no limit: a screenful or two of a listing, and
# small enough that a first page at a million triples costs the query, not the transfer. MAX_LIMIT bounds one
# API page; more rows are more pages.
DEFAULT_LIMIT = 100
MAX_LIMIT = 10_000

_PROLOGUE_ITEM = re.compile(r"\s*(?:#[^\n]*(?:\n|$)|PREFIX\s+[^\s:]*:\s*<[^>]*>|BASE\s*<[^>]*>)", re.IGNORECASE)
_IRI = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>")
_STRING = re.compile(r"\"\"\"(?:[^\"\\]|\\.|\"(?!\"\"))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*'''"
                     r"|\"(?:[^\"\\\n]|\\.)*\"|'(?:[^'\\\n]|\\.)*'", re.DOTALL)
# Scanned left to right, so a '#' inside an IRI or a string is not taken for a comment.
_OPAQUE = re.compile(f"{_STRING.pattern}|{_IRI.pattern}|#[^\\n]*", re.DOTALL)
_FORM = re.compile(r"\b(SELECT|CONSTRUCT|DESCRIBE|ASK)\b", re.IGNORECASE)


def _split(sparql: str) -> tuple[str, str, str]:
    """(prologue, body up to and with its last top-level '}', solution modifiers after it).

    The prologue (comments, PREFIX, BASE) must stay in front of a wrapper; the modifiers are read for
    LIMIT, OFFSET, VALUES and ORDER BY. Braces inside IRIs, strings and comments are skipped.
    """
    end = 0
    while match := _PROLOGUE_ITEM.match(sparql, end):
        if match.end() == end:
            break
        end = match.end()
    prologue, rest = sparql[:end], sparql[end:]
    clean = _modifiers(rest)
    depth, groups = 0, []  # (start, end) of each top-level group
    for at, char in enumerate(clean):
        if char == "{":
            depth += 1
            if depth == 1:
                groups.append([at, -1])
        elif char == "}":
            depth -= 1
            if depth == 0:
                groups[-1][1] = at
            if depth < 0:
                break
    if not groups or depth != 0:
        raise ValueError("not a SPARQL query: no balanced top-level group")
    last = groups[-1][1]
    if len(groups) > 1 and re.search(r"\bVALUES\b", clean[groups[-2][1]:groups[-1][0]], re.IGNORECASE):
        last = groups[-2][1]  # the last group is a trailing VALUES block: a modifier, not the WHERE group
    return prologue, rest[:last + 1], rest[last + 1:]


def _modifiers(text: str) -> str:
    """``text`` with its strings, IRIs and comments blanked (same length, so positions still match), for keyword tests."""
    return _OPAQUE.sub(lambda match: " " * len(match.group()), text)


def _has(tail: str, *words: str) -> bool:
    return any(re.search(rf"\b{word}\b", _modifiers(tail), re.IGNORECASE) for word in words)


def _form(body: str) -> str:
    match = _FORM.search(_modifiers(body))
    if match is None:
        raise ValueError("not a SPARQL query: no SELECT, CONSTRUCT, DESCRIBE or ASK")
    return match.group(1).upper()


def _projection(body: str) -> str:
    """The variables a SELECT query returns, in its order: ``?x`` and ``(... AS ?x)`` before WHERE (or ``*``)."""
    clean = _modifiers(body)
    start = re.search(r"\bSELECT\s+(?:DISTINCT\s+|REDUCED\s+)?", clean, re.IGNORECASE)
    if start is None:
        raise ValueError("not a SELECT query")
    names, depth, at = [], 0, start.end()
    while at < len(clean) and not (depth == 0 and (clean[at] == "{" or re.match(r"(?i)WHERE\b", clean[at:at + 6]))):
        char = clean[at]
        depth += (char == "(") - (char == ")")
        if char == "*" and depth == 0:
            return "*"
        if char in "?$" and (depth == 0 or re.search(r"(?i)\bAS\s*$", clean[:at])):
            names.append("?" + re.match(r"[?$](\w+)", clean[at:]).group(1))  # type: ignore[union-attr]
        at += 1
    return " ".join(dict.fromkeys(names))


def _line(prologue: str) -> str:
    return prologue.rstrip() + "\n" if prologue.strip() else ""


def _check(limit: int, offset: int) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"limit must be a whole number >= 0, not {limit!r}")
    if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError(f"offset must be a whole number >= 0, not {offset!r}")


def page(sparql: str, limit: int, offset: int = 0) -> str:
    """The rows ``offset`` .. ``offset + limit - 1`` of ``sparql``, in the query's own order."""
    _check(limit, offset)
    prologue, body, tail = _split(sparql)
    if not _has(tail, "LIMIT", "OFFSET", "VALUES"):
        # LIMIT and OFFSET belong after the query's own modifiers (ORDER BY, GROUP BY, HAVING).
        return f"{prologue}{body}{tail.rstrip()}\nLIMIT {limit} OFFSET {offset}\n"
    if _form(body) != "SELECT":
        raise ValueError("only a SELECT query with its own LIMIT, OFFSET or VALUES can be paged")
    # A page of a page: the subquery keeps its own slice and order (Oxigraph passes a subquery's order on), and
    # the wrapper names the query's own variables, since "SELECT *" may give them in another order.
    return (f"{_line(prologue)}SELECT {_projection(body)} {{ {{\n{body.lstrip()}{tail.rstrip()}\n}} }}\n"
            f"LIMIT {limit} OFFSET {offset}\n")


def count(sparql: str) -> str:
    """One row, one column (``?total``, or ``?total_rows`` when the query uses ?total): how many rows ``sparql`` gives."""
    prologue, body, tail = _split(sparql)
    if _form(body) != "SELECT":
        raise ValueError("only a SELECT query can be counted")
    if not _has(tail, "LIMIT", "OFFSET"):
        # The order does not change the count; sorting every row only to count them is wasted work.
        tail = _without_order(tail)
    name = "total_rows" if re.search(rf"[?$]{TOTAL}\b", _modifiers(body + tail)) else TOTAL
    return f"{_line(prologue)}SELECT (COUNT(*) AS ?{name}) {{ {{\n{body.lstrip()}{tail.rstrip()}\n}} }}\n"


def _without_order(tail: str) -> str:
    """The modifiers without ORDER BY (it runs to the end of the query or to a VALUES block)."""
    clean = _modifiers(tail)
    start = re.search(r"\bORDER\s+BY\b", clean, re.IGNORECASE)
    if start is None:
        return tail
    stop = re.search(r"\bVALUES\b", clean[start.end():], re.IGNORECASE)
    return tail[:start.start()] + (tail[start.end() + stop.start():] if stop else "")


def window(items: list[Any], limit: int, offset: int = 0) -> dict[str, Any]:
    """A page of a list built in Python (wards, programmes, findings), in the shape the API returns every page in."""
    _check(limit, offset)
    return envelope(items[offset:offset + limit], len(items), limit, offset)


def envelope(items: list[Any], total: int, limit: int, offset: int) -> dict[str, Any]:
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def run_page(store: Any, sparql: str, bindings: Mapping[str, Any] | None, limit: int,
             offset: int = 0) -> tuple[Any, int | None]:
    """(one page of the query's result, the total number of rows); a query that is not a SELECT comes back
    whole with no total, since its rows are triples or a yes/no, not a listing."""
    if form(sparql) != "SELECT":
        return store.query(sparql, bindings), None
    rows = store.query(page(sparql, limit, offset), bindings)
    [(total, *_rest)] = list(store.query(count(sparql), bindings))
    return rows, int(total)


def form(sparql: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK."""
    return _form(_split(sparql)[1])
