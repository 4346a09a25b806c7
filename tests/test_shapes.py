"""Shapes and findings: small graphs built here, one valid DIN and one broken in each way; then the corpus."""

import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, XSD

from beleidsgraaf.ontology.namespaces import BG, ID, ONTOLOGY_GRAPH, SCHEMA
from beleidsgraaf.ontology.store import open_store
from beleidsgraaf.shapes import engine
from beleidsgraaf.shapes.findings import validate

ROOT = Path(__file__).resolve().parents[1]
FILE = ID["bron/test-plan"]
DOC = ID["doc/test-plan/plan"]
TOWN = ID["gebied/testdorp"]
V, S, T, OP = (ID[f"doel/test/{k}"] for k in ("visie", "strategisch", "tactisch", "operationeel"))
EFFORT = ID["inspanning/test/project"]
WIJK, BUURT = ID["gebied/testdorp/oost"], ID["gebied/testdorp/oost/centrum"]
BUDGET, TABLE = ID["budget/test/1"], ID["tabel/test/1"]
ROWS, TOTAL = (ID["budget/test/row-1"], ID["budget/test/row-2"]), ID["budget/test/total"]
CAPACITY = [ID[f"capaciteit/test/{n}"] for n in range(4)]
INDICATOR = ID["indicator/test/1"]
LINE = {V: 10, S: 12, T: 14, OP: 16, EFFORT: 20, WIJK: 30, BUURT: 31, BUDGET: 40, TABLE: 50, ROWS[0]: 51, ROWS[1]: 52,
        TOTAL: 53, INDICATOR: 60, DOC: 1, TOWN: 2, **{c: 70 + n for n, c in enumerate(CAPACITY)}}


def cite(g: Graph, x: URIRef, first: int, last: int | None = None, method: URIRef = BG.extractie) -> None:
    node = URIRef(f"{x}/bron/{first}")
    g.add((x, PROV.wasDerivedFrom, DOC))
    g.add((x, PROV.qualifiedDerivation, node))
    g.add((node, RDF.type, BG.Bronvermelding))
    g.add((node, PROV.entity, DOC))
    g.add((node, BG.methode, method))
    g.add((node, BG.beginRegel, Literal(first, datatype=XSD.positiveInteger)))
    g.add((node, BG.eindRegel, Literal(last or first, datatype=XSD.positiveInteger)))


def thing(g: Graph, x: URIRef, cls: URIRef, label: str) -> None:
    g.add((x, RDF.type, cls))
    g.add((x, RDFS.label, Literal(label, lang="nl")))
    cite(g, x, LINE[x])


def valid_graph() -> Graph:
    g = Graph()
    g.add((FILE, RDF.type, BG.Bronbestand))
    g.add((FILE, BG.bestandsnaam, Literal("test-plan.txt")))
    thing(g, DOC, BG.Plan, "Testplan")
    g.add((DOC, DCTERMS.title, Literal("Testplan", lang="nl")))
    g.add((DOC, DCTERMS.isPartOf, FILE))
    g.add((DOC, BG.jaar, Literal(2023)))
    g.add((DOC, BG.sturingsprincipe, BG.wijksturing))
    thing(g, TOWN, BG.Gemeente, "Testdorp")
    g.add((DOC, BG.gemeente, TOWN))
    for goal, cls, label, up in ((V, BG.Visie, "Een leefbaar dorp", None), (S, BG.StrategischDoel, "Schone wijken", V),
                                 (T, BG.TactischDoel, "Minder zwerfafval", S), (OP, BG.OperationeelDoel, "Tien afvalbakken", T)):
        thing(g, goal, cls, label)
        g.add((goal, BG.onderdeelVan, DOC))
        if up is not None:
            g.add((goal, BG.draagtBijAan, up))
    thing(g, EFFORT, BG.Project, "Afvalbakken plaatsen")
    g.add((EFFORT, BG.onderdeelVan, DOC))
    g.add((EFFORT, BG.draagtBijAan, OP))
    g.add((EFFORT, BG.heeftWijkbereik, BG.gericht))
    g.add((EFFORT, BG.richtZichOp, WIJK))
    thing(g, WIJK, BG.Wijk, "Oost")
    g.add((WIJK, BG.ligtDirectIn, TOWN))
    g.add((WIJK, BG.ligtIn, TOWN))
    thing(g, BUURT, BG.Buurt, "Centrum")
    g.add((BUURT, BG.ligtDirectIn, WIJK))
    for budget, value in ((BUDGET, 100), (ROWS[0], 60), (ROWS[1], 40), (TOTAL, 100)):
        thing(g, budget, BG.Budget, f"€ {value}")
        g.add((budget, SCHEMA.value, Literal(Decimal(value))))
        g.add((budget, BG.budgethouder, TOWN))
    g.add((BUDGET, BG.jaar, Literal(2023)))
    thing(g, TABLE, BG.Begrotingstabel, "Tabel regels 50-53")
    g.add((TABLE, BG.heeftRegel, ROWS[0]))
    g.add((TABLE, BG.heeftRegel, ROWS[1]))
    g.add((TABLE, BG.heeftTotaal, TOTAL))
    for capacity in CAPACITY[:3]:
        thing(g, capacity, BG.Capaciteit, "Wijkregisseur")
        g.add((capacity, BG.urenPerWeek, Literal(Decimal(36))))
        g.add((capacity, BG.urenPerJaar, Literal(Decimal(1400))))
        g.add((capacity, BG.capaciteitVoor, DOC))
    thing(g, INDICATOR, BG.Indicator, "Aantal meldingen zwerfafval")
    g.add((INDICATOR, BG.nulwaarde, Literal("120")))
    g.add((INDICATOR, BG.streefwaarde, Literal("60")))
    return g


