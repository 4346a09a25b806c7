import shutil

from rdflib import Graph
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from beleidsgraaf.ontology.model import ONTOLOGY_PATH, ontology_graph
from beleidsgraaf.ontology.namespaces import BG


def test_every_term_has_dutch_and_english_label_and_definition():
    g = ontology_graph()
    terms = [s for t in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty) for s in g.subjects(RDF.type, t)
             if str(s).startswith(str(BG))]
    assert len(terms) > 60
    for term in terms:
        langs = {label.language for label in g.objects(term, RDFS.label)}
        assert {"nl", "en"} <= langs, term
        assert {d.language for d in g.objects(term, SKOS.definition)} >= {"nl", "en"}, term


def test_din_levels_are_goals_and_efforts_have_kinds():
    g = ontology_graph()
    for cls in ("Visie", "StrategischDoel", "TactischDoel", "OperationeelDoel", "Beleidsdoel"):
        assert (BG[cls], RDFS.subClassOf, BG.Doel) in g
    for cls in ("Project", "Activiteit", "Werkveld", "Programmalijn"):
        assert (BG[cls], RDFS.subClassOf, BG.Inspanning) in g
    assert (BG.ligtIn, RDF.type, OWL.TransitiveProperty) in g
    assert set(g.objects(BG.sturingsprincipes, SKOS.hasTopConcept)) == {BG.lijnsturing, BG.programmasturing, BG.wijksturing}


def test_ontology_loads_in_owlready2_and_is_consistent(tmp_path):
    assert shutil.which("java"), "HermiT needs Java: .ci/run installs a JRE (default-jre-headless)"
    import owlready2

    nt = tmp_path / "beleidsgraaf.nt"
    Graph().parse(ONTOLOGY_PATH).serialize(nt, format="nt", encoding="utf-8")
    world = owlready2.World()
    onto = world.get_ontology(nt.as_uri()).load(format="ntriples")
    assert len(list(onto.classes())) > 40
    with onto:
        owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    assert list(world.inconsistent_classes()) == []
