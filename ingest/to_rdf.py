"""Records -> triples. Every resource and every qualified link gets its source document and lines.

IRIs are minted from content (file, document, level, label), never from run order or counters,
so ingesting the same files twice gives the same graph.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, RDF, RDFS, SKOS, TIME, XSD

from beleidsgraaf.ingest.gazetteer import Gazetteer
from beleidsgraaf.ingest.places import load_gazetteer
from beleidsgraaf.ingest.readers import SourceText
from beleidsgraaf.ingest.records import (
    DocumentRecord,
    Evidence,
    Extraction,
    GoalRecord,
)
from beleidsgraaf.ingest.text import norm, slugify
from beleidsgraaf.ontology.namespaces import BG, ID, SCHEMA, TOOI_GEMEENTE, bind_prefixes

DOC_CLASS = {
    "programmacontract": BG.Programmacontract, "contract": BG.Contract, "plan": BG.Plan,
    "notitie": BG.Notitie, "brief": BG.Brief,
}
GOAL_CLASS = {
    "visie": BG.Visie, "strategisch": BG.StrategischDoel, "tactisch": BG.TactischDoel,
    "operationeel": BG.OperationeelDoel, "doel": BG.Beleidsdoel,
}
EFFORT_CLASS = {
    "inspanning": BG.Inspanning, "project": BG.Project, "activiteit": BG.Activiteit,
    "werkveld": BG.Werkveld, "programmalijn": BG.Programmalijn,
}
WARD_CLASS = {"gemeente": BG.Gemeente, "stadsdeel": BG.Stadsdeel, "wijk": BG.Wijk, "dorp": BG.Dorp, "buurt": BG.Buurt}
ACTOR_KIND_CLASS = {"person": BG.Persoon, "function": BG.Functionaris, "team": BG.Lijneenheid,
                    "organisation": BG.Partnerorganisatie, "body": BG.Bestuursorgaan, "party": BG.PolitiekePartij}


def gemeente_code(name: str) -> str | None:
    """The CBS code of a municipality, from the gazetteer of all Dutch municipalities (ingest/data)."""
    area = load_gazetteer().municipality(name)
    return area.code if area else None


def _hash(*parts: object) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:8]


def file_iri(file_slug: str) -> URIRef:
    return ID[f"bron/{file_slug}"]


def document_iri(file_slug: str, key: str) -> URIRef:
    return ID[f"doc/{file_slug}/{key}"]


def municipality_iri(name: str) -> URIRef:
    return ID[f"gebied/{slugify(name)}"]


def ward_iri(municipality: str, label: str, parent: str | None = None) -> URIRef:
    path = f"{slugify(parent)}/{slugify(label)}" if parent else slugify(label)
    return ID[f"gebied/{slugify(municipality)}/{path}"]


def person_iri(name: str) -> URIRef:
    return ID[f"persoon/{slugify(name)}"]


def programme_iri(municipality: str, name: str) -> URIRef:
    return ID[f"programma/{slugify(municipality)}/{slugify(name)}"]


def unit_iri(municipality: str, name: str) -> URIRef:
    return ID[f"eenheid/{slugify(municipality)}/{slugify(name)}"]


class GraphBuilder:
    """Builds the named graph of one source file."""

    def __init__(self, source: SourceText, file_slug: str) -> None:
        self.source = source
        self.file_slug = file_slug
        self.graph = Graph()
        bind_prefixes(self.graph.namespace_manager)
        self.file = file_iri(file_slug)
        g = self.graph
        g.add((self.file, RDF.type, BG.Bronbestand))
        g.add((self.file, BG.bestandsnaam, Literal(source.name)))
        g.add((self.file, RDFS.label, Literal(source.name)))
        g.add((self.file, BG.sha256, Literal(source.sha256)))
        g.add((self.file, BG.aantalRegels, Literal(len(source.lines))))
        g.add((self.file, DCTERMS["format"], Literal(source.media_type)))

    # -- provenance ------------------------------------------------------------------------------
    def cite(self, subject: URIRef, document: URIRef, evidence: Evidence, method: URIRef = BG.extractie) -> None:
        g = self.graph
        # The file is part of the node: a resource named in several files (a partner, a ward) gets one citation per
        # file and line span, never one node collecting the lines of every file that has a line with that number.
        node = URIRef(f"{subject}/bron/{self.file_slug}/{evidence.first}-{evidence.last}")
        g.add((subject, PROV.wasDerivedFrom, document))
        g.add((subject, PROV.hadPrimarySource, self.file))
        g.add((subject, PROV.qualifiedDerivation, node))
        g.add((node, RDF.type, BG.Bronvermelding))
        g.add((node, PROV.entity, document))
        g.add((node, BG.beginRegel, Literal(evidence.first, datatype=XSD.positiveInteger)))
        g.add((node, BG.eindRegel, Literal(evidence.last, datatype=XSD.positiveInteger)))
        g.add((node, BG.citaat, Literal(evidence.quote)))
        g.add((node, BG.methode, method))

    def labelled(self, subject: URIRef, cls: URIRef, label: str, document: URIRef, evidence: Evidence) -> URIRef:
        g = self.graph
        g.add((subject, RDF.type, cls))
        g.add((subject, RDFS.label, Literal(label, lang="nl")))
        self.cite(subject, document, evidence)
        return subject

    # -- document ---------------------------------------------------------------------------------
    def document(self, record: DocumentRecord) -> URIRef:
        g = self.graph
        doc = document_iri(self.file_slug, record.key)
        self.labelled(doc, DOC_CLASS[record.kind], record.title, doc, record.evidence)
        g.add((doc, DCTERMS.title, Literal(record.title, lang="nl")))
        g.add((doc, DCTERMS.isPartOf, self.file))
        g.add((self.file, DCTERMS.hasPart, doc))
        g.add((doc, BG.beginRegelDocument, Literal(record.first)))
        g.add((doc, BG.eindRegelDocument, Literal(record.last)))
        if record.year:
            g.add((doc, BG.jaar, Literal(record.year)))
            g.add((doc, DCTERMS.issued, Literal(str(record.year), datatype=XSD.gYear)))
        if record.period:
            self.period(doc, record.period)
        if record.municipality:
            g.add((doc, BG.gemeente, self.municipality(record.municipality, doc, record.evidence)))
        for principle in record.steering:
            g.add((doc, BG.sturingsprincipe, BG[principle]))
        if record.programme:
            programme = self.programme(record.municipality or "onbekend", record.programme, doc, record.evidence)
            g.add((doc, BG.betreftProgramma, programme))
            if record.programme_code:
                # Questions name a BBV programme by its code as often as by its name ("P1", "P1 Veiligheid").
                g.add((programme, SKOS.notation, Literal(record.programme_code)))
                g.add((programme, SKOS.altLabel, Literal(record.programme_code, lang="nl")))
                g.add((programme, SKOS.altLabel, Literal(f"{record.programme_code} {record.programme}", lang="nl")))
        return doc

    def period(self, subject: URIRef, period: tuple[int, int]) -> None:
        g = self.graph
        interval = ID[f"periode/{period[0]}-{period[1]}"]
        g.add((subject, BG.looptijd, interval))
        g.add((interval, RDF.type, TIME.Interval))
        g.add((interval, RDFS.label, Literal(f"{period[0]}–{period[1]}")))
        for prop, year in ((TIME.hasBeginning, period[0]), (TIME.hasEnd, period[1])):
            instant = ID[f"jaar/{year}"]
            g.add((interval, prop, instant))
            g.add((instant, RDF.type, TIME.Instant))
            g.add((instant, TIME.inXSDgYear, Literal(str(year), datatype=XSD.gYear)))

    def municipality(self, name: str, doc: URIRef, evidence: Evidence) -> URIRef:
        g = self.graph
        iri = municipality_iri(name)
        if (iri, RDF.type, BG.Gemeente) not in g:
            self.labelled(iri, BG.Gemeente, name, doc, evidence)
            if code := gemeente_code(name):
                g.add((iri, BG.cbsCode, Literal(code)))
                g.add((iri, SCHEMA.sameAs, TOOI_GEMEENTE[code.lower()]))
        return iri

    def programme(self, municipality: str, name: str, doc: URIRef, evidence: Evidence) -> URIRef:
        iri = programme_iri(municipality, name)
        if (iri, RDF.type, BG.Programma) not in self.graph:
            self.labelled(iri, BG.Programma, name, doc, evidence)
            self.graph.add((iri, SKOS.prefLabel, Literal(name, lang="nl")))
        return iri

    # -- extraction -----------------------------------------------------------------------------------
    def extraction(self, ex: Extraction, gazetteer: Gazetteer) -> None:
        doc = self.document(ex.document)
        g = self.graph
        municipality = ex.document.municipality or "onbekend"
        owner_of_din = (programme_iri(municipality, ex.document.programme) if ex.document.programme else doc)
        goal_iris: dict[int, URIRef] = {}
        for goal in ex.goals:
            goal_iris[id(goal)] = self.goal(goal, doc)
            g.add((goal_iris[id(goal)], BG.onderdeelVan, owner_of_din))
        for goal in ex.goals:
            if goal.parent is not None and id(goal.parent) in goal_iris:
                self.contribution(goal_iris[id(goal)], goal_iris[id(goal.parent)], doc, goal.evidence)
        for effort in ex.efforts:
            iri = self.effort_iri(ex, effort.label)
            self.labelled(iri, EFFORT_CLASS[effort.kind], effort.label, doc, effort.evidence)
            g.add((iri, BG.onderdeelVan, owner_of_din))
            g.add((iri, BG.volgorde, Literal(effort.order)))
            if effort.steering:
                g.add((iri, BG.sturingsprincipe, BG[effort.steering]))
            if effort.owner:
                unit = (programme_iri(municipality, effort.owner) if effort.owner_kind == "programma"
                        else unit_iri(municipality, effort.owner))
                cls = BG.Programma if effort.owner_kind == "programma" else BG.Lijneenheid
                if (unit, RDF.type, cls) not in g:
                    self.labelled(unit, cls, effort.owner, doc, effort.evidence)
                g.add((iri, BG.uitgevoerdDoor, unit))
            g.add((iri, BG.heeftWijkbereik, BG[effort.scope]))
            for ward in effort.wards:
                g.add((iri, BG.richtZichOp, self.ward_ref(municipality, ward, gazetteer, doc, effort.evidence)))
            if effort.scope == "stadsbreed":
                g.add((iri, BG.richtZichOp, self.municipality(municipality, doc, effort.evidence)))
            if effort.number:
                g.add((iri, BG.nummer, Literal(effort.number)))
            for target in effort.goals:
                if id(target) in goal_iris:
                    node = self.contribution(iri, goal_iris[id(target)], doc, effort.evidence)
                    if effort.goal_link:
                        g.add((node, BG.koppelwijze, BG[effort.goal_link]))
        for ward in ex.wards:
            iri = self.ward(municipality, ward.label, ward.kind, ward.parent, ward.number, gazetteer, doc, ward.evidence,
                            cbs_code=ward.code)
            if (iri, PROV.wasDerivedFrom, doc) not in g:
                self.cite(iri, doc, ward.evidence)  # a ward of the file named again in a later document
        self.actors(ex, doc, municipality, owner_of_din)
        self.money(ex, doc, owner_of_din)
        for indicator in ex.indicators:
            iri = ID[f"indicator/{self.file_slug}/{ex.document.key}/{slugify(indicator.label, 40)}-{_hash(indicator.label)}"]
            self.labelled(iri, BG.Indicator, indicator.label, doc, indicator.evidence)
            for prop, value in ((BG.nulwaarde, indicator.baseline), (BG.streefwaarde, indicator.target)):
                if value:
                    g.add((iri, prop, Literal(value)))
        for relation in ex.relations:
            target = self.programme(municipality, relation.target, doc, relation.evidence)
            node = ID[f"relatie/{self.file_slug}/{ex.document.key}/{slugify(relation.target)}"]
            self.labelled(node, BG.Programmarelatie,
                          f"{ex.document.title} noemt programma {relation.target}", doc, relation.evidence)
            g.add((node, BG.van, owner_of_din))
            g.add((node, BG.naar, target))
            g.add((owner_of_din, BG.noemtVerwant, target))
        for index, rule in enumerate(ex.afstemming):
            node = ID[f"afstemming/{self.file_slug}/{ex.document.key}/{rule.evidence.first}-{index}"]
            self.labelled(node, BG.Afstemmingsplicht, rule.text[:160], doc, rule.evidence)
            g.add((node, BG.regel, Literal(rule.text)))
            g.add((node, BG.afstemmenMet, BG[rule.with_role]))
            for principle in rule.duty_for:
                g.add((node, BG.plichtVoor, BG[principle]))
            g.add((node, BG.inDocument, doc))

    def goal(self, goal: GoalRecord, doc: URIRef) -> URIRef:
        iri = ID[f"doel/{self.file_slug}/{doc.split('/')[-1]}/{goal.level}-{slugify(goal.label, 50)}-{_hash(goal.label)}"]
        self.labelled(iri, GOAL_CLASS[goal.level], goal.label, doc, goal.evidence)
        self.graph.add((iri, BG.volgorde, Literal(goal.order)))
        if goal.number:
            self.graph.add((iri, BG.nummer, Literal(goal.number)))
        return iri

    def effort_iri(self, ex: Extraction, label: str) -> URIRef:
        return ID[f"inspanning/{self.file_slug}/{ex.document.key}/{slugify(label, 50)}-{_hash(label)}"]

    def contribution(self, source: URIRef, target: URIRef, doc: URIRef, evidence: Evidence,
                     method: URIRef = BG.extractie) -> URIRef:
        g = self.graph
        g.add((source, BG.draagtBijAan, target))
        node = URIRef(f"{source}/bijdrage/{_hash(target)}")
        g.add((source, BG.qualifiedBijdrage, node))
        g.add((node, RDF.type, BG.Bijdrage))
        g.add((node, BG.aanDoel, target))
        self.cite(node, doc, evidence, method)
        return node

    # -- wards ----------------------------------------------------------------------------------------
    def ward_ref(self, municipality: str, label: str, gazetteer: Gazetteer, doc: URIRef, evidence: Evidence) -> URIRef:
        entry = gazetteer.entry_for(label)
        if entry:
            return self.ward(municipality, entry.label, entry.kind, entry.parent, entry.number, gazetteer, doc, evidence)
        return self.ward(municipality, label, "wijk", None, None, gazetteer, doc, evidence)

    def ward(self, municipality: str, label: str, kind: str, parent: str | None, number: str | None,
             gazetteer: Gazetteer, doc: URIRef, evidence: Evidence, cbs_code: str | None = None) -> URIRef:
        g = self.graph
        if kind == "buurt" and parent is None and (listed := gazetteer.entry_for(label)) is not None:
            parent = listed.parent  # a buurt named in running text is the listed one, in its wijk
        iri = ward_iri(municipality, label, parent if kind == "buurt" else None)
        if (iri, RDF.type, WARD_CLASS[kind]) in g:
            return iri
        self.labelled(iri, WARD_CLASS[kind], label, doc, evidence)
        g.add((iri, SKOS.prefLabel, Literal(label, lang="nl")))
        town = self.municipality(municipality, doc, evidence)
        entry = gazetteer.entries.get(norm(label) if kind != "buurt" else norm(f"{parent} {label}"))
        number = number or (entry.number if entry else None)
        if kind == "buurt" and parent:
            parent_entry = gazetteer.entries.get(norm(parent))
            parent_iri = self.ward(municipality, parent, parent_entry.kind if parent_entry else "wijk",
                                   None, parent_entry.number if parent_entry else None, gazetteer, doc, evidence)
            g.add((iri, BG.ligtDirectIn, parent_iri))
            g.add((iri, BG.ligtIn, parent_iri))
            g.add((iri, BG.ligtIn, town))
            wijk_number = parent_entry.number if parent_entry else None
            code = gemeente_code(municipality)
            if code and number and wijk_number:
                g.add((iri, BG.cbsCode, Literal(f"BU{code[2:]}{int(wijk_number):02d}{int(number):02d}")))
        else:
            g.add((iri, BG.ligtDirectIn, town))
            g.add((iri, BG.ligtIn, town))
            code = gemeente_code(municipality)
            if code and number:
                g.add((iri, BG.cbsCode, Literal(f"WK{code[2:]}{int(number):02d}")))
        if cbs_code and not number:
            # The CBS gazetteer's code (WardRecord.code) where no ward list numbers the ward; a list's numbering
            # is the code of the document's own year, the gazetteer's of another CBS vintage.
            g.add((iri, BG.cbsCode, Literal(cbs_code)))
        if entry:
            for variant in entry.variants:
                if variant != label:
                    g.add((iri, SKOS.altLabel, Literal(variant, lang="nl")))
        return iri

    # -- actors -----------------------------------------------------------------------------------------
    def actors(self, ex: Extraction, doc: URIRef, municipality: str, organisation: URIRef) -> None:
        g = self.graph
        for actor in ex.actors:
            agent = self.agent(actor.name, actor.kind, municipality)
            if (agent, RDFS.label, None) not in g:
                self.labelled(agent, ACTOR_KIND_CLASS[actor.kind], actor.name, doc, actor.evidence)
            elif (agent, PROV.wasDerivedFrom, doc) not in g:
                # The same person or team in a second document of the file: it is named there too.
                self.cite(agent, doc, actor.evidence)
            if actor.abbreviation:
                g.add((agent, SKOS.altLabel, Literal(actor.abbreviation, lang="nl")))
            if actor.kind in ("person", "function"):
                g.add((agent, RDF.type, FOAF.Person))
            if actor.kind == "person":
                g.add((agent, FOAF.name, Literal(actor.name)))
            if actor.affiliation:
                # A participant listed with an organisation: org:memberOf, the organisation cited on the same line.
                unit = self.agent(actor.affiliation, "organisation", municipality)
                if (unit, RDFS.label, None) not in g:
                    self.labelled(unit, ORG.Organization, actor.affiliation, doc, actor.evidence)
                g.add((agent, ORG.memberOf, unit))
            if actor.role is None:
                continue  # named without a role: the agent and its source lines, no membership
            membership = ID[f"rolvervulling/{self.file_slug}/{ex.document.key}/{actor.role}-{slugify(actor.name)}"]
            self.labelled(membership, BG.Rolvervulling, f"{actor.name} — {actor.role}", doc, actor.evidence)
            g.add((membership, ORG.member, agent))
            g.add((membership, ORG.organization, organisation))
            g.add((membership, ORG.role, BG[actor.role]))
            g.add((membership, BG.inDocument, doc))
            if actor.function:
                g.add((membership, BG.functie, Literal(actor.function)))
            if actor.role == "partner":
                g.add((agent, BG.partnerVan, organisation))

    @staticmethod
    def agent(name: str, kind: str, municipality: str) -> URIRef:
        if kind == "person":
            return person_iri(name)
        if kind == "function":  # one holder of an office per municipality ('de burgemeester' of Almelo)
            return ID[f"functie/{slugify(municipality)}/{slugify(name)}"]
        if kind == "team":
            return unit_iri(municipality, name)
        if kind == "body":
            return ID[f"orgaan/{slugify(municipality)}/{slugify(name)}"]
        return ID[f"organisatie/{slugify(name)}"]

    # -- money ------------------------------------------------------------------------------------------
    def money(self, ex: Extraction, doc: URIRef, owner: URIRef) -> None:
        g = self.graph
        budget_iris: dict[int, URIRef] = {}
        for index, budget in enumerate(ex.budgets):
            iri = ID[f"budget/{self.file_slug}/{ex.document.key}/{budget.evidence.first}-{index}"]
            budget_iris[id(budget)] = iri
            # A purpose taken from a whole sentence already shows its amount.
            label = budget.purpose if "€" in budget.purpose else f"{budget.purpose} € {budget.amount:,.0f}".replace(",", ".")
            if budget.year:
                label += f" ({budget.year})"
            self.labelled(iri, BG.Budget, label, doc, budget.evidence)
            g.add((iri, SCHEMA.value, Literal(Decimal(str(budget.amount)))))
            g.add((iri, SCHEMA.currency, Literal("EUR")))
            g.add((iri, BG.bestemming, Literal(budget.purpose)))
            g.add((iri, BG.budgetVoor, owner))
            if budget.effort:
                g.add((iri, BG.budgetVoor, self.effort_iri(ex, budget.effort)))
            g.add((iri, BG.isTotaal, Literal(budget.is_total)))
            if budget.kind:
                g.add((iri, BG.begrotingspost, BG[budget.kind]))
            if budget.column:
                g.add((iri, BG.kolom, Literal(budget.column)))
            if budget.year:
                g.add((iri, BG.jaar, Literal(budget.year)))
            if budget.period:
                self.period(iri, budget.period)
        for index, table in enumerate(ex.tables):
            iri = ID[f"tabel/{self.file_slug}/{ex.document.key}/{table.evidence.first}-{index}"]
            self.labelled(iri, BG.Begrotingstabel, table.caption, doc, table.evidence)
            for row in table.rows:
                if id(row) in budget_iris:
                    g.add((iri, BG.heeftRegel, budget_iris[id(row)]))
            if table.total is not None:
                total = ID[f"budget/{self.file_slug}/{ex.document.key}/totaal-{table.evidence.first}-{index}"]
                self.labelled(total, BG.Budget, f"totaal € {table.total.amount:,.0f}".replace(",", "."), doc,
                              table.total.evidence)
                g.add((total, SCHEMA.value, Literal(Decimal(str(table.total.amount)))))
                g.add((total, SCHEMA.currency, Literal("EUR")))
                g.add((total, BG.isTotaal, Literal(True)))
                g.add((total, BG.budgetVoor, owner))
                if table.total.year:
                    g.add((total, BG.jaar, Literal(table.total.year)))
                g.add((iri, BG.heeftTotaal, total))
        for index, capacity in enumerate(ex.capacity):
            iri = ID[f"capaciteit/{self.file_slug}/{ex.document.key}/{capacity.evidence.first}-{index}"]
            self.labelled(iri, BG.Capaciteit, f"{capacity.role}", doc, capacity.evidence)
            g.add((iri, BG.functie, Literal(capacity.role)))
            g.add((iri, BG.capaciteitVoor, owner))
            if capacity.hours_per_week is not None:
                g.add((iri, BG.urenPerWeek, Literal(Decimal(str(capacity.hours_per_week)))))
            if capacity.hours_per_year is not None:
                g.add((iri, BG.urenPerJaar, Literal(Decimal(str(capacity.hours_per_year)))))
