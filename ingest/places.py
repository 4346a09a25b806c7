"""Places of a municipality named in running text, found with the CBS gazetteer and a few noun patterns.

Pure: lines in, records out; no RDF. The gazetteer (``data/gebieden.tsv.gz``, CBS 2024, see
``data/SOURCES.md``) knows every gemeente, wijk, buurt and woonplaats with its code. Texts do not write
CBS's names as CBS does ('Wijk 01 West', 'Rohof en omgeving', 'Rijksdorp met De Pan'), so each name
gets the spellings a text uses; and many CBS names are ordinary words or the names of streets, people
and organisations, so a match must also stand where a place name stands. Precision counts as much as
recall: a wrong ward sends efforts to the wrong part of town.
"""

from __future__ import annotations

import gzip
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz, process

from beleidsgraaf.ingest.records import Evidence, WardRecord
from beleidsgraaf.textkey import norm

GAZETTEER_FILE = Path(__file__).with_name("data") / "gebieden.tsv.gz"

# Everyday names of gemeenten whose CBS name differs; detection must still answer with CBS's spelling.
MUNICIPALITY_ALIASES = {"Den Haag": "'s-Gravenhage", "Den Bosch": "'s-Hertogenbosch"}

# CBS numbers its wijken ('Wijk 01 West'); texts say 'West'. The code keeps the number.
WIJK_NUMBERING = re.compile(r"^Wijk\s+\d+[A-Z]?\b\s*")
# 'Verspreide huizen Meijendel' is the scattered houses around Meijendel: the area's name is the rest.
SCATTERED = re.compile(r"^(?:Verspreide huizen|Verspr\.\s*h\.)\s*", re.I)
# Parts of a compound CBS name that a text names on their own.
PART_SPLIT = re.compile(r"\s*,\s*|\s+-\s*|\s+(?:en omgeving|e\.\s?o\.|met|en)(?=\s|$)\s*")
COMPASS = r"(?:Noord|Zuid|Oost|West|Noordoost|Noordwest|Zuidoost|Zuidwest|Midden|Centrum|Kern)"
COMPASS_TAIL = re.compile(rf"(?:\s*[- ]\s*{COMPASS}(?:[ -/]{COMPASS})*)+$", re.I)
STREET = re.compile(r"(?:straat|laan|weg|plein|plantsoen|singel|gracht|kade|dreef|steeg|pad|dijk|baan|wal)$", re.I)
ARTICLE = re.compile(r"^(?:De|Den|Het|'t)\s+(?=[A-Z])")
# Last words that texts join to the name before them ('Wierdense Hoek' -> 'Wierdensehoek').
TOPONYM_HEADS = frozenset(
    "hoek kwartier veld dorp wijk buurt park broek hof polder meer weide berg bosch bos haven land landen".split())

# Words that name a kind of area in every town; alone they are a place only after a place noun ('wijk Centrum').
GENERIC = frozenset("""
    centrum binnenstad buitengebied industrieterrein industriegebied bedrijventerrein bedrijvengebied bedrijvenpark
    noord zuid oost west noordoost noordwest zuidoost zuidwest midden dorp dorpskern kern stad stadscentrum stadshart
    park haven strand duinen bos polder heide kanaal centraal wijk buurt gebied omgeving
""".split())

# Nouns that make the capitalised name after them a place, and the kind they give it.
NOUN_KIND = {
    "wijk": "wijk", "wijken": "wijk", "woonwijk": "wijk", "woonwijken": "wijk", "stadsdeel": "stadsdeel",
    "stadsdelen": "stadsdeel", "buurt": "buurt", "buurten": "buurt", "kern": "dorp", "kernen": "dorp",
    "woonkern": "dorp", "woonkernen": "dorp", "dorpskern": "dorp", "dorpskernen": "dorp", "dorp": "dorp",
    "dorpen": "dorp", "woningbouwlocatie": "wijk", "woningbouwlocaties": "wijk",
}
PLURAL_NOUNS = frozenset({"wijken", "woonwijken", "stadsdelen", "buurten", "kernen", "woonkernen", "dorpskernen",
                          "dorpen", "woningbouwlocaties"})
