"""Is this SPARQL read-only and local? Decided on the parsed query, never on the text.

A guard that reads the text with its own rules (regular expressions, comment stripping) and an engine
that reads it with others can disagree about what the query says: Oxigraph ends a ``#`` comment at
``\\r`` as well as ``\\n``, so ``#x\\rSERVICE <http://...>`` was a comment to the old regex and a
federated call to the engine. Here the text is first put in a form both parsers read the same way
(codepoint escapes expanded, line ends made ``\\n``), that exact text is parsed with rdflib's SPARQL
grammar, the parse tree is searched for SERVICE, and the same text is what the worker hands to the
engine. A query rdflib cannot parse is refused rather than passed on unchecked.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pyparsing import ParseBaseException
from rdflib.plugins.sparql.algebra import translatePrologue
from rdflib.plugins.sparql.parser import parseQuery, parseUpdate
from rdflib.plugins.sparql.parserutils import CompValue

from beleidsgraaf.api.problems import Problem

# \uXXXX and \UXXXXXXXX, or a backslash with the character it escapes (so the second backslash of
# "\\u0041" does not start an escape: Oxigraph reads the pair first, as this does).
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})|\\(.)", re.S)
# What either parser would still expand: rdflib takes \u or \U with 4 or 8 hex digits, case-insensitive.
_LEFT_OVER_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
_UPDATES = {"InsertData": "INSERT DATA", "DeleteData": "DELETE DATA", "DeleteWhere": "DELETE WHERE",
            "Modify": "DELETE/INSERT", "Load": "LOAD", "Clear": "CLEAR", "Drop": "DROP", "Create": "CREATE",
            "Add": "ADD", "Move": "MOVE", "Copy": "COPY"}


def _expand(match: re.Match[str]) -> str:
    digits = match.group(1) or match.group(2)
    if digits is None:
        return match.group(0)  # an ordinary escape pair, kept as written
    code = int(digits, 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return match.group(0)  # not a character: left for the check below to refuse
    return chr(code)


def normalise(text: str) -> str:
    """The query as both parsers will read it: codepoint escapes expanded (SPARQL 1.1 §19.2 does this
    before parsing) and every ``\\r\\n`` or lone ``\\r`` made ``\\n``, so a comment ends at the same place
    for everyone. A lone ``\\r`` inside a long string literal becomes ``\\n`` too; that is the price."""
    text = _CODEPOINT.sub(_expand, text)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _LEFT_OVER_ESCAPE.search(text):
        raise Problem(400, "the query has a codepoint escape (\\u or \\U) that is still one after expansion, or that "
                           "names no character; write the character itself", kind="malformed-query")
    return text


def _nodes(tree: object) -> Iterator[CompValue]:
    """Every CompValue in a parse tree, depth first, without recursion (deep nesting is user input)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            yield node
            stack.extend(node.values())
        elif isinstance(node, dict):
            stack.extend(node.values())
        elif isinstance(node, list | tuple) or type(node).__name__ == "ParseResults":
            stack.extend(node)  # type: ignore[arg-type] - ParseResults is iterable


def _where(exc: ParseBaseException, prologue_lines: int) -> tuple[int, int, str]:
    """Line and column in the client's own text (the server's PREFIX prologue comes first)."""
    return max(1, exc.lineno - prologue_lines), exc.col, exc.msg


@dataclass(frozen=True)
class Checked:
    """A query the guard let through: the exact text to run, and the dataset its FROM / FROM NAMED name.
    ``default_graphs`` and ``named_graphs`` are both None when the query names no dataset."""

    text: str
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None


def _dataset(tree: object) -> tuple[tuple[str, ...] | None, tuple[str, ...] | None]:
    """The IRIs of the query's FROM and FROM NAMED clauses (prefixed names and BASE resolved)."""
    prologue, query = tree[0], tree[1]  # type: ignore[index] - parseQuery returns [Prologue, Query]
    if "datasetClause" not in query:
        return None, None
    resolved = translatePrologue(prologue, None)
    default: list[str] = []
    named: list[str] = []
    for clause in query["datasetClause"]:
        if "default" in clause:
            default.append(str(resolved.absolutize(clause["default"])))
        elif "named" in clause:
            named.append(str(resolved.absolutize(clause["named"])))
    return tuple(default), tuple(named)


def malformed(line: int, column: int, message: str, text: str) -> Problem:
    """400 for a syntax error at (line, column) of the client's own text, with the line it is on."""
    lines = text.split("\n")
    excerpt = lines[line - 1][:200] if 0 < line <= len(lines) else ""
    return Problem(400, f"malformed SPARQL: line {line}, column {column}: {message}", kind="malformed-query",
                   line=line, column=column, excerpt=excerpt)


