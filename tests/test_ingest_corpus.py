"""The real corpus against the hand-written gold files in tests/gold/ (read from the documents)."""

from pathlib import Path

import pytest
from rdflib import Literal

from beleidsgraaf.ontology.namespaces import BG
from tests.conftest import CORPUS
from tests.gold_eval import find_document, gold_files, labels, load, recall

GOLD = {p.stem: load(p) for p in gold_files()}
PREFIXES = "PREFIX bg: <https://w3id.org/beleidsgraaf/def#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> " \
           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX prov: <http://www.w3.org/ns/prov#> "


def test_bundle_is_split_into_letter_and_seven_contracts(corpus_store):
    store, report, _ = corpus_store
    docs = [d for d in report.documents if d.file == "almelo-2019-programmacontracten.txt"]
    assert len(docs) == 8
    assert [d.title for d in docs][1:] == [
        "Programmacontract Duurzaamheid", "Programmacontract Binnenstad", "Programmacontract Economie en Participatie",
        "Programmacontract Nieuwstraatkwartier", "Programmacontract Omgevingswet", "Programmacontract Veiligheid",
        "Programmacontract Zorg"]


@pytest.mark.parametrize("name", sorted(GOLD))
def test_document_boundaries_and_metadata_match_gold(corpus_store, name):
    store, _, _ = corpus_store
    gold = GOLD[name]
    match = find_document(store, gold)
    assert match is not None
    first, last = gold["document"]["lines"]
    # The cover block of the Zorg contract and the Veiligheid motto line make a few lines debatable.
    assert abs(match.first - first) <= 4 and abs(match.last - last) <= 12, (match.first, match.last)
    assert match.municipality == gold["document"]["municipality"]
    assert match.year == gold["document"]["year"]


def test_2023_annex_gives_12_wards_and_67_buurten_with_their_wijk(corpus_store):
    store, _, _ = corpus_store
    gold = GOLD["almelo-2023-plan-leefbare-wijken-en-dorpen__leefbare-wijken-en-dorpen"]
    rows = store.query(PREFIXES + "SELECT ?b ?w WHERE { ?x a bg:Buurt ; skos:prefLabel ?b ; bg:ligtDirectIn/skos:prefLabel ?w }")
    got = {(str(r.b), str(r.w)) for r in rows}
    expected = {(w["label"], w["parent"]) for w in gold["wards"] if w["kind"] == "buurt" and w["parent"]}
    assert len(expected) == 67
    assert expected <= got
    wijken = store.query(PREFIXES + "SELECT ?w ?code WHERE { ?x a ?c ; skos:prefLabel ?w ; bg:cbsCode ?code ; "
                                    "bg:ligtDirectIn ?g . ?g a bg:Gemeente ; bg:cbsCode 'GM0141' . "
                                    "VALUES ?c { bg:Wijk bg:Dorp } }")
    codes: dict[str, set[str]] = {}
    for r in wijken:
        codes.setdefault(str(r.w), set()).add(str(r.code))
    listed = {w["label"] for w in gold["wards"] if w["kind"] in ("wijk", "dorp")}
    assert len(listed) == 12 and listed <= set(codes)
    # The annex numbers its wards: that numbering is the code, one per ward, even where CBS later renumbered.
    assert codes["Ossenkoppelerhoek"] == {"WK014108"}
    assert all(len(c) == 1 for c in codes.values())


def test_the_two_dorpen_of_the_2023_annex_are_dorpen(corpus_store):
    store, _, _ = corpus_store
    gold = GOLD["almelo-2023-plan-leefbare-wijken-en-dorpen__leefbare-wijken-en-dorpen"]
    rows = store.query(PREFIXES + "SELECT DISTINCT ?l WHERE { ?x a bg:Dorp ; skos:prefLabel ?l }")
    assert {str(r.l) for r in rows} == {w["label"] for w in gold["wards"] if w["kind"] == "dorp"}


