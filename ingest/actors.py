"""Actors of one document: named persons, office holders named by their office, bodies, teams and partners.

Generic rules over the shapes such texts take everywhere: cover blocks ('Bestuurlijk opdrachtgever  <naam>',
or the role and the name on separate lines), role sentences ('Wethouder van Rees is bestuurlijk
opdrachtgever', 'De ambtelijk opdrachtgever is adjunct directeur Saïd Benayad', 'het college als
bestuurlijk opdrachtgever'), a role heading with the holder opening the next line, participant lists
('Marijke de Jong (voorzitter) Bestuurs- en Concerndienst') and signatures. The words (roles, offices,
bodies, teams, partner types) come from the profile.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator

from beleidsgraaf.ingest.profiles import Profile
from beleidsgraaf.ingest.records import ActorRecord, Evidence
from beleidsgraaf.ingest.text import clean, norm

PARTICLE = r"(?:van|de|der|den|ter|ten|te|vd|v\.d\.|in 't|in het|op de)"
CAP = r"[A-ZÀ-Ý][a-zà-ÿ’'-]+(?:-[A-ZÀ-Ý][a-zà-ÿ’'-]+)?"
INITIALS = r"(?:[A-Z]\.\s?){1,4}"
# A person's name: initials or one or two given names, particles, a surname ('E. van Mierlo', 'Jan Martin van Rees').
NAME = rf"(?:{INITIALS}|(?:{CAP}\s){{1,2}})(?:{PARTICLE}\s)*{CAP}"
SURNAME = rf"{PARTICLE}(?:\s{PARTICLE})*\s{CAP}"  # after an office only: 'Wethouder van Rees'
# Inside case-insensitive patterns (offices, roles) a name stays capitalised.
NAME_CS = rf"(?-i:{NAME})"
SURNAME_CS = rf"(?-i:{SURNAME})"
FULL_NAME = re.compile(rf"^\s*({NAME})\s*$")
NAME_LIST_SEP = re.compile(r",\s*|\s+&\s+|\s+en\s+|\s{2,}")
SIGN_OFF = re.compile(r"(?i)^\s*(hoogachtend|met vriendelijke groet(en)?)\b")


def _spaces(pattern: str) -> str:
    """A space in a vocabulary pattern also matches a line break; 'programma ?manager' keeps its optional space."""
    return re.sub(r" (?![?*+{])", r"\\s+", pattern).replace(" ?", r"\s*")


def _plural(pattern: str) -> str:
    return rf"(?:{pattern})(?:s|en)?"


PARAGRAPH_LINES = 40  # lines in a run before a blank line may end it


class ActorFinder:
    def __init__(self, lines: tuple[str, ...] | list[str], first: int, last: int, profile: Profile,
                 evidence: Callable[[int, int], Evidence], programmes: set[str]) -> None:
        self.lines = lines
        self.first = first
        self.last = last
        self.profile = profile
        self.evidence = evidence
        self.programmes = {norm(p) for p in programmes}
        self.roles = {role: re.compile(r"\b(?:" + "|".join(words) + r")\b", re.I)
                      for role, words in profile.get("roles").items()}
        # In prose a bare 'bestuurlijk' is an adjective, not a role: only the full role words count there.
        prose_words = [w for words in profile.get("roles").values() for w in words if " " in w or "?" in w or len(w) > 11]
        # Paragraphs keep their line breaks, so a space in a vocabulary word may be a line break in the text.
        self.role_words = r"(?:" + "|".join(_spaces(w) for w in sorted(prose_words, key=len, reverse=True)) + r")"
        functions = profile.get("functions") or []
        self.function = r"(?:" + "|".join(_plural(_spaces(f)) for f in functions) + r")" if functions else r"(?!x)x"
        self.function_re = re.compile(rf"\b({self.function})\b", re.I)
        bodies = profile.get("bodies") or []
        self.body = r"(?:" + "|".join(_spaces(b) for b in bodies) + r")" if bodies else r"(?!x)x"
        self.not_person = set(profile.get("not_person_words") or [])
        self.unit_words = {norm(u) for u in profile.get("line_units", [])}
        self.found: dict[tuple[str, str, str | None], ActorRecord] = {}
        self.compiled_persons = self.person_patterns()
        self.compiled_holders = self.holder_patterns()

    # -- recording ---------------------------------------------------------------------------------
    def add(self, name: str, role: str | None, kind: str, first: int, last: int, *, function: str | None = None,
            affiliation: str | None = None) -> None:
        name = clean(name)
        if len(name) < 2:
            return
        key = (kind, norm(name), role)
        if key not in self.found:
            self.found[key] = ActorRecord(name, role, kind, self.evidence(first, last), function, affiliation)

    def records(self) -> list[ActorRecord]:
        with_role = {(kind, name) for kind, name, role in self.found if role}
        return [r for (kind, name, role), r in self.found.items() if role or (kind, name) not in with_role]

    # -- helpers ------------------------------------------------------------------------------------
    def role_of(self, text: str) -> str | None:
        text = re.sub(r"\s+", " ", re.sub(r"^\s*\d{1,2}(?:\.\d{1,2})*\.?\s+", "", text)).strip().rstrip(":.")
        for role, pattern in self.roles.items():
            if pattern.fullmatch(text):
                return role
        for role, pattern in self.roles.items():
            if pattern.match(text) and len(text.split()) <= 3:
                return role
        return None

    def is_person(self, name: str) -> bool:
        tokens = name.split()
        if not tokens or any(t in self.not_person for t in tokens) or norm(name) in self.programmes:
            return False
        if self.function_re.fullmatch(tokens[0]):
            return False  # 'Wethouder van Rees': the office, then the name
        return not any(norm(t) in self.unit_words for t in tokens)

    def office(self, text: str) -> str:
        """'Algemeen Directeur' -> 'algemeen directeur'; 'wijkregisseurs' -> 'wijkregisseur' (one office, its holders)."""
        office = re.sub(r"\s+", " ", text.strip()).lower()
        for pattern in self.profile.get("functions") or []:
            base = re.fullmatch(rf"({pattern})(?:s|en)?", office, re.I)
            if base:
                return base.group(1).lower()
        return office

    def qualified_office(self, text: str, end: int, office: str) -> tuple[str, int]:
        """An office with the programme or unit it serves: "programmamanager Veiligheid", "wethouder 'Leefbare
        wijken en dorpen'". A capitalised word followed by another is a person's name, not a qualifier."""
        rest = text[end:]
        quoted = re.match(r"\s+([‘'][^’']{3,60}[’'])", rest)
        if quoted:
            return f"{office} {quoted.group(1)}", end + quoted.end()
        word = re.match(r"(\s+)([\w-]+)", rest)
        if word:
            token = word.group(2)
            following = re.match(r"\s+(\S+)", rest[word.end():])
            after = following.group(1) if following else ""
            name_goes_on = after[:1].isupper() or re.fullmatch(PARTICLE, after) is not None
            programme = norm(token) in self.programmes and len(token) > 3 and re.fullmatch(PARTICLE, token, re.I) is None
            # Any other capitalised word qualifies only on the same line after one space: a table cell
            # ('Adviseur<tab>Bedrijven') or the next sentence ('... wijkregisseur.\nZoals') does not.
            if programme or (word.group(1) == " " and token[:1].isupper() and not name_goes_on and token not in self.not_person):
                return f"{office} {token}", end + word.end()
        return office, end

    # -- paragraphs ----------------------------------------------------------------------------------
    def paragraphs(self) -> Iterator[tuple[str, list[tuple[int, int]]]]:
        """Runs of lines joined with spaces, with (offset, line number) marks to cite matches. PDF text puts blank
        lines inside sentences, so a blank line ends a paragraph only after a finished sentence. A run is cut at
        PARAGRAPH_LINES lines even without a blank line (DOCX text has none), so the rules stay linear in the file."""
        parts: list[str] = []
        marks: list[tuple[int, int]] = []
        size = 0
        for number in range(self.first, self.last + 1):
            line = self.lines[number - 1].strip()
            if not line:
                if parts and (re.search(r"[.:;!?]$", parts[-1]) or len(marks) >= PARAGRAPH_LINES):
                    yield "\n".join(parts), marks
                    parts, marks, size = [], [], 0
                continue
            if len(marks) >= 4 * PARAGRAPH_LINES:
                yield "\n".join(parts), marks
                parts, marks, size = [], [], 0
            marks.append((size + (1 if parts else 0), number))
            size += len(line) + (1 if parts else 0)
            parts.append(line)
        if parts:
            yield "\n".join(parts), marks

    @staticmethod
    def line_at(marks: list[tuple[int, int]], offset: int) -> int:
        index = bisect_right([start for start, _ in marks], offset) - 1
        return marks[max(index, 0)][1]

    # -- rules ---------------------------------------------------------------------------------------
    def run(self) -> list[ActorRecord]:
        self.cover_lines()
        self.participant_lists()
        for text, marks in self.paragraphs():
            self.role_sentences(text, marks)
            self.office_mentions(text, marks)
        self.signatories()
        self.named_groups()
        return self.records()

    def cover_lines(self) -> None:
        """'Rol<tab>Naam', 'Rol: Naam & Naam', a role line with its name some lines below, a role heading
        with the holder opening the next line."""
        pending: list[tuple[str, int]] = []
        heading: tuple[str, int] | None = None
        for number in range(self.first, self.last + 1):
            text = self.lines[number - 1].strip()
            if not text:
                continue
            match = re.match(r"^([A-Za-z][\w ]{3,40}?)\s*(?:\t|:|\s{2,}|\s(?=[A-Z]))\s*(.+)$", text)
            if match:
                role = self.role_of(match.group(1))
                if role and len(match.group(1).split()) <= 4:
                    people = [p for p in NAME_LIST_SEP.split(match.group(2).strip()) if p]
                    if people and all(FULL_NAME.match(p) and self.is_person(p) for p in people):
                        for person in people:
                            self.add(person, role, "person", number, number)
                        continue
            role_only = self.role_of(text)
            if role_only and len(re.sub(r"^\s*[\d.]+\s+", "", text).split()) <= 3:
                pending.append((role_only, number))
                heading = (role_only, number)
                continue
            if pending and FULL_NAME.match(text) and self.is_person(text) and number - pending[-1][1] <= 12:
                role, _ = pending.pop(0)
                self.add(FULL_NAME.match(text).group(1), role, "person", number, number)
                heading = None
                continue
            if pending and number - pending[-1][1] > 12:
                pending.clear()
            if heading and number - heading[1] <= 2:
                self.heading_holder(text, heading[0], number)
            heading = None

    def heading_holder(self, text: str, role: str, number: int) -> None:
        """'Bestuurlijk opdrachtgever' / 'Wethouder Eugène van Mierlo is namens het college ...' or 'Algemeen Directeur.'"""
        opening = re.sub(r"^(?:de|het)\s+", "", text, flags=re.I)
        named = re.match(rf"(?:({self.function})\s+)?({NAME_CS})\b", opening, re.I)
        if named and named.group(1) and self.is_person(named.group(2)):
            self.add(named.group(2), role, "person", number, number, function=self.office(named.group(1)))
            return
        office = re.match(rf"({self.function})\b", opening, re.I)
        if office:
            label, end = self.qualified_office(opening, office.end(), self.office(office.group(1)))
            tautology = self.role_of(self.office(office.group(1))) == role  # 'Programmamanager' / 'De programmamanager is ...'
            if not tautology and (end >= len(opening.rstrip(". ")) - 1 or re.match(r"\s+(is|wordt)\b", opening[end:])):
                self.add(label, role, "function", number, number)

    def person_patterns(self) -> list[re.Pattern[str]]:
        roles = self.role_words
        person = (rf"(?:(?P<func>{self.function})\s+)?(?P<name>(?!(?:{self.function})\s){NAME_CS})"
                  rf"|(?P<func2>{self.function})\s+(?P<sur>{SURNAME_CS})")
        filler = r"(?:(?:namens het college|exclusief|tevens|ook|nu|de|het)\s+){0,4}"
        patterns = (
            # 'Programmawethouder E. van Mierlo is de bestuurlijk opdrachtgever', 'Wethouder van Rees is ...'
            rf"(?<![\w-])(?:{person})(?:\s*\([^)]{{1,40}}\))?\s+(?:is|wordt|blijft)\s+{filler}(?P<role>{roles})\b",
            # 'De ambtelijk opdrachtgever is adjunct directeur Saïd Benayad', 'De programmamanager is Janke Krommendijk'
            rf"\b(?P<role>{roles})\s+(?:is|wordt)\s+(?:de\s+|het\s+)?(?:{person})",
            # 'de programma-adviseur (Sander Weertman)'
            rf"\b(?P<func>{self.function})\s*\((?P<name>{NAME_CS})\)",
            # 'wethouder Eugène van Mierlo', 'Programmamanager A. Agus'
            rf"\b(?P<func>{self.function})\s+(?P<name>{NAME_CS})\b",
        )
        return [re.compile(p, re.I) for p in patterns]

    def role_sentences(self, text: str, marks: list[tuple[int, int]]) -> None:
        for pattern in self.compiled_persons:
            for match in pattern.finditer(text):
                groups = match.groupdict()
                name = groups.get("name") or groups.get("sur")
                func = groups.get("func") or groups.get("func2")
                if not name or not self.is_person(name):
                    continue
                line = self.line_at(marks, match.start())
                end = self.line_at(marks, match.end() - 1)
                office = self.office(func) if func else None
                role = self.role_of(groups["role"]) if groups.get("role") else None
                if role:
                    self.add(name, role, "person", line, end, function=office)
                if office:
                    self.add(name, self.role_of(office), "person", line, end, function=office)
        self.holder_sentences(text, marks)

    def holder_patterns(self) -> list[re.Pattern[str]]:
        roles = self.role_words
        who = rf"(?P<body>{self.body})|(?P<func>{self.function})"
        filler = r"(?:(?:exclusief|tevens|ook|nu)\s+){0,2}"
        patterns = (
            rf"\b(?:de|het)\s+(?:{who})(?P<q>\s+[‘'][^’']{{3,60}}[’'])?\s+(?:is|wordt)\s+{filler}(?:de\s+)?(?P<role>{roles})\b",
            rf"\b(?:de\s+|het\s+)?(?:{who})(?P<q>\s+(?-i:[A-Z])\w+)?\s+als\s+(?:de\s+)?(?P<role>{roles})\b",
            rf"\b(?P<role>{roles})\s+is\s+(?:de\s+|het\s+)?(?:{who})(?P<q>\s+[‘'][^’']{{3,60}}[’'])?(?=[\s.,;])",
            rf"\bis\s+(?:de|het)\s+(?:{who})\s+(?P<role>{roles})\b",
        )
        return [re.compile(p, re.I) for p in patterns]

    def holder_sentences(self, text: str, marks: list[tuple[int, int]]) -> None:
        """Roles of an office or body: 'De burgemeester is (exclusief) bestuurlijk opdrachtgever', 'het college als
        bestuurlijk opdrachtgever', 'De ambtelijk opdrachtgever is coördinerend wethouder', 'is de directie ambtelijk
        opdrachtgever'."""
        for pattern in self.compiled_holders:
            for match in pattern.finditer(text):
                role = self.role_of(match.group("role"))
                if not role:
                    continue
                line = self.line_at(marks, match.start())
                end = self.line_at(marks, match.end() - 1)
                qualifier = (match.groupdict().get("q") or "").strip()
                if qualifier and not (qualifier[:1] in "‘'" or norm(qualifier) in self.programmes or qualifier[:1].isupper()):
                    qualifier = ""
                if match.group("body"):
                    self.add(match.group("body"), role, "body", line, end)
                else:
                    after = text[match.end("func"):]
                    if re.match(rf"\s+(?:{NAME}|{SURNAME})", after) and not qualifier:
                        continue  # a named person: role_sentences has it
                    office = self.office(match.group("func"))
                    if self.role_of(office) != role:  # 'de programmamanager als programmamanager' says nothing
                        self.add(f"{office} {qualifier}".strip(), role, "function", line, end)

    def office_mentions(self, text: str, marks: list[tuple[int, int]]) -> None:
        """Every office the text names: its holder is an actor of the document even without a stated role."""
        for match in self.function_re.finditer(text):
            after = text[match.end():]
            named = re.match(rf"\s*\(?({NAME}|{SURNAME})\b", after)
            if named and (named.group(1)[:1].islower() or self.is_person(named.group(1))):
                continue  # 'wethouder Eugène van Mierlo', 'Wethouder van Rees': the person, not an unnamed holder
            if match.start() and text[match.start() - 1] in "-/":
                continue  # part of a compound ('SO-gebiedsmanager' is matched whole; 'lijn-' is no office)
            office = self.office(match.group(1))
            label, _ = self.qualified_office(text, match.end(), office)
            line = self.line_at(marks, match.start())
            self.add(label, None, "function", line, line)

    def participant_lists(self) -> None:
        """'Deelnemers groep ROOD: Organisatie' and below it 'Name (function) Organisation' lines."""
        headers = self.profile.get("participant_headers") or []
        if not headers:
            return
        header = re.compile(r"^(?:" + "|".join(headers) + r")$", re.I)
        row = re.compile(rf"^(?P<name>(?:{INITIALS}|{CAP}(?:\s{CAP}(?=\s{PARTICLE}\s))?)\s(?:{PARTICLE}\s)*{CAP})"
                         r"(?:\s*\((?P<function>[^)]{1,30})\))?(?:\s+(?P<org>\S.*))?$")
        number = self.first
        while number <= self.last:
            text = self.lines[number - 1].strip()
            number += 1
            if not (header.match(text) and len(text.split()) <= 8):
                continue
            while number <= self.last:
                line = self.lines[number - 1].strip()
                if not line:
                    number += 1
                    continue
                match = row.match(line)
                if not match or line.endswith(":") or len(line.split()) > 12 or not self.is_person(match.group("name")):
                    break
                organisation = clean(match.group("org") or "") or None
                self.add(match.group("name"), "deelnemer", "person", number, number,
                         function=clean(match.group("function")) if match.group("function") else None,
                         affiliation=organisation)
                number += 1

    def signatories(self) -> None:
        """Names under 'Hoogachtend,' and a standalone line of two or more names signing a preface."""
        for number in range(self.first, self.last + 1):
            text = self.lines[number - 1]
            if SIGN_OFF.match(text):
                for probe in range(number + 1, min(number + 14, self.last) + 1):
                    found = re.findall(rf"({INITIALS}(?:{PARTICLE}\s)*{CAP})", self.lines[probe - 1])
                    for name in found:
                        self.add(name, "ondertekenaar", "person", probe, probe)
                    if found:
                        break
                continue
            parts = [p.strip() for p in re.split(r"\s+en\s+|\s+&\s+", text.strip()) if p.strip()]
            if len(parts) >= 2 and all(FULL_NAME.match(p) and self.is_person(p) for p in parts):
                previous = next((self.lines[n - 1].strip() for n in range(number - 1, max(self.first, number - 4) - 1, -1)
                                 if self.lines[n - 1].strip()), "")
                if re.search(r"[.!?]$", previous):
                    for name in parts:
                        self.add(name, "ondertekenaar", "person", number, number)

    def named_groups(self) -> None:
        """Bodies, line units, teams and partner organisations the document names (first mention each)."""
        text = "\n".join(self.lines[self.first - 1:self.last])
        starts = [0]
        for line in self.lines[self.first - 1:self.last - 1]:
            starts.append(starts[-1] + len(line) + 1)

        def line_of(offset: int) -> int:
            return self.first + bisect_right(starts, offset) - 1

        for unit in self.profile.get("line_units", []):
            hit = re.search(rf"\b{re.escape(unit)}\b", text, re.I)
            if hit:
                self.add(unit, "teamRol", "team", line_of(hit.start()), line_of(hit.start()))
        groups = (("body", self.profile.get("bodies") or [], re.I), ("team", self.profile.get("line_unit_patterns") or [], 0),
                  ("organisation", self.profile.get("partner_patterns") or [], re.I))
        role = {"body": None, "team": "teamRol", "organisation": "partner"}
        for kind, patterns, flags in groups:
            for word in patterns:
                for match in re.finditer(rf"\b(?:{word})(?![\w-])", text, flags):
                    name = clean(match.group(0))
                    if kind == "team" and norm(name) in self.unit_words:
                        continue
                    if kind == "body" and name[1:2].islower():
                        name = name[0].lower() + name[1:]  # 'College' at a sentence start is the same body
                    number = line_of(match.start())
                    self.add(name, role[kind], kind, number, number)
