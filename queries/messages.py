"""The sentences answers are made of, in Dutch and English, from one catalogue (``messages.yaml``).

A sentence lives in one place in both languages, so a wording is changed once and the two stay parallel; the
catalogue is checked when it is read (both languages, the same placeholders), not when a rare answer needs it.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path

import yaml

MESSAGES_FILE = Path(__file__).with_name("messages.yaml")
LANGUAGES = ("nl", "en")


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@cache
def catalogue() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(MESSAGES_FILE.read_text(encoding="utf-8"))
    for key, texts in data.items():
        if not isinstance(texts, dict) or set(texts) != set(LANGUAGES):
            raise ValueError(f"{MESSAGES_FILE.name}: {key} needs exactly nl and en")
        if _fields(texts["nl"]) != _fields(texts["en"]):
            raise ValueError(f"{MESSAGES_FILE.name}: {key} has other placeholders in nl than in en")
    return data


def message(key: str, lang: str, **values: object) -> str:
    """The sentence ``key`` in ``lang`` (Dutch for any other language) with its placeholders filled in."""
    texts = catalogue()[key]
    return texts["en" if lang == "en" else "nl"].format(**values)
