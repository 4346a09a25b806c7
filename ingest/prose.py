"""Running text -> goals and efforts written as sentences or as short items under an activity heading.

The list rules (extract.py, bbv.py) read goals and efforts from numbered and bulleted lists. Policy
texts also state them in sentences: a commitment ("we gaan ...", "de gemeente zal ...", "in 2024 wordt
... opgesteld"), an intention ("wij willen ...", "ons doel is ..."), a result to reach ("In 2026 is
..."), or a list of activities announced by a line such as "Activiteiten:". This module finds those
between two lines of a ``Structure``; it writes no RDF.

A Dutch main clause puts its finite verb second, so a commitment shows as subject + verb ("we
ontwikkelen") or, after a fronted phrase, verb + subject ("daarom ontwikkelen we"). Precision is
protected by what a sentence must not be: about the past, conditional, about the document itself,
a question, or too short to name anything. The words live in ``vocabularies/prose.yaml``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import yaml

from beleidsgraaf.ingest.records import EffortRecord, Evidence, GoalRecord
from beleidsgraaf.ingest.structure import DECIMAL_ITEM, TOC_LINE, Structure, is_title_like
from beleidsgraaf.ingest.text import ITEM, quote
from beleidsgraaf.textkey import norm

VOCABULARY = Path(__file__).with_name("vocabularies") / "prose.yaml"
LABEL_LIMIT = 200  # a label is a name in a graph, not a passage; the evidence keeps the whole sentence
MIN_WORDS = 3  # fewer words name no goal or effort ("Intern", "Ook hier")
ITEM_LIMIT = 400  # an "item" longer than this is a paragraph that happens to start with a dash
YEAR_IN = re.compile(r"\b(19[5-9]\d|20[0-6]\d)\b")
# A bullet whose glyph the PDF lost leaves one or two leading spaces before a capital.
LOST_GLYPH = re.compile(r"^ {1,2}[A-Z‘“(]")
# "2.3 Activiteiten 12": a table-of-contents line without dot leaders.
TOC_ENTRY = re.compile(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+\D.{2,80}?\s\d{1,3}$")
SENTENCE_END = re.compile(r"[.!?]['\"’”)]*$")
# Where a clause ends: a tense or a passive is read within one clause ("we hebben ..., en gaan ...").
CLAUSE_BREAK = re.compile(r"[,;:()]| \b(?:en|maar|zodat|omdat|waarbij|waarmee|die|dat|om)\b ")
# Words that may follow the participle of a passive clause: a preposition, a conjunction, the verb itself.
PASSIVE_FOLLOWERS = frozenset(("voor", "door", "in", "op", "met", "aan", "bij", "om", "tot", "naar", "en", "of", "van",
                               "te", "binnen", "vanuit", "via", "onder", "zodat", "waarbij", "worden", "wordt", "zijn"))
PARTICIPLE = re.compile(r"^(?:[a-z]*ge[a-zà-ÿ]{2,}(?:[dt]|en)|(?:be|ver|ont|her|er)[a-zà-ÿ]{3,}[dt])$")


# -- vocabulary ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verb:
    plural: str  # first person plural, the form after "we": "zetten"
    singular: str  # third person singular, the form after "de gemeente": "zet"
    particles: tuple[str, ...] = ()  # one of these must follow in the clause: "zetten ... in"

    @property
    def infinitives(self) -> tuple[str, ...]:
        """The forms after a modal: "inzetten", "opstellen"; the plain form for a verb without particle."""
        return (self.plural, *(p + self.plural for p in self.particles)) if self.particles else (self.plural,)


@dataclass(frozen=True)
class ProseVocabulary:
    subjects: frozenset[str]
    institutions: re.Pattern[str]
    institution_verbs: tuple[Verb, ...]
    effort_verbs: tuple[Verb, ...]
    goal_verbs: frozenset[str]
    intention_verbs: tuple[Verb, ...]
    goal_phrases: tuple[re.Pattern[str], ...]
    time_opener: re.Pattern[str]
    future_times: re.Pattern[str]
    planned_verbs: frozenset[str]
    past_verbs: frozenset[str]
    past_markers: re.Pattern[str]
    perfect_auxiliaries: frozenset[str]
    conditional_opener: re.Pattern[str]
    hypothetical: re.Pattern[str]
    meta: tuple[re.Pattern[str], ...]
    stops: re.Pattern[str]
    activity_headings: tuple[re.Pattern[str], ...]
    abbreviations: frozenset[str]
    not_participles: frozenset[str]

    @cached_property
    def action_infinitives(self) -> frozenset[str]:
        """Infinitives that name an action of their own: what is wanted is then done, not reached."""
        return frozenset(i for v in self.effort_verbs if v.plural not in self.goal_verbs for i in v.infinitives)

    def participle(self, word: str) -> bool:
        return bool(PARTICIPLE.match(word)) and word not in self.not_participles


def _verb(entry: str) -> Verb:
    forms, *particles = entry.split()
    plural, _, singular = forms.partition("/")
    return Verb(plural, singular or plural, tuple(particles))


def _any(words: Sequence[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")\b") if words else re.compile(r"(?!x)x")


def load_vocabulary(path: Path = VOCABULARY) -> ProseVocabulary:
    """The word lists of ``path`` (YAML), compiled."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    opener = data["time_openers"]
    return ProseVocabulary(
        subjects=frozenset(data["subjects"]),
        institutions=_any(data["institutions"]),
        institution_verbs=tuple(_verb(e) for e in data["institution_verbs"]),
        effort_verbs=tuple(_verb(e) for e in data["effort_verbs"]),
        goal_verbs=frozenset(data["goal_verbs"]),
        intention_verbs=tuple(_verb(e) for e in data["intention_verbs"]),
        goal_phrases=tuple(re.compile(r"\b" + p + r"\b") for p in data["goal_phrases"]),
        # A result statement opens with the time, maybe after a connective ("Ook in 2025 ...").
        time_opener=re.compile(r"^(?:(?:ook|daarnaast|verder|en|tevens|bovendien),? )?(?:" + opener + r") (\d{4})\b"),
        future_times=_any(data["future_times"]),
        planned_verbs=frozenset(data["planned_verbs"]),
        past_verbs=frozenset(data["past_verbs"]),
        past_markers=_any(data["past_markers"]),
        perfect_auxiliaries=frozenset(data["perfect_auxiliaries"]),
        conditional_opener=re.compile(r"^(?:" + "|".join(data["conditional_openers"]) + r")\b"),
        hypothetical=_any(data["hypothetical_words"]),
        meta=tuple(re.compile(p) for p in data["meta_phrases"]),
        stops=_any(data["stop_phrases"]),
        activity_headings=tuple(re.compile(p) for p in data["activity_headings"]),
        abbreviations=frozenset(data["abbreviations"]),
        not_participles=frozenset(data.get("not_participles", [])),
    )


