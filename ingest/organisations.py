"""Organisations and political parties named in the running text of a Dutch municipal document.

Pure: lines in, plain records out, no RDF. The rules rest on shapes Dutch texts share:

* a type noun before a proper name: 'Stichting Welzijn Zuiddorp', 'gemeente Den Haag', 'de zorgverzekeraar X',
  'ministerie van Justitie en Veiligheid';
* a head noun inside a run of capitalised words: 'Sociaal Team Zuiddorp', 'Linde Groep', 'Schooladviesdienst';
* a name with its abbreviation in brackets, either way round: 'Veiligheidsregio Noord (VRN)', 'CRZ (Cliënten
  Raad Zuiddorp)'; known acronyms ('GGD', 'COA') and institutions named by a common noun ('politie', 'het Rijk');
* lists: after a cue ('Stakeholders: ...', 'partners, te weten: ...'), before one ('X, Y en andere partijen'),
  municipalities after 'gemeenten' or 'wethouders van', and the capitalised neighbours of an organisation in an
  enumeration ('bewoners, Energie X, Woonstichting Y, Waterschap Z en de provincie');
* 'X is de uitvoeringsorganisatie van ...': a type noun after the copula;
* party names, only in a sentence about politics, and then as parties.

The words live in ``vocabularies/organisations.yaml``. ``find`` returns ``Organisation`` records (the abbreviation is
kept for the graph's alternative label); ``as_actor_records`` gives the ``ActorRecord`` extraction uses for actors.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml
from rapidfuzz import fuzz

from beleidsgraaf.ingest.records import ActorRecord, Evidence
from beleidsgraaf.ingest.text import clean, norm, quote
from beleidsgraaf.textkey import letters_in_order

VOCABULARY_PATH = Path(__file__).with_name("vocabularies") / "organisations.yaml"
MAX_NAME_WORDS = 8  # a longer capitalised run is a title or a heading, not a name
MAX_ITEM_WORDS = 8  # a list item longer than this is a sentence: the list has ended
SAME_NAME_SCORE = 94  # two spellings a typo apart in one document name one organisation
LONG_LINE = 0.7  # share of the usual line width above which a line is wrapped prose rather than a heading or cell
BULLETS = frozenset("•·▪◦*-–—\u25aa\u25cf\u2022\uf0b7\uf0a7\uf076\uf0d8\uf0fc")
SENTENCE_END = frozenset(".!?:;")
STOPS = frozenset(".!?")
SEPARATORS = frozenset({",", "/", "en", "&"})
ARTICLES = frozenset({"de", "het"})


@dataclass(frozen=True)
class Organisation:
    name: str
    abbreviation: str | None
    kind: str  # "organisation" | "party"
    evidence: Evidence
    category: str | None = None  # the type noun the text gives it ('stichting', 'gemeente'), lower case


@dataclass(frozen=True)
class OrganisationVocabulary:
    keep_types: tuple[str, ...]  # the type noun is part of the name ('Stichting X')
    drop_types: tuple[str, ...]  # the type noun only says what the name is ('zorgverzekeraar X')
    capitalised_only: frozenset[str]
    enumerating: frozenset[str]
    heads: tuple[str, ...]
    multiword_only_heads: frozenset[str]
    internal_units: frozenset[str]
    not_heads: frozenset[str]
    adjective_endings: tuple[str, ...]
    not_organisations: frozenset[str]
    acronyms: frozenset[str]
    institutions: tuple[str, ...]
    list_cues: tuple[str, ...]
    list_openers: tuple[str, ...]
    list_closers: tuple[str, ...]
    municipality_nouns: frozenset[str]
    municipality_plural: tuple[str, ...]
    municipality_governors: tuple[str, ...]
    sentence_words: frozenset[str]
    field_words: frozenset[str]
    heading_markers: frozenset[str]
    own_bodies: tuple[str, ...]
    particles: frozenset[str]
    abbreviations: frozenset[str]
    parties: tuple[str, ...]
    party_cues: frozenset[str]
    party_nouns: tuple[str, ...]


def _words(data: dict[str, Any], key: str, *, lower: bool = False) -> tuple[str, ...]:
    values = tuple(str(v) for v in data.get(key) or [])
    return tuple(v.lower() for v in values) if lower else values


def vocabulary_from(data: dict[str, Any]) -> OrganisationVocabulary:
    types = data.get("type_nouns") or {}
    return OrganisationVocabulary(
        keep_types=_words(types, "keep", lower=True),
        drop_types=_words(types, "drop", lower=True),
        capitalised_only=frozenset(_words(data, "capitalised_only", lower=True)),
        enumerating=frozenset(_words(data, "enumerating", lower=True)),
        heads=_words(data, "head_nouns", lower=True),
        multiword_only_heads=frozenset(_words(data, "multiword_only_heads", lower=True)),
        internal_units=frozenset(_words(data, "internal_unit_words", lower=True)),
        not_heads=frozenset(_words(data, "not_heads", lower=True)),
        adjective_endings=_words(data, "adjective_endings", lower=True),
        not_organisations=frozenset(norm(w) for w in _words(data, "not_organisations")),
        acronyms=frozenset(_words(data, "acronyms")),
        institutions=_words(data, "institutions"),
        list_cues=_words(data, "list_cues", lower=True),
        list_openers=_words(data, "list_openers", lower=True),
        list_closers=_words(data, "list_closers", lower=True),
        municipality_nouns=frozenset(_words(data, "municipality_nouns", lower=True)),
        municipality_plural=_words(data, "municipality_plural", lower=True),
        municipality_governors=_words(data, "municipality_governors", lower=True),
        sentence_words=frozenset(_words(data, "sentence_words")),
        field_words=frozenset(_words(data, "field_words")),
        heading_markers=frozenset(_words(data, "heading_markers")),
        own_bodies=_words(data, "own_bodies", lower=True),
        particles=frozenset(_words(data, "particles", lower=True)),
        abbreviations=frozenset(_words(data, "abbreviations")),
        parties=_words(data, "parties"),
        party_cues=frozenset(_words(data, "party_cues", lower=True)),
        party_nouns=_words(data, "party_nouns", lower=True),
    )


@cache
def load_vocabulary(path: Path = VOCABULARY_PATH) -> OrganisationVocabulary:
    """The vocabulary in ``path`` (default ``vocabularies/organisations.yaml``)."""
    return vocabulary_from(yaml.safe_load(path.read_text(encoding="utf-8")) or {})


# -- text and tokens ------------------------------------------------------------------------------------------

class _Token(NamedTuple):
    start: int
    end: int
    text: str


# Words keep inner dots ('B.V.', 'o.a.'), hyphens ('Zuid-Holland', 'Kust-') and '&' ('B&W'); a final full stop is
# split off below unless the word is a known abbreviation or initials.
_TOKEN = re.compile(r"\w[\w’'&+-]*(?:\.\w[\w’'&+-]*)*\.?|[^\w\s]")
_INITIALS = re.compile(r"(?:[A-Z]\.){1,4}")
_BLANK = re.compile(r"\n[ \t\f\r\u00a0]*\n")
_FIELD = re.compile(r"\s*\w[\w ]{0,30}:")
_DOUBLE_BLANK = re.compile(r"\n[ \t\f\r\u00a0]*\n[ \t\f\r\u00a0]*\n")
_NUMBERING = re.compile(r"\d+(?:\.\d+)*\.?|[a-zA-Z]|[IVXivx]{1,4}")
_ABBREVIATION = re.compile(r"[A-Z][A-Za-z&]{1,9}")


def _is_cap(word: str) -> bool:
    return word[:1].isupper()


def _is_word(word: str) -> bool:
    return word[:1].isalnum()


def _is_abbreviation(word: str) -> bool:
    return _ABBREVIATION.fullmatch(word) is not None and sum(ch.isupper() for ch in word) >= 2


class _Text:
    """The lines first..last joined by newlines and tokenised, with the line of every offset."""

    def __init__(self, lines: Sequence[str], first: int, last: int, vocabulary: OrganisationVocabulary) -> None:
        self.lines = lines
        self.first = first
        chosen = [lines[n - 1] for n in range(first, last + 1)]
        self.text = "\n".join(chosen)
        self.starts: list[int] = []
        offset = 0
        for line in chosen:
            self.starts.append(offset)
            offset += len(line) + 1
        widths = sorted(len(line.strip()) for line in chosen if line.strip())
        usual = widths[int(len(widths) * 0.75)] if widths else 0
        self.long_lines = {first + i for i, line in enumerate(chosen) if len(line.strip()) >= LONG_LINE * usual}
        # Double-spaced text (a blank line after every line, as some PDF exports write it) wraps names over a single
        # blank line, as other text wraps them over a line break.
        filled = [bool(line.strip()) for line in chosen]
        followed = sum(1 for a, b in zip(filled, filled[1:], strict=False) if a and not b)
        self.double_spaced = bool(filled) and followed > 0.6 * sum(filled)
        self.tokens: list[_Token] = []
        for match in _TOKEN.finditer(self.text):
            word = match.group(0)
            if word.endswith(".") and len(word) > 1 and word not in vocabulary.abbreviations \
                    and not _INITIALS.fullmatch(word):
                self.tokens.append(_Token(match.start(), match.end() - 1, word[:-1]))
                self.tokens.append(_Token(match.end() - 1, match.end(), "."))
            else:
                self.tokens.append(_Token(match.start(), match.end(), word))
        self.token_starts = [t.start for t in self.tokens]

    def line_of(self, offset: int) -> int:
        return self.first + bisect_right(self.starts, offset) - 1

    def gap(self, index: int) -> str:
        """The text between token index-1 and token index."""
        before = self.tokens[index - 1].end if index > 0 else 0
        return self.text[before:self.tokens[index].start]

    def blank_before(self, index: int) -> bool:
        return index <= 0 or index >= len(self.tokens) or _BLANK.search(self.gap(index)) is not None

    def newline_before(self, index: int) -> bool:
        return index <= 0 or index >= len(self.tokens) or "\n" in self.gap(index)

    def soft_blank(self, index: int) -> bool:
        """A single blank line in double-spaced text, which says nothing about where a sentence ends."""
        return self.double_spaced and 0 < index < len(self.tokens) and not _DOUBLE_BLANK.search(self.gap(index))

    def wraps_into(self, index: int) -> bool:
        """May a name go on from token index-1 to token index? On the same line, yes; over a line break only when
        the line before is wrapped prose (a long line) and the next line does not start indented: a short line is a
        heading or a table cell, and an indented one starts a new item or page."""
        if not self.newline_before(index):
            return True
        if self.blank_before(index) and not self.soft_blank(index):
            return False
        line = self.line_of(self.tokens[index].start)
        previous = self.line_of(self.tokens[index - 1].start)
        text = self.lines[line - 1]
        # an indented line and a form field ('Planning: 2025') open something new
        return previous in self.long_lines and not text[:1].isspace() and not _FIELD.match(text)

    def token_at(self, offset: int) -> int | None:
        i = bisect_right(self.token_starts, offset) - 1
        return i if i >= 0 and self.tokens[i].start <= offset < self.tokens[i].end else None

    def evidence(self, start: int, end: int) -> Evidence:
        first, last = self.line_of(start), self.line_of(max(start, end - 1))
        return Evidence(first, last, quote(" ".join(self.lines[n - 1] for n in range(first, last + 1))))


# -- the finder -----------------------------------------------------------------------------------------------

@dataclass
class _Candidate:
    first: int  # token indices [first, end)
    end: int
    name: str
    abbreviation: str | None = None
    kind: str = "organisation"
    category: str | None = None
    bracket_end: int | None = None  # token index after '(ABBR)' when the mention carries one


class _Finder:
    def __init__(self, text: _Text, vocabulary: OrganisationVocabulary, municipality: str | None) -> None:
        self.t = text
        self.v = vocabulary
        self.tokens = text.tokens
        self.own = norm(municipality) if municipality else None
        self.candidates: list[_Candidate] = []
        types = [(t, True) for t in vocabulary.keep_types] + [(t, False) for t in vocabulary.drop_types]
        # Longest first, so 'politie eenheid' wins over 'politie' and 'gemeenschappelijke regeling' is one noun.
        self.types: dict[str, list[tuple[list[str], bool]]] = {}
        for words, keep in sorted(((t.split(), keep) for t, keep in types), key=lambda tk: -len(tk[0])):
            self.types.setdefault(words[0], []).append((words, keep))
        self.single_types = {first for first, entries in self.types.items() if any(len(w) == 1 for w, _ in entries)}
        self.low = [t.text.lower() for t in self.tokens]
        self.plural_endings = tuple(vocabulary.municipality_plural)
        self.institutions = [(p, re.compile(rf"(?<![\w-])(?:{p})(?![\w-])", re.I)) for p in vocabulary.institutions]
        parties = sorted(vocabulary.parties, key=len, reverse=True)
        self.party_re = re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(p) for p in parties) + r")(?![\w-])") \
            if parties else None
        self.party_names = {norm(p) for p in vocabulary.parties}
        # Words the text writes in lower case at least twice are common nouns ('zorg', 'inzet'); once may be a typo
        # in a name.
        counts = Counter(t.text for t in self.tokens if t.text.islower())
        self.common_words = {word for word, count in counts.items() if count >= 2}

    # -- token helpers --------------------------------------------------------------------------------------
    def word(self, index: int) -> str:
        return self.tokens[index].text if 0 <= index < len(self.tokens) else ""

    def sentence_start(self, index: int) -> bool:
        """Does token index open a sentence, a heading or a list item? Bullets and numbering before it on the same
        line are skipped; a line start after a line that ends mid-sentence is no sentence start."""
        j = index - 1
        while j >= 0 and not self.t.newline_before(j + 1) and (
                self.word(j) in BULLETS or _NUMBERING.fullmatch(self.word(j)) or self.word(j) in (")", "(")
                or self.word(j) in self.v.heading_markers):
            j -= 1
        if j < 0:
            return True
        previous = self.word(j)
        if self.t.newline_before(j + 1):
            if self.t.blank_before(j + 1):
                return True
            return not (previous[-1:].islower() or previous in (",", "(", "-", "&") or previous in self.v.particles)
        return previous in SENTENCE_END or previous in BULLETS

    def starts_name(self, index: int) -> bool:
        word = self.word(index)
        return _is_cap(word) and _is_word(word) and word not in self.v.field_words

    def lower_particle(self, index: int) -> bool:
        word = self.word(index)
        return word.islower() and word in self.v.particles

    def run(self, index: int, *, join_en: bool = True, any_en: bool = False, limit: int = MAX_NAME_WORDS) -> int:
        """End (exclusive token index) of the run of capitalised words from index: particles between capitals
        ('Kamer van Koophandel'), a line break where the line wraps, 'X en Y' when Y is one last word that starts
        no organisation of its own ('Justitie en Veiligheid'), suspended compounds ('Land-, Tuin- en Bosbouw')."""
        end = index + 1
        words = 1
        while end < len(self.tokens) and words < limit:
            word = self.word(end)
            previous = self.word(end - 1)
            if not self.t.wraps_into(end):
                break
            if self.t.newline_before(end) and word in self.v.sentence_words:
                break
            if self.starts_name(end):
                end += 1
                words += 1
                continue
            if previous.endswith("-") and word == "," and (self.starts_name(end + 1) or self.word(end + 1) == "en"):
                end += 1  # 'Land-, Tuin-': the comma belongs to the name
                continue
            if self.lower_particle(end):
                nxt = end + 1
                while self.lower_particle(nxt):
                    nxt += 1
                # 'Kamer van Koophandel', 'Raad voor de Kinderbescherming'; but an article alone ('Raad het
                # Voorstel') joins nothing, and particles neither lead to an acronym ('Belastingdienst voor het
                # BCF') nor follow one ('COA voor Zuiddorp' is the acronym and a place).
                article_only = nxt == end + 1 and word in ARTICLES
                if self.starts_name(nxt) and not article_only and not self.word(nxt).isupper() \
                        and not previous.isupper() and all(self.t.wraps_into(i) for i in range(end, nxt + 1)):
                    end = nxt
                    continue
                break
            if word == "en" and join_en and self.starts_name(end + 1) and self.t.wraps_into(end + 1):
                last = self.word(end + 1)
                # an adjective starts a phrase of its own: 'Sociaal Team en Integrale toegang'
                single = (not self.starts_name(end + 2) or not self.t.wraps_into(end + 2)) and not self.adjective(last)
                suspended = previous.endswith("-") or (previous == "," and self.word(end - 2).endswith("-"))
                # 'Justitie en Veiligheid' is one name: its words are common nouns the text also writes in lower case;
                # a proper name after 'en' is an organisation of its own, and so is anything after a head word
                # ('Opvoedbureau en X').
                common = any_en or (last.lower() in self.common_words and self.head_of(previous, 2) is None)
                if suspended or (single and common and not self.starts_organisation(last)
                                 and last not in self.v.sentence_words):
                    end += 2
                    words += 1
                    continue
            break
        return end

    def starts_organisation(self, word: str) -> bool:
        """A word that opens an organisation of its own: 'GGD X en Veilig Thuis' is two names, not one."""
        return (word in self.v.acronyms or word.lower() in self.single_types
                or any(pattern.fullmatch(word) for _, pattern in self.institutions))

    def span_text(self, first: int, end: int) -> str:
        return clean(self.t.text[self.tokens[first].start:self.tokens[end - 1].end])

    def words_in(self, first: int, end: int) -> list[str]:
        return [self.word(i) for i in range(first, end) if _is_word(self.word(i))]

    def add(self, first: int, end: int, name: str | None = None, *, abbreviation: str | None = None,
            kind: str = "organisation", category: str | None = None, bracket_end: int | None = None) -> None:
        name = clean(name if name is not None else self.span_text(first, end)).strip("'’‘\"“”")
        if len(name) < 2 or norm(name) in self.v.not_organisations or first >= end:
            return
        # 'afdeling Jeugdgezondheidszorg' is a unit of the municipality; 'een Buurtbeheerbedrijf' a kind, no name.
        before = self.word(first - 1)
        if kind == "organisation" and (before in self.v.internal_units or before.lower() == "een"):
            return
        self.candidates.append(_Candidate(first, end, name, abbreviation, kind, category, bracket_end))

    # -- what a word is -------------------------------------------------------------------------------------
    def head_of(self, word: str, words_in_name: int) -> str | None:
        low = word.lower().rstrip(".")
        if low in self.v.not_heads:
            return None
        for head in self.v.heads:
            bare = head.rstrip(".")
            if low == bare:
                if words_in_name >= 2:
                    return head
            elif low.endswith(bare) and len(low) - len(bare) >= 3 and (
                    words_in_name >= 2 or head not in self.v.multiword_only_heads):
                return head
        return None

    def has_head(self, words: list[str]) -> bool:
        return any(self.head_of(w, len(words)) for w in words)

    def adjective(self, word: str) -> bool:
        return word.lower().endswith(self.v.adjective_endings)

    def type_at(self, index: int) -> tuple[int, str, bool] | None:
        """A type noun starting at token index: (its end index, the noun, whether it belongs to the name)."""
        if index >= len(self.tokens):
            return None
        for words, keep in self.types.get(self.low[index], ()):
            end = index + len(words)
            if self.low[index:end] != words:
                continue
            if not all(self.t.wraps_into(i) for i in range(index + 1, end)):
                continue
            noun = " ".join(words)
            if noun in self.v.capitalised_only and not _is_cap(self.word(index)):
                continue
            return end, noun, keep
        return None

    def bracketed(self, end: int) -> tuple[str | None, int | None]:
        """'(VRH)' or '(GGD HM)' right after token end-1: the abbreviation and the token index after the bracket."""
        if self.word(end) != "(":
            return None, None
        close = next((i for i in range(end + 2, end + 4) if self.word(i) == ")"), None)
        words = [self.word(i) for i in range(end + 1, close)] if close else []
        if words and _is_abbreviation(words[0]) and all(w.isupper() for w in words[1:]):
            return " ".join(words), close + 1
        return None, None

    # -- rules ----------------------------------------------------------------------------------------------
    def typed_names(self) -> None:
        """'Stichting Welzijn Zuiddorp', 'gemeente Den Haag', 'de zorgverzekeraar X', 'ministerie van Onderwijs,
        Cultuur en Wetenschap'."""
        index = 0
        while index < len(self.tokens):
            found = self.type_at(index)
            if not found:
                index += 1
                continue
            type_end, noun, keep = found
            name_word = self.word(type_end)
            if not self.starts_name(type_end) or not self.t.wraps_into(type_end) or (
                    name_word in self.v.sentence_words and name_word not in ("De", "Den", "Het")):
                index += 1
                continue
            before = self.word(index - 1)
            if _is_cap(self.word(index)) and self.starts_name(index - 1) and self.t.wraps_into(index) \
                    and before not in self.v.sentence_words and not self.adjective(before) \
                    and not self.sentence_start(index - 1):
                index += 1
                continue  # 'de Wet Politie Gegevens': the type noun is inside another name, capital_runs judges it
            enumerating = noun in self.v.enumerating
            municipal = noun in self.v.municipality_nouns
            end = self.run(type_end, join_en=not municipal, any_en=enumerating)
            while enumerating and self.word(end) == "," and self.starts_name(end + 1) and self.t.wraps_into(end + 1):
                end = self.run(end + 1, any_en=True)
            abbreviation, bracket_end = self.bracketed(end)
            initials = {norm(self.span_text(index, end))[:1], norm(self.span_text(type_end, end))[:1]}
            if abbreviation and abbreviation[0].lower() not in initials:
                index = end
                continue  # '(Wet) Politie Gegevens (WPG)': the brackets abbreviate a longer name around this one
            if municipal:
                if not name_word.isupper():  # 'gemeente BBV' is no municipality's name
                    self.add(index, end, f"gemeente {self.span_text(type_end, end)}", category="gemeente")
            else:
                self.add(index if keep else type_end, end, abbreviation=abbreviation, category=noun,
                         bracket_end=bracket_end)
            index = end

    def capital_runs(self) -> None:
        """Runs of capitalised words with a head noun ('Sociaal Team Zuiddorp', 'Sporthal Beheer Zuiddorp BV'),
        or with an abbreviation in brackets that fits them."""
        index = 0
        while index < len(self.tokens):
            if not self.starts_name(index):
                index += 1
                continue
            end = self.run(index)
            self.consider_run(index, end)
            index = end

    def trimmed(self, first: int, end: int) -> tuple[int, int]:
        """Cut sentence words off the front ('Daarnaast', a sentence-initial 'De') and particles off the end. An
        article inside a sentence stays: 'in De Zuiddorpse Krant'."""
        while first < end:
            word = self.word(first)
            article = word in ("De", "Het", "Den")
            if word in self.v.sentence_words and not (article and not self.sentence_start(first) and first + 1 < end) \
                    or self.lower_particle(first):
                first += 1
                continue
            break
        while end > first and (self.word(end - 1).islower() or self.word(end - 1) in (",", "&")):
            end -= 1
        return first, end

    def consider_run(self, first: int, end: int) -> None:
        first, end = self.trimmed(first, end)
        if first >= end:
            return
        words = self.words_in(first, end)
        if len(words) >= 2 and all(w.isupper() for w in words) and not all(w in self.v.acronyms for w in words):
            return  # an all-caps heading
        abbreviation, bracket_end = self.bracketed(end)
        named = words[1:] if words[0] in ("De", "Het") else words  # 'De Raad' is one word with an article
        if abbreviation:
            self.abbreviated(first, end, abbreviation, bracket_end)
            return
        head_at = next((i for i in range(first, end) if self.head_of(self.word(i), len(named))), None)
        if head_at is None:
            if words[0] in self.v.acronyms and len(words) <= 4:
                self.add(first, end)  # 'GGD Noord', 'UWV Zuid-Holland'
            return
        if len(words) == 1 and words[0].lower() in self.common_words:
            return  # 'extern Adviesbureau': the text also writes 'adviesbureau', a common noun
        # After 'Jan de' the run goes on a person's name: 'Jan de Vries Stichting X' lists a person and a body.
        continues = self.lower_particle(first - 1) and self.starts_name(first - 2)
        if self.sentence_start(first) or continues:
            if len(words) == 1:
                return  # a single capitalised word opening a sentence says nothing about being a name
            # 'Bijdrage Veiligheidsregio Noord': words before the head at a sentence start are the sentence's own
            # unless they are adjectives ('Lokale Kamer', 'Zuiddorpse Woningstichting').
            cut = first
            while cut < head_at and self.adjective(self.word(cut)):
                cut += 1
            if cut < head_at:
                first = head_at
                if len(self.words_in(first, end)) == 1:
                    return  # 'Buurt Beheerbedrijf' as a heading: 'Beheerbedrijf' alone is a common noun
        if self.word(first).lower() in self.v.internal_units:
            return  # 'Directeur Dienst Wijken': a unit of the municipality
        self.add(first, end)

    def abbreviated(self, first: int, end: int, abbreviation: str, bracket_end: int | None) -> None:
        """The name is the shortest tail of the run whose initials fit the abbreviation ('Bijdrage Veiligheidsregio
        Noord (VRN)' names the Veiligheidsregio), widened by a type or head word before it ('Werkvoorzieningsschap
        Land en Duin (LD)'). It counts when it has a head or type noun or the abbreviation is a known organisation
        acronym: 'Regionaal Risicoprofiel (RRP)' is a document."""
        start = None
        for i in range(end - 1, first - 1, -1):
            if self.starts_name(i):
                tail = norm(self.span_text(i, end))
                if tail[:1] == abbreviation[0].lower() and letters_in_order(abbreviation.replace(" ", ""), tail, anchored=True):
                    start = i
                    break
        if start is None:
            return
        if start > first and (self.head_of(self.word(start - 1), 2) or self.type_at(start - 1)):
            start -= 1
        words = self.words_in(start, end)
        known = abbreviation in self.v.acronyms
        if (self.has_head(words) or self.type_at(start) or known) and words[0].lower() not in self.v.internal_units:
            self.add(start, end, abbreviation=abbreviation, bracket_end=bracket_end)

    def reverse_abbreviations(self) -> None:
        """'CRZ (Cliënten Raad Zuiddorp)': an abbreviation with its expansion in brackets."""
        for index in range(len(self.tokens)):
            word = self.word(index)
            if not (_is_abbreviation(word) and word.isupper() and self.word(index + 1) == "("
                    and self.starts_name(index + 2)):
                continue
            end = self.run(index + 2)
            if self.word(end) != ")" or not letters_in_order(word, norm(self.span_text(index + 2, end)), anchored=True):
                continue
            words = self.words_in(index + 2, end)
            if self.has_head(words) or self.type_at(index + 2) or word in self.v.acronyms:
                self.add(index, end + 1, self.span_text(index + 2, end), abbreviation=word)

    def acronyms(self) -> None:
        """Known acronyms standing alone: 'COA', 'VNG/VSG'."""
        for index, token in enumerate(self.tokens):
            if token.text in self.v.acronyms:
                self.add(index, index + 1)

    def institution_names(self) -> None:
        """'politie', 'het Rijk', 'Openbaar Ministerie': organisations texts name by a common noun or a fixed name."""
        for source, pattern in self.institutions:
            for match in pattern.finditer(self.t.text):
                first = self.t.token_at(match.start())
                last = self.t.token_at(match.end() - 1)
                if first is None or last is None:
                    continue
                # A plain word in the vocabulary is the name however the text capitalises it ('Politie' opening a
                # sentence is the 'politie' of the rest of the text); a pattern keeps the words it matched.
                name = source if re.fullmatch(r"[\w '&-]+", source) else match.group(0)
                self.add(first, last + 1, name)

    # -- lists ----------------------------------------------------------------------------------------------
    def items(self, index: int, *, over_blank: bool = False) -> Iterable[tuple[int, int]]:
        """The items of a list from token index: token ranges between ',', '/', 'en', '&', skipping brackets; the
        list ends at a sentence end, the closing bracket, a blank line, or a long item. ``over_blank``: a blank line
        after a comma or a particle does not end it (double-spaced text puts them inside sentences)."""
        start = index
        depth = 0
        while index < len(self.tokens):
            word = self.word(index)
            if self.t.blank_before(index) and index > start and not self.t.soft_blank(index) and not (over_blank and (
                    self.word(index - 1) == "," or self.word(index - 1).lower() in self.v.particles)):
                break
            if word == "(":
                depth += 1
            elif word == ")":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and (word in STOPS or word in (":", ";")):
                break
            elif depth == 0 and word in SEPARATORS:
                if start < index:
                    yield start, index
                start = index + 1
            if depth == 0 and len(self.words_in(start, index + 1)) > MAX_ITEM_WORDS:
                return
            index += 1
        if start < index:
            yield start, index

    def item_name(self, first: int, end: int) -> tuple[int, int] | None:
        """The capitalised name an item opens with: 'de Kamer van Koophandel' -> 'Kamer van Koophandel'."""
        while first < end and self.word(first).lower() in ARTICLES:
            first += 1
        if first >= end or not self.starts_name(first) or self.word(first) in self.v.sentence_words:
            return None
        stop = min(self.run(first, join_en=False), end)
        while stop > first and self.word(stop - 1).islower():
            stop -= 1
        words = self.words_in(first, stop)
        if not words or words[0].lower() in self.v.internal_units or norm(" ".join(words)) in self.party_names:
            return None
        if any(ch.isdigit() for ch in words[0]) or _INITIALS.fullmatch(words[0]):
            return None  # 'H4', 'G40' label groups of municipalities; 'F.W. van Ardenne' is a person
        if len(words) >= 2 and all(w.isupper() for w in words) and not all(w in self.v.acronyms for w in words):
            return None  # 'GGZ POH': an all-caps phrase, not a name
        if len(words) == 1 and words[0].lower() in self.common_words:
            return None  # 'Zorg', 'Inzet': the text writes the word in lower case elsewhere, so it is a common noun
        return first, stop

    def add_item(self, first: int, end: int) -> None:
        named = self.item_name(first, end)
        if not named:
            return
        start, stop = named
        typed = self.type_at(start)
        if typed and typed[1] in self.v.municipality_nouns:
            return  # typed_names has it
        abbreviation, bracket_end = self.bracketed(stop)
        self.add(start, stop, abbreviation=abbreviation, bracket_end=bracket_end)

    def lists(self) -> None:
        """'Stakeholders: Port of X, Provincie Y, ROC, Hogeschool Z.', 'samenwerkende partners, te weten: X, Y en
        Z', and backwards 'huisartsen, Buurtzorg Zuiddorp, GGD en andere partijen'."""
        if not self.v.list_cues:
            return
        cues = "|".join(re.escape(c) for c in sorted(self.v.list_cues, key=len, reverse=True))
        # a cue may end a compound: 'schulddienstverleningsorganisaties:'
        cue_word = re.compile(rf"(?:{cues})(?![\w-])", re.I)
        starts = [m.end() for m in re.finditer(rf"(?:{cues})\s*(?:\([^)]{{0,80}}\))?\s*:", self.t.text, re.I)]
        if self.v.list_openers:
            openers = "|".join(self.v.list_openers)
            for match in re.finditer(rf"(?<![\w-])(?:{openers})\s*:?(?=\s)", self.t.text, re.I):
                # an opener needs a cue in the same paragraph: 'partijen die diensten leveren. Dit zijn: X, Y'
                paragraph = _BLANK.split(self.t.text[max(0, match.start() - 200):match.start()])[-1]
                if cue_word.search(paragraph):
                    starts.append(match.end())
        for offset in starts:
            index = self.t.token_at(offset - 1)
            if index is not None:
                for first, end in self.items(index + 1, over_blank=True):
                    self.add_item(first, end)
        if self.v.list_closers:
            closers = "|".join(self.v.list_closers)
            for match in re.finditer(rf"\ben\s+(?:{closers})\s+\w*(?:{cues})\b", self.t.text, re.I):
                index = self.t.token_at(match.start())
                if index is not None:
                    for first, end in self.items_before(index):
                        self.add_item(first, end)

    def items_before(self, index: int) -> list[tuple[int, int]]:
        """The items of a list before the separator at token index ('..., GGD en andere partijen'), back to the
        first item."""
        found: list[tuple[int, int]] = []
        end = index
        cursor = index - 1
        while cursor >= 0:
            first = cursor
            while first >= 0 and self.word(first) not in SEPARATORS and self.word(first) not in SENTENCE_END \
                    and end - first <= MAX_ITEM_WORDS and not self.t.blank_before(first + 1):
                first -= 1
            found.append((first + 1, end))
            if first < 0 or self.word(first) not in SEPARATORS:
                break
            end = first
            cursor = first - 1
        # The first item also holds the words that lead into the list ('gewerkt met huisartsen'). After ':' it is
        # all item; else only a name with an article before it counts ('met de SWZ en de Stichting X').
        if found and self.word(found[-1][0] - 1) != ":":
            first, end = found.pop()
            start = end
            while start > first and (self.starts_name(start - 1) or self.lower_particle(start - 1)):
                start -= 1
            if start < end and self.starts_name(start) and self.word(start - 1).lower() in ARTICLES:
                found.append((start - 1, end))
        return found

    def neighbours(self, chosen: list[_Candidate]) -> None:
        """Capitalised items of an enumeration that holds an organisation are organisations: 'bewoners, Energie X,
        Woonstichting Y, Waterschap Z en de provincie'. Two items only when the other one has an article ('de SWZ
        en de Stichting X'): 'Crisisbeheersing en Brandweer' is a heading."""
        for candidate in chosen:
            if candidate.kind != "organisation" or candidate.category == "gemeente" or not _is_cap(candidate.name) \
                    or len(candidate.name.split()) < 2:
                # Municipalities have their own lists; 'politie, brandweer en Economische Zaken' is generic, and a
                # bare acronym may name a place in a list of places (a site named after its former occupant).
                continue
            lead = candidate.first - 1 if self.word(candidate.first - 1).lower() in ARTICLES else candidate.first
            right = candidate.bracket_end if candidate.bracket_end is not None else candidate.end
            left_separator, right_separator = self.word(lead - 1), self.word(right)
            before = self.items_before(lead - 1) if left_separator in SEPARATORS else []
            after = list(self.items(right + 1)) if right_separator in SEPARATORS else []
            neighbours = before + after
            if not neighbours:
                continue
            # Without a comma 'X en Y' is a list only with articles on both sides ('de SWZ en de Stichting X');
            # in 'Buurtvereniging Noord en Omstreken' or 'de tafel Duin en Polder en de Provincie' the words
            # around 'en' belong to other names.
            articles = len(neighbours) == 1 and lead < candidate.first and self.word(neighbours[0][0]).lower() in ARTICLES
            if not {left_separator, right_separator} & {",", "/"} and not articles:
                continue
            for first, end in neighbours:
                self.add_item(first, end)

    def municipalities(self) -> None:
        """'de gemeenten (Delft, Rijswijk en Westland)', 'tussen de gemeenten Leiden en Katwijk', 'de wethouders
        van Rijswijk (H4) en Den Haag (H1)'."""
        governors = [g.split() for g in self.v.municipality_governors]
        for index in range(len(self.tokens)):
            low = self.word(index).lower()
            start = None
            plural = low.endswith(self.plural_endings) and any(
                low == p or low.endswith("-" + p) for p in self.v.municipality_plural)
            if plural:
                start = index + 1
            for words in governors:
                if low == words[0] and self.low[index:index + len(words)] == words:
                    start = index + len(words)
            if start is None:
                continue
            if self.word(start) in ("(", ":"):
                start += 1
            elif not (self.starts_name(start) and self.t.wraps_into(start)):
                continue  # 'partners (onderwijs, gemeenten, Werkplein)': no list of municipalities
            names: list[tuple[int, int]] = []
            for first, end in self.items(start):
                while first < end and self.word(first).lower() in ARTICLES | self.v.municipality_nouns:
                    first += 1
                word = self.word(first)
                # A municipality's name is neither a sentence word nor all caps ('Gemeenten (BBV)' is an
                # abbreviation); a word the text also writes in lower case is no name ('Post & Archief').
                if first >= end or not self.starts_name(first) or word in self.v.sentence_words or word.isupper():
                    break
                if word.lower() in self.common_words:
                    continue
                stop = min(self.run(first, join_en=False, limit=4), end)
                names.append((first, stop))
                if stop < end and self.word(stop) != "(":
                    break  # 'Leiden en Katwijk op het gebied van ...': the sentence goes on
            if plural and len(names) < 2:
                continue  # 'Provincies en Gemeenten (Wvg)': one bracketed word after a plural is no list
            for first, stop in names:
                self.add(first, stop, f"gemeente {self.span_text(first, stop)}", category="gemeente")

    def copulas(self) -> None:
        """'X is de uitvoeringsorganisatie van de GR Y': a name followed by 'is de/een <type noun>'."""
        for index in range(len(self.tokens)):
            if self.word(index) not in ("is", "was", "wordt") or self.word(index + 1).lower() not in ("de", "een"):
                continue
            cursor = index + 2
            while cursor < index + 4 and self.word(cursor).islower() and not self.type_at(cursor):
                cursor += 1
            typed = self.type_at(cursor)
            if not typed or typed[1] in self.v.municipality_nouns:
                continue
            first = index
            while first > 0 and self.starts_name(first - 1) and not self.t.newline_before(first):
                first -= 1
            if first < index:
                start, end = self.trimmed(first, index)
                if start < end:
                    self.add(start, end, category=typed[1])

    def parties(self) -> None:
        """Party names in a sentence about politics ('De coalitie van VVD, CDA en D66'), and the names after
        'fractie' ('de fractie van Hart voor Zuiddorp')."""
        for start, stop in self.sentences():
            sentence = self.t.text[start:stop]
            if not {w.lower() for w in re.findall(r"\w+", sentence)} & self.v.party_cues:
                continue
            if self.party_re:
                for match in self.party_re.finditer(sentence):
                    first = self.t.token_at(start + match.start())
                    last = self.t.token_at(start + match.end() - 1)
                    if first is not None and last is not None:
                        self.add(first, last + 1, match.group(0), kind="party")
            for noun in self.v.party_nouns:
                for match in re.finditer(rf"(?<![\w-]){re.escape(noun)}\s+(?=[A-Z0-9])", sentence, re.I):
                    first = self.t.token_at(start + match.end())
                    if first is None or not self.starts_name(first) or self.word(first) in self.v.sentence_words:
                        continue
                    self.add(first, self.run(first, join_en=False, limit=5), kind="party")

    def sentences(self) -> Iterable[tuple[int, int]]:
        start = 0
        for index, token in enumerate(self.tokens):
            if token.text in STOPS:
                yield start, token.end
                start = token.end
            elif index and self.t.blank_before(index):
                yield start, self.tokens[index - 1].end
                start = token.start
        yield start, len(self.t.text)

    # -- result ---------------------------------------------------------------------------------------------
    def chosen(self) -> list[_Candidate]:
        """Parties first (a party name is never an organisation), then the longest mentions; a mention inside a
        chosen one is part of it."""
        parties = [c for c in self.candidates if c.kind == "party"]
        party_keys = {norm(c.name) for c in parties} | self.party_names
        organisations = [c for c in self.candidates if c.kind != "party" and norm(c.name) not in party_keys]

        def span(c: _Candidate) -> tuple[int, int]:
            return c.first, c.bracket_end if c.bracket_end is not None else c.end

        taken: list[_Candidate] = []
        used: set[int] = set()  # token indices inside a chosen mention
        for candidate in sorted(parties, key=lambda c: c.first) + sorted(
                organisations, key=lambda c: (-(span(c)[1] - span(c)[0]), c.abbreviation is None, c.first)):
            a, b = span(candidate)
            if used.intersection(range(a, b)):
                continue
            used.update(range(a, b))
            taken.append(candidate)
        return sorted(taken, key=lambda c: c.first)

    def is_own(self, candidate: _Candidate) -> bool:
        """The document's own municipality and its bodies ('Raad van Zuiddorp') are its authors."""
        if self.own is None:
            return False
        key = norm(candidate.name)
        return key in (self.own, f"gemeente {self.own}") or any(
            key in (f"{body} {self.own}", f"{body} van {self.own}") for body in self.v.own_bodies)

    def result(self) -> list[Organisation]:
        self.neighbours(self.chosen())
        found: dict[tuple[str, str], Organisation] = {}
        for candidate in self.chosen():
            if self.is_own(candidate):
                continue
            key = (candidate.kind, norm(candidate.name))
            if key in found:
                if candidate.abbreviation and not found[key].abbreviation:
                    found[key] = replace(found[key], abbreviation=candidate.abbreviation)
                continue
            stop = self.tokens[(candidate.bracket_end or candidate.end) - 1].end
            evidence = self.t.evidence(self.tokens[candidate.first].start, stop)
            found[key] = Organisation(candidate.name, candidate.abbreviation, candidate.kind, evidence,
                                      candidate.category)
        return _merge(list(found.values()), self.v)


