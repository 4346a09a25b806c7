"""CLI commands that read the graph: named queries, ask, afstemming, links and eval.

Where a command or a named query's parameter takes a resource (a ward, a programme, an effort), a name
works as well as an IRI: ``queries/resolve.py`` looks it up among the kinds the parameter declares.
"""

from __future__ import annotations

import difflib
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

import typer
from rdflib import URIRef
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from beleidsgraaf.api import messages
from beleidsgraaf.api.cli_layout import MAX_WIDTH, line, pack, short_iri, width, wrap
from beleidsgraaf.api.messages import either, t
from beleidsgraaf.errors import InputError, NotFoundError
from beleidsgraaf.queries.paging import DEFAULT_LIMIT

out = Console()
StoreOpt = Annotated[str | None, typer.Option("--store", help="store folder (env BELEIDSGRAAF_STORE, default ./.beleidsgraaf)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output")]


def _store(location: str | None) -> Any:
    from beleidsgraaf.api.cli import require_store

    return require_store(location)


def kinds_text(kinds: tuple[str, ...] | list[str]) -> str:
    return either([t(f"kind.{k}") for k in kinds]) if kinds else t("kind.any")


def resolve_name(store: Any, value: str, kinds: tuple[str, ...], param: str | None = None) -> Any:
    """The resource a name (or IRI) stands for; an unknown or ambiguous name is one line, exit 2."""
    from beleidsgraaf.queries.resolve import AmbiguousName, UnknownName, as_iri, class_labels, resolve

    def about(text: str) -> str:
        return t("name.param", param=param, detail=text) if param else text

    try:
        return resolve(store, value, kinds)
    except UnknownName as exc:
        key = "name.unknown_iri" if as_iri(value) else "name.unknown"
        hint = t("name.suggest", names=", ".join(exc.suggestions)) if exc.suggestions else None
        raise NotFoundError(about(t(key, kinds=kinds_text(kinds), name=exc.name)), hint=hint) from None
    except AmbiguousName as exc:
        # The ontology's own class labels (buurt / neighbourhood) tell a wijk from a buurt of the same name.
        labels = class_labels(store, messages.language())
        listed = "; ".join(f"{c.label} ({labels.get(c.cls) or t(f'kind.{c.kind}')}, {c.iri})" for c in exc.choices)
        raise InputError(about(t("name.ambiguous", name=exc.name, count=len(exc.choices), choices=listed))) from None


