"""Command line: parse -> service -> render. Errors print one line and exit non-zero.

Usage errors (a mistyped command, a missing argument, an unknown option, a bad value) are one ``Error:``
line on stderr with exit code 2, like every other error the user can fix; every sentence comes from
``messages.py`` in the run's language (``--lang``).
"""

from __future__ import annotations

import csv
import difflib
import io
import json
import os
import re
import sys
import time
import warnings
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from beleidsgraaf.api import cli_layout, cli_questions, messages, service
from beleidsgraaf.api.cli_layout import MAX_WIDTH, line, pack, short_iri, width, wrap
from beleidsgraaf.api.messages import count, either, t
from beleidsgraaf.errors import BeleidsgraafError, NotFoundError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=messages.MESSAGES["app.help"][0])
out = Console()
err = Console(stderr=True)
StoreOpt = Annotated[str | None, typer.Option("--store", help="store folder (env BELEIDSGRAAF_STORE, default ./.beleidsgraaf)")]
FORMATS = ("table", "json", "csv")
ENV_DEBUG = "BELEIDSGRAAF_DEBUG"
PROG = "beleidsgraaf"  # also under `python -m beleidsgraaf`, so the help hint names the command people type
_debug = False  # set by --debug


def choice(value: str, choices: tuple[str, ...] | list[str], option: str) -> str:
    """A value of a fixed set, checked here so the message is one line in the run's language."""
    if value not in choices:
        raise BeleidsgraafError(t("usage.choice", value=value, name=option, choices=either(list(choices))))
    return value


def require_store(location: str | None) -> Any:
    """The store, or the one-line error that says to ingest first."""
    store = service.store_for(location)
    if not store.exists():
        where = getattr(store.location, "endpoint", None) or store.location.path
        raise NotFoundError(t("store.empty", location=where))
    return store


@app.callback()
def options(endpoint: Annotated[str | None, typer.Option(
                "--endpoint", envvar="BELEIDSGRAAF_ENDPOINT",
                help="SPARQL 1.1 query URL of a server to use instead of the embedded store")] = None,
            update_endpoint: Annotated[str | None, typer.Option(
                "--update-endpoint", envvar="BELEIDSGRAAF_UPDATE_ENDPOINT",
                help="SPARQL 1.1 update URL (default: the query URL)")] = None,
            debug: Annotated[bool, typer.Option(
                "--debug", help=f"show the traceback of an internal error (env {ENV_DEBUG}=1)")] = False,
            lang: Annotated[str | None, typer.Option(
                "--lang", help=f"nl | en: the language of the output (env {messages.ENV_LANG}, else the locale)")] = None,
            ) -> None:
    # --lang is taken out of the arguments by main() before parsing (it may stand anywhere, and usage errors
    # found while parsing must already speak the language); it is declared here for --help.
    global _debug
    _debug = debug
    service.use_endpoint(endpoint, update_endpoint)


@app.command()
def ingest(paths: Annotated[list[Path], typer.Argument(help="files or folders (.txt .pdf .docx .html)")],
           store: StoreOpt = None,
           force: Annotated[bool, typer.Option("--force", help="rebuild even when the inputs are unchanged")] = False,
           curated: Annotated[Path | None, typer.Option(
               "--curated", help="folder of curated overlays (default: curated/ beside each document)")] = None,
           model: Annotated[str | None, typer.Option(
               "--model", help="embedding model: multilingual-e5-small-st (default), multilingual-e5-small-q4, "
               "st:NAME (any sentence-transformers folder or locally cached model); else BELEIDSGRAAF_EMBEDDER")] = None,
           ) -> None:
    """Read documents into the graph (atomic: on any error the previous graph stays)."""
    started = time.perf_counter()
    if model is not None:
        from beleidsgraaf.ingest import embedding

        # One setting for the whole run: the ingest fingerprint, the passage vectors and the intent examples.
        os.environ[embedding.ENV_MODEL] = embedding.model_name(model)
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=err, transient=True) as bar:
        task = bar.add_task("ingest", total=1)

        def tick(what: str, done: int, total: int) -> None:
            bar.update(task, description=what, completed=done, total=total)

        report = service.run_ingest(paths, store, tick, force=force, waiting=lambda message: err.print(message),
                                    curated=curated)
    seconds = f"{time.perf_counter() - started:.1f}"
    if report.unchanged:
        line(out, t("ingest.unchanged", files=count("files.n", len(report.files)), triples=report.triples,
                    passages=count("passages.n", report.passages), seconds=seconds))
    else:
        ingest_summary(report, seconds)
    line(out, t("store", location=report.store))