def store_of(tmp_path: Path, g: Graph):
    store = open_store(str(tmp_path / "store"))
    ontology = Graph().parse(ROOT / "ontology" / "beleidsgraaf.ttl")
    store.replace_graphs({ONTOLOGY_GRAPH: ontology, ID["graph/test-plan"]: g})
    return store


def found(tmp_path: Path, g: Graph) -> set[tuple[str, str, str, tuple[int, int] | None]]:
    return {(f.severity, f.shape, f.focus, f.lines) for f in validate(store_of(tmp_path, g))}


def test_valid_din_has_no_findings(tmp_path):
    assert validate(store_of(tmp_path, valid_graph())) == []


def remove(g: Graph, x: URIRef) -> Graph:
    g.remove((x, None, None))
    g.remove((None, None, x))
    return g


def broken(name: str) -> Graph:  # noqa: C901 - one small edit per way of breaking the DIN
    g = valid_graph()
    if name == "no visie":
        remove(g, V)
    elif name == "strategic goal unreachable":
        g.remove((S, BG.draagtBijAan, V))
    elif name == "tactical goal under two strategic goals":
        other = ID["doel/test/strategisch-2"]
        LINE[other] = 13
        thing(g, other, BG.StrategischDoel, "Veilige wijken")
        g.add((other, BG.onderdeelVan, DOC))
        g.add((other, BG.draagtBijAan, V))
        g.add((T, BG.draagtBijAan, other))
    elif name == "operational goal skips a level":
        g.remove((OP, BG.draagtBijAan, T))
        g.add((OP, BG.draagtBijAan, S))
    elif name == "loop":
        g.add((V, BG.draagtBijAan, OP))
    elif name == "effort with no goal":
        g.remove((EFFORT, BG.draagtBijAan, OP))
    elif name == "document without municipality":
        g.remove((DOC, BG.gemeente, None))
    elif name == "buurt in two wijken":
        west = ID["gebied/testdorp/west"]
        LINE[west] = 32
        thing(g, west, BG.Wijk, "West")
        g.add((west, BG.ligtIn, TOWN))
        g.add((BUURT, BG.ligtDirectIn, west))
    elif name == "effort without ward scope":
        g.remove((EFFORT, BG.heeftWijkbereik, None))
    elif name == "negative budget":
        g.set((BUDGET, SCHEMA.value, Literal(Decimal(-5))))
    elif name == "budget without year":
        g.remove((BUDGET, BG.jaar, None))
    elif name == "table sum mismatch":
        g.set((TOTAL, SCHEMA.value, Literal(Decimal(120))))
    elif name == "hours mismatch":
        LINE[CAPACITY[3]] = 73
        thing(g, CAPACITY[3], BG.Capaciteit, "Junior wijkregisseur")
        g.add((CAPACITY[3], BG.urenPerWeek, Literal(Decimal(32))))
        g.add((CAPACITY[3], BG.urenPerJaar, Literal(Decimal(1400))))
        g.add((CAPACITY[3], BG.capaciteitVoor, DOC))
    elif name == "indicator without target":
        g.remove((INDICATOR, BG.streefwaarde, None))
    elif name == "resource without provenance":
        g.remove((BUDGET, PROV.qualifiedDerivation, None))
        g.remove((BUDGET, PROV.wasDerivedFrom, None))
    elif name == "curated fact without lines":
        link = URIRef(f"{EFFORT}/bijdrage/curated")
        node = URIRef(f"{link}/bron")
        g.add((EFFORT, BG.draagtBijAan, T))
        g.add((EFFORT, BG.qualifiedBijdrage, link))
        g.add((link, RDF.type, BG.Bijdrage))
        g.add((link, BG.aanDoel, T))
        g.add((link, PROV.wasDerivedFrom, DOC))
        g.add((link, PROV.qualifiedDerivation, node))
        g.add((node, RDF.type, BG.Bronvermelding))
        g.add((node, PROV.entity, DOC))
        g.add((node, BG.methode, BG.curatie))
    else:
        raise KeyError(name)
    return g


