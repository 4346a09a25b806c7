"""Document lines -> records (goals, efforts, actors, wards, budgets ...). Pure: no I/O, no RDF.

The rules are generic: they read the vocabulary (markers, roles, line units) from the profile and
rely on the shapes that text extracted from municipal PDFs has everywhere: a short line or a
sentence ending in ':' announces what the list below it holds; list items start with a bullet, a
number, a letter, a Roman numeral, or (where the PDF lost the bullet glyph) a single leading space;
wrapped lines continue an item until a new item, a heading or a finished sentence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from beleidsgraaf.ingest.profiles import Profile
from beleidsgraaf.ingest.readers import SourceText
from beleidsgraaf.ingest.records import (
    ActorRecord,
    AfstemmingRecord,
    BudgetRecord,
    CapacityRecord,
    DocumentRecord,
    EffortRecord,
    Evidence,
    Extraction,
    GoalRecord,
    IndicatorRecord,
    RelationRecord,
    TableRecord,
    WardRecord,
)
from beleidsgraaf.ingest.segment import PROGRAMME_NAME, Segment
from beleidsgraaf.ingest.text import ITEM, clean, item_marker_style, norm, quote

LEVEL_ORDER = ("visie", "strategisch", "tactisch", "operationeel")
HEADING = re.compile(r"^\s*(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<text>[A-Z‘'“\"(].{1,90})$")
NAME = (
    r"(?:(?:[A-Z]\.\s?){1,4}|(?:[A-Z][a-zà-ÿ’'-]+\s){1,2})(?:(?:van|de|der|den|ter|te|van der|van de|van den)\s)*"
    r"[A-Z][a-zà-ÿ’'-]+(?:-[A-Z][a-zà-ÿ’'-]+)?"
)
NAME_RE = re.compile(NAME)
FULL_NAME = re.compile(rf"^\s*({NAME})\s*$")
AMOUNT = re.compile(r"€\s?\.?\s?(\d{1,3}(?:\.\d{3})+|\d+)(?:,(?:\d{2}|-|\s?-))?")
PLAIN_AMOUNT = re.compile(r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d{2,})(?![\d.,]*\d)")
QUOTE_CHARS = "‘'“\"*"


@dataclass
class Unit:
    """A logical line: an item or sentence joined across wrapped lines."""

    first: int
    last: int
    text: str
    marker: str | None
    indent: int


@dataclass
class _State:
    mode: str | None = None  # "goal" | "effort"
    level: str | None = None
    kind: str | None = None
    plain_ok: bool = False
    items: int = 0
    styles: list[str] = field(default_factory=list)
    parents: dict[str, GoalRecord] = field(default_factory=dict)
    block: list[GoalRecord] = field(default_factory=list)
    group: EffortRecord | None = None


def _compile(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(words) + r")$", re.I)


class Extractor:
    def __init__(self, source: SourceText, segment: Segment, document: DocumentRecord, profile: Profile,
                 known_wards: dict[str, tuple[str, str]], known_programmes: set[str]) -> None:
        self.source = source
        self.segment = segment
        self.document = document
        self.profile = profile
        self.known_wards = known_wards  # norm(label) -> (canonical label, kind)
        self.known_programmes = known_programmes
        self.goal_markers = {lvl: _compile(w) for lvl, w in profile.get("goal_markers").items()}
        self.effort_markers = {k: _compile(w) for k, w in profile.get("effort_markers").items()}
        self.out = Extraction(document=document)
        self._goal_keys: dict[str, GoalRecord] = {}
        self._effort_keys: set[str] = set()

    # -- units -------------------------------------------------------------------------------
    def units(self) -> Iterator[Unit]:
        lines = self.source.lines
        number = self.segment.first
        last = self.segment.last
        while number <= last:
            raw = lines[number - 1]
            if not raw.strip() or re.fullmatch(r"\s*\d{1,3}\s*", raw):
                number += 1
                continue
            match = ITEM.match(raw)
            marker = match.group("marker") if match else None
            text = match.group("text") if match else raw.strip()
            if marker is None and re.match(r"^ [A-Z‘“(]", raw) and not raw.startswith("  "):
                marker = " "  # a list item whose bullet glyph the PDF lost
            first = number
            end = number
            probe = number + 1
            while probe <= last and not self._ends(text):
                nxt = lines[probe - 1]
                if not nxt.strip():
                    if probe + 1 <= last and lines[probe].strip() and lines[probe].lstrip()[:1].islower():
                        probe += 1
                        continue
                    break
                if ITEM.match(nxt) or HEADING.match(nxt) or nxt.startswith(" ") and not nxt.startswith("  "):
                    break
                if len(text) > 400:
                    break
                text = f"{text} {nxt.strip()}"
                end = probe
                probe += 1
            yield Unit(first, end, re.sub(r"\s+", " ", text).strip(), marker, len(raw) - len(raw.lstrip()))
            number = end + 1

    @staticmethod
    def _ends(text: str) -> bool:
        return bool(re.search(r"[.;:!?]\s*$|[.;:!?][’”'\"]\s*$", text.strip())) or len(text.strip()) < 3

    # -- evidence ------------------------------------------------------------------------------
    def evidence(self, first: int, last: int) -> Evidence:
        return Evidence(first, last, quote(self.source.span(first, last)))

    # -- classification ------------------------------------------------------------------------
    def _marker_of(self, text: str) -> tuple[str, str] | None:
        """('goal', level) or ('effort', kind) when the text is a bare marker."""
        bare = re.sub(r"\s+", " ", re.sub(r"[:.\s]+$", "", clean(text))).strip().lower()
        bare = re.sub(r"^(de|het|onze|bijlage [ivx\d]+)\s+", "", bare)
        if len(bare.split()) > 6:
            return None
        for kind, pattern in self.effort_markers.items():
            if pattern.match(bare):
                return "effort", kind
        for level, pattern in self.goal_markers.items():
            if pattern.match(bare):
                return "goal", level
        # "Doel I:", "Strategische en operationele doelen", "Visie en ambitie"
        if re.match(r"^(doel|thema)\s+[ivx\d]+$", bare):
            return "goal", "block"
        for level in ("strategisch", "tactisch", "operationeel"):
            if bare.startswith(level[:7]) and re.search(r"doel|ambitie", bare):
                return "goal", level
        if bare.startswith("visie"):
            return "goal", "visie"
        return None

    def _intro(self, text: str) -> tuple[str, str] | None:
        """A sentence ending in ':' that announces a list of goals or efforts."""
        if not text.rstrip().endswith(":"):
            return None
        low = text.lower()
        for level, word in (("strategisch", "strategisch"), ("tactisch", "tactisch"), ("operationeel", "operatione")):
            if word in low and ("doel" in low):
                return "goal", level
        if re.search(r"\bvisie\b.*\b(is|luidt)\b", low):
            return "goal", "visie"
        if re.search(r"\b(inspanning|activiteit|project|maatregel|werkveld|acties)", low):
            kind = next((k for k in ("werkveld", "project", "activiteit") if k in low), "inspanning")
            return "effort", kind
        if re.search(r"\b(doelen|doelstellingen|ambities)\b", low) and "geconcretiseerd" in low:
            return "goal", "operationeel"
        if re.search(r"\b(doelen|doelstellingen|ambities|thema's|thema’s)\b", low):
            return "goal", "doel"
        return None

    # -- DIN -----------------------------------------------------------------------------------
    def run_din(self) -> None:
        state = _State()
        pending_visie = False
        for unit in self.units():
            text = unit.text
            heading = HEADING.match(self.source.line(unit.first))
            if heading and state.mode is not None and unit.marker and "." not in heading.group("num"):
                heading = None  # "1. In 2022 ..." inside a list is an item, not a chapter
            marker = self._marker_of(text) if len(text) < 80 else None
            if heading and not marker:
                marker = self._marker_of(heading.group("text"))
                if not marker:
                    state = _State(parents=state.parents)
                    pending_visie = False
                    continue
            if marker:
                kind, value = marker
                if kind == "goal" and value == "block":
                    state = _State(mode="goal", level="block", plain_ok=True, parents=state.parents)
                elif kind == "goal" and value == "visie":
                    state = _State(mode="goal", level="visie", plain_ok=True, parents=state.parents)
                    pending_visie = True
                elif kind == "goal":
                    state = _State(mode="goal", level=value, plain_ok=unit.marker is None,
                                   parents=state.parents)
                else:
                    block = state.block if state.mode == "goal" else []
                    state = _State(mode="effort", kind=value, plain_ok=unit.marker is None, parents=state.parents,
                                   block=block)
                continue
            intro = self._intro(text)
            if intro and unit.marker is None:
                kind, value = intro
                block = state.block if kind == "effort" and state.mode == "goal" else []
                state = _State(mode=kind, level=value if kind == "goal" else None,
                               kind=value if kind == "effort" else None, parents=state.parents, block=block)
                pending_visie = value == "visie"
                continue
            if state.mode is None:
                continue
            if pending_visie and state.level == "visie":
                if self._visie(unit):
                    pending_visie = False
                    state.items += 1
                continue
            is_item = unit.marker is not None
            plain_item = state.plain_ok and not is_item and len(text) < 220 and not self._prose(text)
            if not is_item and not plain_item:
                if state.items or len(text) > 220:
                    state = _State(parents=state.parents, block=state.block if state.mode == "goal" else [])
                continue
            if state.mode == "goal":
                self._goal_item(unit, state, is_item)
            else:
                self._effort_item(unit, state, is_item)
            state.items += 1

    @staticmethod
    def _prose(text: str) -> bool:
        words = text.split()
        return len(words) > 28 or (len(words) > 12 and text.rstrip().endswith(".") and "," in text)

    def _visie(self, unit: Unit) -> bool:
        text = unit.text.strip()
        if len(text) > 400 or len(text) < 15:
            return False
        if text[0] in QUOTE_CHARS or not self._prose(text) or text.endswith(("’", "'", "”")):
            label = clean(text.strip(QUOTE_CHARS + "’”"))
            self._add_goal("visie", label, unit, None)
            return True
        return False

    def _add_goal(self, level: str, label: str, unit: Unit, parent: GoalRecord | None,
                  number: str | None = None) -> GoalRecord | None:
        if len(label) < 4 or len(label) > 400:
            return None
        key = norm(label)
        if key in self._goal_keys:
            return self._goal_keys[key]
        goal = GoalRecord(level=level, label=label, evidence=self.evidence(unit.first, unit.last),
                          number=number, parent=parent, order=len(self.out.goals))
        self._goal_keys[key] = goal
        self.out.goals.append(goal)
        return goal

    def _goal_item(self, unit: Unit, state: _State, is_item: bool) -> None:
        label = clean(unit.text)
        style = item_marker_style(unit.marker) if is_item and unit.marker != " " else "plain"
        if style not in state.styles:
            state.styles.append(style)
        depth = state.styles.index(style)
        base = state.level
        if base == "block":
            # A 'Doel I:' block repeats known goals; unknown ones are generic goals.
            existing = self._goal_keys.get(norm(label))
            goal = existing or self._add_goal("doel", label, unit, state.block[0] if state.block else None)
        else:
            level = base if base in ("doel",) else self._level_down(base or "doel", depth)
            parent = state.parents.get(f"{depth - 1}") if depth else self._default_parent(level)
            goal = self._add_goal(level, label, unit, parent,
                                  number=unit.marker.strip(".) ") if is_item else None)
        if goal is None:
            return
        state.parents[f"{depth}"] = goal
        for deeper in [k for k in state.parents if int(k) > depth]:
            del state.parents[deeper]
        if depth == 0:
            state.block = [goal]
        else:
            state.block.append(goal)

    def _default_parent(self, level: str) -> GoalRecord | None:
        """A strategic goal hangs under the (single) visie of the document when there is one."""
        if level == "strategisch":
            visies = [g for g in self.out.goals if g.level == "visie"]
            return visies[0] if len(visies) == 1 else None
        return None

    @staticmethod
    def _level_down(level: str, depth: int) -> str:
        if level not in LEVEL_ORDER:
            return level
        index = min(LEVEL_ORDER.index(level) + depth, len(LEVEL_ORDER) - 1)
        return LEVEL_ORDER[index]

    def _effort_item(self, unit: Unit, state: _State, is_item: bool) -> None:
        label = clean(unit.text)
        if len(label) < 4 or norm(label) in ("pm", "") or len(label) > 400:
            return
        key = norm(label)
        if key in self._effort_keys or key in self._goal_keys:
            return
        self._effort_keys.add(key)
        kind = state.kind or "inspanning"
        if not is_item and state.plain_ok and state.kind in ("activiteit", "werkveld"):
            kind = state.kind
        goals = [state.block[0]] if state.block else []
        effort = EffortRecord(label=label, kind=kind if kind != "inspanning" else "inspanning",
                              evidence=self.evidence(unit.first, unit.last), goals=goals,
                              order=len(self.out.efforts))
        if is_item and state.group is not None and not goals and state.plain_ok:
            effort.goals = []
        if not is_item and state.plain_ok:
            state.group = effort
        self.out.efforts.append(effort)

    # -- wards -----------------------------------------------------------------------------------
    def run_wards(self) -> None:
        lines = self.source.lines
        list_kind: str | None = None
        parent: str | None = None
        numbered: dict[str, str] = {}
        for number in range(self.segment.first, self.segment.last + 1):
            raw = lines[number - 1].strip()
            if not raw:
                continue
            low = raw.lower()
            if re.fullmatch(r"(de )?(wijken|dorpen|buurten|stadsdelen)( en (wijken|dorpen|buurten))?( van \w+)?:?", low):
                list_kind = "wijk" if "wijk" in low or "dorp" in low else ("buurt" if "buurt" in low else "stadsdeel")
                parent = None
                continue
            head = re.fullmatch(r"([A-Z][\w' -]+?)\s+(\d{1,2})", raw)
            if head and (norm(head.group(1)) in self.known_wards or head.group(2) in numbered):
                parent = self.known_wards.get(norm(head.group(1)), (head.group(1), "wijk"))[0]
                list_kind = "buurt"
                continue
            item = re.fullmatch(r"(?:[-•*]\s*)?(\d{1,2})[.)]?\s+([A-Z][^\d].{1,60})", raw)
            if list_kind and item:
                label = clean(item.group(2))
                if list_kind == "buurt" and parent:
                    self.out.wards.append(WardRecord(label, "buurt", self.evidence(number, number), parent=parent,
                                                     number=item.group(1)))
                elif list_kind != "buurt":
                    kind = self.known_wards.get(norm(label), (label, "wijk"))[1]
                    numbered[item.group(1)] = label
                    self.out.wards.append(WardRecord(label, kind, self.evidence(number, number),
                                                     number=item.group(1)))
                continue
            if list_kind and not item and len(raw) > 40:
                list_kind, parent = None, None
        self._ward_mentions()

    def _ward_mentions(self) -> None:
        listed = {norm(w.label) for w in self.out.wards}
        found: dict[str, WardRecord] = {}
        names = sorted(self.known_wards, key=len, reverse=True)
        if not names:
            return
        pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in names) + r")\b")
        for number in range(self.segment.first, self.segment.last + 1):
            line = norm(self.source.line(number))
            for match in pattern.finditer(line):
                canonical, kind = self.known_wards[match.group(1)]
                key = norm(canonical)
                if key in listed or key in found:
                    continue
                found[key] = WardRecord(canonical, kind, self.evidence(number, number))
        self.out.wards.extend(found.values())

    # -- actors -----------------------------------------------------------------------------------
    def run_actors(self) -> None:
        roles = {role: re.compile(r"\b(?:" + "|".join(words) + r")\b", re.I)
                 for role, words in self.profile.get("roles").items()}
        seen: set[tuple[str, str]] = set()

        def add(name: str, role: str, kind: str, first: int, last: int) -> None:
            name = clean(name)
            if len(name) < 2 or (norm(name), role) in seen:
                return
            seen.add((norm(name), role))
            self.out.actors.append(ActorRecord(name, role, kind, self.evidence(first, last)))

        lines = self.source.lines
        pending_roles: list[tuple[str, int]] = []
        for number in range(self.segment.first, self.segment.last + 1):
            raw = lines[number - 1]
            text = raw.strip()
            if not text:
                continue
            # "Rol<tab or colon>Naam[, Naam & Naam]"
            match = re.match(r"^([A-Za-z][\w ]{3,40}?)\s*(?:\t|:|\s{2,}|\s(?=[A-Z]))\s*(.+)$", text)
            if match:
                role = self._role_of(match.group(1), roles)
                if role and len(match.group(1).split()) <= 4:
                    people = [p for p in re.split(r",\s*|\s+&\s+|\s+en\s+", match.group(2).strip()) if p]
                    if people and all(FULL_NAME.match(p) for p in people):
                        for person in people:
                            add(person, role, "person", number, number)
                        continue
            role_only = self._role_of(text, roles)
            if role_only and len(text.split()) <= 2:
                pending_roles.append((role_only, number))
                continue
            if pending_roles and FULL_NAME.match(text) and number - pending_roles[-1][1] <= 12:
                role, _ = pending_roles.pop(0)
                add(FULL_NAME.match(text).group(1), role, "person", number, number)
                continue
            if pending_roles and number - pending_roles[-1][1] > 12:
                pending_roles.clear()
            # "<Rol> <Naam> is ..." and "<Naam> is (de) <rol>"
            for role, pattern in roles.items():
                for found in pattern.finditer(raw):
                    after = NAME_RE.match(raw[found.end():].lstrip())
                    if after and re.match(r"\s*(is|heeft|wordt|\(|,)", raw[found.end():].lstrip()[after.end():]):
                        add(after.group(0), role, "person", number, number)
            for found in re.finditer(rf"({NAME}) is (?:de |het )?(\w+ \w+|\w+)", raw):
                role = self._role_of(found.group(2), roles)
                if role:
                    add(found.group(1), role, "person", number, number)
            for found in re.finditer(r"\b(?:het |de )?(college|directie|gemeenteraad|raad)\s+(?:als|is)\s+(?:de )?"
                                     r"(bestuurlijk|ambtelijk)(?:e)? opdrachtgever", raw, re.I):
                add(found.group(1).lower(), f"{found.group(2).lower()}Opdrachtgever", "body", number, number)
        self._signatories()
        self._units_and_partners(add)

    @staticmethod
    def _role_of(text: str, roles: dict[str, re.Pattern[str]]) -> str | None:
        text = text.strip().rstrip(":")
        for role, pattern in roles.items():
            if pattern.fullmatch(text):
                return role
        for role, pattern in roles.items():
            if pattern.match(text) and len(text.split()) <= 3:
                return role
        return None

    def _signatories(self) -> None:
        for number in range(self.segment.first, min(self.segment.last, self.segment.first + 120) + 1):
            if not re.search(r"(?i)\bhoogachtend\b", self.source.line(number)):
                continue
            for probe in range(number + 1, min(number + 14, self.segment.last) + 1):
                found = re.findall(r"((?:[A-Z]\.){1,4}\s?(?:van |de |der )*[A-Z][a-zà-ÿ]+)", self.source.line(probe))
                for name in found:
                    self.out.actors.append(ActorRecord(name, "ondertekenaar", "person",
                                                       self.evidence(probe, probe)))
                if found:
                    return

    def _units_and_partners(self, add: object) -> None:
        body = [(n, self.source.line(n)) for n in range(self.segment.first, self.segment.last + 1)]
        for unit in self.profile.get("line_units", []):
            pattern = re.compile(rf"\b{re.escape(unit)}\b")
            hit = next((n for n, line in body if pattern.search(line)), None)
            if hit:
                add(unit, "teamRol", "team", hit, hit)  # type: ignore[operator]
        for word in self.profile.get("partner_patterns", []):
            pattern = re.compile(rf"\b({word})\b", re.I)
            for n, line in body:
                if match := pattern.search(line):
                    add(match.group(1), "partner", "organisation", n, n)  # type: ignore[operator]
                    break

    # -- money, hours -------------------------------------------------------------------------------
    def run_money(self) -> None:
        lines = self.source.lines
        table_rows: list[BudgetRecord] = []
        years: list[int] = []
        factor = 1.0
        table_start = None
        for number in range(self.segment.first, self.segment.last + 1):
            raw = lines[number - 1]
            text = raw.strip()
            if not text:
                continue
            header_years = re.findall(r"\b(20[0-4]\d)\b", text)
            if len(header_years) >= 2 and len(re.sub(r"[\d\s]", "", text)) < 40 and not AMOUNT.search(text):
                years = [int(y) for y in header_years]
                table_start = table_start or number
                continue
            if re.search(r"(?i)bedragen\s*[x*×]\s*(€\s*)?1\.?000", text):
                for row in table_rows:
                    if row.evidence.first >= (table_start or 0) and row.amount < 100000:
                        row.amount *= 1000
                factor = 1.0
                continue
            is_total = bool(re.match(r"(?i)^\(?(sub)?\)?\s*totaal", text)) or bool(re.match(r"(?i)^\(sub\)totaal", text))
            amounts = [self._amount(m) for m in AMOUNT.finditer(text)]
            if not amounts and years:
                label_part = re.split(r"\s\d", text, maxsplit=1)[0]
                plain = [float(m.group(1).replace(".", "")) for m in PLAIN_AMOUNT.finditer(text[len(label_part):])]
                if len(plain) >= 2 and re.search(r"[A-Za-z]{3}", label_part):
                    amounts = plain
            if not amounts:
                if table_rows and len(text) > 60 and not is_total:
                    self._close_table(table_rows, None, years)
                    table_rows, years, table_start = [], [], None
                continue
            label = clean(re.split(r"€|\s\d", text, maxsplit=1)[0]) or "bedrag"
            period = None
            if match := re.search(r"\b(20\d\d)\s*(?:[-–]|tot en met|t/m)\s*(20\d\d)\b", text):
                period = (int(match.group(1)), int(match.group(2)))
            year_in_text = re.search(r"\b(?:in|voor|begroting)\s+(20\d\d)\b", text)
            for index, amount in enumerate(amounts):
                year = years[index] if years and len(amounts) > 1 and index < len(years) else None
                if year is None and year_in_text:
                    year = int(year_in_text.group(1))
                record = BudgetRecord(amount=amount * factor, purpose=label if not is_total else "totaal",
                                      evidence=self.evidence(number, number), year=year, period=period,
                                      is_total=is_total)
                if is_total:
                    self.out.budgets.append(record)
                else:
                    table_rows.append(record)
                    self.out.budgets.append(record)
            if is_total and table_rows:
                self._close_table(table_rows, amounts, years, total_line=number)
                table_rows, years, table_start = [], [], None
        self._capacity()

    @staticmethod
    def _amount(match: re.Match[str]) -> float:
        return float(match.group(1).replace(".", ""))

    def _close_table(self, rows: list[BudgetRecord], totals: list[float] | None, years: list[int],
                     total_line: int | None = None) -> None:
        if len(rows) < 2:
            return
        by_year: dict[int | None, list[BudgetRecord]] = {}
        for row in rows:
            by_year.setdefault(row.year, []).append(row)
        first = rows[0].evidence.first
        last = total_line or rows[-1].evidence.last
        for index, (year, parts) in enumerate(sorted(by_year.items(), key=lambda kv: kv[0] or 0)):
            total = None
            if totals:
                value = totals[index] if index < len(totals) else None
                if value is not None:
                    total = BudgetRecord(amount=value if value >= 1000 or parts[0].amount < 1000 else value * 1000,
                                         purpose="totaal", evidence=self.evidence(total_line, total_line),
                                         year=year, is_total=True)
            caption = f"Tabel regels {first}-{last}" + (f", {year}" if year else "")
            self.out.tables.append(TableRecord(caption=caption, evidence=self.evidence(first, last),
                                               rows=parts, total=total))

    def _capacity(self) -> None:
        lines = self.source.lines
        for number in range(self.segment.first, self.segment.last + 1):
            raw = lines[number - 1]
            cells = [c.strip() for c in raw.split("\t")]
            if len(cells) >= 4 and re.fullmatch(r"\d{1,2}", cells[2] or "") and re.fullmatch(r"[\d.]{2,6}", cells[3] or ""):
                role = cells[1] or cells[0]
                self.out.capacity.append(CapacityRecord(role=clean(role), evidence=self.evidence(number, number),
                                                        hours_per_week=float(cells[2]),
                                                        hours_per_year=float(cells[3].replace(".", ""))))
                continue
            match = re.match(r"^\s*([A-Z][\w /&-]{2,60}?)\s+(\d{1,2})\s*(?:uur|u)(?:\s*(?:per|p/|/)\s*(week|wk|jaar))?\b", raw)
            if match and not AMOUNT.search(raw):
                per_year = match.group(3) == "jaar"
                hours = float(match.group(2))
                self.out.capacity.append(CapacityRecord(
                    role=clean(match.group(1)), evidence=self.evidence(number, number),
                    hours_per_week=None if per_year else hours, hours_per_year=hours if per_year else None))

    # -- indicators, relations, afstemming ------------------------------------------------------------
    def run_links(self) -> None:
        own = norm(self.document.programme or "")
        seen: set[str] = set()
        lines = self.source.lines
        for number in range(self.segment.first, self.segment.last + 1):
            raw = lines[number - 1]
            if match := re.match(r"^\s*Indicator(?:en)?\s*:\s*(.+)$", raw):
                self.out.indicators.append(IndicatorRecord(clean(match.group(1)), self.evidence(number, number)))
            for name in self._programme_mentions(raw):
                key = norm(name)
                if key and key != own and key not in seen and not (own and key.startswith(own + " ")):
                    seen.add(key)
                    self.out.relations.append(RelationRecord(name, self.evidence(number, number)))
        self._afstemming()

    def _programme_mentions(self, line: str) -> list[str]:
        names: list[str] = []
        for match in re.finditer(r"\bprogramma(?:'s|’s)\s+((?:[A-Z][\w-]*(?:\s+|,\s*|$))+(?:(?:en|&)\s+[A-Z][\w-]*\s*)*)",
                                 line):
            chunk = match.group(1)
            rest = chunk
            for known in sorted(self.known_programmes, key=len, reverse=True):
                pattern = re.compile(rf"\b{re.escape(known)}\b", re.I)
                if pattern.search(rest):
                    names.append(known)
                    rest = pattern.sub(" ", rest)
            names += [clean(p) for p in re.split(r",|\s+en\s+(?=[A-Z])", rest) if len(clean(p)) > 2]
        for match in PROGRAMME_NAME.finditer(line):
            if not line[match.start():match.start() + 11].lower().startswith(("programmama", "programmaco")):
                names.append(clean(match.group(1)))
        bad = {"de", "het", "een", "dit", "deze", "in", "op"}
        return [n for n in names if n and n.split()[0].lower() not in bad and len(n) <= 40]

    def _afstemming(self) -> None:
        pattern = re.compile("|".join(self.profile.get("afstemming")), re.I)
        text_lines = list(range(self.segment.first, self.segment.last + 1))
        for sentence, first, last in self._sentences(text_lines):
            low = sentence.lower()
            if not pattern.search(low):
                continue
            with_role = next((role for role, word in (("wijkregisseur", "wijkregisseur"), ("wijkregisseur", "wijkregie"),
                                                      ("programmamanager", "programmamanager"),
                                                      ("managerWijksturing", "manager wijksturing"))
                              if word in low), None)
            duty = [p for p, word in (("lijnsturing", "lijn"), ("programmasturing", "programma")) if re.search(
                rf"\b{word}", low)]
            if with_role and duty and ("vooraf" in low or "voordat" in low or "altijd" in low or "afstemming met" in low):
                self.out.afstemming.append(AfstemmingRecord(duty, with_role, clean(sentence),
                                                            self.evidence(first, last)))

    def _sentences(self, numbers: list[int]) -> Iterator[tuple[str, int, int]]:
        buffer: list[str] = []
        first = None
        for number in numbers:
            line = self.source.line(number).strip()
            if not line:
                continue
            if first is None:
                first = number
            buffer.append(line)
            joined = " ".join(buffer)
            if re.search(r"[.!?]\s*$", line) or len(joined) > 700:
                yield joined, first, number
                buffer, first = [], None
        if buffer and first is not None:
            yield " ".join(buffer), first, numbers[-1]

    # -- wards of efforts, steering ---------------------------------------------------------------------
    def classify_efforts(self) -> None:
        units = self.profile.get("line_units", [])
        citywide = re.compile("|".join(self.profile.get("citywide")), re.I)
        ward_names = sorted(self.known_wards, key=len, reverse=True)
        ward_re = re.compile(r"\b(" + "|".join(re.escape(n) for n in ward_names) + r")\b") if ward_names else None
        programme_ward = self.known_wards.get(norm(self.document.programme or ""))
        for effort in self.out.efforts:
            context = self.source.span(effort.evidence.first, effort.evidence.last)
            owner = next((u for u in units if re.search(rf"\b{re.escape(u)}\b", context)), None)
            if owner:
                effort.steering, effort.owner, effort.owner_kind = "lijnsturing", owner, "lijneenheid"
            elif re.search(r"\b(lijnactiviteit|lijnproject|via de lijn|vanuit de lijn|in de lijn)\b", context, re.I):
                effort.steering = "lijnsturing"
            elif self.document.programme and "wijksturing" not in self.document.steering[:1]:
                effort.steering, effort.owner, effort.owner_kind = (
                    "programmasturing", self.document.programme, "programma")
            elif self.document.steering:
                effort.steering = self.document.steering[0]
            wards = []
            if ward_re:
                wards = list(dict.fromkeys(self.known_wards[m.group(1)][0] for m in ward_re.finditer(norm(context))))
            if wards:
                effort.scope, effort.wards = "gericht", wards
            elif citywide.search(context):
                effort.scope = "stadsbreed"
            elif programme_ward:
                effort.scope, effort.wards = "gericht", [programme_ward[0]]

    def run(self) -> Extraction:
        self.run_din()
        self.run_wards()
        self.run_actors()
        self.run_money()
        self.run_links()
        self.classify_efforts()
        return self.out


def extract(source: SourceText, segment: Segment, document: DocumentRecord, profile: Profile,
            known_wards: dict[str, tuple[str, str]], known_programmes: set[str]) -> Extraction:
    return Extractor(source, segment, document, profile, known_wards, known_programmes).run()


def ward_lists(source: SourceText, segment: Segment, profile: Profile) -> list[WardRecord]:
    """First pass: explicit ward lists only, to build the gazetteer used by every document."""
    extractor = Extractor(source, segment, _stub(segment), profile, {}, set())
    extractor.run_wards()
    return extractor.out.wards


def _stub(segment: Segment) -> DocumentRecord:
    return DocumentRecord("x", "x", "notitie", None, None, None, segment.first, segment.last, None, [],
                          Evidence(segment.first, segment.first, ""))


def programme_names(text_lines: list[str]) -> set[str]:
    names: set[str] = set()
    for line in text_lines:
        for match in PROGRAMME_NAME.finditer(line):
            names.add(clean(match.group(1)))
    return names