def ingest_summary(report: Any, seconds: str) -> None:
    """Per file, each document: its title and lines, then its counts packed as "15 doelen (...) · 46 inspanningen".

    A table with a column per count needs ~130 columns; at 80 rich cut titles and file names to "alm…".
    """
    size = min(width(out), MAX_WIDTH)
    for text in wrap(t("ingest.summary", files=count("files.n", len(report.files)),
                       documents=count("documents.n", len(report.documents)), triples=report.triples,
                       curated=count("curated.n", report.curated_links), seconds=seconds), size, hang="  "):
        line(out, text, "bold")
    current = None
    for doc in report.documents:
        if doc.file != current:
            current = doc.file
            out.print()
            for text in wrap(doc.file, size):
                line(out, text, "bold")
        for text in pack([doc.title, t("ingest.lines", first=doc.lines[0], last=doc.lines[1])], size, "  "):
            line(out, text)
        for text in pack(document_counts(doc), size, "    ") or wrap(t("ingest.nothing"), size, "    "):
            line(out, text)
    out.print()


def document_counts(doc: Any) -> list[str]:
    levels = [f"{t(f'level.{k}')} {doc.goals[k]}" for k in ("visie", "strategisch", "tactisch", "operationeel", "doel")
              if doc.goals.get(k)]
    goals = sum(doc.goals.values())
    items = [count("goals.n", goals) + (f" ({', '.join(levels)})" if levels else "")] if goals else []
    items += [count(key, n) for key, n in (("efforts.n", doc.efforts), ("actors.n", doc.actors), ("wards.n", doc.wards),
                                          ("budgets.n", doc.budgets)) if n]
    return items


@app.command()
def export(fmt: Annotated[str, typer.Option("--format", "-f", help="ttl | nt | jsonld | trig | nq")] = "ttl",
           output: Annotated[Path | None, typer.Option("-o", "--output", help="file (default stdout)")] = None,
           store: StoreOpt = None) -> None:
    """Write the whole graph in an RDF format."""
    choice(fmt, list(service.EXPORT_FORMATS), "--format")
    require_store(store)
    data = service.export(store, fmt)
    if output:
        output.write_bytes(data)
        line(err, t("export.written", size=len(data), path=output))
    else:
        sys.stdout.buffer.write(data)


def render(result: object, fmt: str) -> None:
    choice(fmt, FORMATS, "--format")
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
        cli_layout.result(out, variables, rows)


@app.command()
def sparql(query: Annotated[str | None, typer.Argument(help="SPARQL query text")] = None,
           file: Annotated[Path | None, typer.Option("-f", "--file", help=".rq file")] = None,
           fmt: Annotated[str, typer.Option("--format", help="table | json | csv")] = "table",
           store: StoreOpt = None) -> None:
    """Run a read-only SPARQL query (common prefixes are added when the query has none)."""
    choice(fmt, FORMATS, "--format")
    if (query is None) == (file is None):
        raise BeleidsgraafError(t("sparql.query_or_file"))
    if file is not None:
        if not file.is_file():
            raise BeleidsgraafError(t("sparql.no_file", file=file))
        query = file.read_text(encoding="utf-8")
    if query and query.strip():  # an empty query is its own error (service.sparql), whatever the store
        require_store(store)
    render(service.sparql(store, query or ""), fmt)


@app.command()
def stats(store: StoreOpt = None,
          as_json: Annotated[bool, typer.Option("--json", help="JSON output")] = False) -> None:
    """Counts per class and per named graph."""
    require_store(store)
    result = service.stats(store)
    if as_json:
        out.print_json(data={"triples": result.triples, "graphs": dict(result.graphs), "counts": result.counts})
        return
    # Graph names as prefixed names (id:graph/...): the full IRIs are 90 characters wide.
    table = Table(t("stats.class"), t("stats.count"), title=f"{result.triples} {t('stats.triples')}")
    for name, number in result.counts.items():
        table.add_row(name, str(number))
    graphs = Table(t("stats.graph"), t("stats.triples"))
    for name, number in result.graphs:
        graphs.add_row(short_iri(name), str(number))
    for shown in (table, graphs):
        for column in shown.columns:
            column.overflow = "fold"
        out.print(shown)


