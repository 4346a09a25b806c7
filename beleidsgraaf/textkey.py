"""The comparison key for names, shared by ingest (writing) and queries (linking) so both agree."""

from __future__ import annotations

import re
import unicodedata

_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def strip_marks(text: str) -> str:
    """``text`` (decomposed, NFKD) without its combining marks. Only the non-ASCII characters are looked up, not
    every character: ingest and the search index fold every passage and name with it."""
    return _NON_ASCII.sub(lambda match: "" if unicodedata.combining(match.group()) else match.group(), text)


def norm(text: str) -> str:
    """Comparison key: lower case, no accents, no punctuation, single spaces."""
    text = strip_marks(unicodedata.normalize("NFKD", text.lower()))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


# "Programmalijn 1: Integrale preventie" is called "Integrale preventie" as often; ingest and linking both strip it.
NUMBERED = re.compile(r"^\s*(programmalijn|actielijn|spoor|project|thema|pijler|werkveld|doel)\s+[\divx]+\s*[:.]\s*", re.I)


def letters_in_order(short: str, name: str, anchored: bool = False) -> bool:
    """The letters of an abbreviation occur in order in a name key: NSK ~ nieuwstraatkwartier.

    ``anchored`` also asks the first letters to agree (for linking a question's abbreviation to a name).
    """
    short, rest = short.lower(), name.replace(" ", "")
    if not short or (anchored and not rest.startswith(short[0])):
        return False
    for letter in short:
        position = rest.find(letter)
        if position < 0:
            return False
        rest = rest[position + 1 :]
    return True