NOUNS = "|".join(sorted(NOUN_KIND, key=len, reverse=True))
# A ward's own council or plan ('Wijkraad Zuid', 'dorpsraad Aadorp') names its ward: context for a known name,
# never a source of new names ('wijkraad Linked-In'). Roles ('wijkregisseur Jan ...') are left out: people follow.
WARD_BODY = r"wijk(?:raad|raden|bureau|team|platform|agenda|actieplan|ontwikkelingsplan)|dorpsraad"
# A place name: capitalised words, hyphenated parts, an article in front, 'aan/op/ter' inside ('Alphen aan den Rijn').
NAME = (r"(?:(?:De|Den|Het|'t|de|den|het)\s+)?[A-Z][\w'’]*(?:-[\w'’]+)*"
        r"(?:\s+(?:(?:aan|op|ter)\s+(?:(?:de|den|het)\s+)?)?[A-Z][\w'’]*(?:-[\w'’]+)*)*")
ACRONYM = r"[A-Z]{2,}\b"
SEPARATOR = r"(?:\s*\([^)]{0,60}\))?(?:\s*[,/]\s*|\s+(?:en|of)\s+)(?:(?:de|het)\s+)?"
PLACE_LIST = re.compile(
    rf"(?<![\w-])(?P<noun>(?i:{NOUNS}|{WARD_BODY}))(?P<colon>\s*:)?\s+(?:\d+\s+)?(?:(?:de|het)\s+)?"
    rf"(?P<items>(?:{NAME}|{ACRONYM})(?:{SEPARATOR}(?:{NAME}|{ACRONYM}))*)"
)
ITEM = re.compile(rf"{NAME}|{ACRONYM}")
# Building anew in a place or restructuring it: the place is an area even without a place noun.
WORKS = re.compile(
    rf"(?<![\w-])(?P<noun>(?i:herstructurering(?:\s+van)?|herstructureren|(?:ver)?nieuwbouw\s+in))"
    rf"\s+(?:(?:de|het)\s+)?(?P<items>{NAME})"
)
# 'de programma's Nieuwstraatkwartier, Zorg en Binnenstad' names programmes, even when they carry a ward's name.
PROGRAMME_LIST = re.compile(
    rf"(?<![\w-])(?i:programma(?:'s|’s)?|programmacontract(?:en)?)(?:[^:.;]{{0,40}}:)?\s*,?\s+(?:(?:de|het)\s+)?"
    rf"(?P<items>{NAME}(?:{SEPARATOR}{NAME})*)"
)

# Words before a name that make it part of the name of a building, organisation or person.
ORGANISATION_BEFORE = re.compile(
    r"(?i:\b(?:stichting|st\.|\w*vereniging|coöperatie|raadhuis|gemeentehuis|bestuurscentrum|\w*school|\w*kerk"
    r"|sporthal|zwembad|theater|renbaan|scouting|\w*monument|gebouw|pand|kantoor|hotel|restaurant|café|club"
    r"|kliniek|s\.v\.|v\.v\.|sv|vv|fc)\s+(?:(?:de|het|den)\s+)?)$"
)
ORGANISATION_AFTER = re.compile(r"^\s+(?:B\.?V\.?|N\.?V\.?|Stichting|Vereniging|Groep)\b")
PERSON_BEFORE = re.compile(
    r"(?:\b(?i:mevrouw|mevr|meneer|dhr|mw|heer|wethouder|burgemeester|familie|ing|drs|ir|mr|dr|prof)\.?"
    r"|\b[A-Z]\.(?:[A-Z]\.)*)\s*$"
)
STREET_BEFORE = re.compile(r"\baan\s+(?:de\s+|het\s+)?$")  # one lives 'aan' a street, 'in' an area
HOUSE_NUMBER_AFTER = re.compile(r"^\s+\d{1,3}[a-z]?\b(?![.,]\d)")  # 'Kerkehout 6' is an address
NUMBERING = re.compile(r"^\s*(?:[\d.]+[a-z]?\)?|[a-zA-Z][.)]|[IVX]+[.)]|[-•·▪◦*–]|\(?\d+\))?\s*$")
SENTENCE_END = re.compile(r"[.!?:;•·▪(\"“‘]\s*$")
# A full stop after these ends an abbreviation, not a sentence ('Woningbouw St. Willibrordus Oostdorp').
ABBREVIATION = re.compile(r"(?:\b(?i:st|dr|mr|ir|drs|ing|prof|vm|bijv|o\.a|e\.o|m\.b\.t|nr|ca)|\b[A-Z])\.\s*$")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
FUZZY_WORD = re.compile(r"(?<![\w-])[A-Z][a-zà-ÿ]+(?:-[A-Z]?[a-zà-ÿ]+)*(?![\w-])")
FUZZY_MIN_LENGTH = 9  # shorter names are too alike to tell a misspelling from another word
FUZZY_MIN_SCORE = 90

