"""Command line: parse -> service -> render. Errors print one line and exit non-zero."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.markup import escape
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
ENV_DEBUG = "BELEIDSGRAAF_DEBUG"
_debug = False  # set by --debug


@app.callback()
def options(endpoint: Annotated[str | None, typer.Option(
                "--endpoint", envvar="BELEIDSGRAAF_ENDPOINT",
                help="SPARQL 1.1 query URL of a server to use instead of the embedded store")] = None,
            update_endpoint: Annotated[str | None, typer.Option(
                "--update-endpoint", envvar="BELEIDSGRAAF_UPDATE_ENDPOINT",
                help="SPARQL 1.1 update URL (default: the query URL)")] = None,
            debug: Annotated[bool, typer.Option(
                "--debug", help=f"show the traceback of an internal error (env {ENV_DEBUG}=1)")] = False) -> None:
    global _debug
    _debug = debug
    service.use_endpoint(endpoint, update_endpoint)


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="files or folders (.txt .pdf .docx .html)")],
           store: StoreOpt = None,
           force: Annotated[bool, typer.Option("--force", help="rebuild even when the inputs are unchanged")] = False) -> None:
    """Read documents into the graph (atomic: on any error the previous graph stays)."""
    started = time.perf_counter()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("ingest", total=1)

        def tick(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        report = service.run_ingest(paths, store, tick, force=force, waiting=lambda message: err.print(message))
    if report.unchanged:
        out.print(f"Ingest: ongewijzigd (unchanged), {len(report.files)} bestanden, {report.triples} triples, "
                  f"{report.passages} passages, {time.perf_counter() - started:.1f} s; --force bouwt opnieuw",
                  soft_wrap=True)
        out.print(f"store: {report.store}")
        return
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
              markup=False, highlight=False, soft_wrap=True)
    uvicorn.run(create_app(store), host=host, port=port, log_level="warning")


cli_questions.register(app)


@app.command()
def validate(store: StoreOpt = None,
             as_json: Annotated[bool, typer.Option("--json", help="JSON: a list of findings")] = False,
             severity: Annotated[str, typer.Option("--severity", help="info | warning | violation (this and above)")] = "info",
             ) -> None:
    """Check the graph against the SHACL shapes: DIN structure, documents, wards, numbers, sources.

    Exit code 0 without violations, 1 with violations, 2 on usage errors.
    """
    from beleidsgraaf.ontology.store import open_store
    from beleidsgraaf.shapes.findings import LABEL_NL, rank, summary, timed

    rank(severity)
    found, seconds = timed(open_store(store), severity)
    if as_json:
        sys.stdout.write(json.dumps([f.as_dict() for f in found], ensure_ascii=False, indent=1) + "\n")
    else:
        by_document: dict[str, list] = {}
        for finding in found:
            by_document.setdefault(finding.document or "(geen document / no document)", []).append(finding)
        for document, items in by_document.items():
            table = Table("ernst", "regels", "onderdeel", "bevinding (nl / en)", title=document, title_justify="left",
                          show_lines=True)
            for f in items:
                lines = f"{f.lines[0]}-{f.lines[1]}" if f.lines else ""
                table.add_row(f"{LABEL_NL[f.severity]}\n{f.severity}", lines, f.label[:60],
                              f"{f.message_nl}\n[dim]{f.message_en}[/dim]")
            out.print(table)
        counts = summary(found)
        out.print(f"{counts['violation']} fouten / violations, {counts['warning']} aandachtspunten / warnings, "
                  f"{counts['info']} opmerkingen / notes ({seconds:.1f} s)")
    if any(f.severity == "violation" for f in found):
        raise SystemExit(1)


@app.command()
def search(text: Annotated[str, typer.Argument(help="question or key words, Dutch or English")],
           k: Annotated[int, typer.Option("-k", help="number of passages")] = 10,
           mode: Annotated[str, typer.Option("--mode", help="hybrid | bm25 | dense")] = "hybrid",
           as_json: Annotated[bool, typer.Option("--json", help="JSON: a list of passages")] = False,
           store: StoreOpt = None) -> None:
    """Find passages in the documents (BM25 + embeddings, fused), each with file, lines and score."""
    from beleidsgraaf.ontology.store import open_store
    from beleidsgraaf.queries.search import search as find

    found = find(open_store(store), text, k=k, mode=mode)
    if as_json:
        sys.stdout.write(json.dumps([p.as_dict() for p in found], ensure_ascii=False, indent=1) + "\n")
        return
    table = Table("#", "document", "regels", "score", "tekst", show_lines=True)
    for rank, passage in enumerate(found, start=1):
        table.add_row(str(rank), passage.document, f"{passage.lines[0]}-{passage.lines[1]}", f"{passage.score:.4f}",
                      passage.text)
    out.print(table)
    if not found:
        out.print("geen passages gevonden / no passages found")


def _one_line(text: str, limit: int = 2000) -> str:
    # Messages may carry a parser's multi-line text; the contract is one line, and markup is escaped
    # so a file name such as "[x].txt" prints as it is.
    return escape(" ".join(text.split())[:limit])


def _show_input_warnings() -> None:
    """Print warnings about inputs (readers.InputWarning) as one line each on stderr, like errors."""
    from beleidsgraaf.ingest.readers import InputNote, InputWarning

    warnings.simplefilter("default", InputWarning)  # once per message, even under PYTHONWARNINGS=ignore
    fallback = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int,
             file: TextIO | None = None, line: str | None = None) -> None:
        if not issubclass(category, InputWarning):
            fallback(message, category, filename, lineno, file, line)
            return
        label = "[cyan]Note:[/cyan]" if issubclass(category, InputNote) else "[yellow]Warning:[/yellow]"
        err.print(f"{label} {_one_line(str(message))}", highlight=False, soft_wrap=True)

    warnings.showwarning = show


def main() -> None:
    _show_input_warnings()
    try:
        app(standalone_mode=False)
    except BeleidsgraafError as exc:
        err.print(f"[red]Error:[/red] {_one_line(str(exc))}", highlight=False, soft_wrap=True)
        raise SystemExit(exc.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        err.print("Aborted.")
        raise SystemExit(130) from None
    except SystemExit:
        raise
    except Exception as exc:
        import click

        if isinstance(exc, click.ClickException):  # usage errors
            exc.show()
            raise SystemExit(2) from None
        if _debug or os.environ.get(ENV_DEBUG, "").strip().lower() in ("1", "true", "yes", "on"):
            raise
        # Input problems arrive as BeleidsgraafError (readers wrap their parsers' exceptions with the
        # file name); what gets here is a bug. Still one line, and the way to see the traceback.
        err.print(f"[red]Error:[/red] internal error: {_one_line(f'{type(exc).__name__}: {exc}', 500)} "
                  f"(a bug in beleidsgraaf, not in your input; `beleidsgraaf --debug ...` or {ENV_DEBUG}=1 shows the traceback)",
                  highlight=False, soft_wrap=True)
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
