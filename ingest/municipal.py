"""Municipality profiles: vocabulary true of one municipality's documents, kept beside those documents.

A folder of documents may hold ``profiles/<name>.yaml`` with ``municipality: <Name>`` and ``extend:``
lists (line units, partners). They apply to the documents of that municipality only, appended to the
document profile's lists, so one municipality's team names are never read into another's text.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from beleidsgraaf.errors import InputError
from beleidsgraaf.ingest.profiles import Profile
from beleidsgraaf.textkey import norm

FOLDER = "profiles"


@cache
def _load(folder: Path) -> tuple[tuple[str, dict[str, list]], ...]:
    found = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: invalid YAML in a municipality profile ({exc})") from exc
        name, extend = data.get("municipality"), data.get("extend") or {}
        if not isinstance(name, str) or not isinstance(extend, dict) or \
                not all(isinstance(v, list) for v in extend.values()):
            raise InputError(f"{path}: a municipality profile needs 'municipality: <name>' and 'extend:' with lists")
        found.append((norm(name), extend))
    return tuple(found)


def folders_for(document_folder: Path) -> list[Path]:
    return [document_folder / FOLDER]


def apply(profile: Profile, municipality: str | None, document_folder: Path) -> Profile:
    """The document profile extended by the profile of the document's municipality, when there is one."""
    if not municipality:
        return profile
    data = dict(profile.data)
    changed = False
    for folder in folders_for(document_folder):
        for name, extend in _load(folder.resolve()):
            if name != norm(municipality):
                continue
            for key, values in extend.items():
                data[key] = [*(data.get(key) or []), *values]
                changed = True
    return Profile(f"{profile.name}+{norm(municipality)}", data) if changed else profile
