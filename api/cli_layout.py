"""Terminal layout for the CLI: everything fits the console width (80 columns is the test), nothing is cut.

Rich tables squeeze each column to the width left over and end a word that does not fit with "…"; a
document title or an IRI shortened that way is lost. So wide results are written as lines wrapped here
(hanging indents, items kept whole), and a result table that would not fit becomes one block per row.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from beleidsgraaf.api.messages import count, t
from beleidsgraaf.ontology.namespaces import PREFIXES

# A result column narrower than this is squeezed so far that values turn into fragments; wider values wrap.
COLUMN_FLOOR = 40
MAX_WIDTH = 120  # prose lines longer than this are hard to read even on a wide terminal


def width(console: Console) -> int:
    return max(40, console.width)


def line(console: Console, text: str, style: str | None = None) -> None:
    """One line already fitted to the width: written as it is (no markup, no highlighting, no re-wrapping)."""
    console.print(f"[{style}]{escape(text)}[/{style}]" if style else text, markup=bool(style), highlight=False,
                  emoji=False, soft_wrap=True)


def wrap(text: str, size: int, indent: str = "", hang: str | None = None) -> list[str]:
    """Word-wrapped lines of at most ``size`` characters; a word longer than a line is split, not cut."""
    hang = indent if hang is None else hang
    return textwrap.wrap(" ".join(text.split()), width=max(size, len(indent) + 10), initial_indent=indent,
                         subsequent_indent=hang, break_long_words=True, break_on_hyphens=False) or [indent.rstrip()]


def pack(items: Sequence[str], size: int, indent: str, separator: str = " · ", hang: str | None = None) -> list[str]:
    """Items joined by ``separator`` and broken into lines between items, so "15 doelen" never splits.

    The first line starts with ``indent``, the others with ``hang`` (default: the same); an item longer
    than a line is word-wrapped on its own.
    """
    hang = indent if hang is None else hang
    # A comma stays at the end of a broken line ("a, b," / "c"); a middle dot is dropped there.
    tail = separator.rstrip() if separator.strip() in (",", ";") else ""
    lines: list[str] = []
    current = ""
    for item in items:
        lead = hang if lines else indent
        candidate = f"{current}{separator}{item}" if current else item
        if current and len(lead) + len(candidate) + len(tail) > size:
            lines.append(lead + current + tail)
            current = item
        else:
            current = candidate
    if current:
        lines.append((hang if lines else indent) + current)
    out: list[str] = []
    for full in lines:
        if len(full) > size:
            lead = full[: len(full) - len(full.lstrip())]
            out += wrap(full, size, indent=lead, hang=hang + "  ")
        else:
            out.append(full)
    return out


def short_iri(value: str) -> str:
    """An IRI as a prefixed name (id:gebied/almelo/aadorp) for display; SPARQL and --param accept it back."""
    best = ""
    for prefix, namespace in PREFIXES.items():
        base = str(namespace)
        if value.startswith(base) and len(base) > len(PREFIXES.get(best, "")) and " " not in value:
            best = prefix
    return f"{best}:{value[len(str(PREFIXES[best])):]}" if best else value


def result(console: Console, variables: list[str], rows: list[list[str | None]]) -> None:
    """SPARQL result rows as a table when it fits the width, else as one block per row (name: value)."""
    shown = [[short_iri(v) if v else "" for v in row] for row in rows]
    size = width(console)
    natural = [max([len(name), *(len(r[i]) for r in shown)]) for i, name in enumerate(variables)]
    if sum(min(n, COLUMN_FLOOR) for n in natural) + 3 * len(variables) + 1 <= size:
        table = Table(*variables)
        for column in table.columns:
            column.overflow = "fold"
        for r in shown:
            table.add_row(*(escape(v) for v in r))
        console.print(table)
    else:
        label = min(max(len(v) for v in variables), 16)
        for number, r in enumerate(shown, start=1):
            if number > 1:
                console.print()
            line(console, t("row", number=number), "bold")
            for name, value in zip(variables, r, strict=True):
                if value:
                    head = f"  {name.ljust(label)}  "
                    for text in wrap(value, size, indent=head, hang=" " * len(head)):
                        line(console, text)
    line(console, count("rows.n", len(rows)))