EXPECTED = {
    "no visie": {("violation", "VisieRequired", DOC, (1, 1))},
    "strategic goal unreachable": {("violation", "ReachedFromVisie", S, (12, 12))},
    "tactical goal under two strategic goals": {("violation", "NextLevelTwice", T, (14, 14))},
    "operational goal skips a level": {("violation", "LevelSkipped", OP, (16, 16)),
                                       ("violation", "NextLevelMissing", OP, (16, 16))},
    "loop": {("violation", "LevelSkipped", V, (10, 10)),
             *(("violation", "LevelLoop", x, (LINE[x], LINE[x])) for x in (V, S, T, OP))},
    "effort with no goal": {("warning", "InspanningShape/draagtBijAan/minCount", EFFORT, (20, 20))},
    "document without municipality": {("violation", "DocumentShape/gemeente/minCount", DOC, (1, 1))},
    "buurt in two wijken": {("violation", "BuurtShape/ligtDirectIn/maxCount", BUURT, (31, 31))},
    "effort without ward scope": {("violation", "InspanningShape/heeftWijkbereik/minCount", EFFORT, (20, 20))},
    "negative budget": {("violation", "BudgetShape/value/minInclusive", BUDGET, (40, 40))},
    "budget without year": {("warning", "BudgetYear", BUDGET, (40, 40))},
    "table sum mismatch": {("violation", "TableSum", TABLE, (50, 50))},
    "hours mismatch": {("warning", "HoursPerYear", CAPACITY[3], (73, 73))},
    "indicator without target": {("warning", "IndicatorShape/streefwaarde/minCount", INDICATOR, (60, 60))},
    "resource without provenance": {("violation", "SourceLines", BUDGET, None)},
    "curated fact without lines": {("violation", "CuratedLines", URIRef(f"{EFFORT}/bijdrage/curated"), None)},
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_broken_din_gives_exactly_its_finding(tmp_path, name):
    got = found(tmp_path, broken(name))
    assert got == {(severity, shape, str(focus), lines) for severity, shape, focus, lines in EXPECTED[name]}


def test_finding_words_and_values(tmp_path):
    [table] = validate(store_of(tmp_path, broken("table sum mismatch")))
    assert table.message_nl == "Onderdelen tellen op tot € 100, opgegeven totaal € 120, verschil € 20"
    assert table.message_en == "Parts sum to € 100, stated total € 120, difference € 20"
    assert (table.document, table.label) == ("test-plan.txt", "Tabel regels 50-53")
    assert table.values == {"parts": 100, "total": 120, "difference": 20, "rows": 2, "totalLine": 53}
    [hours] = validate(store_of(tmp_path, broken("hours mismatch")))
    assert hours.values["expected"] == 1244
    [curated] = validate(store_of(tmp_path, broken("curated fact without lines")))
    assert curated.label == "Afvalbakken plaatsen → Minder zwerfafval"


def test_severity_filter(tmp_path):
    store = store_of(tmp_path, broken("effort with no goal"))
    assert len(validate(store, "warning")) == 1
    assert validate(store, "violation") == []


# -- the corpus ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_findings(corpus_store):
    store, _, _ = corpus_store
    return validate(store)


def test_corpus_table_totals_that_do_not_add_up(corpus_findings):
    got = {(f.document, f.lines, f.values["parts"], f.values["total"], f.values.get("year"))
           for f in corpus_findings if f.shape == "TableSum"}
    assert got == {
        ("almelo-2023-plan-leefbare-wijken-en-dorpen.txt", (743, 766), 1616046, 2216044, None),
        ("almelo-2023-plan-leefbare-wijken-en-dorpen.txt", (768, 791), 1616046, 2216044, None),
        ("almelo-2019-programmacontracten.txt", (1009, 1031), 190000, 200000, 2022),
        ("almelo-2019-programmacontracten.txt", (1834, 1852), 300000, 600000, 2022),
    }
    messages = {f.message_en for f in corpus_findings if f.shape == "TableSum"}
    assert "Parts sum to € 1.616.046, stated total € 2.216.044, difference € 599.998" in messages


def test_corpus_hours_per_week_against_hours_per_year(corpus_findings):
    got = {(f.lines, f.label, f.values["perWeek"], f.values["perYear"], f.values["expected"])
           for f in corpus_findings if f.shape == "HoursPerYear"}
    assert got == {((751, 751), "Wijkregisseur", 32, 1400, 1244), ((776, 776), "Wijkregisseur", 32, 1400, 1244),
                   ((752, 752), "Junior wijkregisseur", 36, 1244, 1400), ((777, 777), "Junior wijkregisseur", 36, 1244, 1400)}


def test_corpus_omgevingswet_table_against_the_total_in_the_text(corpus_findings):
    [found_] = [f for f in corpus_findings if f.shape == "TableAgainstText"]
    assert (found_.lines, found_.values["parts"], found_.values["stated"]) == ((7117, 7159), 2319000, 2320000)
    assert found_.severity == "warning"


def test_corpus_name_variants(corpus_findings):
    wards = {f.label: f.values["spellings"] for f in corpus_findings if f.shape == "NameVariants/ward"}
    assert {"Sluiterseveld", "Sluitersveld", "Sluiversveld"} <= set(wards["Sluiterseveld"])
    assert any(hit[0] == "almelo-2023-plan-leefbare-wijken-en-dorpen.txt" and hit[1] <= 103 <= hit[2]
               for hit in wards["Sluiterseveld"]["Sluiversveld"])
    persons = {f.label: f.values["spellings"] for f in corpus_findings if f.shape == "NameVariants/person"}
    assert persons["Eugène van Mierlo"]["E. van Mierlo"][0][1:] == [767, 767]


def test_corpus_findings_all_carry_document_and_lines(corpus_findings):
    assert corpus_findings
    assert all(f.document and f.lines and f.message_nl and f.message_en for f in corpus_findings)


def test_cli_validate_json_and_exit_codes(corpus_store):
    _, _, location = corpus_store
    command = [sys.executable, "-m", "beleidsgraaf.api.cli", "validate", "--store", location]
    result = subprocess.run([*command, "--json", "--severity", "warning"], capture_output=True, text=True, check=False)
    assert result.returncode == 1
    rows = json.loads(result.stdout)
    assert {r["severity"] for r in rows} == {"violation", "warning"}
    assert all(set(r) >= {"message_nl", "message_en", "label", "document", "lines", "values", "shape"} for r in rows)
    assert subprocess.run([*command, "--severity", "nonsense"], capture_output=True, check=False).returncode == 2


def test_cli_validate_empty_store_is_a_usage_error(tmp_path):
    command = [sys.executable, "-m", "beleidsgraaf.api.cli", "validate", "--store", str(tmp_path / "none")]
    assert subprocess.run(command, capture_output=True, check=False).returncode == 2


def test_the_engine_refuses_shacl_it_does_not_run():
    """A constraint component or target the engine cannot run raises instead of being skipped in silence."""
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:pattern "^a" ] .
    """, format="turtle")
    with pytest.raises(engine.UnsupportedShape, match="pattern"):
        engine.constraints(shapes)
    targets = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:p ; sh:property [ sh:path ex:p ; sh:minCount 1 ] .
    """, format="turtle")
    with pytest.raises(engine.UnsupportedShape, match="targetSubjectsOf"):
        engine.constraints(targets)
    closed = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true .
    """, format="turtle")
    with pytest.raises(engine.UnsupportedShape, match="closed"):
        engine.constraints(closed)
    assert engine.constraints()  # the project's own shapes use only what the engine runs


# -- every shape against pySHACL -----------------------------------------------------------------------
# Each check of shapes/*.ttl fires in at least one small graph below and passes in the complete graph, and
# in every graph the engine reports what pySHACL reports, finding by finding: a shape rewritten for speed
# that changes what it finds, or a new shape without a case here, fails these tests.

CONTRACT, DORP = ID["doc/test-plan/contract"], ID["gebied/testdorp/noord"]
SPONSORS = {BG.bestuurlijkOpdrachtgever: ID["rol/test/bestuurlijk"], BG.ambtelijkOpdrachtgever: ID["rol/test/ambtelijk"]}
LINE.update({CONTRACT: 3, DORP: 33, SPONSORS[BG.bestuurlijkOpdrachtgever]: 4, SPONSORS[BG.ambtelijkOpdrachtgever]: 5})
SH_DESCRIPTIVE = {engine.SH[k] for k in ("path", "severity", "message", "name", "description", "order", "group",
                                         "deactivated")}


def complete_graph() -> Graph:
    """The valid DIN plus a focus node for the shapes it leaves without one: a programme contract with both
    sponsors, and a dorp beside the wijk."""
    g = valid_graph()
    thing(g, CONTRACT, BG.Programmacontract, "Testcontract")
    g.add((CONTRACT, DCTERMS.title, Literal("Testcontract", lang="nl")))
    g.add((CONTRACT, DCTERMS.isPartOf, FILE))
    g.add((CONTRACT, BG.jaar, Literal(2023)))
    g.add((CONTRACT, BG.gemeente, TOWN))
    g.add((CONTRACT, BG.sturingsprincipe, BG.programmasturing))
    for role, holding in SPONSORS.items():
        thing(g, holding, BG.Rolvervulling, "Opdrachtgever")
        g.add((holding, ORG.role, role))
        g.add((holding, BG.inDocument, CONTRACT))
    thing(g, DORP, BG.Dorp, "Noord")
    g.add((DORP, BG.ligtDirectIn, TOWN))
    g.add((DORP, BG.ligtIn, TOWN))
    return g


def _more(name: str) -> Graph:  # noqa: C901 - one small edit per way of breaking the complete graph
    g = complete_graph()
    if name == "operational goal under no tactical goal":
        g.remove((OP, BG.draagtBijAan, T))
    elif name == "budget without value":
        g.remove((BUDGET, SCHEMA.value, None))
    elif name == "budget without holder":
        g.remove((BUDGET, BG.budgethouder, None))
    elif name == "buurt in no wijk":
        g.remove((BUURT, BG.ligtDirectIn, None))
    elif name == "buurt directly in the municipality":
        g.set((BUURT, BG.ligtDirectIn, TOWN))
    elif name == "wijk in no municipality":
        g.remove((WIJK, BG.ligtIn, None))
        g.remove((WIJK, BG.ligtDirectIn, None))
    elif name == "dorp in no municipality":
        g.remove((DORP, BG.ligtIn, None))
        g.remove((DORP, BG.ligtDirectIn, None))
    elif name == "document without title":
        g.remove((DOC, DCTERMS.title, None))
    elif name == "document without year":
        g.remove((DOC, BG.jaar, None))
    elif name == "document without steering principle":
        g.remove((DOC, BG.sturingsprincipe, None))
    elif name == "steering principle outside the scheme":
        g.set((DOC, BG.sturingsprincipe, BG.gericht))
    elif name == "effort with two ward scopes":
        g.add((EFFORT, BG.heeftWijkbereik, BG.stadsbreed))
    elif name == "ward scope outside the list":
        g.set((EFFORT, BG.heeftWijkbereik, BG.wijksturing))
    elif name == "targeted effort names no ward":
        g.remove((EFFORT, BG.richtZichOp, None))
    elif name == "indicator without baseline":
        g.remove((INDICATOR, BG.nulwaarde, None))
    elif name == "contract without its official sponsor":
        remove(g, SPONSORS[BG.ambtelijkOpdrachtgever])
    elif name == "table without total row against the text":
        g.remove((TABLE, BG.heeftTotaal, None))  # the amount at line 40, above the table, is then its total
        g.set((BUDGET, SCHEMA.value, Literal(Decimal(101))))
    else:
        return broken(name) + (complete_graph() - valid_graph())
    return g


# What each graph breaks, as (check, focus node): pinned, so a shape rewritten for speed that finds more or
# less than before fails here even where it fails alike in both engines.
CURATED_LINK = URIRef(f"{EFFORT}/bijdrage/curated")
CASES: dict[str, set[tuple[str, URIRef]]] = {
    "no visie": {("VisieRequired", DOC)},
    "strategic goal unreachable": {("ReachedFromVisie", S)},
    "tactical goal under two strategic goals": {("NextLevelTwice", T)},
    "operational goal skips a level": {("LevelSkipped", OP), ("NextLevelMissing", OP)},
    "operational goal under no tactical goal": {("NextLevelMissing", OP)},
    "loop": {("LevelSkipped", V), *(("LevelLoop", x) for x in (V, S, T, OP))},
    "effort with no goal": {("InspanningShape/draagtBijAan/minCount", EFFORT)},
    "effort without ward scope": {("InspanningShape/heeftWijkbereik/minCount", EFFORT)},
    "effort with two ward scopes": {("InspanningShape/heeftWijkbereik/maxCount", EFFORT)},
    "ward scope outside the list": {("InspanningShape/heeftWijkbereik/in", EFFORT)},
    "targeted effort names no ward": {("TargetedWithoutWard", EFFORT)},
    "document without title": {("DocumentShape/title/minCount", DOC)},
    "document without municipality": {("DocumentShape/gemeente/minCount", DOC)},
    "document without steering principle": {("DocumentShape/sturingsprincipe/minCount", DOC)},
    "steering principle outside the scheme": {("DocumentShape/sturingsprincipe/in", DOC)},
    "document without year": {("DocumentYear", DOC)},
    "contract without its official sponsor": {("Opdrachtgever", CONTRACT)},
    "buurt in no wijk": {("BuurtShape/ligtDirectIn/minCount", BUURT)},
    "buurt in two wijken": {("BuurtShape/ligtDirectIn/maxCount", BUURT)},
    "buurt directly in the municipality": {("BuurtParentKind", BUURT)},
    "wijk in no municipality": {("WijkInGemeente", WIJK)},
    "dorp in no municipality": {("WijkInGemeente", DORP)},
    "budget without value": {("BudgetShape/value/minCount", BUDGET)},
    "negative budget": {("BudgetShape/value/minInclusive", BUDGET)},
    "budget without year": {("BudgetYear", BUDGET)},
    "budget without holder": {("HolderPerDocument/sparql", DOC)},
    "table sum mismatch": {("TableSum", TABLE)},
    # The total row, no longer in the table, is an amount without a year.
    "table without total row against the text": {("TableAgainstText", TABLE), ("BudgetYear", TOTAL)},
    "hours mismatch": {("HoursPerYear", CAPACITY[3])},
    "indicator without baseline": {("IndicatorShape/nulwaarde/minCount", INDICATOR)},
    "indicator without target": {("IndicatorShape/streefwaarde/minCount", INDICATOR)},
    "resource without provenance": {("SourceLines", BUDGET)},
    "curated fact without lines": {("CuratedLines", CURATED_LINK)},
}


def _local(node) -> str:
    return str(node).rsplit("#", 1)[-1].rsplit("/", 1)[-1]


def declared_checks(shapes: Graph) -> dict[str, tuple[URIRef, URIRef | None]]:
    """Every check the shapes graph declares, read from the SHACL itself and named as the engine names its
    findings (a SPARQL constraint by its IRI, a property constraint as shape/path/component), with its node
    shape and property shape."""
    sh = engine.SH
    found: dict[str, tuple[URIRef, URIRef | None]] = {}
    shapes_ = set(shapes.subjects(RDF.type, sh.NodeShape)) | {s for p in ("targetClass", "targetNode", "targetSubjectsOf",
                                                                           "targetObjectsOf")
                                                              for s in shapes.subjects(sh[p], None)}
    for shape in shapes_:
        for constraint in shapes.objects(shape, sh.sparql):
            found[_local(constraint) if isinstance(constraint, URIRef) else f"{_local(shape)}/sparql"] = (shape, None)
        for prop in shapes.objects(shape, sh.property):
            path = shapes.value(prop, sh.path)
            for parameter in set(shapes.predicates(prop)) - SH_DESCRIPTIVE - {RDF.type}:
                found[f"{_local(shape)}/{_local(path)}/{_local(parameter)}"] = (shape, prop)
    return found


def pyshacl_findings(g: Graph) -> Counter:
    """pySHACL's results as (focus, check, severity), each as often as reported."""
    sh, shapes = engine.SH, engine.shapes_graph()
    _, report, _ = pyshacl.validate(g + ontology(), shacl_graph=shapes, allow_warnings=True)
    found: Counter = Counter()
    for result in report.subjects(RDF.type, sh.ValidationResult):
        source = report.value(result, sh.sourceShape)
        component = _local(report.value(result, sh.sourceConstraintComponent))
        if component == "SPARQLConstraintComponent":
            constraint = report.value(result, sh.sourceConstraint)
            check = _local(constraint) if isinstance(constraint, URIRef) else f"{_local(source)}/sparql"
        else:  # a property shape: named by its node shape, path and component, as the engine names it
            parent = shapes.value(None, sh.property, source)
            name = component.removesuffix("ConstraintComponent")
            check = f"{_local(parent)}/{_local(report.value(result, sh.resultPath))}/{name[0].lower()}{name[1:]}"
        found[(str(report.value(result, sh.focusNode)), check, engine.SEVERITIES[report.value(result, sh.resultSeverity)])] += 1
    return found


