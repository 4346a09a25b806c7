"""Per-format extraction profiles: vocabulary and rules as data (ingest/profiles/*.yaml)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PROFILE_DIR = Path(__file__).with_name("profiles")


@dataclass(frozen=True)
class Profile:
    name: str
    data: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def matches(self, lines: tuple[str, ...]) -> bool:
        rule = self.data.get("match") or {}
        counted = rule.get("min_lines_matching")
        if not counted:
            return False
        pattern = re.compile(counted["pattern"], re.I)
        return sum(1 for line in lines if pattern.search(line)) >= counted["count"]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    merged.update({k: v for k, v in override.items() if k != "extends"})
    return merged


@cache
def all_profiles() -> tuple[Profile, ...]:
    raw = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(PROFILE_DIR.glob("*.yaml"))}
    profiles = []
    for data in raw.values():
        parent = data.get("extends")
        resolved = _merge(raw[parent], data) if parent else data
        profiles.append(Profile(resolved["name"], resolved))
    return tuple(profiles)


def choose_profile(lines: tuple[str, ...]) -> Profile:
    """The first specific profile whose match rule fits, else the default."""
    default = next(p for p in all_profiles() if p.name == "default")
    for profile in all_profiles():
        if profile is not default and profile.matches(lines):
            return profile
    return default