# Municipality detection: names after these words are others' ('provincie Utrecht', 'regio Twente').
NOT_THE_TOWN_BEFORE = re.compile(
    r"(?i:\b(?:provincie|regio|veiligheidsregio|universiteit|hogeschool|buurgemeenten?|regiogemeenten?"
    r"|gemeenten|omliggende|naburige|nabijgelegen|richting|tussen|stad)\s+(?:de\s+|van\s+)?"
    r"|\bsamen\s+met\s+(?:de\s+)?(?:gemeenten?\s+)?)$"
)
DETECT_TOP = 200  # the first pages name the author; later pages also name partners and neighbours
DETECT_FIRST_PAGES = 300
DETECT_MIN_SCORE = 3.0


@dataclass(frozen=True)
class Area:
    """One row of the CBS gazetteer."""

    code: str
    kind: str  # gemeente | wijk | buurt | woonplaats
    name: str  # as CBS writes it
    label: str  # as a text writes it: CBS numbering stripped ('Wijk 01 West' -> 'West')
    parent_code: str | None
    municipality: str  # the gemeente's CBS name


class CbsGazetteer:
    """All gemeenten, wijken, buurten and woonplaatsen, looked up by municipality and by norm(name)."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self.by_code: dict[str, Area] = {}
        self.children: dict[str, list[Area]] = defaultdict(list)  # gemeente code -> its wijken, buurten, woonplaatsen
        self.gemeenten: dict[str, list[Area]] = defaultdict(list)  # norm(name, bare name, alias) -> gemeenten
        self.woonplaatsen: dict[str, list[Area]] = defaultdict(list)  # norm(name) -> woonplaatsen anywhere
        for area in areas:
            self.by_code[area.code] = area
        for area in self.by_code.values():
            if area.kind == "gemeente":
                for spelling in self.spellings(area.name):
                    self.gemeenten[norm(spelling)].append(area)
            else:
                self.children[self.gemeente_code(area)].append(area)
            if area.kind == "woonplaats":
                self.woonplaatsen[norm(area.label)].append(area)

    @staticmethod
    def spellings(name: str) -> list[str]:
        """A gemeente's name as texts write it: CBS's, without '(L.)', and the everyday alias."""
        bare = re.sub(r"\s*\([^)]*\)$", "", name)
        names = [name] if bare == name else [name, bare]
        names += [alias for alias, cbs in MUNICIPALITY_ALIASES.items() if cbs == name]
        return names

    def gemeente_code(self, area: Area) -> str:
        while area.parent_code and area.kind != "gemeente":
            area = self.by_code[area.parent_code]
        return area.code

    def municipality(self, name: str) -> Area | None:
        """The gemeente a name means ('Den Haag' -> 's-Gravenhage); None when unknown or ambiguous ('Bergen')."""
        found = self.gemeenten.get(norm(name), [])
        exact = [area for area in found if norm(area.name) == norm(name)]
        return exact[0] if len(exact) == 1 else found[0] if len(found) == 1 else None

    def areas(self, municipality: str, kind: str | None = None) -> list[Area]:
        """The wijken, buurten and woonplaatsen of a municipality (or those of one kind), in code order."""
        town = self.municipality(municipality)
        if town is None:
            return []
        return [area for area in self.children[town.code] if kind is None or area.kind == kind]

    def lookup(self, municipality: str) -> dict[str, list[Area]]:
        """norm(label) -> the municipality's areas with that name ('west' -> wijk WK034401 of Utrecht)."""
        table: dict[str, list[Area]] = defaultdict(list)
        for area in self.areas(municipality):
            table[norm(area.label)].append(area)
        return dict(table)

    def main_town(self, municipality: str) -> Area | None:
        """The woonplaats that carries the gemeente's name: the town itself, not one of its dorpen."""
        town = self.municipality(municipality)
        if town is None:
            return None
        keys = {norm(spelling) for spelling in self.spellings(town.name)}
        return next((a for a in self.children[town.code] if a.kind == "woonplaats" and norm(a.label) in keys), None)


@cache
def load_gazetteer(path: Path = GAZETTEER_FILE) -> CbsGazetteer:
    """Read the CBS gazetteer once per process."""
    areas = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        next(handle)  # header: code kind name parent_code municipality
        for row in handle:
            code, kind, name, parent, municipality = row.rstrip("\n").split("\t")
            label = WIJK_NUMBERING.sub("", name).strip() if kind == "wijk" else name
            areas.append(Area(code, kind, name, label, parent or None, municipality))
    return CbsGazetteer(areas)


# -- municipality ---------------------------------------------------------------------------------------


@cache
def _municipality_pattern() -> re.Pattern[str]:
    gazetteer = load_gazetteer()
    spellings = {s for areas in gazetteer.gemeenten.values() for area in areas for s in gazetteer.spellings(area.name)}
    alternatives = "|".join(re.escape(s) for s in sorted(spellings, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def detect_municipality(lines: Sequence[str], hint: str | None = None) -> str | None:
    """The municipality a document is about, in CBS's spelling, or None.

    A hint (a manifest's column) wins. Otherwise every mention of a gemeente's name scores, more in the
    first pages, most in a letterhead or title ('Gemeente Almelo', 'Colofon: uitgave Wassenaar') and after
    'gemeente'; mentions that name someone else's town ('provincie Utrecht', 'buurgemeenten Wierden en
    Twenterand', 'de regio Haaglanden') do not count. Neighbours are named, but less often and later.
    """
    gazetteer = load_gazetteer()
    if hint and hint.strip():
        known = gazetteer.municipality(hint.strip())
        return known.name if known is not None else hint.strip()
    vocabulary = _lowercase_words(lines)
    scores: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    named: set[str] = set()  # named by a letterhead, a title or 'gemeente X': enough on its own
    seen_text = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            seen_text += 1
        for match in _municipality_pattern().finditer(line):
            before = line[: match.start()]
            if NOT_THE_TOWN_BEFORE.search(before):
                continue
            found = gazetteer.gemeenten.get(norm(match.group()), [])
            if len(found) != 1:
                continue  # 'Bergen' is two gemeenten; the text will name its own elsewhere
            name = found[0].name
            after_gemeente = re.search(r"\b[Gg]emeente\s+$", before) is not None
            # 'Buren', 'Best', 'Putten' are words too: at a sentence start they count only after 'gemeente'.
            if match.group().lower() in vocabulary and not after_gemeente and _sentence_start(lines, number, before):
                continue
            weight = 2.0 if number <= DETECT_TOP else 1.0
            if re.search(r"\b(?:en|of)\s+$|,\s*$", before) and not after_gemeente:
                weight /= 2  # one of a list of towns ('Voorschoten, Wassenaar en Leiden')
            if after_gemeente and number <= DETECT_FIRST_PAGES:
                weight += 3.0
                named.add(name)
            if seen_text <= 10 and re.fullmatch(r"\s*Gemeente\s+", before):
                weight += 15.0  # the letterhead: the author
                named.add(name)
            elif seen_text <= 3:
                weight += 5.0  # the title ('Begroting 2024 Wassenaar', 'Colofon: uitgave Wassenaar')
                named.add(name)
            scores[name] += weight
            mentions[name] += 1
    if not scores:
        return None
    name, score = scores.most_common(1)[0]
    # One passing mention of Den Haag does not make a document Den Haag's.
    return name if score >= DETECT_MIN_SCORE and (name in named or mentions[name] >= 3) else None


# -- places -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Name:
    """What a spelling in the text stands for."""

    label: str
    kind: str  # wijk | buurt | dorp
    code: str | None  # None for a group of buurten ('Lombok' = Lombok-Oost + Lombok-West)
    parent: str | None
    derived: bool  # a part of a CBS name ('Rijksdorp' of 'Rijksdorp met De Pan'), weaker than the whole name


def _is_generic(text: str) -> bool:
    """One generic word ('Centrum', 'Oost'); 'Binnenstad Noord' is specific enough to stand alone."""
    return ARTICLE.sub("", text).lower() in GENERIC


def _spellings(name: str) -> set[str]:
    """The ways a text writes one name: with/without its article, hyphen or space, joined ('Wierdensehoek')."""
    forms = {name, re.sub(r"(?<=\w)-(?=\w)", " ", name)}
    words = name.split()
    if len(words) == 2 and all(w[:1].isupper() for w in words) and not ARTICLE.match(name):
        forms.add("-".join(words))  # 'Nieuw Wassenaar' / 'Nieuw-Wassenaar'
    heads = re.fullmatch(r"([A-Z][\w'’]{3,})[ -]([A-Z][a-z]+)", name)
    if heads and heads.group(2).lower() in TOPONYM_HEADS:
        forms.add(heads.group(1) + heads.group(2).lower())  # 'Nieuwstraat-Kwartier', 'Wierdense Hoek'
    for form in list(forms):
        if article := ARTICLE.match(form):
            bare = form[article.end() :]
            forms.add(article.group().lower() + bare)  # 'de Kieviet' mid-sentence
            if len(bare) >= 4 and not _is_generic(bare):
                forms.add(bare)
    return {f for f in forms if not _is_generic(f) or f == name}


def _parts(label: str) -> list[str]:
    """Names inside a compound CBS name that a text uses alone: 'Duindigt met Groenendaal' -> both;
    'Rohof en omgeving' -> Rohof; 'Lombok-Oost' -> Lombok; streets ('Spinozaweg e.o.') are not areas."""
    rest = SCATTERED.sub("", label)
    out = []
    for piece in PART_SPLIT.split(rest):
        if piece.endswith("-"):
            continue  # 'Taag- en Rubicondreef': half of a street name
        for candidate in (piece, COMPASS_TAIL.sub("", piece)):
            candidate = candidate.strip(" -/")
            words = candidate.split()
            if (len(candidate) < 4 or not candidate[:1].isupper() or re.search(r"\d", candidate)
                    or any(STREET.search(w) for w in re.split(r"[\s-]+", candidate))
                    or any(w[:1].islower() and w not in ("aan", "op", "ter", "in", "den", "de", "van") for w in words)
                    or re.match(rf"{COMPASS}\b", ARTICLE.sub("", candidate)) or _is_generic(candidate)):
                continue
            out.append(candidate)
    return [p for p in dict.fromkeys(out) if p != label]


@cache
def _names(municipality: str) -> dict[str, _Name]:
    """Spelling -> name for one municipality's wijken, buurten and dorpen (the town itself left out)."""
    gazetteer = load_gazetteer()
    town = gazetteer.municipality(municipality)
    if town is None:
        return {}
    main = gazetteer.main_town(town.name)
    skip = {norm(s) for s in gazetteer.spellings(town.name)} | ({norm(main.label)} if main else set())
    areas = gazetteer.children[town.code]
    woonplaats_keys = {norm(a.label) for a in areas if a.kind == "woonplaats"}
    wijk_label = {a.code: a.label for a in areas if a.kind == "wijk"}

    def name_of(area: Area, derived: bool) -> _Name:
        if area.kind == "woonplaats":
            return _Name(area.label, "dorp", area.code, None, derived)
        if area.kind == "wijk":  # Almelo's wijk Aadorp is the dorp Aadorp
            return _Name(area.label, "dorp" if norm(area.label) in woonplaats_keys else "wijk", area.code, None, derived)
        return _Name(area.label, "buurt", area.code, wijk_label.get(area.parent_code or ""), derived)

    rank = {"wijk": 0, "woonplaats": 1, "buurt": 2}
    whole: dict[str, list[Area]] = defaultdict(list)
    partial: dict[str, list[Area]] = defaultdict(list)  # spelling of a part -> areas whose name has that part
    part_label: dict[str, str] = {}  # spelling of a part -> the part as CBS writes it
    for area in sorted(areas, key=lambda a: (rank[a.kind], a.code)):
        if not area.label or norm(area.label) in skip or "deel der gemeente" in area.label:
            continue  # Wassenaar's two wijken are halves of the map, named by no one
        if not SCATTERED.match(area.label):
            for spelling in _spellings(area.label):
                whole[spelling].append(area)
        for part in _parts(area.label):
            for spelling in _spellings(part):
                partial[spelling].append(area)
                part_label.setdefault(spelling, part)
    # Oud Hoograven and Nieuw Hoograven: a text's 'Hoograven' is both (but not 'Engeland' of 'Nieuw Engeland').
    parts = set(part_label.values())
    for part in sorted(parts):
        old = re.fullmatch(r"Oud[- ](.+)", part)
        new = next((p for p in parts if old and re.fullmatch(rf"Nieuw[- ]{re.escape(old.group(1))}", p)), None)
        if old and new:
            for spelling in _spellings(old.group(1)):
                partial[spelling] += partial[part] + partial[new]
                part_label.setdefault(spelling, old.group(1))

    table: dict[str, _Name] = {}
    for spelling, found in whole.items():
        if norm(spelling) in skip:
            continue
        best = [a for a in found if rank[a.kind] == rank[found[0].kind]]
        if len({a.code for a in best}) == 1 or found[0].kind != "buurt":
            table[spelling] = name_of(found[0], derived=False)
    for spelling, found in partial.items():
        if spelling in table or norm(spelling) in skip or norm(spelling) in gazetteer.gemeenten:
            continue
        unique = list(dict.fromkeys(found))
        if len(unique) == 1:
            table[spelling] = name_of(unique[0], derived=True)
            continue
        # A group of buurten under one name ('Lombok' = Lombok-Oost + Lombok-West): no single CBS code.
        wijken = {a.parent_code for a in unique if a.kind == "buurt"}
        parent = wijk_label.get(next(iter(wijken)) or "") if len(wijken) == 1 else None
        table[spelling] = _Name(part_label[spelling], "buurt" if parent else "wijk", None, parent, True)
    return table


@cache
def _name_pattern(municipality: str) -> re.Pattern[str] | None:
    spellings = sorted(_names(municipality), key=len, reverse=True)
    if not spellings:
        return None
    return re.compile(rf"(?<![\w'’-])(?:{'|'.join(re.escape(s) for s in spellings)})(?![\w'’-])")


def _lowercase_words(lines: Sequence[str]) -> frozenset[str]:
    """Words the document writes in lower case: 'park' there makes a buurt 'Park' an ordinary word."""
    return frozenset(w for line in lines for w in WORD.findall(line) if w.islower())


def _ends_sentence(text: str) -> bool:
    return bool(SENTENCE_END.search(text)) and not ABBREVIATION.search(text)


def _previous_text(lines: Sequence[str], number: int) -> str:
    """The nearest non-empty line above (PDF text puts blank lines inside sentences), '' if none near."""
    for previous in range(number - 1, max(0, number - 4), -1):
        if text := lines[previous - 1].strip():
            return text
    return ""


def _sentence_start(lines: Sequence[str], number: int, before: str) -> bool:
    """Does a word after ``before`` on line ``number`` begin a sentence (so its capital says nothing)?"""
    if before.strip():
        return bool(NUMBERING.match(before)) or _ends_sentence(before)  # '6.1 Meer sport' starts an item
    # At the start of a line: a wrapped sentence goes on from the line above unless that one ended.
    above = _previous_text(lines, number)
    return not above or not re.search(r"[a-z,]$", above)


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    kind: str  # the kind the noun gives ('kern' -> dorp)
    noun: str
    new: bool  # may name a place the gazetteer does not know (not after 'wijkraad')


def _context(lines: Sequence[str], number: int, unfinished: re.Pattern[str] | None = None) -> tuple[str, int]:
    """The line with the line above when the sentence runs on (``unfinished`` says when it does; by default
    whenever the line above does not end a sentence), so a list begun there ('de wijken Kerkelanden,' /
    'Ossenkoppelerhoek en Sluitersveld') is seen whole; and the offset of the line in it."""
    above = _previous_text(lines, number)
    if not above or (unfinished.search(above) is None if unfinished else _ends_sentence(above)):
        return lines[number - 1], 0
    return f"{above} {lines[number - 1]}", len(above) + 1


# A list of places runs on to the next line after a comma or after 'de wijken' itself; not after a heading
# that ends in a noun ('Leefbare wijken en dorpen'), nor after 'in de wijk' above a flattened table.
PLURALS = "|".join(sorted(PLURAL_NOUNS, key=len, reverse=True))
LIST_RUNS_ON = re.compile(rf"(?:,|\b(?i:de|deze|onze|alle|twee|drie|vier|vijf|\d+)\s+(?i:{PLURALS})(?:\s+(?:de|het))?)$")


def _noun_spans(lines: Sequence[str], number: int) -> list[_Span]:
    """Names after a place noun on line ``number`` ('de wijken Overvecht, Oost, Noordoost en Binnenstad')."""
    text, offset = _context(lines, number, LIST_RUNS_ON)
    spans = []
    for pattern in (PLACE_LIST, WORKS):
        for match in pattern.finditer(text):
            noun = match.group("noun")
            key = noun.lower()
            if noun[:1].isupper() and not _sentence_start([text], 1, text[: match.start()]):
                continue  # 'een Buurt Beheerbedrijf': the noun is a word of a longer name
            plural = key in PLURAL_NOUNS
            if match.groupdict().get("colon") and not plural:
                continue  # a form ('Wijk:   Datum:'), not a sentence
            items = (list(ITEM.finditer(text, match.start("items"), match.end("items"))) if plural
                     else [m for m in [ITEM.match(text, match.start("items"))] if m])
            for item in items:
                name = item.group()
                if item.end() <= offset or text[item.end() : item.end() + 1] == ":":
                    continue
                if match.start("noun") < offset and not re.match(r"\s*(?:[,/;.:)]|en\b|of\b|$)", text[item.end() :]):
                    continue  # the line below begins a new sentence or heading ('... in de wijken' / 'Wijkgericht werken')
                if name.isupper() and not key.startswith("woningbouwlocatie"):
                    continue  # an acronym is a place only in a list of building sites ('ANWB')
                if norm(ARTICLE.sub("", name)) in NOUN_KIND:
                    continue
                new = not re.fullmatch(WARD_BODY, key)
                spans.append(_Span(item.start() - offset, item.end() - offset, NOUN_KIND.get(key, "wijk"), key, new))
    return spans


def _compound_names(lines: Sequence[str]) -> frozenset[str]:
    """Names a document writes after a capitalised place noun in mid-sentence ('een Buurt Beheerbedrijf'):
    there the noun is part of a proper name, so its heading ('3.4.6. Buurt Beheerbedrijf') names no place."""
    pattern = re.compile(rf"(?<=[a-zà-ÿ,] )(?:{'|'.join(n.capitalize() for n in NOUN_KIND)})\s+({NAME})")
    return frozenset(norm(m.group(1)) for line in lines for m in pattern.finditer(line))


def _programme_starts(lines: Sequence[str], number: int) -> set[int]:
    text, offset = _context(lines, number)
    return {item.start() - offset for match in PROGRAMME_LIST.finditer(text)
            for item in ITEM.finditer(text, match.start("items"), match.end("items")) if item.start() >= offset}


def _part_of_longer_name(line: str, start: int, end: int, covered: set[int], lines: Sequence[str], number: int) -> bool:
    """Is the match one word of a longer capitalised name ('Stichting Beheer Renbaan Duindigt')?"""
    before = line[:start]
    previous = re.search(r"(\S+)\s+(?:(?:De|Het|Den|de|het|den|'t)\s+)?$", before)
    if previous and previous.end(1) not in covered:
        word = previous.group(1)
        if (word[:1].isupper() and word[-1].isalnum() and word not in ("De", "Het", "Den", "In", "En")
                and word.lower() not in NOUN_KIND and not _sentence_start(lines, number, before[: previous.start(1)])):
            return True
    following = re.match(r"\s+([A-Z][\w'’]*)", line[end:])
    return bool(following and end + following.start(1) not in covered and following.group(1) not in ("En", "In"))


def _label(spelling: str) -> str:
    """A spelling as a label: 'de Riet' mid-sentence is the place 'De Riet'."""
    return spelling[:1].upper() + spelling[1:] if re.match(r"(?:de|den|het)\s", spelling) else spelling


def find_places(lines: Sequence[str], first: int, last: int, municipality: str) -> list[WardRecord]:
    """Wijken, buurten and dorpen of ``municipality`` named on lines first..last (1-based, inclusive).

    One record per place, unlisted (named in running text), labelled with the text's own spelling (its most
    frequent one; the CBS name may differ: 'Rijksdorp' is buurt 'Rijksdorp met De Pan') and cited at that
    spelling's first line, with the CBS code when the gazetteer knows the place. Names after a place noun
    ('de kern X', 'woningbouwlocaties A, B en C', 'herstructurering van X') are places even when the
    gazetteer does not know them; their kind comes from the noun and their code is None.
    """
    gazetteer = load_gazetteer()
    town = gazetteer.municipality(municipality)
    names = _names(town.name) if town else {}
    pattern = _name_pattern(town.name) if town else None
    own = {norm(s) for s in (gazetteer.spellings(town.name) if town else [municipality])}
    if town and (main := gazetteer.main_town(town.name)):
        own.add(norm(main.label))
    local = {norm(ARTICLE.sub("", spelling)) for spelling in names}
    vocabulary = _lowercase_words(lines)
    compounds = _compound_names(lines)
    fuzzy_targets = {s: n for s, n in names.items() if " " not in s and len(s) >= FUZZY_MIN_LENGTH and not n.derived}
    # place key -> spelling -> (count, first line); the record is made once all mentions are counted
    mentions: dict[str, dict[str, list[int]]] = defaultdict(dict)
    meta: dict[str, _Name] = {}
    lines_of: dict[int, str] = {}

    def mention(key: str, spelling: str, name: _Name, number: int) -> None:
        meta.setdefault(key, name)
        seen = mentions[key].setdefault(_label(spelling), [0, number])
        seen[0] += 1
        lines_of[number] = lines[number - 1]

    for number in range(max(first, 1), min(last, len(lines)) + 1):
        line = lines[number - 1]
        if not line.strip():
            continue
        spans = _noun_spans(lines, number)
        programmes = _programme_starts(lines, number)
        hits = [(m, names[m.group()]) for m in pattern.finditer(line)] if pattern else []
        taken = [(m.start(), m.end()) for m, _ in hits]
        # Capitalised words close to a listed name (Ossenkopplerhoek, Sluiterseveld) are its misspellings.
        for word in FUZZY_WORD.finditer(line) if fuzzy_targets else ():
            if len(word.group()) < FUZZY_MIN_LENGTH or any(s < word.end() and word.start() < e for s, e in taken):
                continue
            best = process.extractOne(word.group(), list(fuzzy_targets), scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE)
            if best and best[0][0] == word.group()[0] and norm(word.group()) not in vocabulary:
                hits.append((word, fuzzy_targets[best[0]]))
                taken.append((word.start(), word.end()))
        covered = {position for s, e in taken for position in (s, e)}
        for match, name in sorted(hits, key=lambda hit: hit[0].start()):
            text, before, after = match.group(), line[: match.start()], line[match.end() :]
            if any(s <= match.start() <= s + 4 for s in programmes) or HOUSE_NUMBER_AFTER.match(after):
                continue  # a programme ('de programma's Nieuwstraatkwartier, Zorg'), an address ('Kerkehout 6')
            after_noun = any(span.start <= match.start() < span.end for span in spans) or bool(
                re.search(rf"(?<![\w-])(?i:{NOUNS}|{WARD_BODY})\s+(?:(?:de|het)\s+)?$", before))
            if not after_noun and not _stands_alone(text, before, after, line, match, covered, lines, number,
                                                    vocabulary, gazetteer, own):
                continue
            article = re.search(r"\b(?:De|Den|Het|de|den|het)\s+$", before)
            if article and ARTICLE.match(name.label) and not ARTICLE.match(text) and not text[:1].islower():
                text = article.group() + text  # 'Den Deijl' for buurt 'De Deijl', matched as 'Deijl'
            mention(name.code or norm(name.label), text, name, number)
        # Names after a place noun that the gazetteer does not know.
        for span in spans:
            if not span.new or any(s < span.end and span.start < e for s, e in taken):
                continue
            label = line[span.start : span.end].strip()
            key = norm(ARTICLE.sub("", label))
            if not key or key in own or key in local or key in gazetteer.gemeenten or key in gazetteer.woonplaatsen:
                continue  # the town itself, or another town ('de kern Voorschoten')
            if norm(label) in compounds:
                continue
            mention(key, label, _Name(_label(label), span.kind, None, None, False), number)

    records = []
    for key, spellings in mentions.items():
        # The text's most used spelling names the place; ties go to the first one written.
        spelling, (_count, number) = max(spellings.items(), key=lambda item: (item[1][0], -item[1][1]))
        name = meta[key]
        records.append(WardRecord(spelling, name.kind, Evidence(number, number, lines_of[number].strip()),
                                  parent=name.parent, listed=False, code=name.code))
    return sorted(records, key=lambda r: (r.evidence.first, r.label))


def _stands_alone(text: str, before: str, after: str, line: str, match: re.Match[str], covered: set[int],
                  lines: Sequence[str], number: int, vocabulary: frozenset[str], gazetteer: CbsGazetteer,
                  own: set[str]) -> bool:
    """Is a known name, without a place noun before it, a place here and not a word, street, person or firm?"""
    bare = ARTICLE.sub("", text)
    if _is_generic(bare):
        return False  # 'Centrum', 'Oost': every town has one
    if norm(bare) in gazetteer.gemeenten and norm(bare) not in own:
        return False  # a buurt named like another town
    if " " not in bare and bare.lower() in vocabulary and _sentence_start(lines, number, before):
        return False  # an ordinary word ('Park', 'Heide') capitalised by the sentence
    if (ORGANISATION_BEFORE.search(before) or ORGANISATION_AFTER.match(after) or PERSON_BEFORE.search(before)
            or STREET_BEFORE.search(before)):
        return False
    if text[:1].islower() and re.search(r"[A-Z][\w'’]*\s+$", before):
        return False  # 'Jan de Kieviet' is a person
    return not _part_of_longer_name(line, match.start(), match.end(), covered, lines, number)
