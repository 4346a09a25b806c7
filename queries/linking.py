"""Entity linking: find the wards, programmes, documents, people and DIN elements a question names.

Labels and ``skos:altLabel`` spelling variants come from the graph (named query ``entities``).
Matching is exact on the normalised key first, then fuzzy (rapidfuzz) for typos such as
*ossenkopelerhoek*. A capitalised name that matches nothing is reported as *unknown*, never
swapped for the nearest known name: "Welke projecten raken Zonnedal?" must say Zonnedal is not
in the documents, not answer for Sluitersveld.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process
from rdflib import URIRef

from beleidsgraaf.ontology.store import EmbeddedStore
from beleidsgraaf.queries import named
from beleidsgraaf.queries.vocabulary import effort_kinds, goal_levels
from beleidsgraaf.textkey import NUMBERED, letters_in_order, norm

# The kind of each class, as the intents ask for them; goal levels and effort kinds are the ontology's own.
KIND_OF_CLASS = {
    "Gemeente": "gemeente",
    "Stadsdeel": "ward",
    "Wijk": "ward",
    "Dorp": "ward",
    "Buurt": "ward",
    "Programma": "programme",
    "Lijneenheid": "unit",
    "Wijkteam": "unit",
    "Persoon": "person",
    "Partnerorganisatie": "partner",
    "Bestuursorgaan": "body",
    "Programmacontract": "document",
    "Contract": "document",
    "Plan": "document",
    "Notitie": "document",
    "Brief": "document",
    **{cls: "effort" for cls in effort_kinds()},
    **{cls: "goal" for cls in goal_levels()},
}
# Short kinds are matched whole-word only; long DIN labels are found by the search, not here.
MAX_WORDS = {
    "ward": 4,
    "gemeente": 2,
    "programme": 5,
    "unit": 4,
    "person": 5,
    "partner": 4,
    "body": 2,
    "document": 8,
    "effort": 8,
    "goal": 8,
}
STOPWORDS = set(
    "de het een en of van in op te voor met aan bij door over uit naar is zijn wordt worden welke wat wie waar hoe "
    "hoeveel waarom wanneer die dat dit deze er ook niet wel nog al the a an of in on to for with at by from is are "
    "which what who where how many much does do did and or not this that these those its it there their my mijn ik we "
    "moet moeten kan kunnen heeft hebben programma programmas programme programmes project projecten wijk wijken buurt "
    "buurten dorp dorpen ward wards plan contract document documenten".split()
)
# Words that start questions or sentences in Dutch/English; capitalised, but not names.
NOT_NAMES = set(
    "welke wat wie waar hoe hoeveel waarom wanneer is zijn geef noem toon laat klopt which what who where how why when "
    "is are does do did list show give name tell can could in de het een the a an bij voor van for of en and or "
    "lijnprojecten lijnproject programma programmacontract contract plan notitie wijkregisseur wijkregisseurs "
    "afstemming sturing lijnsturing programmasturing wijksturing visie doelen doel inspanningen budget begroting "
    "totaal ik we wij mijn onze almelo ligt liggen valt vallen hoort horen behoort lies belongs".split()
)
WORD = re.compile(r"[A-Za-zÀ-ÿ0-9][\wÀ-ÿ'’-]*")


@dataclass(frozen=True)
class Entity:
    iri: URIRef
    kind: str
    cls: str
    label: str


LEADING_WORDS = re.compile(r"^((in|de|het|van|voor|bij|op|the|of|for|at)\s+)+", re.I)


@dataclass
class Mention:
    text: str
    start: int
    end: int
    entities: list[Entity]
    score: float

    def of_kind(self, *kinds: str) -> list[Entity]:
        return [e for e in self.entities if e.kind in kinds]

    @property
    def name(self) -> str:
        """The name as the question writes it, without the article or preposition the mention took along."""
        return LEADING_WORDS.sub("", self.text).strip()


@dataclass
class Linked:
    mentions: list[Mention] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def first(self, *kinds: str) -> Entity | None:
        for mention in self.mentions:
            found = mention.of_kind(*kinds)
            if found:
                return _prefer(found)
        return None

    def first_of(self, mention: Mention, *kinds: str) -> Entity | None:
        found = mention.of_kind(*kinds)
        return _prefer(found) if found else None

    def all(self, *kinds: str) -> list[Entity]:
        out: list[Entity] = []
        for mention in self.mentions:
            found = mention.of_kind(*kinds)
            if found:
                out.append(_prefer(found))
        return out


def _prefer(entities: list[Entity]) -> Entity:
    # A wijk outranks a buurt of the same name; a programme outranks its contract document.
    order = {"Wijk": 0, "Dorp": 0, "Stadsdeel": 1, "Buurt": 2, "Programma": 0}
    return sorted(entities, key=lambda e: (order.get(e.cls, 1), len(str(e.iri))))[0]


class EntityIndex:
    """All names in the graph, keyed by their normalised form."""

    def __init__(self, store: EmbeddedStore) -> None:
        query = named.get("entities")
        self.by_key: dict[str, list[Entity]] = {}
        rows = list(store.query(query.text))
        for row in rows:
            cls = str(row.kind).rsplit("#", 1)[-1]
            kind = KIND_OF_CLASS.get(cls)
            if kind is None:
                continue
            entity = Entity(URIRef(str(row.x)), kind, cls, str(row.label))
            for key in _keys(row.label, row.alt, kind):
                # One-word effort or goal labels ("Budget", "Inleiding") are headings, not names to link.
                too_short = kind in ("effort", "goal") and len(key.split()) < 2 and len(key) < 10
                if not key or len(key.split()) > MAX_WORDS[kind] or key in STOPWORDS or too_short:
                    continue
                bucket = self.by_key.setdefault(key, [])
                if entity not in bucket:
                    bucket.append(entity)
        # "de notitie uit 2008", "plan 2023": a document by its kind word and year, where that is unambiguous.
        # The document's own first word ("plan 2023" for "Plan Leefbare wijken ... 2023") is surer than its class
        # ("plan" for any bg:Plan, a budget too): the class keys count only where the title keys leave a key free.
        by_title: dict[str, list[Entity]] = {}
        by_class: dict[str, list[Entity]] = {}
        for row in rows:
            cls = str(row.kind).rsplit("#", 1)[-1]
            if KIND_OF_CLASS.get(cls) != "document" or row.year is None:
                continue
            entity = Entity(URIRef(str(row.x)), "document", cls, str(row.label))
            word = norm(str(row.label)).split()[0]
            for table, keys in ((by_title, (f"{word} {row.year}", f"{row.year} {word}")),
                                (by_class, (f"{cls.lower()} {row.year}", f"{row.year} {cls.lower()}"))):
                for key in keys:
                    if entity not in table.setdefault(key, []):
                        table[key].append(entity)
        for table in (by_title, by_class):
            for key, entities in table.items():
                if len(entities) == 1 and key not in self.by_key:
                    self.by_key[key] = entities
        self.keys = list(self.by_key)
        # "het SchuldenLab" for the effort "Samenwerking partners en private financiers binnen SchuldenLab":
        # a name-like word that occurs in one effort's label only.
        words: dict[str, dict[URIRef, Entity]] = {}
        for row in rows:
            if KIND_OF_CLASS.get(str(row.kind).rsplit("#", 1)[-1]) != "effort":
                continue
            entity = Entity(URIRef(str(row.x)), "effort", str(row.kind).rsplit("#", 1)[-1], str(row.label))
            for word in re.findall(r"\b[A-Z][\w-]{5,}", str(row.label)):
                words.setdefault(norm(word), {})[entity.iri] = entity
        self.effort_words = {w: list(found.values()) for w, found in words.items() if len(found) == 1}

    def lookup(self, text: str) -> tuple[list[Entity], float]:
        key = norm(text)
        if key in self.by_key:
            return self.by_key[key], 100.0
        if len(key) < 6:
            return [], 0.0
        # Typos: one or two letters off in a long name. Short names must match exactly.
        cutoff = 90.0 if len(key) < 10 else 87.0
        # A typo never changes a number: "programma's" is not "programma 3", nor "P2" "P3".
        numbers = re.findall(r"\d+", key)
        for name, score, _ in process.extract(key, self.keys, scorer=fuzz.ratio, score_cutoff=cutoff, limit=5):
            if re.findall(r"\d+", name) == numbers:
                return self.by_key[name], float(score)
        return [], 0.0

    def suggest(self, text: str, kinds: tuple[str, ...], limit: int = 3) -> list[str]:
        """Nearest known names of the given kinds, to show next to 'not found' (never used as the answer)."""
        candidates = {k: v for k, v in self.by_key.items() if any(e.kind in kinds for e in v)}
        found = process.extract(norm(text), list(candidates), scorer=fuzz.WRatio, limit=limit)
        return [candidates[key][0].label for key, score, _ in found if score >= 60]


PROGRAMME_CODE = re.compile(r"(?:P|PR|Prog\.?)?\s*0*(\d{1,2})", re.I)
KIND_WORDS = re.compile(r"^(concept )?(programma ?contract|programma|contract|plan|notitie|nota|brief|project)\s+", re.I)


def _keys(label: object, alt: object, kind: str) -> list[str]:
    """Normalised names of a resource; documents and programmes also without their kind word or years."""
    keys = [norm(str(name)) for name in (label, alt) if name is not None]
    keys += [k.replace(" en ", " ") for k in keys if " en " in k]  # "Economie & Participatie" loses its '&' in norm()
    if kind in ("effort", "goal"):
        # "Programmalijn 1: Integrale preventie" is called "Integrale preventie" as often.
        keys += [norm(NUMBERED.sub("", str(name))) for name in (label, alt) if name is not None and NUMBERED.match(str(name))]
    if kind in ("document", "programme"):
        for name in (label, alt):
            if name is None:
                continue
            bare = re.sub(r"\s*\d{4}(\s*[-–]\s*\d{4})?\s*$", "", KIND_WORDS.sub("", str(name)))
            keys.append(norm(bare))
    if kind == "programme" and alt is not None and (code := PROGRAMME_CODE.fullmatch(str(alt).strip())):
        # A budget numbers its programmes ("P3"); readers say "programma 3".
        keys.append(f"programma {int(code.group(1))}")
    return [k for k in dict.fromkeys(keys) if k]


def link(question: str, index: EntityIndex) -> Linked:
    tokens = [(m.group(0), m.start(), m.end()) for m in WORD.finditer(question)]
    used = [False] * len(tokens)
    mentions: list[Mention] = []
    for size in range(min(8, len(tokens)), 0, -1):
        for i in range(0, len(tokens) - size + 1):
            if any(used[i : i + size]):
                continue
            words = [t[0] for t in tokens[i : i + size]]
            if size == 1 and (norm(words[0]) in STOPWORDS or len(words[0]) < 3):
                continue
            text = question[tokens[i][1] : tokens[i + size - 1][2]]
            entities, score = index.lookup(text)
            if size > 1 and score < 100:
                entities = []  # multi-word names must match exactly; fuzzy matching is for single long words
            if not entities and size == 2:
                # "Nieuwstraat kwartier": a compound split in two words.
                entities, score = index.lookup(words[0] + words[1].lower())
                score = 100.0 if entities else score
            if not entities and size == 1 and words[0][:1].isupper() and re.search(r"(?<=[a-z])(se|sche)$", words[0]):
                # "de Utrechtse notitie", "de Almelose aanpak": the place the adjective is made of.
                entities, score = index.lookup(re.sub(r"(se|sche)$", "", words[0]))
                entities = entities if score >= 100 else []
            if entities:
                mentions.append(Mention(text, tokens[i][1], tokens[i + size - 1][2], entities, score))
                for j in range(i, i + size):
                    used[j] = True
    for i, (word, start, end) in enumerate(tokens):
        if not used[i] and start > 0 and word[:1].isupper() and norm(word) in index.effort_words:
            mentions.append(Mention(word, start, end, index.effort_words[norm(word)], 85.0))
            used[i] = True
            continue
        # "NSK" for Nieuwstraatkwartier: an abbreviation whose letters occur in order in one programme's name.
        # Typed in lower case ("stuurgroep nsk") an abbreviation still has no vowels.
        abbreviation = word.isupper() or (word.islower() and not re.search(r"[aeiouy]", word))
        if used[i] or not (abbreviation and 2 <= len(word) <= 5):
            continue
        found = [
            e
            for key, entities in index.by_key.items()
            for e in entities
            if e.kind == "programme" and " " not in key and letters_in_order(word, key, anchored=True)
        ]
        if len({e.iri for e in found}) == 1:
            mentions.append(Mention(word, start, end, found[:1], 90.0))
            used[i] = True
    mentions.sort(key=lambda m: m.start)
    unknown = _unknown_names(question, tokens, used)
    return Linked(mentions, unknown)


def _unknown_names(question: str, tokens: list[tuple[str, int, int]], used: list[bool]) -> list[str]:
    """Capitalised words (not sentence-initial question words) that matched nothing: names we do not know."""
    out: list[str] = []
    run: list[str] = []
    for (word, start, _), taken in zip(tokens, used, strict=True):
        is_name = not taken and word[:1].isupper() and norm(word) not in NOT_NAMES and start > 0 and not word.isupper()
        if is_name:
            run.append(word)
            continue
        if run:
            out.append(" ".join(run))
            run = []
    if run:
        out.append(" ".join(run))
    # A lower-case name after a ward word ("in de wijk zonnedal") is a name too.
    for match in re.finditer(r"\b(?:wijk|buurt|dorp|ward|neighbourhood|village)\s+([a-zà-ÿ][\wà-ÿ-]{3,})", question):
        word = match.group(1)
        position = match.start(1)
        index = next((i for i, t in enumerate(tokens) if t[1] == position), None)
        if index is not None and not used[index] and norm(word) not in STOPWORDS | NOT_NAMES:
            out.append(word)
    return out
