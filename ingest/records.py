"""Plain records that extraction produces and to_rdf turns into triples. No RDF here."""

from __future__ import annotations

from dataclasses import dataclass, field

GOAL_LEVELS = ("visie", "strategisch", "tactisch", "operationeel", "doel")
EFFORT_KINDS = ("inspanning", "project", "activiteit", "werkveld", "programmalijn")
STEERING = ("lijnsturing", "programmasturing", "wijksturing")
SCOPES = ("gericht", "stadsbreed", "onbekend")
# How an effort was linked to the goal it serves, strongest first: the document's numbering ("2.3" serves
# goal 2), the heading it stands under, or only nearness in the text.
LINK_METHODS = ("nummering", "kop", "nabijheid")


@dataclass(frozen=True)
class Evidence:
    first: int
    last: int
    quote: str


@dataclass
class DocumentRecord:
    key: str
    title: str
    kind: str
    municipality: str | None
    year: int | None
    period: tuple[int, int] | None
    first: int
    last: int
    programme: str | None
    steering: list[str]
    evidence: Evidence
    programme_code: str | None = None  # "P1", "Programma 2": how the document numbers the programme


@dataclass
class GoalRecord:
    level: str
    label: str
    evidence: Evidence
    number: str | None = None
    parent: GoalRecord | None = None
    order: int = 0


@dataclass
class EffortRecord:
    label: str
    kind: str
    evidence: Evidence
    steering: str | None = None
    owner: str | None = None
    owner_kind: str | None = None  # "lijneenheid" | "programma"
    scope: str = "onbekend"
    wards: list[str] = field(default_factory=list)
    goals: list[GoalRecord] = field(default_factory=list)
    order: int = 0
    number: str | None = None  # "2.3", "1.2.01": as the document numbers it
    goal_link: str | None = None  # how ``goals`` was found: a LINK_METHODS value; None for the older DIN rules


@dataclass
class ActorRecord:
    name: str
    role: str | None  # None: the document names the actor without giving it a role
    kind: str  # person | function (an office holder named by the office) | team | organisation | body | party
    evidence: Evidence
    function: str | None = None  # the office the text gives a named person ('wethouder', 'adjunct-directeur')
    affiliation: str | None = None  # the organisation a participant is listed with
    abbreviation: str | None = None  # the short name the text gives an organisation ("VRH")


@dataclass
class WardRecord:
    label: str
    kind: str  # gemeente | stadsdeel | wijk | dorp | buurt
    evidence: Evidence
    parent: str | None = None
    number: str | None = None
    listed: bool = True  # False: only named in running text ('de wijken A en B'), weaker than a ward list
    code: str | None = None  # CBS code from the gazetteer (WK014116, BU06290006, WP1925); None when unknown


@dataclass
class BudgetRecord:
    amount: float
    purpose: str
    evidence: Evidence
    year: int | None = None
    period: tuple[int, int] | None = None
    holder: str | None = None
    source: str | None = None
    is_total: bool = False
    kind: str | None = None  # a concept of bg:begrotingsposten (baten, lasten, saldo ...), for table rows
    column: str | None = None  # the table column the amount stands in ("Begroting 2024")
    effort: str | None = None  # label of the effort whose section states the amount ("Ad 1) ... Financiën: € 200.000")


@dataclass
class TableRecord:
    caption: str
    evidence: Evidence
    rows: list[BudgetRecord]
    total: BudgetRecord | None = None


@dataclass
class CapacityRecord:
    role: str
    evidence: Evidence
    hours_per_week: float | None = None
    hours_per_year: float | None = None


@dataclass
class IndicatorRecord:
    label: str
    evidence: Evidence
    baseline: str | None = None
    target: str | None = None
    year: int | None = None
    goal: GoalRecord | None = None


@dataclass
class RelationRecord:
    target: str
    evidence: Evidence


@dataclass
class AfstemmingRecord:
    duty_for: list[str]
    with_role: str
    text: str
    evidence: Evidence


@dataclass
class Extraction:
    document: DocumentRecord
    goals: list[GoalRecord] = field(default_factory=list)
    efforts: list[EffortRecord] = field(default_factory=list)
    actors: list[ActorRecord] = field(default_factory=list)
    wards: list[WardRecord] = field(default_factory=list)
    tables: list[TableRecord] = field(default_factory=list)
    budgets: list[BudgetRecord] = field(default_factory=list)
    capacity: list[CapacityRecord] = field(default_factory=list)
    indicators: list[IndicatorRecord] = field(default_factory=list)
    relations: list[RelationRecord] = field(default_factory=list)
    afstemming: list[AfstemmingRecord] = field(default_factory=list)
