"""Command line: parse -> service -> render. Errors print one line and exit non-zero."""

from __future__ import annotations

import csv
import io
import json
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from beleidsgraaf.api import cli_questions, service
from beleidsgraaf.errors import BeleidsgraafError

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="beleidsgraaf: kennisgraaf van gemeentelijk beleid (DIN) met bronvermelding.")
out = Console()
err = Console(stderr=True)
StoreOpt = Annotated[str | None, typer.Option("--store", help="store folder (env BELEIDSGRAAF_STORE, default ./.beleidsgraaf)")]
FORMATS = ("table", "json", "csv")


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="files or folders (.txt .pdf .docx .html)")],
           store: StoreOpt = None) -> None:
    """Read documents into the graph (atomic: on any error the previous graph stays)."""
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("ingest", total=1)

        def tick(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        report = service.run_ingest(paths, store, tick)
    table = Table(title=f"Ingest: {len(report.files)} bestanden, {report.triples} triples, "
                        f"{report.curated_links} gecureerde koppelingen, {time.perf_counter() - started:.1f} s")
    for column in ("bestand", "document", "regels", "visie", "strat.", "tact.", "oper.", "doel", "inspanningen",
                   "actoren", "gebieden", "budgetten"):
        table.add_column(column)
    for doc in report.documents:
        g = doc.goals
        table.add_row(doc.file, doc.title[:48], f"{doc.lines[0]}-{doc.lines[1]}", *(str(g.get(k, 0)) for k in (
            "visie", "strategisch", "tactisch", "operationeel", "doel")), str(doc.efforts), str(doc.actors),
            str(doc.wards), str(doc.budgets))
    out.print(table)
    out.print(f"store: {report.store}")


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", "-f", help="ttl | nt | jsonld | trig | nq")] = "ttl",
           output: Annotated[Path | None, typer.Option("-o", "--output", help="file (default stdout)")] = None,
           store: StoreOpt = None) -> None:
    """Write the whole graph in an RDF format."""
    data = service.export(store, fmt)
    if output:
        output.write_bytes(data)
        err.print(f"{len(data)} bytes -> {output}")
    else:
        sys.stdout.buffer.write(data)


def render(result: object, fmt: str) -> None:
    if fmt not in FORMATS:
        raise BeleidsgraafError(f"unknown format '{fmt}'", hint=f"use one of {', '.join(FORMATS)}")
    if getattr(result, "type", None) == "ASK":
        answer = bool(result.askAnswer)  # type: ignore[attr-defined]
        out.print(json.dumps({"boolean": answer}) if fmt == "json" else str(answer).lower())
        return
    if getattr(result, "type", None) in ("CONSTRUCT", "DESCRIBE"):
        sys.stdout.write(result.graph.serialize(format="turtle"))  # type: ignore[attr-defined]
        return
    variables = [str(v) for v in result.vars]  # type: ignore[attr-defined]
    rows = [[None if v is None else str(v) for v in row] for row in result]  # type: ignore[attr-defined]
    if fmt == "json":
        sys.stdout.write(json.dumps([dict(zip(variables, r, strict=True)) for r in rows], ensure_ascii=False, indent=1) + "\n")
    elif fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(variables)
        writer.writerows([[v or "" for v in r] for r in rows])
        sys.stdout.write(buffer.getvalue())
    else:
        table = Table(*variables)
        for r in rows:
            table.add_row(*(v or "" for v in r))
        out.print(table)
        out.print(f"{len(rows)} rijen")


@app.command()
def sparql(query: Annotated[str | None, typer.Argument(help="SPARQL query text")] = None,
           file: Annotated[Path | None, typer.Option("-f", "--file", help=".rq file")] = None,
           fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
           store: StoreOpt = None) -> None:
    """Run a read-only SPARQL query (common prefixes are added when the query has none)."""
    if (query is None) == (file is None):
        raise BeleidsgraafError("give either a QUERY or -f FILE.rq")
    if file is not None:
        if not file.is_file():
            raise BeleidsgraafError(f"{file}: no such query file")
        query = file.read_text(encoding="utf-8")
    render(service.sparql(store, query or ""), fmt)


@app.command()
def stats(store: StoreOpt = None,
          as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False) -> None:
    """Counts per class and per named graph."""
    result = service.stats(store)
    if as_json:
        out.print_json(data={"triples": result.triples, "graphs": dict(result.graphs), "counts": result.counts})
        return
    table = Table("klasse", "aantal", title=f"{result.triples} triples")
    for name, count in result.counts.items():
        table.add_row(name, str(count))
    out.print(table)
    graphs = Table("named graph", "triples")
    for name, count in result.graphs:
        graphs.add_row(name, str(count))
    out.print(graphs)


@app.command()
def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port")] = 8000,
          store: StoreOpt = None) -> None:
    """Serve the web page, the JSON API and the SPARQL endpoint over HTTP."""
    import uvicorn

    from beleidsgraaf.api.http import create_app

    service.require_data(service.store_for(store))
    shown = f"[{host}]" if ":" in host else host
    out.print(f"beleidsgraaf: http://{shown}:{port}/  (API docs: http://{shown}:{port}/docs, SPARQL: http://{shown}:{port}/sparql)",
              markup=False, highlight=False)
    uvicorn.run(create_app(store), host=host, port=port, log_level="warning")


cli_questions.register(app)


def main() -> None:
    try:
        app(standalone_mode=False)
    except BeleidsgraafError as exc:
        err.print(f"[red]Error:[/red] {exc}", highlight=False)
        raise SystemExit(exc.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        err.print("Aborted.")
        raise SystemExit(130) from None
    except SystemExit:
        raise
    except Exception as exc:  # click usage errors
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            raise SystemExit(2) from None
        raise


if __name__ == "__main__":
    main()