def _dump(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _params(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(t("param.not_pair", pair=pair))
        values[key.strip()] = value
    return values


def _placeholder(param: Any) -> str:
    """What a value looks like: "<wijk, dorp of buurt: naam of IRI>", "<geheel getal>"."""
    if param.type == "iri":
        return f"<{kinds_text(param.kinds)}: {t('queries.iri')}>"
    return f"<{t(f'type.{param.type}')}>"


def _param_text(param: Any) -> str:
    optional = f" ({t('queries.optional')})" if param.optional else ""
    return f"-p {param.name}={_placeholder(param)}{optional}"


def queries() -> None:
    """List the named SPARQL queries with their parameters."""
    from beleidsgraaf.queries import named

    # One block per query (name, description, parameters): a table of four columns left the
    # description a dozen characters wide at 80 columns.
    size = min(width(out), MAX_WIDTH)
    for query in named.catalogue().values():
        line(out, query.name, "bold")
        description = query.nl if messages.language() == "nl" else query.en
        for text in wrap(description, size, indent="  "):
            line(out, text)
        for param in query.parameters:
            for text in wrap(_param_text(param), size, indent="  ", hang="      "):
                line(out, text)
        out.print()


def _named_query(name: str) -> Any:
    from beleidsgraaf.queries import named

    known = named.catalogue()
    if name not in known:
        close = difflib.get_close_matches(name, list(known), n=2)
        hint = t("usage.did_you_mean", choices=either([f"'{c}'" for c in close])) if close else t("query.list")
        raise NotFoundError(t("query.unknown", name=name), hint=hint)
    return known[name]


def query(
    name: Annotated[str, typer.Argument(help="name of the query (see `beleidsgraaf queries`)")],
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="NAME=VALUE, repeatable; a resource by IRI or by name (ward=Ossenkoppelerhoek)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
    store: StoreOpt = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="rows per page")] = DEFAULT_LIMIT,
    offset: Annotated[int, typer.Option("--offset", min=0, help="rows to skip (the next page: --offset LIMIT)")] = 0,
    every: Annotated[bool, typer.Option("--all", help="every row, not one page")] = False,
) -> None:
    """Run a named query with bound parameters (values are never spliced into the SPARQL text).

    A listing comes a page at a time (--limit, --offset, --all) with a line "rows X–Y of N" (on stderr
    for json and csv, so their output stays one document).
    """
    from beleidsgraaf.api.cli import FORMATS, choice, render
    from beleidsgraaf.queries.paging import run_page
    from beleidsgraaf.queries.resolve import as_iri

    chosen = _named_query(name)
    choice(fmt, FORMATS, "--format")
    values = _params(param or [])
    declared = {p.name: p for p in chosen.parameters}
    for key in values:
        if key not in declared:
            raise InputError(t("param.unknown", query=name, name=key, known=", ".join(declared) or "—"))
    for p in chosen.parameters:
        if not p.optional and not values.get(p.name, "").strip():
            raise InputError(t("param.missing", query=name, name=p.name, value=_placeholder(p)))
    graph = _store(store)
    for key, value in values.items():
        p = declared[key]
        if p.type != "iri" or not value.strip():
            continue
        # An IRI (or bg:/id: prefixed name) is bound as given, as before; anything else is a name to look up.
        values[key] = as_iri(value) or resolve_name(graph, value, p.kinds, param=key).iri
    bound = chosen.bind(values)
    if every:
        render(graph.query(chosen.text, bound), fmt)
        return
    result, total = run_page(graph, chosen.text, bound, limit, offset)
    render(result, fmt)
    if total is not None:
        shown = len(result)  # type: ignore[arg-type]
        text = t("query.rows", first=offset + 1, last=offset + shown, total=total) if shown else \
            t("query.rows_none", first=offset + 1, total=total)
        line(out if fmt == "table" else Console(stderr=True), text)


def ask(
    question: Annotated[str | None, typer.Argument(help="question in Dutch or English")] = None,
    as_json: JsonOpt = False,
    jsonl: Annotated[
        bool, typer.Option("--jsonl", help="read one question per line on stdin, write one JSON object per line")
    ] = False,
    store: StoreOpt = None,
) -> None:
    """Answer a question with values from the graph and the lines they come from."""
    from beleidsgraaf.queries.answer import answerer

    worker = answerer(_store(store))
    if jsonl:
        for line in sys.stdin:
            text = line.strip()
            if not text:
                continue
            try:
                result = worker.ask(text)
            except ValueError as exc:
                result = {
                    "question": text,
                    "intent": None,
                    "answer": f"Error: {exc}",
                    "answers": [],
                    "passages": [],
                    "sparql": None,
                }
            sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return
    if not question or not question.strip():
        raise InputError(t("ask.need_question"))
    try:
        result = worker.ask(question)
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if as_json:
        _dump(result)
        return
    out.print(result["answer"], markup=False, highlight=False)
    for item in result["answers"][:25]:
        cites = "; ".join(f"{e['document']}:{e['lines'][0]}-{e['lines'][1]}" for e in item["evidence"][:3])
        out.print(f"  • {item['text']}" + (f"  [{cites}]" if cites else ""), markup=False, highlight=False)


def _translated(group: str, value: str) -> str:
    # The graph's own terms (wijksturing, stadsbreed) in the run's language; a term the catalogue lacks as it is.
    return t(f"{group}.{value}") if f"{group}.{value}" in messages.MESSAGES else value