@app.command()
def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port")] = 8000,
          store: StoreOpt = None) -> None:
    """Serve the web page, the JSON API and the SPARQL endpoint over HTTP."""
    import uvicorn

    from beleidsgraaf.api.http import create_app

    require_store(store)
    shown = f"[{host}]" if ":" in host else host
    line(out, t("serve.listening", host=shown, port=port))
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
    from beleidsgraaf.shapes.findings import LEVELS, summary, timed

    choice(severity, list(LEVELS), "--severity")
    found, seconds = timed(require_store(store), severity)
    if as_json:
        sys.stdout.write(json.dumps([f.as_dict() for f in found], ensure_ascii=False, indent=1) + "\n")
    else:
        show_findings(found)
        counts = summary(found)
        line(out, t("validate.summary", violations=count("violations.n", counts["violation"]),
                    warnings=count("warnings.n", counts["warning"]), notes=count("notes.n", counts["info"]),
                    seconds=f"{seconds:.1f}"))
    if any(f.severity == "violation" for f in found):
        raise SystemExit(1)


def show_findings(found: list[Any]) -> None:
    """Per document a heading and a three-column table: severity, lines, the finding (its label, then the message)."""
    size = min(width(out), MAX_WIDTH)
    nl = messages.language() == "nl"
    by_document: dict[str, list[Any]] = {}
    for finding in found:
        heading = " · ".join(x for x in (finding.document, finding.document_title) if x) or t("validate.no_document")
        by_document.setdefault(heading, []).append(finding)
    for heading, items in by_document.items():
        for text in wrap(heading, size):
            line(out, text, "bold")
        table = Table(t("validate.severity"), t("validate.lines"), t("validate.finding"), show_lines=True, width=size)
        table.columns[0].no_wrap = table.columns[1].no_wrap = True
        table.columns[2].overflow = "fold"
        table.columns[2].ratio = 1
        for f in items:
            lines = "" if not f.lines else str(f.lines[0]) if f.lines[0] == f.lines[1] else f"{f.lines[0]}-{f.lines[1]}"
            finding = f"[bold]{escape(f.label)}[/bold]\n{escape(f.message_nl if nl else f.message_en)}" if f.label \
                else escape(f.message_nl if nl else f.message_en)
            table.add_row(t(f"severity.{f.severity}"), lines, finding)
        out.print(table)


@app.command()
def search(text: Annotated[str, typer.Argument(help="question or key words, Dutch or English")],
           k: Annotated[int, typer.Option("-k", help="number of passages")] = 10,
           mode: Annotated[str, typer.Option("--mode", help="hybrid | bm25 | dense")] = "hybrid",
           as_json: Annotated[bool, typer.Option("--json", help="JSON: a list of passages")] = False,
           store: StoreOpt = None) -> None:
    """Find passages in the documents (BM25 + embeddings, fused), each with file, lines and score."""
    from beleidsgraaf.queries.search import search as find

    choice(mode, ("hybrid", "bm25", "dense"), "--mode")
    found = find(require_store(store), text, k=k, mode=mode)
    if as_json:
        sys.stdout.write(json.dumps([p.as_dict() for p in found], ensure_ascii=False, indent=1) + "\n")
        return
    table = Table("#", t("search.document"), t("search.lines"), "score", t("search.text"), show_lines=True)
    for column in table.columns:
        column.overflow = "fold"
    for rank, passage in enumerate(found, start=1):
        table.add_row(str(rank), escape(passage.document), f"{passage.lines[0]}-{passage.lines[1]}",
                      f"{passage.score:.4f}", escape(passage.text))
    if found:
        out.print(table)
    else:
        line(out, t("search.none"))


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


def take_language(args: list[str]) -> list[str]:
    """Set the run's language from ``--lang X`` / ``--lang=X`` wherever it stands; the other arguments back.

    Taken out before Click parses, so ``beleidsgraaf stats --lang en`` works too and a usage error found
    while parsing is already printed in that language. Arguments after ``--`` are left alone.
    """
    messages.set_language(messages.language_from_environment())
    rest: list[str] = []
    chosen: str | None = None
    items = iter(args)
    for arg in items:
        if arg == "--":
            rest += [arg, *items]
            break
        if arg == "--lang" or arg.startswith("--lang="):
            value = arg.partition("=")[2] if "=" in arg else next(items, None)
            if value is None:
                raise BeleidsgraafError(t("usage.needs_value", name="--lang"))
            chosen = value.strip().lower()
            if chosen not in messages.LANGUAGES:
                raise BeleidsgraafError(t("usage.lang", value=value))
            continue
        rest.append(arg)
    if chosen:
        messages.set_language(chosen)
    return rest


