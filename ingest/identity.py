"""A source file's identity in the store: the key in its graph names and IRIs.

The key is the file name's slug, so IRIs stay readable and stable across ingests. A slug is not
one-to-one ("Plan A.txt" and "plan_a.txt" share one), so two different names with one key are
refused before anything is written: a silent overwrite would lose a document while its passages
stayed searchable. A name too long for a readable key gets a hash of the whole name instead of
a cut, so long names that share their beginning still differ.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from beleidsgraaf.errors import InputError
from beleidsgraaf.ingest.text import slugify
from beleidsgraaf.textkey import norm

LIMIT = 80


def file_key(name: str) -> str:
    stem = Path(name).stem
    full = norm(stem).replace(" ", "-") or "x"
    if len(full) <= LIMIT:
        return slugify(stem, LIMIT)
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]
    return f"{full[: LIMIT - len(digest) - 1].rstrip('-')}-{digest}"


def check_unique(names: Iterable[str], stored: Iterable[str] = ()) -> None:
    """Raise when two of ``names``, or one of them and a file already in the store, share a key."""
    owners: dict[str, str] = {}
    for name in stored:
        owners.setdefault(file_key(name), name)
    seen: dict[str, str] = {}
    for name in names:
        key = file_key(name)
        if key in seen and seen[key] != name:
            raise InputError(f"'{seen[key]}' and '{name}' would get the same identifier '{key}' in the store; "
                             "nothing was written", hint="rename one of the two files")
        seen[key] = name
        if key in owners and owners[key] != name:
            raise InputError(f"'{name}' would get the identifier '{key}', which the store already uses for "
                             f"'{owners[key]}'; nothing was written",
                             hint=f"rename '{name}', or ingest it under the name '{owners[key]}' to replace that file")