def test_utrecht_wards_come_from_running_text_without_a_ward_list(corpus_store):
    store, _, _ = corpus_store
    rows = store.query(PREFIXES + "SELECT DISTINCT ?l WHERE { ?x a bg:Wijk ; skos:prefLabel ?l ; bg:ligtIn ?g . "
                                  "?g rdfs:label 'Utrecht'@nl }")
    got = {str(r.l) for r in rows}
    gold = GOLD["utrecht-2011-wijkgericht-werken__wijkgericht-werken"]
    assert {w["label"] for w in gold["wards"] if w["kind"] == "wijk"} <= got


def test_a_programme_has_few_visies(corpus_store):
    store, _, _ = corpus_store
    rows = store.query(PREFIXES + "SELECT ?d (COUNT(DISTINCT ?v) AS ?n) WHERE { ?v a bg:Visie ; prov:wasDerivedFrom ?d } "
                                  "GROUP BY ?d")
    counts = {str(r.d).rsplit("/", 1)[-1]: int(r.n) for r in rows}
    assert counts["binnenstad"] == 4  # the four 'keuzes' that the text says form the visie
    assert max(counts.values()) <= 4, counts


def test_spelling_variants_are_alt_labels_of_one_ward(corpus_store):
    store, _, _ = corpus_store
    rows = store.query(PREFIXES + "SELECT ?alt WHERE { ?w skos:prefLabel ?pref ; skos:altLabel ?alt }",
                       {"pref": Literal("Sluiterseveld", lang="nl")})
    assert {"Sluitersveld", "Sluiversveld"} <= {str(r.alt) for r in rows}


def test_buurt_lies_transitively_in_the_municipality(corpus_store):
    store, _, _ = corpus_store
    assert store.query(PREFIXES + "ASK { ?b skos:prefLabel 'Beeklust'@nl ; bg:ligtIn ?g . "
                                  "?g a bg:Gemeente ; rdfs:label 'Almelo'@nl }").askAnswer


def test_every_labelled_resource_has_document_and_line_span(corpus_store):
    store, _, _ = corpus_store
    query = PREFIXES + """SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {
      GRAPH ?g { ?x rdfs:label ?l } FILTER(?g != <https://w3id.org/beleidsgraaf/id/graph/ontology>)
      FILTER NOT EXISTS { ?x a bg:Bronbestand }
      FILTER NOT EXISTS { ?x a <http://www.w3.org/2006/time#Interval> }
      OPTIONAL { ?x prov:qualifiedDerivation ?d . ?d prov:entity ?doc ; bg:beginRegel ?b ; bg:eindRegel ?e .
                 ?x prov:wasDerivedFrom ?doc }
      FILTER(!BOUND(?d))
    }"""
    assert int(next(iter(store.query(query)))[0]) == 0
    total = store.query(PREFIXES + "SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE { ?x prov:qualifiedDerivation ?d }")
    assert int(next(iter(total))[0]) > 1000


def test_every_effort_has_a_ward_scope(corpus_store):
    store, _, _ = corpus_store
    missing = store.query(PREFIXES + "SELECT ?e WHERE { ?e a/rdfs:subClassOf* bg:Inspanning "
                                    "FILTER NOT EXISTS { ?e bg:heeftWijkbereik ?s } }")
    assert list(missing) == []
    scopes = store.query(PREFIXES + "SELECT DISTINCT ?s WHERE { ?e bg:heeftWijkbereik ?s }")
    assert {BG.gericht, BG.stadsbreed, BG.onbekend} >= {r.s for r in scopes}