# Oxigraph reports "error at LINE:COLUMN: expected one of ..." with character classes spelled out; the
# classes say nothing to a person, the named tokens do.
_OXIGRAPH_POSITION = re.compile(r"error at (\d+):(\d+): (.*)", re.S)
_CHARACTER_CLASS = re.compile(r"\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]")
_PREFIXED_NAME_END = re.compile(r"([A-Za-z][\w.-]*)?:[\w.%-]*$")


def engine_syntax_error(message: str, prologue: str, text: str) -> Problem:
    """The engine's syntax error as a 400 whose position is in the client's text: the guard's parser let
    the query through (it does not check prefixes, for one), the engine's did not, and the engine counts
    lines from the top of the prologue the server added."""
    found = _OXIGRAPH_POSITION.match(message.strip())
    if found is None:
        return Problem(400, f"malformed SPARQL: {message.splitlines()[0][:300] if message else 'syntax error'}",
                       kind="malformed-query")
    line = max(1, int(found.group(1)) - prologue.count("\n"))
    column = int(found.group(2))
    detail = " ".join(found.group(3).split())
    if "Prefix not found" in detail:
        user_lines = normalise(text).split("\n")
        before = user_lines[line - 1][:max(0, column - 1)] if line <= len(user_lines) else ""
        name = _PREFIXED_NAME_END.search(before)
        prefix = f"'{name.group(1) or ''}:' " if name else ""
        # The engine points past the name; the start of the name is where the reader looks.
        return malformed(line, name.start() + 1 if name else column,
                         f"the prefix {prefix}is not declared; add a PREFIX line for it", normalise(text))
    # Oxigraph lists what it expected, its own checks ("The SELECT contains a variable that is unbound")
    # among the tokens; a check that failed is the thing to say, else the tokens, else only where.
    detail = _CHARACTER_CLASS.sub("", detail.removeprefix("expected one of").removeprefix("expected"))
    items = [item.strip() for item in detail.split(",") if item.strip()]
    sentences = [item for item in items if " " in item and item[:1].isupper() and not item.startswith('"')]
    if sentences:
        message = "; ".join(dict.fromkeys(sentences))
    elif items:
        message = ("expected " if len(items) == 1 else "expected one of ") + ", ".join(items[:12])
    else:
        message = "syntax error here"
    return malformed(line, column, message[:300], normalise(text))


def read_only(prologue: str, text: str) -> str:
    """The text to run (``prologue`` + normalised ``text``), or Problem: 403 for SERVICE or any update
    (LOAD included), 400 for what does not parse."""
    return checked(prologue, text).text


@functools.lru_cache(maxsize=512)
def checked(prologue: str, text: str) -> Checked:
    """``read_only`` with the query's own dataset. Cached: clients send the same queries again."""
    query = prologue + normalise(text)
    try:
        tree = parseQuery(query)
    except ParseBaseException as exc:
        if query[exc.loc:exc.loc + 7].upper() == "SERVICE":
            # rdflib's grammar fails on some SERVICE patterns it has already matched (it re-scans the whole
            # text for the pattern, and a '#' in an earlier string hides it): the parser stopped at one.
            raise Problem(403, "federated queries (SERVICE) are not allowed on this endpoint", kind="service-refused") from None
        try:
            update = parseUpdate(query)
        except (ParseBaseException, ValueError):
            raise malformed(*_where(exc, prologue.count(chr(10))), normalise(text)) from None
        names = [_UPDATES.get(op.name, op.name.upper()) for op in update.request]
        raise Problem(403, f"this endpoint is read-only: {', '.join(dict.fromkeys(names))} (SPARQL Update) is not "
                           "allowed; use SELECT, ASK, CONSTRUCT or DESCRIBE", kind="update-refused") from None
    except (ValueError, RecursionError) as exc:
        raise Problem(400, f"malformed SPARQL: {str(exc)[:200]}", kind="malformed-query") from None
    if any(node.name == "ServiceGraphPattern" for node in _nodes(tree)):
        raise Problem(403, "federated queries (SERVICE) are not allowed on this endpoint", kind="service-refused")
    try:
        default, named = _dataset(tree)
    except Exception as exc:  # noqa: BLE001 - an unresolvable FROM (undeclared prefix) is the query's fault
        raise Problem(400, f"malformed SPARQL: FROM / FROM NAMED: {str(exc)[:200]}", kind="malformed-query") from None
    return Checked(query, default, named)