@cache
def default_vocabulary() -> ProseVocabulary:
    return load_vocabulary(VOCABULARY)


# -- blocks and sentences ----------------------------------------------------------------------------

@dataclass
class _Block:
    """A paragraph, a list item or a heading, with its lines."""

    kind: str  # text | item | heading
    rows: list[tuple[int, str]]
    section: int = 0  # line of the heading the block stands under; 0 before the first heading

    @property
    def first(self) -> int:
        return self.rows[0][0]

    @property
    def last(self) -> int:
        return self.rows[-1][0]

    def joined(self) -> tuple[str, list[tuple[int, int]]]:
        """The block's text with a word broken at a line end joined, and (offset, line) for each line."""
        text, starts = "", []
        for number, part in self.rows:
            part = part.strip()
            if text.endswith("-") and part[:1].islower() and not text.endswith(" -"):
                text = text[:-1]
            elif text:
                text += " "
            starts.append((len(text), number))
            text += part
        return text, starts


@dataclass(frozen=True)
class _Sentence:
    text: str
    first: int
    last: int
    block: int


def _marker(raw: str) -> tuple[str, str] | None:
    """(marker, text) when the line opens a list item; the marker is " " for a lost bullet glyph."""
    if (match := DECIMAL_ITEM.match(raw)) is not None:
        return match.group("number"), match.group("text")
    if (match := ITEM.match(raw)) is not None:
        return match.group("marker"), match.group("text").strip()
    if LOST_GLYPH.match(raw):
        return " ", raw.strip()
    return None


