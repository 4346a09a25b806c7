"""Indicator tables of a BBV document -> one indicator per row, with its measured and target values.

A programme states how it measures its effects in a table captioned with "indicator" (effectindicatoren,
beleidsindicatoren): a row is a label, perhaps wrapped over lines with its unit and source, followed by values, one
per column ("12.371", "85%", "0,6 (2022)", "n.v.t."), a value sometimes followed by a remark in brackets ("(plus
35)"). PDF text gives the cells one per line or a row per line; both read the same here. The header names the
columns: a measured value (peilwaarde, nulwaarde, realisatie, cijfer) first, targets (streefwaarde) after.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from beleidsgraaf.ingest.records import Evidence, IndicatorRecord
from beleidsgraaf.ingest.text import quote

CAPTION = re.compile(r"(?i)^\s*(?:tabel\s+[\d.]+\s*[-–:]\s*)?\S*indicator(?:en)?\b")
HEADER_WORDS = re.compile(r"(?i)^(?:effect|beleids|prestatie)?indicator(?:en)?|^(peilwaarde|nulwaarde|streefwaarde|"
                          r"realisatie|begroting|rekening|doel(?:stelling)?|norm|bron|eenheid|cijfer|vergelijkingscijfer|"
                          r"nederland|progr\.?|nr\.?|naam|jaartal|\(?\d{4}\)?)\b|^\([a-z ]+\)$")
TARGET = re.compile(r"(?i)streef|doel|norm|target")
VALUE = r"(?:[<>≥≤]\s?)?-?\d[\d.,]*(?:\s?(?:%|‰|kg|ton|km|uur|dagen|weken))?|n\.?v\.?t\.?|nvt|geen|pm|p\.m\.|-"
VALUES_ONLY = re.compile(rf"(?i)^\s*(?:(?:{VALUE})(?:\s*\([^)]{{0,30}}\))?\s*)+$")
DATED_TAIL = re.compile(rf"(?i)\s((?:(?:{VALUE})\s*\(\d{{4}}\)\s*)+)$")
ONE_VALUE = re.compile(rf"(?i)(?:{VALUE})(?:\s*\([^)]{{0,30}}\))?")
REMARK = re.compile(r"^\s*\([^)]*\)\s*$")
ROW_NUMBER = re.compile(r"^\s*(?:\d{1,2}\s+)?\d{1,2}\.\s+")
STOP = re.compile(r"(?i)^\s*(tabel\s+[\d.]+|wat (?:gaat|mag|heeft)|wat (?:willen|wilden|gaan|hebben) we|toelichting)\b")
MAX_LABEL_LINES = 8
MAX_TABLE_LINES = 250


def _columns(header: list[str]) -> list[str]:
    """Column names from the header cells: a new column at each value word, the years after it joined to it."""
    columns: list[str] = []
    for cell in header:
        word = cell.split()[0].lower() if cell.split() else ""
        if re.match(r"peilwaarde|nulwaarde|streefwaarde|realisatie|cijfer|vergelijkingscijfer|doel|norm", word):
            columns.append(cell)
        elif columns and not re.match(r"(?i)bron|eenheid|naam|progr|nr", word):
            columns[-1] = f"{columns[-1]} {cell}"
    return columns


def _names_a_column(lines: Sequence[str], number: int, end: int) -> bool:
    """A single capitalised word inside the header ("Cijfer / Wassenaar / (jaartal)"): the place a column is about."""
    text = lines[number - 1].strip()
    if not re.fullmatch(r"[A-Z][a-z]+", text):
        return False
    following = next((lines[n - 1].strip() for n in range(number + 1, end + 1) if lines[n - 1].strip()), "")
    return bool(HEADER_WORDS.match(following))


def indicator_tables(lines: Sequence[str], first: int, last: int, furniture: frozenset[int] = frozenset()
                     ) -> list[IndicatorRecord]:
    """The indicators of every indicator table between lines ``first`` and ``last`` (1-based, inclusive)."""
    found: list[IndicatorRecord] = []
    number = first
    while number <= last:
        if CAPTION.match(lines[number - 1]) and not lines[number - 1].strip().lower().startswith("indicator:"):
            records, number = _table(lines, number + 1, last, furniture)
            found += records
        else:
            number += 1
    return found


def _table(lines: Sequence[str], start: int, last: int, furniture: frozenset[int]) -> tuple[list[IndicatorRecord], int]:
    header: list[str] = []
    number = start
    end = min(last, start + MAX_TABLE_LINES)
    while number <= end:  # the header: caption words, column names, years
        text = lines[number - 1].strip()
        if number in furniture or not text or CAPTION.match(text) and re.match(r"(?i)tabel\b|\S*indicatoren$", text):
            number += 1
            continue  # the caption above the header ("Tabel 4.1 - Effectindicatoren P4")
        cells = text.split("  ") if "  " in text else [text]
        if not all(HEADER_WORDS.match(c.strip()) for c in cells if c.strip()) and not _names_a_column(lines, number, end):
            break
        header += [c.strip() for c in cells if c.strip()]
        number += 1
    columns = _columns(header)
    if not columns:
        return [], number
    rows: list[tuple[list[str], int, list[str], int]] = []  # label lines, first line, values, last line
    while number <= end:
        text = lines[number - 1].strip()
        if number in furniture or not text:
            number += 1
            continue
        if STOP.match(text) or CAPTION.match(text):
            break
        if text.startswith("*"):
            number += 1
            continue  # a footnote under the table
        if ROW_NUMBER.sub("", text + " ") == "":  # "1 11." alone: the number of the row that follows
            if rows and rows[-1][2]:
                rows.append(([], number, [], number))
            number += 1
            continue
        values: list[str] = []
        cells = re.split(r"\s{2,}", text)
        tail = len(cells)
        while tail > 0 and VALUES_ONLY.match(cells[tail - 1]):
            tail -= 1
        if 0 < tail < len(cells):  # a row on one line: "label  6,1% (2021)  6,0%  5,9%"
            values = [v for c in cells[tail:] for v in ONE_VALUE.findall(c)]
            text = " ".join(cells[:tail]).strip()
        elif VALUES_ONLY.match(text):
            values = ONE_VALUE.findall(text)
            text = ""
        elif tail := DATED_TAIL.search(text):
            values = ONE_VALUE.findall(tail.group(1))
            text = text[: tail.start()].strip()
        if REMARK.match(text) and rows and rows[-1][2]:
            rows[-1][2][-1] += f" {text}"  # "(plus 35)" after a value belongs to it
        elif text:
            if not rows or rows[-1][2]:
                if rows and len(rows[-1][2]) < len(columns) and rows[-1][0] and len(rows[-1][0]) >= MAX_LABEL_LINES:
                    break
                rows.append(([], number, [], number))
            if len(rows[-1][0]) >= MAX_LABEL_LINES:
                break  # text that never reaches a value is no longer the table
            rows[-1][0].append(ROW_NUMBER.sub("", text) if not rows[-1][0] else text)
        if values:
            if not rows:
                break
            rows[-1][2].extend(v.strip() for v in values)
        if rows:
            rows[-1] = (rows[-1][0], rows[-1][1], rows[-1][2], number)
        number += 1
    records = [_record(lines, label, values, columns, first, final) for label, first, values, final in rows if label and values]
    return records, number


def _record(lines: Sequence[str], label: list[str], values: list[str], columns: list[str], first: int, last: int
            ) -> IndicatorRecord:
    named = list(zip(columns, values, strict=False)) + [("", v) for v in values[len(columns):]]
    measured = [f"{v} ({c})" if c else v for c, v in named if not TARGET.search(c)]
    targets = [f"{v} ({c})" for c, v in named if TARGET.search(c)]
    evidence = Evidence(first, last, quote(" ".join(lines[n - 1].strip() for n in range(first, last + 1))))
    return IndicatorRecord(" ".join(label).strip(" :*"), evidence, "; ".join(measured) or None, "; ".join(targets) or None)
