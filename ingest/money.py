"""Amounts and budget tables in document lines -> BudgetRecord / TableRecord. Pure: no I/O, no RDF.

Tables in text extracted from PDFs have lost their grid; what survives everywhere is this:
- a row is a short label followed *only* by numbers (a sentence with an amount in it is prose, not a row);
- rows stand close together; a long gap or a prose line ends the table;
- columns are announced by a header of years ('2019 2020 2021 2022', or one 'Innovatiebudget 2019'
  line per column) or by a money header ('Bedrag', '(€)');
- a row with fewer values than columns shows its empty cells as extra spaces: trailing spaces mean
  the last cells are empty, a wide gap before the first value means the first cells are empty;
- 'Bedragen x 1.000' scales the table above it when it follows one, else the table below it;
- a row labelled 'Totaal' or '(Sub)totaal' states the total of each column and closes the table.
The table span runs from its caption (the short lines right above it) to the total or scale note, so
that a finding about the table cites the lines a reader would mark.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from beleidsgraaf.ingest.records import BudgetRecord, Evidence, TableRecord
from beleidsgraaf.ingest.text import clean

AMOUNT = re.compile(r"€\s?\.?\s?(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d{1,2}|-|\s?-))?(?:\s?(mln|miljoen|mld|miljard)\b\.?)?", re.I)
SCALE_WORDS = {"mln": 1e6, "miljoen": 1e6, "mld": 1e9, "miljard": 1e9}


def euros_of(match: re.Match[str]) -> float:
    """'€ 2 mln.' is two million, '€ 1,5 miljoen' one and a half; '€ 12,50' keeps its cents."""
    whole, fraction, scale = match.group(1), match.group(2), match.group(3)
    value = float(whole.replace(".", ""))
    if fraction and fraction.isdigit():
        value += float(f"0.{fraction}")
    return value * SCALE_WORDS.get((scale or "").lower(), 1.0)
PLAIN_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d{2,})(?![\d.,]*\d)")
# A bare year is a column heading ("Toelichting begroot 2024"), never an amount; amounts carry a
# thousands dot or a euro sign.
BARE_YEAR = re.compile(r"(19[5-9]\d|20[0-6]\d)")
# "€20. 000": PDF text breaks an amount at its thousands dot.
THOUSANDS_GAP = re.compile(r"(\d)\.\s(\d{3})(?!\d)")
# A purpose that ends on one of these words is cut off before the amount it introduces ("een bedrag van").
WEAK_END = re.compile(r"(?i)\b(?:van|voor|is|een|de|het|op|met|aan|ruim|circa|totaal|bedrag|jaarlijks|structureel|"
                      r"incidenteel|wordt|zijn|extra|nog|maximaal|minimaal|ca)\.?$")
NUMBER_TOKEN = re.compile(r"^(?:€?\d[\d.]*(?:,\d{0,2}-?)?%?|€|-|,-)$")
SCALE_NOTE = re.compile(r"(?i)bedragen\s*[x*×]\s*(€\s*)?1\.?000")
MONEY_HEADER = re.compile(r"(?i)\bbedrag(en)?\b|\(€\)")
TOTAL = re.compile(r"(?i)^\(?(sub)?\)?\s*totaal\b")
YEAR_RANGE = re.compile(r"\b20\d\d\s*[-–]\s*20\d\d\b")
ROW_GAP = 10  # lines between two rows of one table (PDF text often double-spaces rows)
MAX_LABEL = 60  # a longer label is a wrapped sentence, not a row

EvidenceOf = Callable[[int, int], Evidence]


@dataclass
class _Table:
    start: int | None = None  # first header or row line
    years: list[int] = field(default_factory=list)
    money: bool = False  # a money header was seen: rows without '€' count
    factor: float = 1.0  # 'Bedragen x 1.000' above the rows
    rows: list[BudgetRecord] = field(default_factory=list)
    last_row: int = 0
    label: list[tuple[int, str]] = field(default_factory=list)  # label lines waiting for their numbers

    def open(self) -> bool:
        return self.start is not None


@dataclass
class _Closed:
    """The records of the table just closed, for a scale note that follows it."""

    records: list[BudgetRecord] = field(default_factory=list)
    tables: list[TableRecord] = field(default_factory=list)
    line: int = 0


def _tail(text: str) -> int:
    """Offset where the trailing run of number tokens starts (len(text) when there is none)."""
    start = len(text)
    for token in reversed(list(re.finditer(r"\S+", text))):
        if not NUMBER_TOKEN.match(token.group()):
            break
        start = token.start()
    return start


def _columns(raw: str, tail: int, count: int, years: list[int]) -> list[int | None]:
    """The year of each of ``count`` values, aligned by the spaces PDF text keeps for empty cells."""
    if not years:
        return [None] * count
    if count >= len(years):
        return [*years, *([None] * (count - len(years)))][:count]
    trailing = len(raw) - len(raw.rstrip())
    before = len(raw[:tail]) - len(raw[:tail].rstrip())
    right = trailing < 2 and before >= 2
    return years[len(years) - count:] if right else years[:count]


def _slot_years(filled: list[bool], years: list[int]) -> list[int | None]:
    """The years of a row's amounts when its empty cells print as '-': by position when there is a cell per
    year; none when the cells outnumber the years, since a column without a year (an amount already granted,
    a total) cannot be told apart from the year columns in flattened text."""
    if len(filled) != len(years):
        return [None] * filled.count(True)
    return [year for cell, year in zip(filled, years, strict=True) if cell]


class MoneyReader:
    def __init__(self, lines: tuple[str, ...] | list[str], evidence: EvidenceOf) -> None:
        self.lines = lines
        self.evidence = evidence
        self.budgets: list[BudgetRecord] = []
        self.tables: list[TableRecord] = []
        self.boundary = 0  # no caption reaches back over this line
        self.closed = _Closed()

    def read(self, first: int, last: int) -> tuple[list[BudgetRecord], list[TableRecord]]:
        table = _Table()
        for number in range(first, last + 1):
            raw = self.lines[number - 1].rstrip("\n")
            text = raw.strip()
            if not text:
                continue
            if table.open() and number - max(table.last_row, table.start or 0) > ROW_GAP:
                table = self._close(table, None, number - 1)
            table = self._line(table, number, raw, text)
        if table.open():
            self._close(table, None, last)
        return self.budgets, self.tables

    def _line(self, table: _Table, number: int, raw: str, text: str) -> _Table:
        raw, text = THOUSANDS_GAP.sub(r"\1.\2", raw), THOUSANDS_GAP.sub(r"\1.\2", text)
        years = re.findall(r"\b(20[0-4]\d)\b", text)
        if (len(years) >= 2 and len(re.sub(r"[\d\s]", "", text)) < 40 and not AMOUNT.search(text)
                and not YEAR_RANGE.search(text)):
            if table.rows:
                table = self._close(table, None, number - 1)
            table.start = table.start or number
            table.years = [int(y) for y in years]
            table.label = []
            return table
        if SCALE_NOTE.search(text):
            return self._scale(table, number)
        tail = _tail(text)
        euros = list(AMOUNT.finditer(text))
        if table.money and not table.rows and not euros and len(text) <= 40 and len(years) == 1 and text.endswith(years[0]):
            table.years.append(int(years[0]))  # one 'Innovatiebudget 2019' line per column
            return table
        label = clean(text[:tail])
        if euros and all(m.start() >= tail for m in euros):
            amounts = [euros_of(m) for m in euros]
        elif not euros and (table.years or table.money):
            amounts = [float(m.group(1).replace(".", "")) for m in PLAIN_AMOUNT.finditer(text[tail:])
                       if not BARE_YEAR.fullmatch(m.group(1))]
        else:
            amounts = []
        lead_year = re.match(r"(20\d\d|19\d\d)\s", text[tail:])
        if amounts and not label and lead_year and euros:
            label = lead_year.group(1)  # 'Jaar Percentage Bedrag' tables: the year is the row label
        first_line, short = number, len(label) <= MAX_LABEL
        if amounts and not re.search(r"[A-Za-z]{3}", label) and table.label:
            first_line = table.label[0][0]  # the label wrapped onto the lines above the numbers
            label = clean(" ".join(t for _, t in table.label))
        is_row = bool(amounts) and short and bool(re.search(r"[A-Za-z]{3}|^20\d\d$", label))
        if not is_row:
            self._prose(table, number, text, euros)
            if MONEY_HEADER.search(text) and not euros and len(text) <= 90:
                if table.rows:
                    table = self._close(table, None, number - 1)
                table.start, table.money = table.start or number, True
                table.label = []
            elif table.open() and len(text) > MAX_LABEL + 20 and not TOTAL.match(text):
                table = self._close(table, None, number - 1)
            elif table.open() and not euros and len(text) <= MAX_LABEL:
                table.label = [*table.label[-1:], (number, text)]
            return table
        if TOTAL.match(label):
            return self._close(table, amounts, number, raw=raw, tail=len(raw) - len(raw.lstrip()) + tail)
        year_of = _columns(raw, len(raw) - len(raw.lstrip()) + tail, len(amounts), table.years)
        filled = [token != "-" for token in text[tail:].split() if token not in ("€", ",-")]
        if not euros and table.years and len(filled) > len(amounts) and filled.count(True) == len(amounts):
            year_of = _slot_years(filled, table.years)
        if lead_year and label == lead_year.group(1):
            year_of = [int(label)] * len(amounts)
        table.start = table.start or first_line
        for amount, year in zip(amounts, year_of, strict=True):
            record = BudgetRecord(amount=amount * table.factor, purpose=label, evidence=self.evidence(first_line, number),
                                  year=year, period=self._period(text))
            table.rows.append(record)
            self.budgets.append(record)
        table.last_row = number
        table.label = []
        return table

    def _prose(self, table: _Table, number: int, text: str, euros: list[re.Match[str]]) -> None:
        """Amounts in a sentence are budgets of their own, never parts of a table."""
        year = re.search(r"\b(?:in|voor|begroting)\s+(20\d\d)\b", text)
        for match in euros:
            self.budgets.append(BudgetRecord(
                amount=euros_of(match), purpose=_purpose(text, match),
                evidence=self.evidence(number, number), year=int(year.group(1)) if year else None,
                period=self._period(text)))

    @staticmethod
    def _period(text: str) -> tuple[int, int] | None:
        match = re.search(r"\b(20\d\d)\s*(?:[-–]|tot en met|t/m)\s*(20\d\d)\b", text)
        return (int(match.group(1)), int(match.group(2))) if match else None

    def _scale(self, table: _Table, number: int) -> _Table:
        if table.rows:
            for row in table.rows:
                row.amount *= 1000
            table = self._close(table, None, number)
        elif self.closed.records and number - self.closed.line <= 3:
            for record in self.closed.records:
                record.amount *= 1000
            for made in self.closed.tables:
                made.evidence = self.evidence(made.evidence.first, number)
                made.caption = re.sub(r"-\d+", f"-{number}", made.caption, count=1)
            self.closed = _Closed()
            self.boundary = number
        else:
            table.start, table.factor, table.money = table.start or number, 1000.0, True
        return table

    def _caption(self, start: int) -> int:
        """First line of the short lines right above the table (caption, column headers)."""
        first, probe, seen = start, start - 1, False
        while probe > self.boundary and start - probe <= 8:
            text = self.lines[probe - 1].strip()
            if not text:
                if seen:
                    break
            elif len(text) > 90 or AMOUNT.search(text) or SCALE_NOTE.search(text) or text.endswith("."):
                break
            else:
                first, seen = probe, True
            probe -= 1
        return first

    def _close(self, table: _Table, totals: list[float] | None, end: int, raw: str = "", tail: int = 0) -> _Table:
        rows = table.rows
        made: list[TableRecord] = []
        records = list(rows)
        if rows and (len(rows) >= 2 or totals):
            start = self._caption(table.start or rows[0].evidence.first)
            last = end if totals else rows[-1].evidence.last
            columns = _columns(raw, tail, len(totals), table.years) if totals else []
            by_year: dict[int | None, list[BudgetRecord]] = {}
            for row in rows:
                # Without a header of years the rows are one column, even when each row names its year.
                by_year.setdefault(row.year if table.years else None, []).append(row)
            for year, parts in sorted(by_year.items(), key=lambda kv: kv[0] or 0):
                total = None
                if totals:
                    index = columns.index(year) if year in columns else (0 if len(by_year) == 1 else None)
                    if index is not None and index < len(totals):
                        total = BudgetRecord(amount=totals[index] * table.factor, purpose="totaal",
                                             evidence=self.evidence(end, end), year=year, is_total=True)
                        records.append(total)
                if len(parts) < 2 and total is None:
                    continue
                caption = f"Tabel regels {start}-{last}" + (f", {year}" if year else "")
                made.append(TableRecord(caption=caption, evidence=self.evidence(start, last), rows=parts, total=total))
            self.tables.extend(made)
        elif totals:
            for amount in totals:
                self.budgets.append(BudgetRecord(amount=amount * table.factor, purpose="totaal",
                                                 evidence=self.evidence(end, end), is_total=True))
        self.closed = _Closed(records, made, end)
        self.boundary = max(self.boundary, end)
        return _Table()


def _purpose(text: str, match: re.Match[str]) -> str:
    """What an amount in a sentence is for: the words before it ("Bijdrage Veiligheidsregio (hogere lasten"
    gets its bracket closed), or the whole line when those words do not say it ("een bedrag van")."""
    before = clean(text[:match.start()].split("€")[0])
    if before.count("(") > before.count(")"):
        before = before.rstrip(" (") + ")" if not before.endswith("(") else before.rstrip(" (")
    if len(before.split()) >= 3 and not WEAK_END.search(before):
        return before
    whole = clean(text)
    return (whole if len(whole) <= 160 else whole[:160].rsplit(" ", 1)[0] + " …") or "bedrag"


def read_money(lines: tuple[str, ...] | list[str], first: int, last: int,
               evidence: EvidenceOf) -> tuple[list[BudgetRecord], list[TableRecord]]:
    return MoneyReader(lines, evidence).read(first, last)