def test_curated_links_live_in_their_own_graph_with_source_lines(corpus_store):
    store, report, _ = corpus_store
    assert report.curated_links > 50
    rows = store.query(PREFIXES + """SELECT ?from ?to ?b WHERE {
      GRAPH <https://w3id.org/beleidsgraaf/id/graph/curated/almelo-2020-contract-wijksturing> {
        ?x bg:qualifiedBijdrage ?q . ?q bg:aanDoel ?t ; prov:qualifiedDerivation [ bg:beginRegel ?b ; bg:methode bg:curatie ] }
      ?x rdfs:label ?from . ?t rdfs:label ?to }""")
    links = {(str(r["from"]), str(r.to)) for r in rows}
    assert ("Schoon", "De basis is (meer) op orde") in links or ("Schoon", "Basis is (meer) op orde") in links


def test_budget_with_period_from_the_2023_plan(corpus_store):
    store, _, _ = corpus_store
    rows = store.query(PREFIXES + """SELECT ?b ?line WHERE { ?b a bg:Budget ; <https://schema.org/value> ?v ;
        bg:looptijd/<http://www.w3.org/2006/time#hasBeginning>/<http://www.w3.org/2006/time#inXSDgYear> ?start ;
        prov:qualifiedDerivation/bg:beginRegel ?line FILTER(?v = 625000) }""")
    assert [int(r.line) for r in rows] == [459]


def test_an_income_or_house_value_is_no_budget(corpus_store):
    """A contract compares a ward's average income and WOZ value with the town's in a table
    of euros: statistics, not money the programme has."""
    store, _, _ = corpus_store
    rows = store.query(PREFIXES + """SELECT ?b WHERE { ?b a bg:Budget ; bg:bestemming ?p
        FILTER(CONTAINS(LCASE(STR(?p)), "inkomen") || CONTAINS(LCASE(STR(?p)), "woz")) }""")
    assert not list(rows)
    kept = store.query(PREFIXES + """SELECT ?b WHERE { ?b a bg:Budget ; <https://schema.org/value> ?v FILTER(?v = 625000) }""")
    assert list(kept)  # the other amounts stay


def test_roles_from_cover_blocks(corpus_store):
    store, _, _ = corpus_store
    rows = store.query(PREFIXES + """SELECT ?name ?role WHERE {
        ?m a bg:Rolvervulling ; <http://www.w3.org/ns/org#member>/rdfs:label ?name ;
        <http://www.w3.org/ns/org#role> ?role }""")
    got = {(str(r.name), str(r.role).split("#")[1]) for r in rows}
    assert ("Jan Martin van Rees", "bestuurlijkOpdrachtgever") in got
    assert ("Alex Langius", "ambtelijkOpdrachtgever") in got
    assert ("Evelien van Rijswijk-Hendriks", "managerWijksturing") in got
    assert ("Hatice Kücükbal", "programmamanager") in got


ROLE_ROWS = """SELECT DISTINCT ?name ?role ?line ?cls ?file WHERE {
    ?m a bg:Rolvervulling ; <http://www.w3.org/ns/org#member> ?agent ; <http://www.w3.org/ns/org#role> ?role ;
       prov:qualifiedDerivation [ bg:beginRegel ?line ; prov:entity/<http://purl.org/dc/terms/isPartOf>/bg:bestandsnaam ?file ] .
    ?agent rdfs:label ?name ; a ?cls . FILTER(?cls IN (bg:Persoon, bg:Functionaris, bg:Bestuursorgaan)) }"""
BUNDLE = "almelo-2019-programmacontracten.txt"