def engine_findings(tmp_path: Path, g: Graph) -> Counter:
    # Name variants are the validator's own check, not a shape: pySHACL has nothing to compare them with.
    return Counter((f.focus, f.shape, f.severity) for f in validate(store_of(tmp_path, g))
                   if not f.shape.startswith("NameVariants/"))


@lru_cache(maxsize=1)
def ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "beleidsgraaf.ttl")


def test_every_check_of_the_shapes_has_a_case():
    declared = declared_checks(engine.shapes_graph())
    assert set(declared) == {c.id for c in engine.constraints()}  # the engine runs each one, named the same
    broken_here = {check for expected in CASES.values() for check, _ in expected}
    missing = set(declared) - broken_here
    assert not missing, f"checks no graph here breaks (add a case): {sorted(missing)}"
    assert broken_here <= set(declared), "a case breaks a check the shapes no longer declare"


def test_the_complete_graph_passes_every_check_with_a_focus_node_for_each(tmp_path):
    """Passing means something only where a check has something to look at: each node shape has focus nodes
    here, and each property shape a focus node with a value on its path."""
    g = complete_graph()
    assert pyshacl_findings(g) == Counter() == engine_findings(tmp_path, g)
    data, shapes, sh = g + ontology(), engine.shapes_graph(), engine.SH
    for check, (shape, prop) in declared_checks(shapes).items():
        focus: set = set()
        for cls in shapes.objects(shape, sh.targetClass):
            focus |= set(data.query("SELECT ?x WHERE { ?x a/rdfs:subClassOf* ?c }", initBindings={"c": cls}))
        for p in shapes.objects(shape, sh.targetSubjectsOf):
            focus |= {(s,) for s in data.subjects(p, None)}
        for p in shapes.objects(shape, sh.targetObjectsOf):
            focus |= {(o,) for o in data.objects(None, p)}
        focus |= {(n,) for n in shapes.objects(shape, sh.targetNode)}
        assert focus, f"{check}: no focus node in the complete graph"
        if prop is not None:
            path = engine._path(shapes, shapes.value(prop, sh.path))
            valued = [x for (x,) in focus if list(data.query(f"ASK {{ ?x {path} ?v }}", initBindings={"x": x}))[0]]
            assert valued, f"{check}: no focus node with a value on its path in the complete graph"


@pytest.mark.parametrize("name", sorted(CASES))
def test_engine_and_pyshacl_findings_one_by_one(tmp_path, name):
    """Each finding, by focus node, check and severity, as often in one engine as in the other."""
    g = _more(name)
    theirs, ours = pyshacl_findings(g), engine_findings(tmp_path, g)
    assert ours == theirs, f"engine only: {ours - theirs}; pySHACL only: {theirs - ours}"
    assert {(check, focus) for focus, check, _ in ours} == {(check, str(focus)) for check, focus in CASES[name]}
