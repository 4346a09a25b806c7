"""Labels that name no goal or effort: table cells a flattened PDF left among the list items.

Ingest reads an indicator table under a list of efforts as more list items ("1.000", "(2018)", "2019 2020 2021
2022 Bron"); the pages and the JSON views leave them out rather than draw them as efforts.
"""

from __future__ import annotations

import re

from beleidsgraaf.textkey import norm

# Cells of indicator tables ("1.000", "(2018)", "(jaartal)") and a money table's scale note ("Bedragen x") that a
# flattened PDF left among the list items: numbers, years or one parenthesised word are no goal or effort.
NOT_A_NODE = re.compile(r"^[\W\d_]*$|^\(\s*[^()]{0,24}\)\W*$|^bedragen\s+x\b[^a-z]*$", re.I)

TO_BE_SET = {"n.t.b.", "ntb", "n.v.t.", "nvt", "-", "–", "—", "?"}  # "nog te bepalen", "niet van toepassing"
FIGURE = re.compile(r"[(\[]?[-+]?[\d.,%€]*\d[\d.,%€]*[)\]]?")


def not_a_node(label: str, municipality: str | None = None) -> bool:
    """A table cell read as a list item: only figures, years or a parenthesised word; a row of figures with a
    word or two ("2019 2020 2021 2022 Bron", "8 12 17 20 Gemeente Almelo") or that starts with three cells;
    or the bare name of the municipality (a table's source column). No goal or effort is worded like that."""
    text = " ".join(label.split())
    if NOT_A_NODE.match(text):
        return True
    tokens = text.split()
    figures = [bool(FIGURE.fullmatch(token) or token.lower() in TO_BE_SET) for token in tokens]
    if sum(figures) >= 2 and 2 * sum(figures) >= len(tokens):
        return True
    if len(figures) >= 3 and all(figures[:3]):  # a row that starts with three cells ("5 9 16 20 Klimaatmonitor ...")
        return True
    return bool(municipality) and norm(text) in (norm(municipality or ""), norm(f"gemeente {municipality}"))