def _blocks(structure: Structure, first: int, last: int) -> list[_Block]:
    """Paragraphs, items and headings between two lines. PDF text often has blank lines inside a
    paragraph, so a blank line ends a paragraph only when the text before it ends a sentence."""
    question_lines = {q.line for q in structure.questions}
    rows = structure.content(first, last)
    lengths = sorted(len(t) for _, t in rows if len(t) > 20)
    # A heading stops well short of the text width; a line that runs to it was wrapped from a sentence.
    width = lengths[int(len(lengths) * 0.9)] if lengths else 80
    blocks: list[_Block] = []
    current: _Block | None = None
    previous_line = 0
    for number, text in rows:
        raw = structure.lines[number - 1]
        blank_gap = previous_line and any(
            not structure.lines[n - 1].strip() for n in range(previous_line + 1, number) if n not in structure.furniture)
        previous_line = number
        if TOC_LINE.search(text) or (TOC_ENTRY.match(text) and len(text) < 90) or text.isdigit():
            current = None  # a contents line, or a lone number (a page the furniture rules did not know)
            continue
        marker = _marker(raw)
        open_text = current is not None and not SENTENCE_END.search(current.rows[-1][1]) \
            and not current.rows[-1][1].endswith((":", ";"))
        numbered_title = marker is not None and marker[0][:1].isdigit() and is_title_like(marker[1]) \
            and not marker[1].endswith(":")
        title = marker is None and is_title_like(text) and len(text) <= 0.75 * width \
            and _heads_paragraph(structure, number, last)
        if number in question_lines or numbered_title or (title and (current is None or (
                not open_text and current.kind != "heading"))):
            current = _Block("heading", [(number, text)])
            blocks.append(current)
            current = None
            continue
        # A lost bullet glyph looks like an indented line: after unfinished text it is that text wrapping,
        # unless the line does not read as its continuation.
        wraps = marker is not None and marker[0] == " " and open_text and current is not None and _continues(
            current, text, bool(blank_gap), number - current.last)
        if marker is not None and not wraps:
            current = _Block("item", [(number, marker[1])])
            blocks.append(current)
            continue
        if current is not None and _continues(current, text, bool(blank_gap), number - current.last):
            current.rows.append((number, text))
            continue
        current = _Block("text", [(number, text)])
        blocks.append(current)
    section = 0
    for block in blocks:
        if block.kind == "heading":
            section = block.first
        block.section = section
    return blocks


def _heads_paragraph(structure: Structure, number: int, last: int) -> bool:
    """A title-like line heads what follows when the next line is text that does not continue it."""
    following = structure.content(number + 1, min(last, number + 4))
    if not following:
        return False
    after = following[0][1]
    return not after[:1].islower() and (len(after) > len(structure.lines[number - 1].strip()) or _marker(
        structure.lines[following[0][0] - 1]) is not None)


def _continues(block: _Block, text: str, blank_gap: bool, distance: int) -> bool:
    if block.kind == "heading" or distance > 4:
        return False
    previous = block.rows[-1][1]
    if blank_gap and previous.endswith(",") and len(previous) < 40:
        return False  # "Geachte raadsleden," or "Met vriendelijke groet,": a letter's line, not a wrapped one
    ended = bool(SENTENCE_END.search(previous)) or previous.endswith((":", ";"))
    if block.kind == "item":
        # An item runs on over its wrapped lines (the next starts in lower case, or the line above was
        # long); a new sentence after a full stop is its explanation only when no blank line stands between.
        wrapped = text[:1].islower() or text[:1] in "(€" or len(previous) >= 60
        if not ended:
            return wrapped
        return not blank_gap and len(" ".join(t for _, t in block.rows)) < ITEM_LIMIT
    return not ended or not blank_gap


