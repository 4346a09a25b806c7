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

from rapidfuzz import fuzz

from beleidsgraaf.ingest.actors import ActorFinder
from beleidsgraaf.ingest.money import AMOUNT, read_money
from beleidsgraaf.ingest.profiles import Profile
from beleidsgraaf.ingest.readers import SourceText
from beleidsgraaf.ingest.records import (
    AfstemmingRecord,
    CapacityRecord,
    DocumentRecord,
    EffortRecord,
    Evidence,
    Extraction,
    GoalRecord,
    IndicatorRecord,
    RelationRecord,
    WardRecord,
)
from beleidsgraaf.ingest.segment import PROGRAMME_NAME, Segment
from beleidsgraaf.ingest.text import ITEM, clean, item_marker_style, norm, quote
from beleidsgraaf.textkey import letters_in_order

LEVEL_ORDER = ("visie", "strategisch", "tactisch", "operationeel")
HEADING = re.compile(r"^\s*(?P<num>\d{1,2}(?:\.\d{1,2}){0,3})\.?\s+(?P<text>[A-Z‘'“\"(].{1,90}|\d+ [A-Za-z].{1,80})$")
QUOTE_CHARS = "‘'“\"*"
PAGE_NUMBER = re.compile(r"\s*\d{1,3}\s*")


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
    numbers: list[int] = field(default_factory=list)  # last item number per nesting level
    last_line: int = 0
    dormant: bool = False  # in an effort list, between its items (explanations, stakeholders, planning)
    visie: str | None = None  # "fresh" after a visie heading, "armed" after 'de visie is:', "items" in its list


def _compile(words: list[str]) -> re.Pattern[str]:
    return re.compile(r"^(?:" + "|".join(words) + r")$", re.I)


# "Deze programmalijn draagt bij aan ...", "Dit project loopt tot 2022": a sentence about the item above, not an item.
ABOUT_ABOVE = re.compile(r"^(deze|dit|dat|die)\s+(programmalijn|actielijn|project|activiteit|inspanning|maatregel|spoor|"
                         r"werkveld|thema|pijler)\w*\s+(\w+\s+)?(draagt|is|wordt|loopt|heeft|levert|sluit|richt|past)\b", re.I)


# Headings of the parts every effort section has ("Wat doen we", "Middelen", "Planning") are no efforts.
SECTION_WORD = re.compile(r"^(?:(?:de|het)\s+)?(?:wat (?:doen|gaan) we(?: daarvoor)?(?: doen)?|wat willen we bereiken|"
                          r"wat mag het kosten|middelen|financi[eë]n|kosten|planning|stakeholders|resultaten?|inleiding|"
                          r"aanleiding|achtergrond|doelen?|doelstelling(?:en)?)\W*$", re.I)
PARTS_REACH = 15  # lines after an effort within which a sentence ending in ':' still opens that effort's parts
CAPTION = re.compile(r"^(figuur|tabel|grafiek|afbeelding|schema)\s+\d", re.I)  # "Figuur 2 Kwadrant ...": a caption
SECTION_REACH = 80  # lines above an amount searched for the effort whose section it is in
# Words that open a sentence of their own after a list item whose last line lacks its full stop.
NEW_SENTENCE = re.compile(r"^\s*(Deze|Dit|Die|Dat|Daarnaast|Daarbij|Hierbij|Hiermee|Hiervoor|Wij|We|Zij|Voor deze|Om deze)\s")
WARD_PILOT = re.compile(r"\b(we|wij)\s+(starten|beginnen|zetten|voeren)\b[^.]{0,60}?\b(pilot|proef|experiment|project)\w*\s+"
                        r"(in|op)\s+(de\s+|het\s+)?(?P<ward>[A-Z][\w-]+(\s[A-Z][\w-]+)?)", re.I)
