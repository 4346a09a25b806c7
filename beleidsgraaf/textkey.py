"""The comparison key for names, shared by ingest (writing) and queries (linking) so both agree."""

from __future__ import annotations

import re
import unicodedata


def norm(text: str) -> str:
    """Comparison key: lower case, no accents, no punctuation, single spaces."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()
