"""Ward names per municipality: the listed spelling is canonical, other spellings are variants.

Names from an explicit ward list (e.g. a CBS annex) are all distinct, however alike they look
('Aalderinkshoek Noordoost' / 'Noordwest'). A name found in running text that is not listed but
is close to a listed one (Sluitersveld, Sluiversveld -> Sluiterseveld) is a spelling variant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from beleidsgraaf.ingest.records import WardRecord
from beleidsgraaf.ingest.text import norm

VARIANT_MIN_SCORE = 88
AROUND = re.compile(r"\s+en\s+omgeving$", re.I)
CANDIDATE = re.compile(r"\b([A-Z][a-zà-ÿ]+(?:[ -][A-Z][a-zà-ÿ]+)?)\b")


@dataclass
class WardEntry:
    label: str
    kind: str
    parent: str | None = None
    number: str | None = None
    variants: dict[str, int] = field(default_factory=dict)  # spelling -> first line seen


@dataclass
class Gazetteer:
    entries: dict[str, WardEntry] = field(default_factory=dict)  # norm(label) -> entry

    mentioned: list[tuple[WardRecord, int]] = field(default_factory=list)

    def add_listed(self, wards: Iterable[WardRecord]) -> None:
        for ward in wards:
            if not ward.listed:
                self.mentioned.append((ward, ward.evidence.first))
                continue
            key = norm(ward.label) if ward.kind != "buurt" else norm(f"{ward.parent} {ward.label}")
            if key not in self.entries:
                self.entries[key] = WardEntry(ward.label, ward.kind, ward.parent, ward.number)

    def settle(self) -> None:
        """Names only mentioned in running text join after all lists: a close spelling of a listed
        ward ('Sluitersveld', 'Riet' for 'De Riet') becomes its variant, any other name a ward of its own."""
        pending, self.mentioned = self.mentioned, []
        # CBS names a buurt "Rohof en omgeving"; running text says "Rohof".
        short: dict[str, list[WardEntry]] = {}
        for entry in self.entries.values():
            if entry.kind == "buurt" and (bare := AROUND.sub("", entry.label)) != entry.label:
                short.setdefault(norm(bare), []).append(entry)
        for ward, line in pending:
            key = norm(ward.label)
            if key in self.entries or norm(f"{ward.parent} {ward.label}") in self.entries:
                continue
            if len(short.get(key, [])) == 1:
                short[key][0].variants.setdefault(ward.label, line)
                continue
            if sum(1 for e in self.entries.values() if e.kind == "buurt" and norm(e.label) == key) == 1:
                continue  # a listed buurt named in running text, without its wijk
            close = next((e for e in self.entries.values() if e.kind != "buurt" and (
                norm(e.label) == f"de {key}" or len(key) >= 7 and fuzz.ratio(key, norm(e.label)) >= VARIANT_MIN_SCORE)), None)
            if close is not None:
                close.variants.setdefault(ward.label, line)
                continue
            entry_key = key if ward.kind != "buurt" else norm(f"{ward.parent} {ward.label}")
            self.entries[entry_key] = WardEntry(ward.label, ward.kind, ward.parent, ward.number)

    def entry_for(self, label: str) -> WardEntry | None:
        """The entry a canonical label names: a wijk or dorp by its name, a buurt (keyed with its wijk) when
        only one buurt has that name."""
        if (entry := self.entries.get(norm(label))) is not None:
            return entry
        buurten = [e for e in self.entries.values() if e.kind == "buurt" and norm(e.label) == norm(label)]
        return buurten[0] if len(buurten) == 1 else None

    def lookup(self) -> dict[str, tuple[str, str]]:
        """norm(spelling) -> (canonical label, kind) for wijken/dorpen and distinctive buurten."""
        self.settle()
        table: dict[str, tuple[str, str]] = {}
        buurt_names = [e for e in self.entries.values() if e.kind == "buurt"]
        counts: dict[str, int] = {}
        for entry in buurt_names:
            counts[norm(entry.label)] = counts.get(norm(entry.label), 0) + 1
        for entry in self.entries.values():
            if entry.kind == "buurt" and (counts[norm(entry.label)] > 1 or len(entry.label) < 6):
                continue  # 'Verspreide huizen' lies in many wijken: never a mention on its own
            table.setdefault(norm(entry.label), (entry.label, entry.kind))
            if entry.kind == "buurt" and (bare := AROUND.sub("", entry.label)) != entry.label and len(bare) >= 5:
                table.setdefault(norm(bare), (entry.label, entry.kind))
            for variant in entry.variants:
                table.setdefault(norm(variant), (entry.label, entry.kind))
        return table

    def learn_variants(self, lines: Iterable[tuple[int, str]]) -> None:
        """Find close spellings of listed wijken/dorpen in running text."""
        self.settle()
        targets = [e for e in self.entries.values() if e.kind != "buurt" and len(e.label) >= 7]
        if not targets:
            return
        listed = {norm(e.label) for e in self.entries.values()}
        for number, line in lines:
            for match in CANDIDATE.finditer(line):
                word = match.group(1)
                key = norm(word)
                if key in listed or len(key) < 7:
                    continue
                for entry in targets:
                    if key[0] == norm(entry.label)[0] and fuzz.ratio(key, norm(entry.label)) >= VARIANT_MIN_SCORE:
                        entry.variants.setdefault(word, number)
                        break