ANAPHOR = re.compile(r"\b(hiervoor|daarvoor|hiermee|daarmee|hierbij|daarbij)\b", re.I)
LINE_PROJECT = re.compile(r"\(\s*lijnproject\b", re.I)
OPEN_END = re.compile(r"[,(\-–]\s*$|\b(en|of|de|het|van|een)\s*$")
AD_HEADING = re.compile(r"^\s*ad\s+\d+\)", re.I)
SECTION_PREFIX = re.compile(r"^\s*(ad\s+\d+\)|\d{1,2}(\.\d{1,2})*\.?|[a-z]\)|[ivx]+\.)\s*", re.I)


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
        self._line_width: int | None = None

    # -- units -------------------------------------------------------------------------------
    def units(self) -> Iterator[Unit]:
        lines = self.source.lines
        number = self.segment.first
        last = self.segment.last
        while number <= last:
            raw = lines[number - 1]
            if not raw.strip() or PAGE_NUMBER.fullmatch(raw):
                if len(raw) >= 20 and number < last and re.match(r"^\d{1,2}\s+\S", lines[number]):
                    number = self._footnote_end(number + 1, last)  # a rule of spaces, then 'N footnote text'
                number += 1
                continue
            match = ITEM.match(raw)
            marker = match.group("marker") if match else None
            text = match.group("text") if match else raw.strip()
            if marker is None and re.match(r"^ {1,2}[A-Z‘“(]", raw):
                marker = " "  # a list item whose bullet glyph the PDF lost
            first = number
            end = number
            probe = number + 1
            if self._standalone_heading(raw, lines[number] if number < last else ""):
                probe = last + 1
            while probe <= last and not self._ends(text):
                nxt = lines[probe - 1]
                if not nxt.strip():
                    after = self._after_blank(probe, last)
                    if after is not None and self._wrapped(lines[end - 1], lines[after - 1]):
                        probe = after
                        continue
                    break
                if ITEM.match(nxt) or HEADING.match(nxt) or re.match(r"^ {1,2}\S", nxt) or re.fullmatch(r"\s*[-•*]\s*", nxt):
                    break
                if len(text) > 400:
                    break
                if marker is not None and NEW_SENTENCE.match(nxt) and not OPEN_END.search(text):
                    break  # "5. In 2022 ... omzet" then "Deze strategische doelstellingen zijn ...": the item ended
                text = f"{text} {nxt.strip()}"
                end = probe
                probe += 1
            yield Unit(first, end, re.sub(r"\s+", " ", text).strip(), marker, len(raw) - len(raw.lstrip()))
            number = end + 1

    def _footnote_end(self, number: int, last: int) -> int:
        """The last line of a footnote: it runs to a blank line or to the line that ends its sentence."""
        while number < last:
            line = self.source.lines[number - 1]
            if not line.strip() or re.search(r"[.!?]\s*$", line) or not self.source.lines[number].strip():
                return number
            number += 1
        return number

    @staticmethod
    def _standalone_heading(raw: str, following: str) -> bool:
        """'4.1 Programmalijn 1: Integrale preventie' stands on its own line even when the paragraph
        below follows without a blank line; '1. In 2022 ... van' is an item that wraps."""
        heading = HEADING.match(raw)
        if not heading or not following.strip() or following.lstrip()[:1].islower():
            return False
        return "." in heading.group("num").strip(".") or len(heading.group("text").split()) <= 6

    def _after_blank(self, probe: int, last: int) -> int | None:
        """The next non-blank line after at most two blank lines (PDFs put blank lines inside paragraphs)."""
        for candidate in (probe + 1, probe + 2):
            if candidate > last:
                return None
            if self.source.lines[candidate - 1].strip():
                return None if PAGE_NUMBER.fullmatch(self.source.lines[candidate - 1]) else candidate
        return None

    def _wrapped(self, previous: str, following: str) -> bool:
        """A line after a blank continues the unfinished text above: it starts in lower case, or the
        line above ran to the full width of the page (so the sentence was cut by wrapping, not ended)."""
        if ITEM.match(following) or HEADING.match(following) or re.match(r"^ {1,2}[A-Z‘“(]", following):
            return False
        start = following.lstrip()[:1]
        cut = bool(re.search(r"\w-$", previous.rstrip()))  # '2019-' + '2022': a word or range split at the line end
        return start.islower() or cut or (len(previous.strip()) >= 0.75 * self._width() and not start.isdigit())

    def _width(self) -> int:
        """The text width of the segment: the length most full lines reach."""
        if self._line_width is None:
            lengths = sorted(len(self.source.line(n).strip()) for n in range(self.segment.first, self.segment.last + 1)
                             if len(self.source.line(n).strip()) > 20)
            self._line_width = lengths[int(len(lengths) * 0.9)] if lengths else 80
        return self._line_width

    @staticmethod
    def _ends(text: str) -> bool:
        return bool(re.search(r"[.;:!?]\s*$|[.;:!?][’”'\"]\s*$", text.strip())) or len(text.strip()) < 3

    # -- evidence ------------------------------------------------------------------------------
    def evidence(self, first: int, last: int) -> Evidence:
        return Evidence(first, last, quote(self.source.span(first, last)))

    # -- classification ------------------------------------------------------------------------
    def _marker_of(self, text: str) -> tuple[str, str] | None:
        """('goal', level) or ('effort', kind) when the text is a bare marker."""
        bare = re.sub(r"\s+", " ", re.sub(r"[:.?\s]+$", "", clean(text))).strip().lower()
        bare = re.sub(r"^(de|het|onze|bijlage [ivx\d]+)\s+", "", bare)
        bare = re.sub(r"\b(o\.\s?a\.?|onder andere|dan ook|concreet)\s+", "", bare)
        # "10 inspanningen voor doel I" names the list as well as "Inspanningen"
        bare = re.sub(r"^\d+\s+|\s+(voor|bij|van) (hoofd)?(doel|programmalijn|thema)\b.*$", "", bare)

        if len(bare.split()) > 6:
            return None
        for kind, pattern in self.effort_markers.items():
            if pattern.match(bare):
                return "effort", kind
        for level, pattern in self.goal_markers.items():
            if pattern.match(bare):
                return "goal", level
        # "Programmalijnen en activiteiten", "Resultaten en inspanningen": the last part names the list.
        parts = re.split(r"\s+(?:en|&)\s+", bare)
        if len(parts) == 2:
            for kind, pattern in self.effort_markers.items():
                if pattern.match(parts[1]):
                    return "effort", kind
        # "Doel I:", "Strategische en operationele doelen", "Visie en ambitie"
        if re.match(r"^(doel|thema)\s+[ivx\d]+$", bare):
            return "goal", "block"
        for level in ("strategisch", "tactisch", "operationeel"):
            if bare.startswith(level[:7]) and re.search(r"doel|ambitie", bare):
                return "goal", level
        if bare.startswith("visie"):
            return "goal", "visie"
        return None

    # Words that say which goal level or kind of effort a sentence announces; the last one named wins
    # ("de strategische doelen zijn geconcretiseerd naar operationele doelen:" announces operational goals).
    LEVEL_WORDS = (
        ("visie", r"\bvisie\b|streep aan de horizon|stip (aan|op) de horizon"),
        ("strategisch", r"strategisch|hoofddoel|hoofdopgave"),
        ("tactisch", r"tactisch|subdoel"),
        ("operationeel", r"operatione|geconcretiseerd|geoperationaliseerd|meetbare|concrete doel|te bereiken resultaten"),
        ("doel", r"\bdoel(en|stelling(en)?)?\b|\bambities\b|\bopgaven\b|\bthema['’]s\b|\bcriteria\b"),
    )
    EFFORT_WORDS = (
        ("programmalijn", r"\bsporen\b|programmalijn|actielijn|speerpunten|pijlers"),
        ("werkveld", r"werkveld"),
        ("project", r"\bproject"),
        ("activiteit", r"activiteit"),
        ("inspanning", r"inspanning|maatregel|\bacties\b"),
    )
    NOT_DIN = r"^(stakeholders?|planning|financi[eë]n|kosten|partners|betrokken|risico|wat doen we|dekking)\b"
    # "om de doelen te realiseren" names goals as the purpose of what follows, not as its content.
    PURPOSE = re.compile(r"\b(om|aan|bij|van|voor) (de |die |deze |onze |het )?(gestelde )?doel\w*"
                         r"( te (realiseren|bereiken|halen)| te kunnen realiseren)?", re.I)

    def _intro(self, text: str, next_is_item: bool) -> tuple[str, str] | None:
        """A sentence ending in ':' (or, right before a list, one that says the list follows) that
        announces a list of goals or efforts."""
        stripped = text.rstrip()
        colon = stripped.endswith(":")
        sentences = re.split(r"(?<=[.!?])\s+(?=[A-Z‘“'\"(])", stripped)
        if colon or stripped.endswith(";"):
            sentence = sentences[-1]
        elif next_is_item and len(stripped) < 400:
            sentence = " ".join(sentences[-2:])
            triggers = r"\b(geconcretiseerd|vertaald|uitgewerkt|geformuleerd|volgende|als volgt|zijn de|onderstaande|noemen)\b"
            if not re.search(triggers, sentence, re.I):
                return None
        else:
            return None
        low = self.PURPOSE.sub(" ", sentence.lower())
        if not colon:
            if stripped.endswith(";") and re.search(r"\bvisie\b.{0,30}\b(is|luidt)\s*;$", low):
                return "goal", "visie"  # "Onze visie is;"
            if stripped.endswith(";"):
                return None
        best: tuple[int, str, str] | None = None
        for kind, words in (("goal", self.LEVEL_WORDS), ("effort", self.EFFORT_WORDS)):
            for value, pattern in words:
                for match in re.finditer(pattern, low):
                    if best is None or match.start() > best[0] or (
                            match.start() == best[0] and kind == "goal" and value != "doel"):
                        best = (match.start(), kind, value)
        if best is None:
            return None
        _, kind, value = best
        if kind == "goal" and value == "visie" and not re.search(r"\b(is|luidt|luiden|vormen|als volgt)\b|:\s*$|horizon",
                                                                  low):
            return None
        if kind == "goal" and value == "doel":
            # A generic noun takes the level of an adjective in the same sentence ("strategische doelen").
            for level in ("operationeel", "tactisch", "strategisch"):
                pattern = dict(self.LEVEL_WORDS)[level]
                if re.search(pattern, low):
                    value = level
                    break
        return kind, value

    def _inline(self, text: str) -> tuple[str, str] | None:
        """'Criterium: <goal>', 'Kernboodschap programma: <visie>': a label word, then the goal itself."""
        for level, words in (self.profile.get("inline_goal_prefixes") or {}).items():
            match = re.match(r"^(?:" + "|".join(words) + r")\s*[:;]?\s+(?P<value>\S.{3,})$", text, re.I)
            if match:
                # A wrapped line may carry the next label ('Meetpunten ...'): the goal ends there.
                stops = self.profile.get("indicator_prefixes") or []
                value = re.split(r"\s(?:" + "|".join(stops) + r")\b", match.group("value"))[0] if stops else match.group("value")
                return level, clean(value)
        return None

    @staticmethod
    def _head(text: str) -> str:
        """'Kop: toelichting' or 'Kop. Toelichting in zinnen' -> the head, when the rest explains it."""
        match = re.match(r"^(?P<head>[^:.;]{3,90}?)\s*[:.]\s+(?P<rest>\S.*)$", text)
        rest = len(match.group("rest").split()) if match else 0
        colon = match is not None and text[match.end("head"):].lstrip()[:1] == ":"
        # Only a new sentence after the head explains it; 'Kop: werken aan ...' goes on with the same sentence.
        explains = match is not None and not match.group("rest")[:1].islower()
        if match and explains and len(match.group("head").split()) <= 10 and rest >= (8 if colon else 12):
            return match.group("head")
        return text

    # -- DIN -----------------------------------------------------------------------------------
    def run_din(self) -> None:
        units = list(self.units())
        state = _State()
        previous: Unit | None = None
        chapter: tuple[str, str] | None = None  # number and kind of an 'Activiteiten' chapter
        for index, unit in enumerate(units):
            following = units[index + 1] if index + 1 < len(units) else None
            text = unit.text
            next_is_item = following is not None and following.marker is not None and following.marker != " "
            heading = chapter_heading = HEADING.match(self.source.line(unit.first))
            if (heading and state.mode is not None and unit.marker and "." not in heading.group("num")
                    and not (state.level == "visie" and state.visie not in ("armed", "items"))):
                heading = None  # "1. In 2022 ..." inside a list is an item, not a chapter
            if heading and len(text) < 80 and re.search(r"\D\s\d{1,3}\s*$", text):
                previous = unit
                continue  # a line of the table of contents: '1.2 Visie 2'
            marker = self._marker_of(text) if len(text) < 80 else None
            if not marker and re.match(r"(?i)^\s*bijlage\s+([ivxl]+|\d+)\b", self.source.line(unit.first)):
                state, chapter = _State(parents=state.parents), None  # an annex starts afresh
                previous = unit
                continue
            if heading and not marker:
                marker = self._marker_of(heading.group("text"))
                number = heading.group("num").strip(".")
                if not marker and chapter and number.startswith(chapter[0] + "."):
                    # '3. Activiteiten' -> '3.1. Geluksbudget', '3.4.1. Voetbalclinics': each section is an effort.
                    state = _State(mode="effort", kind=chapter[1], parents=state.parents, dormant=True,
                                   styles=["digit"])
                    self._effort_item(Unit(unit.first, unit.first, heading.group("text"), None, 0), state, True)
                    previous = unit
                    continue
                if not marker:
                    state = _State(parents=state.parents)
                    chapter = None if "." not in number else chapter
                    previous = unit
                    continue
            if chapter_heading and marker:
                chapter = (chapter_heading.group("num").strip("."), marker[1]) if marker[0] == "effort" else None
            if marker:
                kind, value = marker
                if kind == "goal" and value == "block":
                    state = _State(mode="goal", level="block", plain_ok=True, parents=state.parents)
                elif kind == "goal" and value == "visie":
                    state = _State(mode="goal", level="visie", parents=state.parents, visie="fresh")
                elif kind == "goal":
                    state = _State(mode="goal", level=value, plain_ok=unit.marker is None,
                                   parents=state.parents)
                else:
                    block = state.block if state.mode == "goal" else []
                    state = _State(mode="effort", kind=value, plain_ok=unit.marker is None, parents=state.parents,
                                   block=block)
                previous = unit
                continue
            inline = self._inline(text) if unit.marker in (None, " ") else None
            if inline:
                level, label = inline
                self._add_goal(level, label, unit, None)
                state = _State(parents=state.parents)
                previous = unit
                continue
            intro = self._intro(text, next_is_item) if unit.marker in (None, " ") else None
            if intro:
                kind, value = intro
                block = state.block if kind == "effort" and state.mode == "goal" else []
                same = kind == "effort" and state.mode == "effort"
                state = _State(mode=kind, level=value if kind == "goal" else None,
                               kind=value if kind == "effort" else None, parents=state.parents, block=block,
                               visie="armed" if value == "visie" else None,
                               styles=list(state.styles) if same else [], numbers=list(state.numbers) if same else [],
                               last_line=state.last_line if same else 0)
                previous = unit
                continue
            continued = (previous is not None and previous.marker is not None and unit.marker is None
                         and unit.first == previous.last + 1)
            previous = unit
            if state.mode is None or continued:
                continue  # a sentence glued to the item above it explains that item
            if state.level == "visie":
                self._visie(unit, state)
                continue
            is_item = unit.marker is not None
            sentence = text.rstrip().endswith(".") and len(text.split()) > 10
            plain_item = (state.plain_ok and not state.dormant and not is_item and len(text) < 220
                          and not self._prose(text) and not sentence and not text.endswith(":"))
            if not is_item and not plain_item:
                resumes = (next_is_item and following is not None
                           and item_marker_style(following.marker or "") in state.styles)
                if state.mode == "effort" and state.items and text.endswith(":") and next_is_item \
                        and unit.first - state.last_line <= PARTS_REACH:
                    # Within a list of efforts a sentence ending in ':' opens the parts of the effort above,
                    # unless it announces stakeholders, a planning or money.
                    state.dormant = bool(re.match(self.NOT_DIN, text, re.I))
                elif state.items and not resumes:
                    if state.mode == "effort" and state.items:
                        state.dormant = True  # explanation of the item above; the next item of the list follows
                    else:
                        state = _State(parents=state.parents, block=state.block if state.mode == "goal" else [])
                continue
            if state.dormant:
                style = self._style(unit)
                top = [known for known in state.styles if known != "plain"][:1]
                opens = not top and self._number(unit) in (None, 1)  # the first real list after an intro paragraph
                if not is_item or not opens and (style not in top or not self._continues(unit, state)):
                    continue
                state.dormant = False
            if state.mode == "goal":
                self._goal_item(unit, state, is_item)
            else:
                style = self._style(unit)
                if style not in state.styles:
                    state.styles.append(style)
                self._effort_item(unit, state, is_item)
                state.last_line = unit.last
                if (number := self._number(unit)) is not None:
                    self._count(state.numbers, number)
            state.items += 1
        self._purposes(units)
        self._effort_tables()
        self._line_projects()
        self._ward_pilots()

    def _ward_pilots(self) -> None:
        """'We starten hiervoor een pilot in Ossenkoppelerhoek.': work the text starts in a named ward is an effort
        there, even in running prose. The sentence before it is kept when this one only points back ('hiervoor')."""
        if not self.known_wards:
            return
        lines = self.source.lines
        for number in range(self.segment.first, self.segment.last + 1):
            text = lines[number - 1]
            for sentence in re.split(r"(?<=[.!?])\s+", text):
                match = WARD_PILOT.search(sentence)
                if not match or not {norm(match.group("ward")), norm(match.group("ward").split()[0])} & set(self.known_wards):
                    continue
                label = sentence.strip()
                if ANAPHOR.search(label):
                    before = text[: text.find(sentence)].strip()
                    previous = re.split(r"(?<=[.!?])\s+", before)[-1] if before else ""
                    label = f"{previous} {label}".strip()
                self._effort_item(Unit(number, number, clean(label)[:300], None, 0), _State(mode="effort", kind="project"), True)

    def _line_projects(self) -> None:
        """'Nieuwstraat (lijnproject => afstemming)' in a table of capacity per unit: a project of the line
        organisation, named by the text before the bracket or, when the bracket opens its own line, the line above."""
        lines = self.source.lines
        for number in range(self.segment.first, self.segment.last + 1):
            match = LINE_PROJECT.search(lines[number - 1])
            if not match:
                continue
            label, first = lines[number - 1][: match.start()].strip(), number
            if not label:
                first = next((n for n in range(number - 1, max(self.segment.first, number - 3) - 1, -1) if lines[n - 1].strip()),
                             number)
                label = lines[first - 1].strip() if first != number else ""
            last = next((n for n in range(number, min(self.segment.last, number + 3) + 1) if ")" in lines[n - 1]), number)
            label = clean(label)
            if 3 <= len(label) <= 80 and not LINE_PROJECT.search(label):
                self._effort_item(Unit(first, last, label, None, 0), _State(mode="effort", kind="project"), True)

    def _effort_tables(self) -> None:
        """A table headed 'Activiteiten', 'Projecten' ... with amounts per row: every row is an effort.
        Rows are 'label  200  150'; a long label may wrap onto the next lines before its numbers."""
        lines = self.source.lines
        number = self.segment.first
        header = re.compile(r"^\s*(activiteiten|projecten|inspanningen|maatregelen)\b[\w ]{0,40}$", re.I)
        row = re.compile(r"^\s*(?P<label>[A-Za-z(‘'][^€\t]{2,90}?)\s+(?P<nums>(?:€?\s?\d[\d.,]*\s*)+)$")
        while number <= self.segment.last:
            match = header.match(lines[number - 1])
            if not match:
                number += 1
                continue
            kind = self._marker_of(match.group(1))
            label_lines: list[int] = []
            probe = number + 1
            while probe <= min(self.segment.last, number + 60):
                text = lines[probe - 1].strip()
                probe += 1
                if not text:
                    continue
                if re.match(r"(?i)^(sub)?totaal\b", text) or len(text) > 90:
                    break
                cells = row.match(text)
                numbers_only = re.fullmatch(r"(?:€?\s?\d[\d.,]*\s*)+", text)
                if cells and not re.fullmatch(r"(19|20)\d\d", cells.group("nums").strip()):
                    label = " ".join([lines[n - 1].strip() for n in label_lines] + [cells.group("label")])
                    first = label_lines[0] if label_lines else probe - 1
                    self._table_effort(clean(label), first, probe - 1, kind)
                    label_lines = []
                elif numbers_only and label_lines:
                    label = " ".join(lines[n - 1].strip() for n in label_lines)
                    self._table_effort(clean(label), label_lines[0], probe - 1, kind)
                    label_lines = []
                elif not cells and not numbers_only and not re.search(r"(?i)bedragen|budget \d{4}|\b(19|20)\d\d\b", text):
                    label_lines = (label_lines + [probe - 1])[-3:]
                else:
                    label_lines = []
            number = probe

    def _table_effort(self, label: str, first: int, last: int, kind: tuple[str, str] | None) -> None:
        unit = Unit(first, last, label, None, 0)
        state = _State(mode="effort", kind=kind[1] if kind and kind[0] == "effort" else "inspanning")
        self._effort_item(unit, state, True)

    @staticmethod
    def _number(unit: Unit) -> int | None:
        match = re.fullmatch(r"\(?(\d{1,2})[.)]", (unit.marker or "").strip())
        return int(match.group(1)) if match else None

    def _continues(self, unit: Unit, state: _State) -> bool:
        """After explanations, the list of efforts goes on with the next number ('2.' after '1.' and its
        'Ad 1)' block), or, for bullets, close below the last item; other lists there are something else."""
        number = self._number(unit)
        if number is not None:
            return any(level + 1 == number for level in state.numbers)
        return unit.first - state.last_line <= 30

    @staticmethod
    def _count(levels: list[int], number: int) -> None:
        """Last number per nesting level: '2.' continues a level, '1.' opens a deeper one."""
        for index in range(len(levels) - 1, -1, -1):
            if levels[index] + 1 == number:
                del levels[index + 1:]
                levels[index] = number
                return
        levels.append(number)

    @staticmethod
    def _style(unit: Unit) -> str:
        if unit.marker is None:
            return "plain"
        return "space" if unit.marker == " " else item_marker_style(unit.marker)

    @staticmethod
    def _prose(text: str) -> bool:
        words = text.split()
        return len(words) > 28 or (len(words) > 12 and text.rstrip().endswith(".") and "," in text)

    def _visie(self, unit: Unit, state: _State) -> None:
        """In a visie section only the statement is the visie: the text after 'De visie is:', the items
        after such a sentence, or a single sentence opening the section; the explaining prose is not."""
        text = unit.text.strip()
        is_item = unit.marker not in (None, " ")
        if state.visie == "done":
            return
        announces = text.endswith(":") or re.search(r"(?i)\bvisie\b.{0,30}\b(is|luidt)\s*;$", text)
        if not is_item and announces and len(text) < 400:
            state.visie = "armed"
            return
        label = None
        if state.visie == "armed" or (state.visie == "items" and is_item):
            label = self._head(text) if is_item else text
        elif state.visie == "fresh":
            one_sentence = len(re.findall(r"[.!?](\s|$)", text.rstrip("’”'\" "))) <= 1
            statement = 6 <= len(text.split()) <= 60 and text.rstrip("’”'\" ")[-1:] in ".!"  # not a sub-heading
            if one_sentence and statement and "visie" not in text.lower():
                label = text
        if label and 10 <= len(label) <= 400:
            self._add_goal("visie", clean(clean(label).strip(QUOTE_CHARS + "’”")), unit, None)
            state.items += 1
            state.visie = "items" if is_item else "done"
        elif state.visie != "armed":
            state.visie = None

    def _purposes(self, units: list[Unit]) -> None:
        """'Het doel is <goal>.' in the prose of a section: the goal, under the section's theme heading."""
        theme: GoalRecord | None = None
        theme_unit: Unit | None = None
        pattern = re.compile(r"\bHet (?P<scope>(?:\w+ )?)doel (?P<own>van (?:dit|het) programma )?is (?:om )?"
                             r"(?P<goal>[^.!?]{10,300})[.!?]")
        for unit in units:
            heading = HEADING.match(self.source.line(unit.first))
            if heading and "." in heading.group("num").strip(".") and unit.marker is None:
                theme, theme_unit = None, unit
                continue
            if heading and unit.marker is None:
                theme, theme_unit = None, None
                continue
            for match in pattern.finditer(unit.text):
                parent = None
                if theme_unit is not None and not match.group("own"):
                    head = HEADING.match(self.source.line(theme_unit.first))
                    if theme is None and head:
                        theme = self._add_goal("doel", clean(head.group("text")), theme_unit, None)
                    parent = theme
                self._add_goal("doel", clean(match.group("goal")), unit, parent)

    def _add_goal(self, level: str, label: str, unit: Unit, parent: GoalRecord | None,
                  number: str | None = None) -> GoalRecord | None:
        if len(label) < 4 or len(label) > 400:
            return None
        if SECTION_WORD.match(label) or CAPTION.match(label) or self._marker_of(label) == ("effort", "inspanning"):
            return None  # "Aanleiding", "10 inspanningen voor doel I": headings, not goals
        key = norm(label)
        if key in self._goal_keys:
            return self._goal_keys[key]
        goal = GoalRecord(level=level, label=label, evidence=self.evidence(unit.first, unit.last),
                          number=number, parent=parent, order=len(self.out.goals))
        self._goal_keys[key] = goal
        self.out.goals.append(goal)
        return goal

    def _goal_item(self, unit: Unit, state: _State, is_item: bool) -> None:
        label = clean(self._head(unit.text) if is_item else unit.text)
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
        label = clean(self._head(unit.text) if is_item else unit.text)
        if len(label) < 4 or norm(label) in ("pm", "") or len(label) > 400:
            return
        if ABOUT_ABOVE.match(label) or SECTION_WORD.match(label) or CAPTION.match(label):
            return
        label = re.sub(r"^\d{1,2}\s+(?=[A-Z])", "", label)  # "1 Doorontwikkeling noodzakelijk": a stray footnote or page number
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
        self._villages()
        self._ward_contexts()
        self._ward_mentions()

    COUNTS = {"een": 1, "één": 1, "twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8}

    def _villages(self) -> None:
        """'Almelo bestaat uit twee dorpen en tien wijken' over a list that mixes them: a listed ward is a
        dorp when its name says so (Aadorp) or a buurt of it carries its very name (the village core
        'Bornerbroek' in 'Bornerbroek'), and only when that gives exactly the number of dorpen stated."""
        wards = [w for w in self.out.wards if w.kind in ("wijk", "dorp") and w.number]
        if not wards:
            return
        text = self.source.span(self.segment.first, self.segment.last)
        stated = re.search(r"\b(\w+) dorpen en (\w+) wijken\b", text)
        if not stated or stated.group(1).lower() not in self.COUNTS:
            return
        cores = {norm(w.parent or "") for w in self.out.wards if w.kind == "buurt" and norm(w.label) == norm(w.parent or "")}
        villages = [w for w in wards if "dorp" in w.label.lower() or norm(w.label) in cores]
        if len(villages) == self.COUNTS[stated.group(1).lower()]:
            for ward in villages:
                ward.kind = "dorp"

    WARD_NAME = r"[A-Z][a-zà-ÿ]+(?:(?:-(?:De|de|Den|den) |-| )[A-Z][a-zà-ÿ]+)?"
    NOT_A_NAME = {"de", "het", "een", "in", "op", "en", "of", "wij", "we", "dit", "deze", "die", "als", "voor", "met",
                  "is", "zijn", "wordt", "worden", "kan", "niet", "ook", "bij", "van", "aan", "om", "te", "dat", "er",
                  "zo", "zoals", "waar", "wel", "nog", "dan", "maar", "daar", "hier", "hun", "haar", "ieder",
                  "elke", "alle", "andere", "nieuwe", "oude", "gemeente", "stad", "wijk", "wijken", "buurt", "buurten"}

    def _ward_contexts(self) -> None:
        """Wards named where the text calls them so: 'de wijken Overvecht, Oost en Binnenstad', 'wijkraad Zuid',
        'in de buurten de Goossenmaat, Rohof en Beeklust', '(Hoograven, wijk Zuid)', and list items that are
        slash-joined clusters of names ('2) De Riet/Haghoek/ Rosarium'). Used where no ward list exists."""
        nouns = r"(?P<noun>wijk(?:en)?|dorp(?:en)?|buurt(?:en)?|wijkraad|wijkbureau|wijkservicecentrum|wijkwethouder|wijkmanager)"
        name = self.WARD_NAME
        series = re.compile(rf"\b{nouns}\s+(?:de\s+)?(?P<names>{name}(?:\s*(?:,|/|\ben\b|\bof\b)\s*(?:de\s+)?{name})*)")
        inside = re.compile(rf"\((?P<buurt>{name}),\s+wijk\s+(?P<wijk>{name})\)")
        cluster = re.compile(rf"^\s*(?:\d{{1,2}}[.)]|[-•])\s*(?P<names>{name}(?:\s*/\s*{name})+)\s*$")
        own = norm(self.document.municipality or "")
        found: dict[str, WardRecord] = {w.label: w for w in self.out.wards}

        def add(label: str, kind: str, number: int, parent: str | None = None) -> None:
            label = label.strip()
            known = self.known_wards.get(norm(label)) or self.known_wards.get(norm(f"de {label}"))
            if known:
                label, kind = known  # a listed ward or one of its spellings
            words = label.split()
            if (not words or words[0].lower() in self.NOT_A_NAME or norm(label) == own or len(label) < 3
                    or label in found):
                return
            found[label] = WardRecord(label, kind, self.evidence(number, number), parent=parent, listed=bool(known))
            self.out.wards.append(found[label])

        for number in range(self.segment.first, self.segment.last + 1):
            line = self.source.line(number)
            if number < self.segment.last:  # 'in de buurten de' | 'Goossenmaat, Rohof en Beeklust'
                line = f"{line.rstrip()} {self.source.line(number + 1).strip()}"
            for match in inside.finditer(line):
                add(match.group("wijk"), "wijk", number)
                add(match.group("buurt"), "buurt", number, parent=match.group("wijk"))
            for match in series.finditer(line):
                wrapped = match.start("names") > len(self.source.line(number).rstrip())
                if wrapped and not re.search(r"[,/]|\sen\s", match.group("names")):
                    continue  # across the line end only a series of names ('de buurten de' | 'A, B en C')
                kind = "buurt" if match.group("noun").startswith("buurt") else "dorp" if match.group("noun").startswith(
                    "dorp") else "wijk"
                for label in re.split(r"\s*(?:,|/|\ben\b|\bof\b)\s*", match.group("names")):
                    add(re.sub(r"^de\s+", "", label), kind, number)
            if match := cluster.match(line):
                for label in match.group("names").split("/"):
                    add(label, self.known_wards.get(norm(label), (label, "wijk"))[1], number)

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
        finder = ActorFinder(self.source.lines, self.segment.first, self.segment.last, self.profile, self.evidence,
                             self.known_programmes)
        self.out.actors.extend(finder.run())

    # -- money, hours -------------------------------------------------------------------------------
    def run_money(self) -> None:
        budgets, tables = read_money(self.source.lines, self.segment.first, self.segment.last, self.evidence)
        statistic = re.compile("|".join(self.profile.get("statistic_amounts") or ["$^"]), re.I)
        budgets = [b for b in budgets if not statistic.search(b.purpose or "")]
        kept = {id(b) for b in budgets}
        tables = [t for t in tables if any(id(r) in kept for r in t.rows)]
        for table in tables:
            table.rows = [r for r in table.rows if id(r) in kept]
        self.out.budgets.extend(budgets)
        self.out.tables.extend(tables)
        self._capacity()

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
            text, last = raw, number
            # A list of programmes wraps over lines (with blank lines between) in PDF text: follow it while
            # the text so far ends mid-sentence.
            probe = number
            stop = min(number + 4, self.segment.last)
            while re.search(r"\bprogramma", text) and not re.search(r"[.:;!?]\s*$", text) and probe < stop:
                probe += 1
                if lines[probe - 1].strip():
                    last = probe
                    text = f"{text} {lines[probe - 1]}"
            text = text.replace("&", "en")
            # "Nieuwstraatkwartier (sociale uitdagingen), Binnenstad": drop the asides, join the wrapped lines.
            text = re.sub(r"\s+", " ", re.sub(r"\([^)]*\)?", "", text))
            for name in self._programme_mentions(text):
                key = norm(name)
                if key and key != own and key not in seen and not (own and key.startswith(own + " ")) \
                        and not _abbreviates(name, own):
                    seen.add(key)
                    self.out.relations.append(RelationRecord(name, self.evidence(number, last)))
        self._afstemming()

    def _programme_mentions(self, line: str) -> list[str]:
        names: list[str] = []
        # "de programma's Nieuwstraatkwartier , Zorg, Binnenstad en Economie": PDF text puts spaces before commas.
        # "de programma's Zorg, ..." and "de programma's uit het coalitieakkoord: Binnenstad, ...".
        for match in re.finditer(r"\bprogramma(?:'s|’s)(?:(?:\s+[a-z][\w-]*){1,4}\s*:|\s*:?)\s+"
                                 r"([A-Z][\w-]*(?:(?:\s*,\s*|\s+(?:en|&)\s+|\s+)[A-Z][\w-]*)*)",
                                 line):
            chunk = match.group(1)
            rest = chunk
            for known in sorted(self.known_programmes, key=lambda p: (-len(p), p)):  # ties in set order broke determinism
                pattern = re.compile(rf"\b{re.escape(known)}\b", re.I)
                if pattern.search(rest):
                    names.append(known)
                    rest = pattern.sub(" ", rest)
            names += [clean(p) for p in re.split(r",|\s+en\s+(?=[A-Z])", rest) if len(clean(p)) > 2]
        for match in PROGRAMME_NAME.finditer(line):
            if not line[match.start():match.start() + 11].lower().startswith(("programmama", "programmaco")):
                name = clean(match.group(1))
                # "het programma Gemeentelijke huisvesting": a lone adjective opens a name whose other words are
                # lower case.
                if " " not in name and ADJECTIVE_END.search(name) and (rest := NAME_TAIL.match(line, match.end(1))):
                    name = clean(name + rest.group(0))
                names.append(name)
        names = [_tidy_name(n) for n in names]
        return [n for n in names if n and n.split()[0].lower().rstrip(".") not in NOT_A_NAME and len(n) <= 40]

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
            if not duty and re.search(r"\b(gemeentelijke|alle andere) (initiatieven|projecten|ontwikkelingen)", low):
                duty = ["lijnsturing", "programmasturing"]  # "alle andere gemeentelijke initiatieven": line and programme work
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
    def _section_heading(self, line: int) -> str | None:
        """The headings above a line up to the enclosing annex or chapter ("Bijlage 4 ...", "3. Activiteiten")."""
        found: list[str] = []
        for number in range(line - 1, self.segment.first - 1, -1):
            text = self.source.line(number).strip()
            if len(text) > 120:
                continue
            if re.match(r"^(bijlage|hoofdstuk)\b", text, re.I):
                found.append(text)
                break
            if re.match(r"^\d{1,2}\.?\s+[A-Z]", text):
                found.append(text)
        return " ".join(found) or None

    def classify_efforts(self) -> None:
        units = self.profile.get("line_units", [])
        citywide = re.compile("|".join(self.profile.get("citywide")), re.I)
        ward_names = sorted(self.known_wards, key=len, reverse=True)
        ward_re = re.compile(r"\b(" + "|".join(re.escape(n) for n in ward_names) + r")\b") if ward_names else None
        programme_ward = self.known_wards.get(norm(self.document.programme or ""))
        # A document that says its work covers every ward ("Elke wijk of dorp krijgt aandacht", "alle wijken")
        # makes its efforts city-wide unless an effort names its own wards.
        intro_end = self.segment.first + (self.segment.last - self.segment.first) // 4
        document_wide = any(citywide.search(self.source.line(n)) for n in range(self.segment.first, intro_end + 1))
        for effort in self.out.efforts:
            context = self.source.span(effort.evidence.first, effort.evidence.last)
            owner = next((u for u in units if re.search(rf"\b{re.escape(u)}\b", context)), None)
            line_work = re.search(r"\b(lijnactiviteit|lijnproject|via de lijn|vanuit de lijn|in de lijn)\b", context, re.I)
            if line_work and not owner:
                # 'Nieuwstraat (lijnproject)' in a matrix of projects per unit: the unit heading above runs it.
                owner = unit_above(self.source.lines, effort.evidence.first, self.segment.first, units)
            if owner:
                effort.steering, effort.owner, effort.owner_kind = "lijnsturing", owner, "lijneenheid"
            elif line_work:
                effort.steering = "lijnsturing"
            elif self.document.programme and "wijksturing" not in self.document.steering[:1]:
                effort.steering, effort.owner, effort.owner_kind = (
                    "programmasturing", self.document.programme, "programma")
            elif self.document.steering:
                effort.steering = self.document.steering[0]
            wards = []
            if ward_re:
                wards = list(dict.fromkeys(self.known_wards[m.group(1)][0] for m in ward_re.finditer(norm(context))))
            if programme_ward:
                # In a programme about an area, "compacter centrum" is the centre of that area, not the ward Centrum:
                # another ward counts only when named as a name, capitalised.
                wards = [w for w in wards if w == programme_ward[0] or re.search(rf"\b{re.escape(w)}\b", context)]
            if not wards and ward_re and (heading := self._section_heading(effort.evidence.first)):
                # An annex "Sociale herovering De Riet" targets its efforts at De Riet.
                wards = list(dict.fromkeys(self.known_wards[m.group(1)][0] for m in ward_re.finditer(norm(heading))))
            if wards:
                effort.scope, effort.wards = "gericht", wards
            elif citywide.search(context):
                effort.scope = "stadsbreed"
            elif programme_ward:
                effort.scope, effort.wards = "gericht", [programme_ward[0]]
            elif document_wide:
                effort.scope = "stadsbreed"

    def run(self) -> Extraction:
        self.run_din()
        self.run_wards()
        self.run_actors()
        self.run_money()
        self.run_links()
        self.classify_efforts()
        self.attach_budgets()
        return self.out

    def attach_budgets(self) -> None:
        """An amount in the prose of an effort's own section ("Ad 1) SchuldenLab ... Financiën: € 200.000") is
        that effort's budget: the nearest line above it that names an effort of this document, by itself."""
        names = {norm(e.label): e.label for e in self.out.efforts}
        tabled = {id(r) for t in self.out.tables for r in t.rows} | {id(t.total) for t in self.out.tables if t.total}
        for budget in self.out.budgets:
            if id(budget) in tabled:
                continue
            for number in range(budget.evidence.first, max(self.segment.first, budget.evidence.first - SECTION_REACH) - 1, -1):
                line = self.source.line(number)
                text = SECTION_PREFIX.sub("", line).strip(" :")
                if norm(text) in names:
                    budget.effort = names[norm(text)]
                    break
                if AD_HEADING.match(line):
                    # "Ad 1) Stichting Almelo Promotie" names the item "(Stichting Almelo Promotie, Inzet op ...)"
                    # in short; the section ends here either way.
                    best = max(names, key=lambda key: fuzz.partial_ratio(norm(text), key), default=None)
                    if text and best is not None and fuzz.partial_ratio(norm(text), best) >= 90:
                        budget.effort = names[best]
                    break


def _abbreviates(name: str, own: str) -> bool:
    """'NSK' inside the Nieuwstraatkwartier contract is the programme itself: its letters occur in order in the name."""
    return name.isupper() and 2 <= len(name) <= 5 and bool(own) and letters_in_order(name, own)


def extract(source: SourceText, segment: Segment, document: DocumentRecord, profile: Profile,
            known_wards: dict[str, tuple[str, str]], known_programmes: set[str]) -> Extraction:
    return Extractor(source, segment, document, profile, known_wards, known_programmes).run()


def unit_above(lines: tuple[str, ...] | list[str], first: int, floor: int, units: list[str], reach: int = 6) -> str | None:
    """The line unit whose name heads the block a line project sits in: a matrix of projects per unit puts the
    unit ('Adviespool', 'Uitvoering Fysiek') on a line of its own above its projects. Only the few lines above
    count (sibling projects sit between); the caller asks only for efforts the text marks as line work."""
    seen = 0
    for number in range(first - 1, max(floor, 1) - 1, -1):
        text = lines[number - 1].strip()
        if not text:
            continue
        seen += 1
        if seen > reach:
            return None
        bare = re.sub(r"^(?:team|afdeling)\s+", "", text, flags=re.I).strip(" :")
        unit = next((u for u in units if norm(u) == norm(bare)), None)
        if unit:
            return unit
    return None


def ward_lists(source: SourceText, segment: Segment, profile: Profile) -> list[WardRecord]:
    """First pass: explicit ward lists only, to build the gazetteer used by every document."""
    extractor = Extractor(source, segment, _stub(segment), profile, {}, set())
    extractor.run_wards()
    return extractor.out.wards


def _stub(segment: Segment) -> DocumentRecord:
    return DocumentRecord("x", "x", "notitie", None, None, None, segment.first, segment.last, None, [],
                          Evidence(segment.first, segment.first, ""))


# Words that begin no programme's name: articles and conjunctions after "programma", and, where a caption or a
# table header ("Tabel 6.1 - ... per programma" / "Progr. Nr.") or a new sentence ("Ieder programma ...") follows a
# line that ends in "programma", the first word of that next line.
NOT_A_NAME = frozenset(
    "de het een dit deze in op van voor met en voordat omdat waarin waarbij dat die als wanneer om ook nu zoals bij na "
    "tot ieder iedere elk elke alle tabel figuur grafiek bijlage progr nr pagina bron totaal".split())
TABLE_WORDS = frozenset("rekening begroting realisatie lasten baten saldo omschrijving programma programma's".split())
CODE = re.compile(r"^[A-Z]{0,2}\d+(\.\d+)*$")


def _tidy_name(name: str) -> str:
    """A programme name without its code ("P1 Veiligheid" is Veiligheid), the first word of a next sentence that a
    joined line put after it ("Groene Zone Dit"), or table-header words ("Programma Rekening Begroting")."""
    words = name.split()
    if len(words) > 1 and CODE.match(words[0]):
        words = words[1:]
    while len(words) > 1 and words[-1].lower() in NOT_A_NAME | {"dit", "deze", "daarbij", "daarnaast", "ook"}:
        words = words[:-1]
    if any(w.lower() in TABLE_WORDS for w in words) or (len(words) > 1 and name.isupper()):
        return ""
    return " ".join(words)


ADJECTIVE_END = re.compile(r"(lijke|ische|ale|ele|ieve)$")
NAME_TAIL = re.compile(r"\s+(?!(?:is|was|wordt|werd|heeft|had|een|de|het|en|van|in|op|voor|met|als|dat|die|te|zijn|kan|zal)\b)"
                       r"[a-zà-ÿ][\w-]{3,}")


def programme_names(text_lines: list[str]) -> set[str]:
    names: set[str] = set()
    for line in text_lines:
        for match in PROGRAMME_NAME.finditer(line):
            names.add(clean(match.group(1)))
    return names