def _sentences(block: _Block, index: int, vocabulary: ProseVocabulary) -> list[_Sentence]:
    text, starts = block.joined()
    found: list[_Sentence] = []
    begin = 0
    for match in re.finditer(r"[.!?]+['\"’”)]*\s+(?=[A-Z0-9‘“'\"(À-Ý])", text):
        word = re.search(r"(\S+?)[.!?]+['\"’”)]*\s+$", text[begin:match.end()])
        stem = word.group(1).lower().rstrip(".") if word else ""
        if stem in vocabulary.abbreviations or len(stem) == 1:
            continue  # "o.a. De ..." or an initial: no sentence ends here
        found.append(_sentence(text, starts, begin, match.start() + 1, index))
        begin = match.end()
    if begin < len(text):
        found.append(_sentence(text, starts, begin, len(text), index))
    return [s for s in found if s.text]


def _sentence(text: str, starts: list[tuple[int, int]], begin: int, end: int, index: int) -> _Sentence:
    def line_at(offset: int) -> int:
        return [n for start, n in starts if start <= offset][-1]

    return _Sentence(text[begin:end].strip(), line_at(begin), line_at(max(begin, end - 1)), index)


# -- classification ---------------------------------------------------------------------------------

def _plain(text: str) -> str:
    text = text.lower().replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"\s+", " ", text).strip()


def _words(plain: str) -> list[str]:
    return re.findall(r"[\wà-ÿ'-]+", plain)


def _infinitives(words: list[str], vocabulary: ProseVocabulary) -> set[str]:
    """The words, with a separable verb's 'op te stellen' also read as 'opstellen'."""
    found = set(words)
    particles = {p for v in vocabulary.effort_verbs for p in v.particles}
    for index in range(len(words) - 2):
        if words[index] in particles and words[index + 1] == "te":
            found.add(words[index] + words[index + 2])
    return found


def _rejected(plain: str, vocabulary: ProseVocabulary, year: int | None) -> bool:
    """Questions, conditionals, text about the document, and sentences about the past."""
    if plain.endswith("?") or len(_words(plain)) < MIN_WORDS:
        return True
    if vocabulary.conditional_opener.match(plain) or vocabulary.hypothetical.search(plain):
        return True
    if re.search(r"\bals\b[^.;]{2,120}\bdan\b|\((?:als|indien|mits|tenzij|wanneer)\b", plain):
        return True  # "als ... dan ..." or "(als ...)": a condition inside the sentence
    if any(p.search(plain) for p in vocabulary.meta):
        return True
    words = set(_words(plain))
    if words & vocabulary.past_verbs or vocabulary.past_markers.search(plain):
        return True
    if year is not None:
        for match in re.finditer(r"\b(?:in|medio|eind|begin|sinds|per|vanaf|tot) (?:het jaar )?(\d{4})\b", plain):
            if int(match.group(1)) < year:
                return True
    return False


def _perfect(plain: str, vocabulary: ProseVocabulary) -> bool:
    """'we hebben ... gerealiseerd', 'zijn we gestart met': a perfect tense with the writer as subject, or
    'heeft ... plaatsgevonden' at the end of a clause."""
    for clause in CLAUSE_BREAK.split(plain):
        words = _words(clause)
        for index, word in enumerate(words):
            if word not in vocabulary.perfect_auxiliaries:
                continue
            near = words[max(0, index - 1):index + 2]
            rest = words[index + 1:]
            has_participle = any(vocabulary.participle(w) for w in rest)
            if has_participle and set(near) & vocabulary.subjects:
                return True
            if word in ("heb", "hebben", "heeft") and rest and vocabulary.participle(rest[-1]):
                return True
    return False