def test_roles_from_prose_sentences(corpus_store):
    """Names in running text: an office before the name, the role after it or before it, with the line."""
    store, _, _ = corpus_store
    got = {(str(r.name), str(r.role).split("#")[1], int(r.line), str(r.cls).split("#")[1], str(r.file))
           for r in store.query(PREFIXES + ROLE_ROWS)}
    expected = [
        ("van Rees", "bestuurlijkOpdrachtgever", 1549, "Persoon"),      # 'Wethouder van Rees is bestuurlijk opdrachtgever'
        ("van Rees", "wethouder", 1549, "Persoon"),
        ("Saïd Benayad", "ambtelijkOpdrachtgever", 1562, "Persoon"),   # 'Adjunct-directeur Saïd Benayad is ...'
        ("E. van Mierlo", "bestuurlijkOpdrachtgever", 767, "Persoon"),  # 'Programmawethouder E. van Mierlo is de ...'
        ("S. Benayad", "ambtelijkOpdrachtgever", 774, "Persoon"),      # 'Directielid S. Benayad is ambtelijk ...'
        ("A. Agus", "opdrachtnemer", 781, "Persoon"),
        ("Saïd Benayad", "ambtelijkOpdrachtgever", 6937, "Persoon"),   # 'De ambtelijk opdrachtgever is adjunct directeur ...'
        ("Janke Krommendijk", "programmamanager", 6957, "Persoon"),    # 'De programmamanager is Janke Krommendijk'
        ("Eugène van Mierlo", "bestuurlijkOpdrachtgever", 6907, "Persoon"),  # heading, then 'Wethouder Eugène van Mierlo is ...'
        ("burgemeester", "bestuurlijkOpdrachtgever", 4729, "Functionaris"),  # 'De burgemeester is bestuurlijk opdrachtgever'
        ("adjunct-directeur", "ambtelijkOpdrachtgever", 4747, "Functionaris"),
        ("burgemeester", "bestuurlijkOpdrachtgever", 7966, "Functionaris"),  # '... is exclusief bestuurlijk opdrachtgever'
        ("algemeen directeur", "ambtelijkOpdrachtgever", 7988, "Functionaris"),  # heading, then 'Algemeen Directeur.'
        ("programmamanager Nieuwstraatkwartier", "opdrachtnemer", 4286, "Functionaris"),  # '... als opdrachtnemer'
        ("college", "bestuurlijkOpdrachtgever", 4285, "Bestuursorgaan"),
        ("Alex Langius", "bestuurlijkOpdrachtgever", 8480, "Persoon"),  # the cover block before 'Programmacontract Zorg'
    ]
    for name, role, line, cls in expected:
        assert (name, role, line, cls, BUNDLE) in got, (name, role, line)
    plan = "almelo-2023-plan-leefbare-wijken-en-dorpen.txt"
    assert ("wethouder 'Leefbare wijken en dorpen'", "bestuurlijkOpdrachtgever", 376, "Functionaris", plan) in got
    assert ("manager wijksturing", "opdrachtnemer", 385, "Functionaris", plan) in got
    # an office holding its own role says nothing: no 'programmamanager' as the programme manager
    assert not {g for g in got if g[0] == "programmamanager" and g[1] == "programmamanager"}


def test_participant_list_splits_name_and_organisation(corpus_store):
    store, _, _ = corpus_store
    rows = store.query(PREFIXES + """SELECT DISTINCT ?name ?org ?line WHERE {
        ?m <http://www.w3.org/ns/org#role> bg:deelnemer ; <http://www.w3.org/ns/org#member> ?p ;
           prov:qualifiedDerivation/bg:beginRegel ?line .
        ?p rdfs:label ?name ; <http://www.w3.org/ns/org#memberOf>/rdfs:label ?org }""")
    got = {(str(r.name), str(r.org), int(r.line)) for r in rows}
    assert ("Marijke de Jong", "Bestuurs- en Concerndienst", 1701) in got  # '(voorzitter)' between name and organisation
    assert ("Rob van der List", "Politie Utrecht Zuid", 1733) in got
    assert ("M.A. Joemman", "Wijkraad Overvecht", 1731) in got
    assert ("Daniëlle van der Heiden", "wijkbureau Overvecht", 2198) in got
    assert len({name for name, _, _ in got}) >= 80  # six groups of participants