def _initials(name: str, vocabulary: OrganisationVocabulary) -> str:
    return "".join(w[0] for w in norm(name).split() if w not in vocabulary.particles and w != "en")


def _merge(organisations: list[Organisation], vocabulary: OrganisationVocabulary) -> list[Organisation]:
    """One record per organisation, in text order. Folded into the fuller record: an acronym the text introduced
    or whose letters are the initials of a found name ('STW', 'OM' for 'Openbaar Ministerie'), a type noun with such
    an acronym ('ministerie van OCW'), a shorter name the text also gives in full ('GGD' / 'GGD Noord',
    'Stadsfonds X' / 'Stichting Stadsfonds X'), and a spelling a typo away from an earlier one."""
    named = [o for o in organisations if o.kind == "organisation"]
    keys = {id(o): norm(o.name) for o in organisations}
    by_abbreviation = {norm(o.abbreviation): o for o in named if o.abbreviation}
    by_initials = {_initials(o.name, vocabulary): o for o in named if len(o.name.split()) >= 2}
    named_keys = {keys[id(o)] for o in named}
    abbreviation_of: dict[int, str] = {}  # an acronym met before its full name goes onto the full name
    kept: list[Organisation] = []
    for organisation in organisations:
        key = keys[id(organisation)]
        words = key.split()
        if organisation.kind != "organisation":
            kept.append(organisation)
            continue
        if not organisation.abbreviation and organisation.name.isupper():
            full = by_abbreviation.get(key) or by_initials.get(key)
            if full is not None and full is not organisation:
                abbreviation_of.setdefault(id(full), organisation.name)
                kept = [replace(o, abbreviation=o.abbreviation or organisation.name) if o is full else o for o in kept]
                continue
        if len(words) >= 2 and words[-1] in by_abbreviation and \
                keys[id(by_abbreviation[words[-1]])].startswith(" ".join(words[:-1])):
            continue  # 'ministerie van OCW' after 'Ministerie van Onderwijs, Cultuur en Wetenschap (OCW)'
        if any(other.startswith(key + " ") for other in named_keys):
            continue  # 'GGD' beside 'GGD Noord'
        if any(f"{noun} {key}" in named_keys for noun in vocabulary.keep_types):
            continue  # 'Stadsfonds X' beside 'Stichting Stadsfonds X'

        if len(key) >= 10 and any(o.kind == "organisation" and fuzz.ratio(key, norm(o.name)) >= SAME_NAME_SCORE
                                  for o in kept):
            continue
        if id(organisation) in abbreviation_of and not organisation.abbreviation:
            organisation = replace(organisation, abbreviation=abbreviation_of[id(organisation)])
        kept.append(organisation)
    return kept