def afstemming(
    ward: Annotated[str, typer.Argument(help="wijk, dorp or buurt: name or IRI")], as_json: JsonOpt = False,
    store: StoreOpt = None
) -> None:
    """Everything that lands in a ward and needs afstemming, grouped by steering principle and owner."""
    from beleidsgraaf.queries.reports import afstemming_for

    graph = _store(store)
    # Resolved here, not by reports.resolve_ward: that goes through the question linker, which does not
    # index ward names of more than four words ("Vriezenveenseweg e.o. Haghoek Oost").
    found = resolve_name(graph, ward, ("ward",))
    report = afstemming_for(graph, URIRef(found.iri), found.label)
    if as_json:
        _dump(report)
        return
    _print_afstemming(report, min(width(out), MAX_WIDTH))


def _cites(evidence: list[dict[str, Any]]) -> str:
    """``file.txt:415-419, 423-428; other.txt:12``: each file named once, its line spans after it."""
    spans: dict[str, list[str]] = {}
    for e in evidence:
        first, last = e["lines"]
        span = f"{first}-{last}" if last != first else str(first)
        if span not in spans.setdefault(e["document"], []):
            spans[e["document"]].append(span)
    return "; ".join(f"{file}:{', '.join(found)}" for file, found in spans.items())


def _print_afstemming(report: dict[str, Any], size: int) -> None:
    """The report as the ward page shows it: counts first, then per scope (targeted, city-wide, unknown: shown
    and marked uncertain, never dropped) the efforts by steering principle and owner, each owner with whom its
    rules say it coordinates. Indented two spaces per level, so the levels read (and parse) without boxes."""
    from beleidsgraaf.api.page_views import coordination

    town = (report.get("municipality") or {}).get("name")
    title = t("afstemming.title_in", ward=report["ward"], municipality=town) if town else t("afstemming.title",
                                                                                           ward=report["ward"])
    for text in wrap(title, size):
        line(out, text, "bold")
    counts = report["counts"]
    for text in pack([t(f"afstemming.count.{scope}", n=counts.get(scope, 0)) for scope in counts], size, ""):
        line(out, text)
    rules = {r["iri"]: r for r in [*report["rules"], *report["programme_rules"]]}
    for scope in report["scopes"]:
        out.print()
        for text in wrap(t(f"afstemming.scope.{scope['scope']}", n=scope["count"]), size):
            line(out, text, "bold")
        if scope["uncertain"]:
            for text in wrap(t("afstemming.uncertain"), size, "  "):
                line(out, text, "italic")
        if not scope["steering"]:
            for text in wrap(t("afstemming.none"), size, "  "):
                line(out, text)
        for group in scope["steering"]:
            steering = _translated("steering", group["steering"])
            for text in wrap(f"{steering[:1].upper()}{steering[1:]} ({group['count']})", size, "  "):
                line(out, text, "bold")
            for owner in group["owners"]:
                kind = f" · {t('owner.' + owner['owner_kind'])}" if owner["owner_kind"] else ""
                name = owner["owner"] or t("afstemming.no_owner").capitalize()
                for text in wrap(f"{name}{kind} ({owner['count']})", size, "    "):
                    line(out, text, "bold")
                said = coordination(owner, group["steering"], rules)
                for entry in said:
                    sources = "; ".join(f"{d['title']}: {_cites([e for r in d['rules'] for e in r['evidence']])}"
                                        for d in entry["documents"])
                    role = t(f"role.{entry['with']}") if f"role.{entry['with']}" in messages.MESSAGES else entry["with"]
                    for text in wrap(t("afstemming.with", role=role, sources=sources), size, "      ", "        "):
                        line(out, text)
                if not said:
                    for text in wrap(t("afstemming.no_rule"), size, "      "):
                        line(out, text)
                for effort in owner["efforts"]:
                    cite = _cites(effort["evidence"])
                    for text in wrap(effort["effort"] + (f" [{cite}]" if cite else ""), size, "      • ", "        "):
                        line(out, text)
    out.print()
    line(out, t("afstemming.rules") if report["rules"] else t("afstemming.no_rules"), "bold")
    for rule in report["rules"]:
        cite = _cites(rule["evidence"])
        for text in wrap(rule["rule"] + (f" [{cite}]" if cite else ""), size, "  • ", "    "):
            line(out, text)
    if not report["contact_named"]:
        out.print()
        for text in wrap(t("afstemming.no_contact"), size):
            line(out, text)
    for contact in report["contacts"]:
        for text in wrap(t("afstemming.contact", name=contact["name"]), size, "  "):
            line(out, text)