def _finite(words: list[str], subjects: frozenset[str]) -> list[tuple[int, str]]:
    """Positions and forms of the verb next to a subject in second position: 'we gaan' at the start of
    the clause, or 'daarom gaan we' after a fronted phrase."""
    found = []
    for index, word in enumerate(words):
        if word not in subjects:
            continue
        if index + 1 < len(words) and (index == 0 or words[index - 1] in ("en", "maar", "want", "dus")):
            found.append((index + 1, words[index + 1]))
        if index >= 2 or (index == 1 and words[0] not in ("en", "maar", "want", "dus")):
            found.append((index - 1, words[index - 1]))
    return found


def _particle_follows(verb: Verb, words: list[str], position: int) -> bool:
    return not verb.particles or any(w in verb.particles for w in words[position + 1:])


def _committing(plain: str, vocabulary: ProseVocabulary) -> str | None:
    """'effort' or 'goal' when the writer or an institution commits or intends in this sentence."""
    words = _words(plain)
    for position, form in _finite(words, vocabulary.subjects):
        clause = words[position:]
        for verb in vocabulary.intention_verbs:
            if form == verb.plural:
                return _wanted(clause[1:], vocabulary)
        for verb in vocabulary.effort_verbs:
            if form == verb.plural and _particle_follows(verb, clause, 0):
                return "effort"
    for match in vocabulary.institutions.finditer(plain):
        before = _words(plain[:match.start()])[-1:]
        after = _words(plain[match.end():])
        # The verb follows the institution, or its name ("de gemeente Wassenaar zal"), or precedes it.
        candidates = [(after[0], after[1:])] if after else []
        if len(after) > 1:
            candidates.append((after[1], after[2:]))
        if before:
            candidates.append((before[0], after))
        for form, clause in candidates:
            for verb in vocabulary.intention_verbs:
                if form == verb.singular:
                    return _wanted(clause, vocabulary)
            for verb in vocabulary.institution_verbs:
                if form != verb.singular or not _particle_follows(verb, [form, *clause], 0):
                    continue
                # "zal"/"gaat" carry another verb: the institution acts only when that verb is an action
                # ("de gemeente zal ... herzien"), not when it is undergone ("gaat de gemeente raken").
                if not verb.particles and verb.plural in vocabulary.goal_verbs and not (
                        _infinitives(clause, vocabulary) & vocabulary.action_infinitives or _passive(plain, vocabulary)):
                    continue
                return "effort"
    return None


def _wanted(rest: list[str], vocabulary: ProseVocabulary) -> str:
    """What an intention verb wants: a state ('we willen dat ...', 'de leefbaarheid verbeteren') is a goal,
    an action of the writer's own ('een toolbox maken') an effort."""
    if rest[:1] == ["dat"] or rest[:1] == ["naar"]:
        return "goal"
    return "effort" if _infinitives(rest, vocabulary) & vocabulary.action_infinitives else "goal"


def _planned_after_time(rest: str, vocabulary: ProseVocabulary) -> bool:
    """After an opening time the finite verb comes first: 'in 2024 gaan we', 'evalueert de gemeente', 'wordt
    ... opgesteld' and 'vindt ... plaats' plan an action; any other verb states a result ('is', 'staan')."""
    words = _words(rest)
    if not words:
        return False
    verb, after = words[0], words[1:]
    if verb in ("wordt", "worden", "zal", "zullen"):
        return _passive(rest, vocabulary)
    if verb in vocabulary.planned_verbs:
        return verb not in ("vindt", "vinden") or "plaats" in after
    if after and after[0] in vocabulary.subjects:
        return any(verb == v.plural for v in (*vocabulary.effort_verbs, *vocabulary.intention_verbs))
    institution = vocabulary.institutions.match(rest.strip()[len(verb):].strip())
    return institution is not None and any(verb == v.singular for v in vocabulary.effort_verbs)