def find(lines: Sequence[str], first: int, last: int, vocabulary: OrganisationVocabulary, *,
         municipality: str | None = None) -> list[Organisation]:
    """Organisations and parties named in lines first..last (1-based, inclusive; lines[n-1] is line n), one record
    each at its first full mention, in text order. ``municipality`` is the document's own municipality: its author,
    not an organisation it names."""
    first = max(1, first)
    last = min(len(lines), last)
    if first > last:
        return []
    finder = _Finder(_Text(lines, first, last, vocabulary), vocabulary, municipality)
    finder.typed_names()
    finder.capital_runs()
    finder.reverse_abbreviations()
    finder.acronyms()
    finder.institution_names()
    finder.lists()
    finder.municipalities()
    finder.copulas()
    finder.parties()
    return finder.result()


def as_actor_records(organisations: Iterable[Organisation]) -> list[ActorRecord]:
    """Actor records (kind 'organisation' or 'party', no role), with the abbreviation the text gives."""
    return [ActorRecord(o.name, None, o.kind, o.evidence, abbreviation=o.abbreviation) for o in organisations]


def find_organisations(lines: Sequence[str], first: int, last: int, vocabulary: OrganisationVocabulary, *,
                       municipality: str | None = None) -> list[ActorRecord]:
    """``find`` as ActorRecords."""
    return as_actor_records(find(lines, first, last, vocabulary, municipality=municipality))