def links(
    programme: Annotated[str | None, typer.Argument(help="programme name or IRI (default: all)")] = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Programmes named as related, which name them back, and the wards they share."""
    from beleidsgraaf.queries.reports import programme_links

    graph = _store(store)
    result = sorted(programme_links(graph, None), key=lambda row: (row["programme"], row["iri"]))  # same order each run
    if programme is not None:
        # By the resolved IRI: two municipalities may each have a programme "Duurzaamheid".
        found = resolve_name(graph, programme, ("programme",))
        result = [row for row in result if row["iri"] == found.iri]
        if not result:
            raise NotFoundError(t("links.no_relation", name=found.label))
    if as_json:
        _dump(result)
        return
    size = min(width(out), MAX_WIDTH)
    # One block per programme: four columns of programme lists were a dozen characters wide at 80 columns.
    repeated = Counter(row["programme"] for row in result)
    for number, row in enumerate(result):
        if number:
            out.print()
        heading = row["programme"] + (f" ({short_iri(row['iri'])})" if repeated[row["programme"]] > 1 else "")
        for text in wrap(heading, size):
            line(out, text, "bold")
        for key, items in (("links.names", [f"{n['programme']}{' ⇄' if n['mutual'] else ''}" for n in row["names"]]),
                           ("links.named_by", [f"{n['programme']}{' ⇄' if n['mutual'] else ''}" for n in row["named_by"]]),
                           ("links.shared", row["shared_wards"])):
            for text in pack([f"{t(key)}: {(items or ['—'])[0]}", *items[1:]], size, "  ", ", ", hang="    "):
                line(out, text)
    if result:
        line(out, t("links.mutual"))
    else:
        line(out, t("links.none"))


def evaluate(
    path: Annotated[Path, typer.Argument(help="questions.jsonl")] = Path("tests/qa/questions.jsonl"),
    as_json: JsonOpt = False,
    no_mrr: Annotated[bool, typer.Option("--no-mrr", help="skip the retrieval comparison")] = False,
    store: StoreOpt = None,
) -> None:
    """Accuracy per kind, evidence accuracy, latency and retrieval MRR (hybrid vs BM25 vs dense)."""
    from beleidsgraaf.queries.evaluate import evaluate as run_eval
    from beleidsgraaf.queries.evaluate import load

    report = run_eval(_store(store), load(path), with_mrr=not no_mrr)
    if as_json:
        _dump(report.as_dict())
        return
    table = Table(t("eval.kind"), t("eval.accuracy"))
    for kind, value in report.per_kind().items():
        table.add_row(escape(kind), f"{value:.0%}")
    out.print(table)
    for text in wrap(t("eval.summary", accuracy=f"{report.accuracy():.0%}", count=len(report.outcomes),
                       evidence=f"{report.evidence_accuracy():.0%}", latency=report.latency(), mrr=report.mrr),
                     min(width(out), MAX_WIDTH)):
        line(out, text)


def register(app: typer.Typer) -> None:
    for command in (queries, query, ask, afstemming, links):
        app.command()(command)
    app.command(name="eval")(evaluate)
