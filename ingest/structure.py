"""Numbered lines -> document structure: page furniture, headings, list items and money tables.

Extractors read this instead of raw lines. Every element keeps its line span in the reader's
numbering (as ``grep -n`` counts), so citations stay exact. The rules are about the shapes that
Dutch municipal PDFs share, with the words in the profile (``structure`` and ``bbv`` keys):

* furniture: lone page numbers, "Pagina N van M", table-of-contents lines with dot leaders, and,
  where the reader knows the pages, lines repeated at the top or bottom of many pages;
* headings: the BBV questions (present and past tense), and short title-like lines;
* items: decimal-numbered items ("1.1", "2.3.01") with their wrapped continuation lines, and
  simple numbered items ("1.", "2)") — the first number of a decimal item names the goal it serves;
* tables: rows of a label followed by amounts, under a header with years and a scale ("x € 1.000").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from beleidsgraaf.ingest.profiles import Profile

PAGE_NUMBER = re.compile(r"^\s*(?:[-–]\s*)?(\d{1,3})(?:\s*[-–])?\s*$")
PAGE_OF = re.compile(r"^\s*(?:pagina|page|blz\.?|p\.)\s*\d{1,3}(?:\s*(?:van|of|/)\s*\d{1,3})?\s*$", re.I)
TOC_LINE = re.compile(r"(?:\.\s*){5,}\s*\d{0,4}\s*$|…{2,}\s*\d{0,4}\s*$")
DECIMAL_ITEM = re.compile(r"^\s*(?P<number>\d{1,2}(?:\.\d{1,3}){1,2})\.?\s+(?P<text>\S.*?)\s*$")
SIMPLE_ITEM = re.compile(r"^\s*(?P<number>\d{1,2})[.)]\s+(?P<text>\S.*?)\s*$")
BULLET_ITEM = re.compile(r"^\s*[•·▪◦\-–*\uf0b7\uf0a7]\s*(?P<text>\S.*?)\s*$")
# A Dutch amount as tables print it: 1.972 / -5.234 / 0 / (1.234) / -; thousands dots, a decimal comma.
AMOUNT = r"\(?[-−–+]?\s?\d{1,3}(?:\.\d{3})*(?:,\d+)?\)?"
AMOUNT_CELL = re.compile(rf"(?<![\w.,])({AMOUNT})(?![\w.,])")
ELLIPSIS_WORD = re.compile(r"(?:en|of|tot|en/of)\b")
LETTERS = re.compile(r"[^\W\d_]{3}")
YEAR = re.compile(r"\b(19[5-9]\d|20[0-6]\d)\b")


@dataclass(frozen=True)
class Heading:
    line: int
    text: str
    kind: str  # "question" (a BBV question), "title" (a short heading line)
    question: str | None = None  # goals | efforts | costs, for BBV questions


@dataclass(frozen=True)
class Item:
    first: int
    last: int
    number: str | None
    style: str  # decimal | digit | bullet
    text: str

    @property
    def parts(self) -> tuple[str, ...]:
        return tuple((self.number or "").split(".")) if self.number else ()


@dataclass(frozen=True)
class TableRow:
    line: int
    label: str
    kind: str | None  # a row kind of the profile (baten, lasten, saldo, ...) or None
    amounts: tuple[float, ...]  # already scaled to euros, signs as printed


@dataclass(frozen=True)
class Table:
    first: int
    last: int
    caption: str
    scale: float
    columns: tuple[str, ...]  # a label per amount column ("Begroting 2024"), when the header gives them
    years: tuple[int | None, ...]
    rows: tuple[TableRow, ...]


@dataclass
class Structure:
    lines: Sequence[str]  # lines[n - 1] is line n
    profile: Profile
    pages: Sequence[int] = ()  # first line of each page, when the reader knows them
    furniture: frozenset[int] = field(default_factory=frozenset)
    toc: frozenset[int] = field(default_factory=frozenset)  # table-of-contents lines (part of the furniture)

    def __post_init__(self) -> None:
        self.furniture = frozenset(find_furniture(self.lines, self.pages))
        self.toc = frozenset(n for n in self.furniture if TOC_LINE.search(self.lines[n - 1]))

    def line(self, number: int) -> str:
        return "" if number in self.furniture else self.lines[number - 1]

    def content(self, first: int, last: int) -> list[tuple[int, str]]:
        """Non-blank lines that are not furniture, with their numbers."""
        return [(n, self.lines[n - 1].strip()) for n in range(max(first, 1), min(last, len(self.lines)) + 1)
                if n not in self.furniture and self.lines[n - 1].strip()]

    @cached_property
    def questions(self) -> list[Heading]:
        """BBV questions in document order ("Wat willen we bereiken?", "Wat heeft het gekost?" ...)."""
        patterns = {kind: [re.compile(p, re.I) for p in words]
                    for kind, words in (self.profile.get("bbv") or {}).get("questions", {}).items()}
        found = []
        for number, text in self.content(1, len(self.lines)):
            if len(text) > 90 or TOC_LINE.search(text):
                continue
            for kind, regexes in patterns.items():
                if any(r.search(text) for r in regexes):
                    found.append(Heading(number, text, "question", kind))
                    break
        return found

    def items(self, first: int, last: int) -> list[Item]:
        """Numbered and bulleted items between two lines, wrapped lines joined."""
        out: list[Item] = []
        rows = self.content(first, last)
        index = 0
        while index < len(rows):
            number, text = rows[index]
            match = DECIMAL_ITEM.match(text) or SIMPLE_ITEM.match(text) or BULLET_ITEM.match(text)
            if match is None:
                index += 1
                continue
            style = ("decimal" if match.re is DECIMAL_ITEM else "digit" if match.re is SIMPLE_ITEM else "bullet")
            parts, end = [match.group("text")], number
            while index + 1 < len(rows) and self._continues(parts[-1], rows[index + 1], rows[index][0]):
                index += 1
                end = rows[index][0]
                parts.append(rows[index][1])
            label = join_lines(parts)
            out.append(Item(number, end, match.groupdict().get("number"), style, label))
            index += 1
        return out

    def _continues(self, previous: str, following: tuple[int, str], previous_line: int) -> bool:
        """A wrapped line: right after the previous one, not an item or a heading itself, and the previous
        one does not end a sentence or an item (';')."""
        number, text = following
        if number != previous_line + 1 and not all(
                n in self.furniture or not self.lines[n - 1].strip() for n in range(previous_line + 1, number)):
            return False
        if number - previous_line > 3:  # a blank line between: a new paragraph
            return False
        if DECIMAL_ITEM.match(text) or SIMPLE_ITEM.match(text) or BULLET_ITEM.match(text):
            return False
        if re.search(r"[.;!?:]\s*$", previous):
            return False
        return bool(text) and (text[0].islower() or text[0] in "(€" or len(previous) >= 60)

    def paragraph(self, start: int, last: int) -> tuple[int, int, str]:
        """The paragraph that starts at ``start``: lines up to a blank line, a heading or an item."""
        rows = self.content(start, last)
        if not rows:
            return start, start, ""
        parts, end = [rows[0][1]], rows[0][0]
        for number, text in rows[1:]:
            gap_is_blank = any(self.lines[n - 1].strip() == "" and n not in self.furniture for n in range(end + 1, number))
            if gap_is_blank or DECIMAL_ITEM.match(text) or SIMPLE_ITEM.match(text) or BULLET_ITEM.match(text):
                break
            parts.append(text)
            end = number
        return start, end, join_lines(parts)

    def headings(self, first: int, last: int) -> list[tuple[int, str]]:
        """Title-like lines that stand alone above a paragraph: a blank line (or the page) before them and a
        longer line of text after them."""
        rows = self.content(first, last)
        found = []
        for index, (number, text) in enumerate(rows[:-1]):
            before_blank = index == 0 or number - rows[index - 1][0] > 1
            after = rows[index + 1][1]
            if before_blank and is_title_like(text) and not BULLET_ITEM.match(text) and not DECIMAL_ITEM.match(text) \
                    and len(after) > len(text) and not is_title_like(after):
                found.append((number, text))
        return found

    def tables(self, first: int, last: int) -> list[Table]:
        """Money tables: a header with a scale or years, then rows of a label and amounts."""
        bbv = self.profile.get("bbv") or {}
        scale_re = re.compile(bbv.get("scale", r"x\s*€\s*1\.?000"), re.I)
        row_kinds = {kind: re.compile(r"(?i)^\s*(?:totaal\s+)?(?:" + "|".join(words) + r")\b")
                     for kind, words in (bbv.get("row_kinds") or {}).items()}
        column_words = re.compile(r"(?i)\b(" + "|".join(bbv.get("column_words", ["begroting"])) + r")\b")
        rows = self.content(first, last)
        tables: list[Table] = []
        index = 0
        while index < len(rows):
            number, text = rows[index]
            header_end = index
            if not (scale_re.search(text) or (len(YEAR.findall(text)) >= 2 and column_words.search(text))):
                index += 1
                continue
            # The header may run over several lines (column words, years, scale) above and below this one.
            above: list[str] = []
            for n, t in reversed(rows[max(0, index - 3):index]):
                if number - n > 4 or not (YEAR.search(t) or column_words.search(t) or scale_re.search(t)) or _amount_row(t):
                    break
                above.insert(0, t)
            header = [*above, text]
            while header_end + 1 < len(rows) and not _amount_row(rows[header_end + 1][1]) and header_end - index < 5:
                header_end += 1
                header.append(rows[header_end][1])
            caption = next((t for n, t in reversed(rows[max(0, index - len(above) - 4):index - len(above)])
                            if re.match(r"(?i)(tabel|table|overzicht)\b", t) or is_title_like(t)), "")
            scale = 1000.0 if any(scale_re.search(h) for h in [*header, caption]) else 1.0
            years = tuple(int(y) for y in YEAR.findall(" ".join(header)))
            body: list[TableRow] = []
            cursor = header_end + 1
            while cursor < len(rows):
                row_line, row_text = rows[cursor]
                parsed = _amount_row(row_text)
                if parsed is None:
                    break
                label, amounts = parsed
                kind = next((k for k, r in row_kinds.items() if r.search(label)), None)
                body.append(TableRow(row_line, label, kind, tuple(a * scale for a in amounts)))
                cursor += 1
            if body:
                width = max(len(r.amounts) for r in body)
                columns, col_years = _columns(header, years, width)
                tables.append(Table(number, body[-1].line, caption, scale, columns, col_years, tuple(body)))
                index = cursor
            else:
                index += 1
        return tables


def _columns(header: list[str], years: tuple[int, ...], width: int) -> tuple[tuple[str, ...], tuple[int | None, ...]]:
    """A label and a year per amount column. Column words ("Rekening", "Begroting", "Realisatie") are read
    left to right and paired with the years when there are as many as columns; in a jaarrekening the
    first of two budget columns is the original budget ("primair"), the second the amended one."""
    text = " ".join(header)
    # The column words come from the header line that has most of them; lines below it qualify them.
    per_line = [re.findall(r"(?i)\b(rekening|begroting|realisatie|verschil|raming|werkelijk)\b", line) for line in header]
    heads = [w.capitalize() for w in max(per_line, key=len, default=[])]
    if heads.count("Begroting") == 2 and re.search(r"(?i)primai?r|primitief", text):
        first = heads.index("Begroting")
        heads[first], heads[heads.index("Begroting", first + 1)] = "Begroting primair", "Begroting na wijziging"
    if len(years) == width and len(heads) == width:
        labels = [f"{h} {y}" if " " not in h else h.replace(" ", f" {y} ", 1) for h, y in zip(heads, years, strict=True)]
        return tuple(labels), tuple(y if h != "Verschil" else None for h, y in zip(heads, years, strict=True))
    if len(years) == width:
        return tuple(str(y) for y in years), years
    return tuple(f"kolom {i + 1}" for i in range(width)), tuple(None for _ in range(width))


def _amount_row(text: str) -> tuple[str, list[float]] | None:
    """'Baten 1.972 2.601 102' -> ('Baten', [1972, 2601, 102]); None when the line is not such a row."""
    cells = list(AMOUNT_CELL.finditer(text))
    if len(cells) < 2:
        return None
    # The amounts are the trailing cells; the label is what comes before the first of them.
    tail_start = cells[-1].start()
    trailing = [cells[-1]]
    for cell in reversed(cells[:-1]):
        between = text[cell.end():tail_start]
        if between.strip():
            break
        trailing.insert(0, cell)
        tail_start = cell.start()
    if len(trailing) < 2 or text[trailing[-1].end():].strip():
        return None
    label = text[:trailing[0].start()].strip(" :")
    if not label or not re.search(r"[A-Za-zÀ-ÿ]{3}", label) or YEAR.fullmatch(trailing[0].group(1).strip("()")):
        return None
    return label, [_number(c.group(1)) for c in trailing]


def _number(text: str) -> float:
    negative = text.startswith("(") or text.lstrip("(").startswith(("-", "−", "–"))
    digits = re.sub(r"[^\d,]", "", text).replace(",", ".")
    value = float(digits) if digits else 0.0
    return -value if negative else value


def join_lines(parts: Sequence[str]) -> str:
    text = ""
    for part in parts:
        part = part.strip()
        # "Bibob-" + "beleid" is one word broken at its hyphen; "welzijns-" + "en zorg" is a shortened compound.
        hyphenated = text.endswith("-") and part[:1].islower() and not ELLIPSIS_WORD.match(part)
        text = text + part if hyphenated else f"{text} {part}" if text else part
    return re.sub(r"\s+", " ", text).strip()


def find_furniture(lines: Sequence[str], pages: Sequence[int] = ()) -> set[int]:
    """Lines that belong to the page, not the text: page numbers, "Pagina N van M", table-of-contents
    lines, and (with page boundaries) running headers and footers."""
    furniture: set[int] = set()
    for number, line in enumerate(lines, start=1):
        if PAGE_OF.match(line) or TOC_LINE.search(line):
            furniture.add(number)
    furniture |= _page_numbers(lines, pages)
    bounds = [*pages, len(lines) + 1]
    for start, end in zip(bounds, bounds[1:], strict=False):
        body = [n for n in range(start, end) if lines[n - 1].strip()]
        # A lone number at the top or bottom of a known page is its page number, whatever the count says.
        furniture |= {n for n in body[:1] + body[-1:] if PAGE_NUMBER.match(lines[n - 1])}
    if len(pages) >= 4:
        furniture |= _running_lines(lines, pages)
    return furniture


def _page_numbers(lines: Sequence[str], pages: Sequence[int]) -> set[int]:
    """Lone numbers that count up through the document as pages do (1, 2, 3 ... with gaps for
    unnumbered pages): a lone number inside a table or list rarely fits that sequence."""
    candidates = [(n, int(m.group(1))) for n, line in enumerate(lines, start=1) if (m := PAGE_NUMBER.match(line))]
    found: set[int] = set()
    last_value = 0
    for position, (number, value) in enumerate(candidates):
        # The count may start anywhere (unnumbered cover pages); after that it steps up by a page or a few.
        if (last_value == 0 and value > 0) or last_value < value <= last_value + 4:
            # Confirmed by the next candidate continuing the count, or by being the last one.
            following = [v for _, v in candidates[position + 1:position + 3]]
            if not following or any(value < v <= value + 5 for v in following):
                found.add(number)
                last_value = value
    return found


def _running_lines(lines: Sequence[str], pages: Sequence[int]) -> set[int]:
    """Lines among the first or last two non-blank lines of a page that recur (digits ignored) on many pages."""
    bounds = [*pages, len(lines) + 1]
    edges: list[tuple[int, str]] = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        body = [n for n in range(start, end) if lines[n - 1].strip()]
        for n in body[:2] + body[-2:]:
            edges.append((n, re.sub(r"\d+", "#", lines[n - 1].strip().lower())))
    counts = Counter(key for _, key in set(edges))
    threshold = max(3, len(pages) // 5)
    return {n for n, key in edges if counts[key] >= threshold and len(key) < 120}


def is_title_like(text: str) -> bool:
    """A short line that reads as a heading: starts with a capital or a number, no sentence end."""
    text = text.strip()
    return (0 < len(text) <= 90 and (text[0].isupper() or text[0].isdigit()) and bool(LETTERS.search(text))
            and not re.search(r"[.;,]\s*$", text) and not TOC_LINE.search(text) and len(text.split()) <= 12
            and _amount_row(text) is None)