def test_line_project_under_a_unit_heading_belongs_to_that_unit():
    """A matrix of projects per line unit: the unit heading above a line project runs it (classify_efforts)."""
    from beleidsgraaf.ingest import municipal
    from beleidsgraaf.ingest.extract import unit_above
    from beleidsgraaf.ingest.profiles import all_profiles

    default = next(p for p in all_profiles() if p.name == "default")
    assert default.get("line_units") == []  # one municipality's team names are not in the generic profile
    units = municipal.apply(default, "Almelo", CORPUS).get("line_units")  # they are in its profile beside the corpus
    lines = (Path(__file__).resolve().parents[1] / "corpus" / BUNDLE).read_text(encoding="utf-8").split("\n")
    assert unit_above(lines, 5165, 4284, units) == "Uitvoering Fysiek"   # 'Nieuwstraat (lijnproject=> ...)'
    assert unit_above(lines, 5172, 4284, units) == "Uitvoering Fysiek"   # 'Schoolstraat (lijnproject ...)'
    assert unit_above(lines, 8377, 7522, units) == "Uitvoering Sociaal"  # 'Project AVE ... Lijnproject'
    assert unit_above(lines, 8405, 7522, units) is None  # under 'Ondermijning' / 'Veiligheid': no unit of the profile


# Recall against the gold labels. The floors are what extraction reaches today (a regression guard);
# the targets from the issue are 95 % wards, 85 % goals, 75 % efforts.
# Persons: gold actors of kind person (named, or named by their office) against bg:Persoon labels;
# Organisaties: the other gold actors (bodies, teams, partners) against the organisation classes.
FLOORS = {"Doel": 0.88, "Inspanning": 0.72, "Gebied": 0.95, "Persoon": 0.92, "Organisaties": 0.70}
ORGANISATION_CLASSES = ("Partnerorganisatie", "Lijneenheid", "Bestuursorgaan", "Wijkteam", "Programma")


@pytest.mark.parametrize("cls", sorted(FLOORS))
def test_recall_over_all_gold_documents(corpus_store, cls):
    store, _, _ = corpus_store
    hit = total = 0.0
    for gold in GOLD.values():
        match = find_document(store, gold)
        actors = gold.get("actors") or []
        if cls == "Doel":
            wanted = [g["label"] for g in gold["goals"]] + [v["label"] for v in gold["visie"]]
        elif cls == "Inspanning":
            wanted = [e["label"] for e in gold["efforts"]]
        elif cls == "Persoon":
            wanted = [a["name"] for a in actors if a.get("kind", "person") == "person"]
        elif cls == "Organisaties":
            wanted = [a["name"] for a in actors if a.get("kind", "person") != "person"]
        else:
            wanted = [w["label"] for w in gold["wards"] if w["kind"] != "gemeente"]
        if cls == "Organisaties":
            found = [label for c in ORGANISATION_CLASSES for label in labels(store, match.doc, c)]
        else:
            found = labels(store, match.doc, cls)
        hit += recall(wanted, found) * len(wanted)
        total += len(wanted)
    assert hit / total >= FLOORS[cls], f"{cls} recall {hit / total:.2f}"


def test_gold_files_cite_real_lines():
    root = Path(__file__).resolve().parents[1] / "corpus"
    for gold in GOLD.values():
        lines = (root / gold["file"]).read_text(encoding="utf-8").split("\n")
        for goal in gold["goals"]:
            first, last = goal["lines"]
            text = " ".join(lines[first - 1:last])
            assert goal["label"].split()[0].strip("‘'“") in text, (gold["file"], goal)


def test_programme_relation_is_cited(corpus_store):
    store, _, _ = corpus_store
    rows = store.query(PREFIXES + """SELECT ?line WHERE { ?r a bg:Programmarelatie ; bg:naar ?p ;
        prov:qualifiedDerivation/bg:beginRegel ?line . ?p rdfs:label 'Sociaal en Vitaal'@nl }""")
    assert 199 in {int(r.line) for r in rows}