def _param_name(param: Any) -> str:
    if param is None:
        return "?"
    if getattr(param, "param_type_name", "") == "argument":
        return str(param.name).upper()
    opts = list(getattr(param, "opts", []) or [])
    return max(opts, key=len) if opts else str(param.name)


def usage_line(exc: Exception) -> str:
    """Click's usage error as one sentence of the catalogue, with a suggestion and where help is.

    Told apart by class name and attributes, not by class, because Typer vendors its own copy of Click
    (``typer._click``) in newer versions and uses ``click`` itself in older ones.
    """
    kind = type(exc).__name__
    message = str(getattr(exc, "message", "") or exc)
    ctx = getattr(exc, "ctx", None)
    command = ctx.command_path if ctx is not None else PROG
    hints: list[str] = []
    if kind == "NoSuchOption":
        text = t("usage.no_option", name=exc.option_name)  # type: ignore[attr-defined]
        possible = sorted(getattr(exc, "possibilities", None) or [])
        if possible:
            hints.append(t("usage.did_you_mean", choices=either(possible)))
    elif kind == "MissingParameter":
        param = getattr(exc, "param", None)
        key = "usage.missing_argument" if getattr(param, "param_type_name", "") == "argument" else "usage.missing_option"
        text = t(key, name=_param_name(param))
    elif kind == "BadOptionUsage" and "requires an argument" in message:
        text = t("usage.needs_value", name=exc.option_name)  # type: ignore[attr-defined]
    elif kind == "BadParameter":
        detail = message
        if re.search(r"valid integer", message):
            detail = t("usage.not_integer")
        elif re.search(r"valid (number|float|decimal)", message):
            detail = t("usage.not_number")
        text = t("usage.bad_value", name=_param_name(getattr(exc, "param", None)), detail=detail)
    elif match := re.match(r"No such command '(.+?)'", message):
        text = t("usage.no_command", name=match.group(1))
        group = ctx.command if ctx is not None else None
        names = list(getattr(group, "commands", {}) or {})
        close = difflib.get_close_matches(match.group(1), names, n=2)
        if close:
            hints.append(t("usage.did_you_mean", choices=either([f"'{c}'" for c in close])))
    elif match := re.match(r"Got unexpected extra argument(?:s|\(s\))? \((.+)\)", message):
        text = t("usage.extra_argument", name=match.group(1))
    else:
        text = exc.format_message() if hasattr(exc, "format_message") else message  # type: ignore[attr-defined]
    return "; ".join([text, *hints]) + f" ({t('usage.see_help', command=command)})"


def _usage_errors() -> tuple[type[Exception], ...]:
    # Typer >= 0.20 vendors Click as typer._click; before that it used click itself. Either may raise.
    found: list[type[Exception]] = []
    for module in ("typer._click.exceptions", "click.exceptions"):
        try:
            found.append(__import__(module, fromlist=["UsageError"]).UsageError)
        except (ImportError, AttributeError):
            continue
    return tuple(found)


def _error(text: str) -> None:
    # "Error:" is the same in both languages: scripts and tests look for it, as for the exit code.
    err.print(f"[red]Error:[/red] {_one_line(text)}", highlight=False, soft_wrap=True)


def main() -> None:
    _show_input_warnings()
    usage_errors = _usage_errors()
    try:
        args = take_language(sys.argv[1:])
        app.info.help = t("app.help")
        app(args=args, prog_name=PROG, standalone_mode=False)
    except BeleidsgraafError as exc:
        _error(str(exc))
        raise SystemExit(exc.exit_code) from None
    except (typer.Abort, KeyboardInterrupt):
        err.print(t("aborted"))
        raise SystemExit(130) from None
    except SystemExit:
        raise
    except usage_errors as exc:
        if type(exc).__name__ == "NoArgsIsHelpError":  # `beleidsgraaf` alone: the help, as no_args_is_help promises
            exc.show()  # type: ignore[attr-defined]
        else:
            _error(usage_line(exc))
        raise SystemExit(2) from None
    except Exception as exc:
        if _debug or os.environ.get(ENV_DEBUG, "").strip().lower() in ("1", "true", "yes", "on"):
            raise
        # Input problems arrive as BeleidsgraafError (readers wrap their parsers' exceptions with the
        # file name); what gets here is a bug. Still one line, and the way to see the traceback.
        _error(t("internal", detail=f"{type(exc).__name__}: {exc}"[:500], env=ENV_DEBUG))
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
