"""Small text helpers shared by the extraction steps."""

from __future__ import annotations

import re
import unicodedata

from beleidsgraaf.textkey import norm  # re-exported: ingest modules import norm from here

BULLET_CHARS = "-•·▪◦*–\uf0b7\uf0a7\uf076\uf0d8\uf0fc\u25aa\u25cf\u2022"
ITEM = re.compile(
    r"^(?P<indent>\s*)(?P<marker>[" + re.escape(BULLET_CHARS) + r"]|[\ue000-\uf8ff]|o(?=\s)"
    r"|\d{1,2}[.)](?!\d)|[a-z][.)](?=\s)|\(?[a-z]\)|[IVX]{1,4}[.)])\s*(?P<text>\S.*)$"
)


def clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\ue000-\uf8ff]", " ", text)
    text = re.sub(r"(\w)- (\w)", lambda m: m.group(1) + "-" + m.group(2) if m.group(2).isupper() else m.group(0), text)
    text = re.sub(r"\s+", " ", text).strip()
    return text.strip(" ;,:*").rstrip(".").strip()


def clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters, at the last space when there is one in the second half."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", limit // 2, limit + 1)
    return text[: cut if cut > 0 else limit].rstrip()


def ellipsis(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, cut after a whole word, with "…" where it was cut."""
    return text if len(text) <= limit else clip(text, limit - 1).rstrip(" ,;:") + "…"


def quote(text: str, limit: int = 200) -> str:
    """A source quote of at most ``limit`` characters, ending on a whole word ("…" where it was cut)."""
    return ellipsis(re.sub(r"\s+", " ", re.sub(r"[\ue000-\uf8ff]", " ", text)).strip(), limit)


def slugify(text: str, limit: int = 60) -> str:
    slug = norm(text).replace(" ", "-")
    return slug[:limit].rstrip("-") or "x"


def item_marker_style(marker: str) -> str:
    if re.fullmatch(r"[IVX]{1,4}[.)]", marker):
        return "roman"
    if re.fullmatch(r"\d{1,2}[.)]", marker):
        return "digit"
    if re.fullmatch(r"\(?[a-z][.)]", marker) and marker not in ("o",):
        return "letter"
    return "bullet"
