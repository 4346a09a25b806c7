"""Build ``gebieden.tsv.gz``: every Dutch gemeente, wijk and buurt (CBS Kerncijfers wijken en buurten 2024,
table 85984NED) and every woonplaats (CBS Woonplaatsen in Nederland 2024) with its CBS code and parent.

Inputs are files fetched from public repositories that copied the CBS tables (see SOURCES.md):

* ``--gemeente-dir``: a directory of per-gemeente JSON files (``GM0141.json`` ...), each with ``code``,
  ``name``, ``wijken: [{code, name, type}]`` and ``buurten: [{code, name, type}]``, names taken from the
  ``WijkenEnBuurten`` metadata (``Title``) of 85984NED.
* ``--woonplaatsen``: a CSV with columns ``Woonplaatscode,Woonplaats,Gemeentecode,Gemeente`` (numeric codes,
  the CBS ``WP`` and ``GM`` prefixes stripped).

Output columns (tab separated, UTF-8, header row, sorted by code):
``code  kind  name  parent_code  municipality``; a wijk's parent is its gemeente, a buurt's its wijk, a
woonplaats's its gemeente, a gemeente has none. Parents are taken from the CBS code structure
(BU GGGG WW BB -> WK GGGG WW -> GM GGGG; Amsterdam uses letters in WW/BB) and checked against the listed codes.

Run from the repository root:

    python ingest/data/build_gebieden.py --gemeente-dir RAW/data/gemeente --woonplaatsen RAW/corop.generated.csv

The gzip is written without a timestamp, so the same inputs give the same bytes.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE / "gebieden.tsv.gz"
COLUMNS = ("code", "kind", "name", "parent_code", "municipality")
CODE_FORMAT = {
    "gemeente": re.compile(r"GM\d{4}"),
    "wijk": re.compile(r"WK\d{4}[0-9A-Z]{2}"),  # Amsterdam (GM0363) numbers its wijken with letters: WK0363SE
    "buurt": re.compile(r"BU\d{4}[0-9A-Z]{4}"),  # ... and its buurten likewise: BU0363KA05
    "woonplaats": re.compile(r"WP\d{4}"),
}
SPACES = re.compile(r"\s+")


class BuildError(ValueError):
    """The inputs do not fit together (unknown parent, bad code, duplicate with another name)."""


@dataclass(frozen=True, order=True)
class Area:
    code: str
    kind: str
    name: str
    parent_code: str
    municipality: str

    def row(self) -> tuple[str, str, str, str, str]:
        return (self.code, self.kind, self.name, self.parent_code, self.municipality)


def clean(text: str) -> str:
    """Trim and collapse whitespace (CBS pads codes and titles; a tab or newline must not reach the TSV)."""
    return SPACES.sub(" ", text).strip()


def check_code(code: str, kind: str) -> str:
    if not CODE_FORMAT[kind].fullmatch(code):
        raise BuildError(f"{code!r} is not a {kind} code")
    return code


def gemeente_areas(path: Path) -> list[Area]:
    """The gemeente, its wijken and its buurten from one per-gemeente JSON file."""
    data = json.loads(path.read_text(encoding="utf-8"))
    gm_code = check_code(clean(data["code"]), "gemeente")
    gm_name = clean(data["name"])
    areas = [Area(gm_code, "gemeente", gm_name, "", gm_name)]
    for kind, key in (("wijk", "wijken"), ("buurt", "buurten")):
        for item in data.get(key, []):
            code = check_code(clean(item["code"]), kind)
            if item.get("type", kind) != kind:
                raise BuildError(f"{code} is listed under {key} but typed {item.get('type')!r}")
            parent = f"WK{code[2:8]}" if kind == "buurt" else f"GM{code[2:6]}"
            if code[2:6] != gm_code[2:]:
                raise BuildError(f"{code} is in file {path.name} but not in {gm_code}")
            areas.append(Area(code, kind, clean(item["name"]), parent, gm_name))
    return areas


def woonplaats_areas(path: Path, gemeente_names: dict[str, str]) -> list[Area]:
    """Woonplaatsen from the CSV; the municipality name is the KWB one, so both tables spell it alike."""
    areas: list[Area] = []
    with path.open(encoding="utf-8", newline="") as handle:
        for record in csv.DictReader(handle):
            code = check_code(f"WP{clean(record['Woonplaatscode']).zfill(4)}", "woonplaats")
            gm_code = f"GM{clean(record['Gemeentecode']).zfill(4)}"
            if gm_code not in gemeente_names:
                raise BuildError(f"{code} {record['Woonplaats']!r} lies in {gm_code}, which the wijk/buurt table lacks")
            if clean(record["Gemeente"]) != gemeente_names[gm_code]:
                print(
                    f"note: {gm_code} is {record['Gemeente']!r} in the woonplaats table, "
                    f"{gemeente_names[gm_code]!r} in the wijk/buurt table",
                    file=sys.stderr,
                )
            areas.append(Area(code, "woonplaats", clean(record["Woonplaats"]), gm_code, gemeente_names[gm_code]))
    return areas


def check_tree(areas: Iterable[Area]) -> list[Area]:
    """One row per code, and every parent listed with the kind it must have."""
    by_code: dict[str, Area] = {}
    for area in areas:
        seen = by_code.get(area.code)
        if seen is not None and seen != area:
            raise BuildError(f"{area.code} twice: {seen.name!r} and {area.name!r}")
        by_code[area.code] = area
    parent_kind = {"wijk": "gemeente", "buurt": "wijk", "woonplaats": "gemeente"}
    for area in by_code.values():
        if area.kind == "gemeente":
            continue
        parent = by_code.get(area.parent_code)
        if parent is None or parent.kind != parent_kind[area.kind]:
            raise BuildError(f"{area.code} ({area.kind}) has no {parent_kind[area.kind]} {area.parent_code}")
        if not area.name:
            raise BuildError(f"{area.code} has no name")
    return sorted(by_code.values())


def build(gemeente_dir: Path, woonplaatsen: Path | None) -> list[Area]:
    files = sorted(gemeente_dir.glob("GM*.json"))
    if not files:
        raise BuildError(f"no GM*.json files in {gemeente_dir}")
    areas = [area for path in files for area in gemeente_areas(path)]
    names = {area.code: area.name for area in areas if area.kind == "gemeente"}
    if woonplaatsen is not None:
        areas += woonplaats_areas(woonplaatsen, names)
    return check_tree(areas)


def write_tsv_gz(areas: list[Area], out: Path) -> None:
    lines = ["\t".join(COLUMNS)] + ["\t".join(area.row()) for area in areas]
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle, gzip.GzipFile(filename="", mode="wb", fileobj=handle, mtime=0, compresslevel=9) as gz:
        gz.write(raw)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gemeente-dir", type=Path, required=True, help="directory of per-gemeente GM*.json files")
    parser.add_argument("--woonplaatsen", type=Path, help="CSV Woonplaatscode,Woonplaats,Gemeentecode,Gemeente")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output file (default {DEFAULT_OUT.name})")
    args = parser.parse_args(argv)
    try:
        areas = build(args.gemeente_dir, args.woonplaatsen)
    except (BuildError, KeyError, json.JSONDecodeError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    write_tsv_gz(areas, args.out)
    counts = Counter(area.kind for area in areas)
    print(
        f"{args.out}: {len(areas)} rows ({', '.join(f'{kind} {n}' for kind, n in sorted(counts.items()))}), "
        f"{args.out.stat().st_size} bytes"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
