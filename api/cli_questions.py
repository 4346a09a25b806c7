"""CLI commands that read the graph: named queries, ask, afstemming, links and eval."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from beleidsgraaf.api import service
from beleidsgraaf.errors import InputError

out = Console()
StoreOpt = Annotated[str | None, typer.Option("--store", help="store folder (env BELEIDSGRAAF_STORE, default ./.beleidsgraaf)")]
JsonOpt = Annotated[bool, typer.Option("--json", help="JSON output")]


def _store(location: str | None) -> Any:
    store = service.store_for(location)
    service.require_data(store)
    return store


def _dump(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")


def _params(pairs: list[str]) -> dict[str, str]:
    values = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"--param '{pair}' is not NAME=VALUE")
        values[key.strip()] = value
    return values


def queries() -> None:
    """List the named SPARQL queries with their parameters."""
    from beleidsgraaf.queries import named

    table = Table("naam / name", "omschrijving", "description", "parameters")
    for query in named.catalogue().values():
        params = ", ".join(f"{p.name}: {p.type}{'?' if p.optional else ''}" for p in query.parameters)
        table.add_row(query.name, query.nl, query.en, params or "—")
    out.print(table)


def query(
    name: Annotated[str, typer.Argument(help="name of the query (see `beleidsgraaf queries`)")],
    param: Annotated[list[str] | None, typer.Option("--param", "-p", help="NAME=VALUE, repeatable")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
    store: StoreOpt = None,
) -> None:
    """Run a named query with bound parameters (values are never spliced into the SPARQL text)."""
    from beleidsgraaf.api.cli import render
    from beleidsgraaf.queries import named

    chosen = named.get(name)
    bindings = chosen.bind(_params(param or []))
    render(_store(store).query(chosen.text, bindings), fmt)


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
        raise InputError("give a question, or --jsonl to read questions from stdin")
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


def afstemming(
    ward: Annotated[str, typer.Argument(help="wijk, dorp or buurt")], as_json: JsonOpt = False, store: StoreOpt = None
) -> None:
    """Everything that lands in a ward and needs afstemming, grouped by steering principle and owner."""
    from beleidsgraaf.queries.reports import afstemming_report

    report = afstemming_report(_store(store), ward)
    if as_json:
        _dump(report)
        return
    out.print(f"[bold]Afstemming {report['ward']}[/bold]")
    for group in report["groups"]:
        out.print(f"\n{group['steering']} — {group['owner']}")
        for effort in group["efforts"]:
            cite = "; ".join(f"{e['document']}:{e['lines'][0]}" for e in effort["evidence"])
            out.print(f"  • {effort['effort']} ({effort['reach']})  [{cite}]", markup=False, highlight=False)
    if not report["groups"]:
        out.print("Geen inspanningen gevonden die dit gebied raken. / No efforts found that reach this ward.")
    out.print("\nAfstemmingsregels / rules:")
    for rule in report["rules"]:
        cite = "; ".join(f"{e['document']}:{e['lines'][0]}" for e in rule["evidence"])
        out.print(f"  • {rule['rule'][:240]}  [{cite}]", markup=False, highlight=False)
    if not report["contact_named"]:
        out.print(
            "\nDe documenten noemen geen wijkregisseur bij naam voor dit gebied. / No ward director is named for this ward."
        )
    for contact in report["contacts"]:
        out.print(f"  contact: {contact['name']}", markup=False, highlight=False)


def links(
    programme: Annotated[str | None, typer.Argument(help="programme name (default: all)")] = None,
    as_json: JsonOpt = False,
    store: StoreOpt = None,
) -> None:
    """Programmes named as related, which name them back, and the wards they share."""
    from beleidsgraaf.queries.reports import programme_links

    result = programme_links(_store(store), programme)
    if as_json:
        _dump(result)
        return
    table = Table("programma", "noemt / names", "genoemd door / named by", "gedeelde gebieden / shared wards")
    for row in result:
        table.add_row(
            row["programme"],
            ", ".join(f"{n['programme']}{' ⇄' if n['mutual'] else ''}" for n in row["names"]) or "—",
            ", ".join(f"{n['programme']}{' ⇄' if n['mutual'] else ''}" for n in row["named_by"]) or "—",
            ", ".join(row["shared_wards"]) or "—",
        )
    out.print(table)
    out.print("⇄ = wederzijds / mutual")


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
    table = Table("kind", "accuracy")
    for kind, value in report.per_kind().items():
        table.add_row(kind, f"{value:.0%}")
    out.print(table)
    out.print(
        f"overall {report.accuracy():.0%} of {len(report.outcomes)}; evidence {report.evidence_accuracy():.0%}; "
        f"latency {report.latency()}; MRR {report.mrr}"
    )


def register(app: typer.Typer) -> None:
    for command in (queries, query, ask, afstemming, links):
        app.command()(command)
    app.command(name="eval")(evaluate)