def _passive(plain: str, vocabulary: ProseVocabulary) -> bool:
    """A clause with 'wordt'/'worden' and its participle: next to it ('opgesteld worden', 'worden opgesteld'),
    or later in the clause where the participle ends it or a preposition follows ('wordt een plan opgesteld
    voor ...'). A participle before a noun phrase is an adjective ('vraaggericht de toeleiding')."""
    for clause in CLAUSE_BREAK.split(plain):
        words = _words(clause)
        for index, word in enumerate(words):
            if word not in ("wordt", "worden"):
                continue
            if index > 0 and vocabulary.participle(words[index - 1]):
                return True
            for position in range(index + 1, len(words)):
                after = words[position + 1] if position + 1 < len(words) else None
                if vocabulary.participle(words[position]) and (
                        position == index + 1 or after is None or after in PASSIVE_FOLLOWERS):
                    return True
    return False


def _planned_passive(plain: str, vocabulary: ProseVocabulary) -> bool:
    """'... zal worden opgesteld', 'de komende jaren wordt ... versterkt': an action planned in the passive.
    A modal of need or possibility ('moet', 'kan') plans nothing."""
    words = _words(plain)
    if set(words) & {"moet", "moeten", "kan", "kunnen", "mag", "mogen"}:
        return False
    passive = _passive(plain, vocabulary)
    if re.search(r"\b(?:zal|zullen)\b", plain) and passive:
        return True
    return passive and bool(vocabulary.future_times.search(plain))


def classify(text: str, vocabulary: ProseVocabulary, year: int | None = None) -> tuple[str, str] | None:
    """('goal' | 'effort', label) for a sentence that states one, else None. ``year`` is the document's own
    year: a sentence placed before it is about the past, a result placed after it is a goal."""
    if text.rstrip(" .'\"’”)").endswith("?"):
        return None
    plain = _plain(text).rstrip(" .;:!")
    if _rejected(plain, vocabulary, year) or vocabulary.stops.search(plain):
        return None
    for phrase in vocabulary.goal_phrases:
        if (match := phrase.search(plain)) is not None:
            # "Het doel is ..." names the goal after it; without that ("wat de doelstelling ... is") it names none.
            rest = text[_offset(text, plain, match.end()):].strip(" :,")
            rest = re.sub(r"^(?:om|dat)\s+", "", rest)
            if len(_words(_plain(rest))) >= MIN_WORDS:
                return "goal", _label(rest)
    opener = vocabulary.time_opener.match(plain)
    if opener is not None:
        when = int(opener.group(1))
        acts = _planned_after_time(plain[opener.end():], vocabulary)
        if acts and (year is None or when >= year):
            return "effort", _label(text)
        if not acts and (year is None or when > year):
            return "goal", _label(text)
        return None
    if _perfect(plain, vocabulary):
        return None
    kind = _committing(plain, vocabulary)
    if kind is None and _planned_passive(plain, vocabulary):
        kind = "effort"
    return (kind, _label(text)) if kind else None


def _offset(text: str, plain: str, position: int) -> int:
    """The offset in ``text`` of the word that starts at ``position`` in its plain form (same words)."""
    count = len(_words(plain[:position]))
    spans = [m.end() for m in re.finditer(r"[\wà-ÿÀ-Ý'’‘-]+", text)]
    return spans[count - 1] if 0 < count <= len(spans) else 0


def _label(text: str) -> str:
    """The sentence as a label: no closing stop, at most LABEL_LIMIT characters, cut at a clause or a word."""
    text = re.sub(r"\s+", " ", re.sub(r"[\ue000-\uf8ff]", " ", text)).strip().rstrip(" .;:,")
    text = text.strip("\"'“”‘’ ") if text.count("“") + text.count("”") + text.count('"') == 2 else text
    if len(text) > LABEL_LIMIT:
        head = text[:LABEL_LIMIT + 1]
        clause = max(head.rfind(", "), head.rfind("; "), head.rfind(": "))
        cut = clause if clause >= LABEL_LIMIT // 2 else head.rfind(" ")
        text = text[:cut].rstrip(" ,;:")
    return text[:1].upper() + text[1:]


