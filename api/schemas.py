"""Response models for the OpenAPI schema: what each JSON endpoint returns, with examples.

The endpoints build their JSON from the query layer's dicts and return it as is; these models document
that shape for /docs, /redoc and client generators. ``extra="allow"`` everywhere: a field the query layer
adds later is still valid JSON for a client that follows this schema.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

OSSENKOPPELERHOEK = "https://w3id.org/beleidsgraaf/id/gebied/almelo/ossenkoppelerhoek"
ALMELO = "https://w3id.org/beleidsgraaf/id/gebied/almelo"
DUURZAAMHEID = "https://w3id.org/beleidsgraaf/id/programma/almelo/duurzaamheid"
CONTRACTS = "almelo-2019-programmacontracten.txt"


class Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class Evidence(Open):
    """Where a statement comes from: a source file and the lines in it."""

    document: str = Field(description="source file name, as ingested", examples=[CONTRACTS])
    lines: list[int] = Field(description="first and last line (1-based, inclusive)", examples=[[229, 230]])
    quote: str | None = Field(None, description="the cited text, when stored")


class Passage(Open):
    document: str = Field(description="source file name", examples=["almelo-2020-contract-wijksturing.txt"])
    lines: list[int] = Field(description="first and last line", examples=[[430, 432]])
    text: str = Field(description="the passage text", examples=["7.2 Inzet van de wijkregisseur De wijkregisseur is ..."])
    score: float = Field(description="BM25/embedding score; higher is closer", examples=[0.1357])


class SearchResult(Open):
    query: str = Field(examples=["wijkregisseur Ossenkoppelerhoek"])
    passages: list[Passage]


class AnswerItem(Open):
    text: str = Field(examples=["Duurzaamheid (Programmacontract Duurzaamheid)"])
    iri: str | None = Field(None, examples=[DUURZAAMHEID])
    evidence: list[Evidence] = []


class Answer(Open):
    """An answer with its evidence; ``sparql`` is the query that produced the values, when there is one."""

    question: str = Field(examples=["Welke lijnprojecten raken Ossenkoppelerhoek?"])
    intent: str | None = Field(description="the recognised question type", examples=["ward_efforts"])
    answer: str = Field(description="the answer as one text, in the question's language")
    answers: list[AnswerItem] = Field(description="the answer's items, each with its sources")
    passages: list[Passage] = Field(description="passages that bear on the question")
    sparql: str | None = Field(None, description="the SPARQL that produced the items")


class QueryParameter(Open):
    name: str = Field(examples=["ward"])
    type: str = Field(description="iri, string, integer, ...", examples=["iri"])
    description: str = Field(examples=["the ward (IRI)"])
    optional: bool = False


class NamedQuery(Open):
    name: str = Field(examples=["ward-buurten"])
    nl: str = Field(description="what it answers, in Dutch")
    en: str = Field(description="what it answers, in English")
    examples: list[str] = Field(description="example bindings, name=value", examples=[[f"ward={OSSENKOPPELERHOEK}"]])
    parameters: list[QueryParameter]
    sparql: str = Field(description="the query text; parameters are bound with VALUES, never spliced in")


class Municipality(Open):
    iri: str = Field(examples=[ALMELO])
    name: str = Field(examples=["Almelo"])


class Ward(Open):
    iri: str = Field(examples=[OSSENKOPPELERHOEK])
    name: str = Field(examples=["Ossenkoppelerhoek"])
    kind: str | None = Field(description="Gemeente, Stadsdeel, Wijk, Dorp or Buurt", examples=["Wijk"])
    cbs: str | None = Field(None, description="CBS code", examples=["WK014108"])
    parent: str | None = Field(None, examples=[ALMELO])
    parent_name: str | None = Field(None, examples=["Almelo"])
    aliases: list[str] = Field([], description="other spellings found in the documents", examples=[["Ossenkopplerhoek"]])


class WardPart(Open):
    iri: str
    name: str = Field(examples=["Beeklust"])
    kind: str | None = Field(examples=["Buurt"])
    cbs: str | None = Field(None, examples=["BU01410801"])


class Effort(Open):
    iri: str
    name: str | None = Field(examples=["Alle entrees van de wijk zijn verbeterd"])
    reach: str = Field(description="gericht (targeted at the ward) or stadsbreed (city-wide)", examples=["gericht"])
    via: str | None = Field(None, description="the area through which the effort reaches the ward")
    via_name: str | None = None
    steering: list[str] = Field([], examples=[["programmasturing"]])
    owner: str | None = None
    owner_name: str | None = None
    programme: str | None = None
    sources: list[Evidence] = []


class Efforts(Open):
    targeted: list[Effort]
    citywide: list[Effort]


class WardDetail(Ward):
    municipality: Municipality | None = None
    namesakes: list[Ward] = Field([], description="other wards of the same name (in other municipalities)")
    parts: list[WardPart] = Field(description="the buurten of the ward")
    efforts: Efforts


class AfstemmingEffort(Open):
    effort: str
    iri: str
    reach: str
    via: str | None = None
    evidence: list[Evidence] = []


class AfstemmingGroup(Open):
    steering: str = Field(examples=["wijksturing"])
    owner: str = Field(examples=["—"])
    efforts: list[AfstemmingEffort]


class AfstemmingRule(Open):
    iri: str | None = None
    rule: str = Field(description="the coordination rule as written")
    document: str = Field(examples=["Contract Wijksturing"])
    duty_for: list[str] = Field([], description="whose efforts it binds: steering principles",
                                examples=[["lijnsturing", "programmasturing"]])
    coordinate_with: list[str] = Field([], description="the role they coordinate with", examples=[["wijkregisseur"]])
    programme: str | None = Field(None, description="set when the rule stands in a programme's own contract and binds "
                                                    "only that programme's efforts")
    evidence: list[Evidence] = []


class ScopedEffort(Open):
    effort: str = Field(examples=["Milieu-inspectie"])
    iri: str
    reach: str = Field(description="gericht, stadsbreed or onbekend", examples=["gericht"])
    via: str | None = Field(None, description="the area named, when not the ward itself (a buurt, the wijk around)")
    document: str | None = Field(None, examples=["Programmacontract Nieuwstraatkwartier"])
    evidence: list[Evidence] = []
    rules: list[str] = Field([], description="IRIs of the rules (in rules or programme_rules) that bind this effort")


class OwnerGroup(Open):
    owner: str | None = Field(None, description="line unit or programme; null when the documents name none",
                              examples=["Uitvoering Fysiek"])
    owner_iri: str | None = None
    owner_kind: str | None = Field(None, description="unit (a line unit) or programme", examples=["unit"])
    count: int
    rules: list[str] = []
    efforts: list[ScopedEffort]


class SteeringGroup(Open):
    steering: str = Field(description="lijnsturing, programmasturing, wijksturing or onbekend", examples=["lijnsturing"])
    count: int
    owners: list[OwnerGroup]


class Scope(Open):
    scope: str = Field(description="gericht (targeted at the ward), stadsbreed (city-wide) or onbekend (the documents "
                                   "do not say which wards)", examples=["onbekend"])
    uncertain: bool = Field(description="true for onbekend: these efforts may or may not reach the ward")
    count: int
    steering: list[SteeringGroup]


class Afstemming(Open):
    """Who coordinates with whom for a ward: what lands in it by scope, steering and owner, and the rules that apply."""

    ward: str = Field(examples=["Ossenkoppelerhoek"])
    iri: str = Field(examples=[OSSENKOPPELERHOEK])
    municipality: Municipality | None = None
    counts: dict[str, int] = Field({}, examples=[{"gericht": 18, "stadsbreed": 61, "onbekend": 167}])
    scopes: list[Scope] = Field([], description="targeted, city-wide and scope unknown, in that order")
    groups: list[AfstemmingGroup] = Field(description="targeted and city-wide efforts by steering and owner (as "
                                                      "the CLI prints them)")
    rules: list[AfstemmingRule] = Field(description="the rules of the ward's municipality that involve ward steering")
    programme_rules: list[AfstemmingRule] = Field([], description="rules in programme contracts that bind efforts here")
    contacts: list[Any] = []
    contact_named: bool = False


class Programme(Open):
    iri: str = Field(examples=[DUURZAAMHEID])
    name: str = Field(examples=["Duurzaamheid"])
    contract: str | None = Field(None, examples=["Programmacontract Duurzaamheid"])
    municipality: Municipality | None = Field(None, description="tells namesakes apart (Duurzaamheid in Almelo and Utrecht)")
    nodes: int = Field(description="goals and efforts in its DIN", examples=[42])


class DinNode(Open):
    iri: str
    name: str | None = Field(examples=["Een mooie blauwe en groene stad ..."])
    kind: str = Field(description="Visie, Missie, StrategischDoel, MaatschappelijkEffect, Inspanning ...", examples=["Visie"])
    level: int = Field(description="row in the DIN picture, 0 = vision", examples=[0])
    order: int | None = None
    sources: list[Evidence] = []


class DinEdge(Open):
    from_: str = Field(alias="from", description="the contributing node (IRI)")
    to: str = Field(description="the node it contributes to (IRI)")


class Din(Open):
    iri: str = Field(examples=[DUURZAAMHEID])
    name: str = Field(examples=["Duurzaamheid"])
    contract: str | None = None
    nodes: list[DinNode]
    edges: list[DinEdge]


class Finding(Open):
    severity: str = Field(examples=["info"], description="violation, warning or info")
    message_nl: str = Field(examples=["15 bedragen zonder budgethouder"])
    message_en: str = Field(examples=["15 amounts without a budget holder"])
    focus: str | None = None
    label: str | None = None
    document: str | None = None
    document_title: str | None = None
    lines: list[int] | None = None
    shape: str | None = None
    values: dict[str, Any] | None = None


class DocumentLine(Open):
    n: int = Field(examples=[229])
    text: str


class DocumentLines(Open):
    document: str = Field(examples=[CONTRACTS])
    lines: list[int] = Field(description="the first and last line returned", examples=[[229, 230]])
    total_lines: int = Field(examples=[9120])
    text: list[DocumentLine]


class Page(Open):
    total: int = Field(description="rows in the whole listing", examples=[269])
    limit: int = Field(description="rows asked for (at most)", examples=[100])
    offset: int = Field(description="rows skipped before this page", examples=[0])


class WardPage(Page):
    items: list[Ward]


class ProgrammePage(Page):
    items: list[Programme]


class FindingPage(Page):
    items: list[Finding]