# -- activity lists -------------------------------------------------------------------------------------

def _announces_activities(block: _Block, sentence: str, vocabulary: ProseVocabulary, next_is_item: bool) -> bool:
    """A heading, or a sentence ending in ':' (or in no stop right above a list), that names a list of efforts
    ("Activiteiten", "Onder wijksturing valt:")."""
    plain = _plain(sentence).rstrip(" :")
    plain = re.sub(r"^\d{1,2}(?:\.\d{1,2})*\.?\s+", "", plain)
    if sentence.rstrip().endswith("?"):
        return False  # the BBV question; its chapter is read by bbv.py
    ends_open = sentence.rstrip().endswith(":") or (next_is_item and not SENTENCE_END.search(sentence))
    if block.kind != "heading" and not ends_open:
        return False
    return any(p.search(plain) for p in vocabulary.activity_headings)


def _item_label(text: str) -> str:
    """An item's name: the head before ':' when the rest explains it, else its first sentence."""
    head, colon, rest = text.partition(":")
    if colon and MIN_WORDS <= len(head.split()) <= 12 and len(rest.split()) >= 4:
        return _label(head)
    first = re.split(r"(?<=[a-zà-ÿ)]{3}[.!?])\s+(?=[A-Z])", text, maxsplit=1)[0]
    return _label(first)


# -- the whole ---------------------------------------------------------------------------------------

@dataclass
class ProseRecords:
    goals: list[GoalRecord] = field(default_factory=list)
    efforts: list[EffortRecord] = field(default_factory=list)


def document_year(structure: Structure, first: int, last: int) -> int | None:
    """The year a text is written for, when the caller does not know it: the most frequent year in its
    opening lines (the title names it), the latest on a tie (the others are what it refers back to), else
    the same in the first lines of the file. A period "2019-2022" counts for its start."""
    for start, end in ((first, last), (1, len(structure.lines))):
        head = " ".join(t for _, t in structure.content(start, end)[:40])
        head = re.sub(r"\b(\d{4})\s*[-–/]\s*\d{4}\b", r"\1", head)
        years = Counter(int(y) for y in YEAR_IN.findall(head))
        if years:
            best = max(years.values())
            return max(y for y, c in years.items() if c == best)
    return None


def find_prose(structure: Structure, first: int, last: int, vocabulary: ProseVocabulary | None = None,
               *, year: int | None = None, known_goals: Sequence[GoalRecord] = ()) -> ProseRecords:
    """Goals and efforts written as sentences, and activity lists under an activity heading, between
    lines ``first`` and ``last``.

    ``year`` is the document's year (else read from its opening lines). ``known_goals`` are goals other
    rules found: an effort under a heading that is one of them serves it (goal_link "kop").
    """
    vocabulary = vocabulary or default_vocabulary()
    year = year if year is not None else document_year(structure, first, last)
    blocks = _blocks(structure, first, last)
    out = ProseRecords()
    seen: set[str] = set()
    placed: list[tuple[_Sentence, GoalRecord | EffortRecord]] = []
    listed: set[int] = set()  # blocks taken whole as items of an activity list

    for index, block in enumerate(blocks):
        if block.kind == "heading" and index not in listed:
            if _announces_activities(block, block.rows[0][1], vocabulary, False):
                listed |= _activity_list(structure, blocks, index, vocabulary, year, seen, placed)
            continue
        if index in listed:
            continue
        sentences = _sentences(block, index, vocabulary)
        next_is_item = index + 1 < len(blocks) and blocks[index + 1].kind == "item"
        if sentences and _announces_activities(block, sentences[-1].text, vocabulary, next_is_item):
            listed |= _activity_list(structure, blocks, index, vocabulary, year, seen, placed)
            sentences = sentences[:-1]
        for sentence in sentences:
            found = classify(sentence.text, vocabulary, year)
            if found is None or norm(found[1]) in seen or len(found[1].split()) < MIN_WORDS:
                continue
            seen.add(norm(found[1]))
            evidence = _evidence(structure, sentence.first, sentence.last)
            record: GoalRecord | EffortRecord
            if found[0] == "goal":
                record = GoalRecord("doel", found[1], evidence)
            else:
                record = EffortRecord(found[1], "inspanning", evidence)
            placed.append((sentence, record))

    _link(blocks, placed, known_goals)
    placed.sort(key=lambda pair: (pair[0].first, pair[0].last))
    for _sentence, record in placed:
        if isinstance(record, GoalRecord):
            record.order = len(out.goals)
            out.goals.append(record)
        else:
            record.order = len(out.efforts)
            out.efforts.append(record)
    return out


def _activity_list(structure: Structure, blocks: list[_Block], index: int, vocabulary: ProseVocabulary,
                   year: int | None, seen: set[str], placed: list[tuple[_Sentence, GoalRecord | EffortRecord]]) -> set[int]:
    """The items below an activity heading, each an effort ('activiteit'): bulleted or numbered items,
    or a run of at least two short lines, up to the next heading or paragraph."""
    taken: set[int] = set()
    cursor = index + 1
    while cursor < len(blocks):
        block = blocks[cursor]
        text = " ".join(t for _, t in block.rows)
        # Lines without a marker are items only as a run of short lines that end no sentence, straight
        # below the announcement: after marked items a plain line is the text going on.
        short_run = block.kind == "text" and not any(blocks[t].kind == "item" for t in taken) \
            and _short_line(text) and ((cursor + 1 < len(blocks) and _short_line(
                " ".join(t for _, t in blocks[cursor + 1].rows))) or cursor - 1 in taken)
        if block.kind == "heading" or not (block.kind == "item" or short_run) or len(text) > ITEM_LIMIT:
            break
        if text.rstrip().endswith(":") and cursor > index + 1:
            break  # a new announcement opens another list
        taken.add(cursor)
        cursor += 1
        label = _item_label(block.joined()[0])
        plain = _plain(label)
        if len(label.split()) < MIN_WORDS or norm(label) in seen or _rejected(plain, vocabulary, year) \
                or _perfect(plain, vocabulary):
            continue
        seen.add(norm(label))
        sentence = _Sentence(label, block.first, block.last, cursor - 1)
        placed.append((sentence, EffortRecord(label, "activiteit", _evidence(structure, block.first, block.last))))
    return taken


def _short_line(text: str) -> bool:
    return len(text) <= 150 and not SENTENCE_END.search(text) and not text.endswith(":")


def _evidence(structure: Structure, first: int, last: int) -> Evidence:
    return Evidence(first, last, quote(" ".join(structure.lines[n - 1].strip() for n in range(first, last + 1))))


def _link(blocks: list[_Block], placed: list[tuple[_Sentence, GoalRecord | EffortRecord]],
          known_goals: Sequence[GoalRecord]) -> None:
    """The goal each effort serves: the heading it stands under when that heading is a known goal ("kop"),
    else the nearest goal sentence before it in its paragraph ("nabijheid"), else the one goal sentence
    of its section when there is exactly one before it ("kop")."""
    heading_goals = {g.evidence.first: g for g in known_goals}
    goals: list[tuple[_Sentence, GoalRecord]] = [(s, r) for s, r in placed if isinstance(r, GoalRecord)]
    for sentence, record in placed:
        if not isinstance(record, EffortRecord) or record.goals:
            continue
        block = blocks[sentence.block]
        if block.section in heading_goals:
            record.goals, record.goal_link = [heading_goals[block.section]], "kop"
            continue
        before = [g for s, g in goals if s.block == sentence.block and s.last <= sentence.first]
        if before:
            record.goals, record.goal_link = [before[-1]], "nabijheid"
            continue
        section = [g for s, g in goals if blocks[s.block].section == block.section and s.first < sentence.first]
        if block.section and len(section) == 1:
            record.goals, record.goal_link = [section[0]], "kop"
