"""Questions on the real corpus: entity linking, intents, the JSON contract, cited answers, negatives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from beleidsgraaf.errors import InputError, NotFoundError
from beleidsgraaf.queries import named
from beleidsgraaf.queries.answer import answerer
from beleidsgraaf.queries.evaluate import evaluate, load
from beleidsgraaf.queries.intents import language, rank
from beleidsgraaf.queries.linking import link
from beleidsgraaf.queries.reports import afstemming_report, programme_links

QUESTIONS = Path(__file__).with_name("qa") / "questions.jsonl"
SECOND_SET = Path(__file__).with_name("qa") / "heldout.jsonl"
PLAN = "almelo-2023-plan-leefbare-wijken-en-dorpen.txt"


@pytest.fixture(scope="module")
def worker(corpus_store):
    store, _, _ = corpus_store
    return answerer(store)


@pytest.mark.parametrize("spelling", ["ossenkopelerhoek", "Ossenkopplerhoek", "OSSENKOPPELERHOEK"])
def test_typos_and_variants_link_to_the_one_ward(worker, spelling):
    linked = link(f"Welke projecten raken {spelling}?", worker.index)
    ward = linked.first("ward")
    assert ward is not None and ward.label == "Ossenkoppelerhoek"


def test_sluitersveld_spellings_are_one_resource(worker):
    iris = {link(f"wat speelt er in {name}", worker.index).first("ward").iri
            for name in ("Sluitersveld", "Sluiterseveld", "Sluiversveld")}
    assert len(iris) == 1


def test_an_unknown_ward_stays_unknown(worker):
    linked = link("Welke lijnprojecten raken Zonnedal?", worker.index)
    assert linked.first("ward") is None
    assert "Zonnedal" in linked.unknown


@pytest.mark.parametrize("question, intent", [
    ("Welke lijnprojecten raken Ossenkoppelerhoek?", "ward_efforts"),
    ("wat moet ik afstemmen in Sluitersveld", "afstemming"),
    ("Welke buurten horen bij Windmolenbroek?", "ward_buurten"),
    ("How many neighbourhoods does De Riet have?", "ward_buurten"),
    ("Wie is programmamanager van Zorg?", "role_holder"),
    ("Which programmes name Binnenstad as related, and is that mutual?", "relations"),
    ("Klopt het totaal van de begroting van Duurzaamheid?", "budget_check"),
    ("Hoeveel uur per week heeft de wijkregisseur?", "capacity"),
    ("What is the budget of Duurzaamheid in 2021?", "budget"),
    ("Wat is de visie van het programma Binnenstad?", "din_goals"),
    ("In welke wijk ligt Beeklust?", "ward_parent"),
])
def test_intent_is_recognised(worker, question, intent):
    assert rank(question, link(question, worker.index))[0][1].name == intent


def test_language_is_detected():
    assert language("Welke programma's zijn er?") == "nl"
    assert language("Which programmes name Binnenstad as related?") == "en"


def test_json_contract(worker):
    result = worker.ask("Welke buurten horen bij Ossenkoppelerhoek?")
    assert set(result) == {"question", "intent", "answer", "answers", "passages", "sparql"}
    assert isinstance(result["answer"], str) and result["answer"]
    for item in result["answers"]:
        assert set(item) == {"text", "iri", "evidence"}
        for evidence in item["evidence"]:
            assert set(evidence) == {"document", "lines", "quote"}
            assert evidence["lines"][0] <= evidence["lines"][1]
    for passage in result["passages"]:
        assert set(passage) >= {"document", "lines", "text", "score"}
    assert "SELECT" in result["sparql"]


def test_buurten_of_a_wijk_with_their_annex_lines(worker):
    result = worker.ask("Welke buurten horen bij ossenkopelerhoek?")
    for buurt in ("Beeklust", "Boomsplaats", "Ossenkoppelerhoek Midden-Noord", "Ossenkoppelerhoek West"):
        assert buurt in result["answer"]
    cited = {(e["document"], e["lines"][0]) for a in result["answers"] for e in a["evidence"]}
    assert (PLAN, 570) in cited  # "1. Beeklust" in Bijlage I


def test_flagship_question_cites_the_ward_and_invents_no_line_project(worker):
    result = worker.ask("Welke lijnprojecten raken Ossenkoppelerhoek?")
    assert result["answer"].startswith("Niet gevonden") and "Ossenkoppelerhoek" in result["answer"]
    # What does land there, under wijksturing: the Platform31 pilot, as an effort targeted at the ward.
    assert "met andere sturing" in result["answer"] and "pilot in Ossenkoppelerhoek (wijksturing" in result["answer"]
    cited = {(e["document"], tuple(e["lines"])) for a in result["answers"] for e in a["evidence"]}
    assert any(doc == PLAN and a <= 306 <= b for doc, (a, b) in cited)  # the Platform31 pilot
    for item in result["answers"]:
        assert item["evidence"], f"uncited answer item {item['text']}"


def test_negative_questions_say_not_found(worker):
    unknown_ward = worker.ask("Welke lijnprojecten raken Zonnedal?")
    assert "Niet gevonden" in unknown_ward["answer"] and "Zonnedal" in unknown_ward["answer"]
    unnamed = worker.ask("Wie is de wijkregisseur van Windmolenbroek?")
    assert "Niet gevonden" in unnamed["answer"]
    english = worker.ask("Which efforts reach Atlantis?")
    assert "Not found" in english["answer"]


def test_table_total_check_reports_the_real_mismatch(worker):
    result = worker.ask("Klopt de begrotingstabel van het programma Duurzaamheid?")
    assert "190.000" in result["answer"] and "200.000" in result["answer"]
    plan = worker.ask("Klopt het totaal van de begroting van het plan Leefbare wijken en dorpen?")
    assert "1.616.046" in plan["answer"] and "2.216.044" in plan["answer"]


def test_at_least_fifteen_named_queries_with_headers():
    catalogue = named.catalogue()
    assert len(catalogue) >= 15
    for query in catalogue.values():
        assert query.nl and query.en, query.name
        assert all(p.type in ("iri", "string", "integer", "decimal") for p in query.parameters)


def test_named_query_parameters_are_checked():
    query = named.get("ward-buurten")
    with pytest.raises(InputError):
        query.bind({})
    with pytest.raises(InputError):
        query.bind({"ward": "} DROP ALL {"})
    with pytest.raises(InputError):
        query.bind({"ward": "https://x.org/a", "extra": "1"})
    with pytest.raises(NotFoundError):
        named.get("bestaat-niet")


def test_afstemming_report_and_unknown_ward(corpus_store):
    store, _, _ = corpus_store
    report = afstemming_report(store, "Sluiterseveld")
    assert report["ward"] in ("Sluitersveld", "Sluiterseveld")
    assert report["rules"], "the coordination rules of the documents are cited"
    assert all(rule["evidence"] for rule in report["rules"])
    with pytest.raises(NotFoundError):
        afstemming_report(store, "Zonnedal")


def test_programme_links_are_mutual_only_when_both_name_each_other(corpus_store):
    store, _, _ = corpus_store
    rows = {row["iri"]: row for row in programme_links(store)}
    veiligheid = next(r for r in rows.values() if r["programme"] == "Veiligheid" and "/almelo/" in r["iri"])
    named_by_veiligheid = {n["programme"]: n["mutual"] for n in veiligheid["names"]}
    assert named_by_veiligheid.get("Binnenstad") is False  # Binnenstad names no other programme
    assert named_by_veiligheid.get("Zorg") is True  # Zorg names Veiligheid back (line 9118-9120)
    for row in rows.values():
        for link_ in row["names"]:
            back = {n["iri"] for n in rows.get(link_["iri"], {}).get("names", [])}
            assert link_["mutual"] == (row["iri"] in back)


def test_question_set_floor(corpus_store):
    """Regression floor on our own question set; the closing note reports the real figures."""
    store, _, _ = corpus_store
    report = evaluate(store, load(QUESTIONS), with_mrr=False)
    assert len(report.outcomes) >= 100
    assert report.accuracy() >= 0.85
    assert report.evidence_accuracy() >= 0.90


def test_another_municipalitys_documents_beside_the_corpus_keep_the_question_set_floor(mixed_store):
    """Questions about the corpus that name no municipality are answered as well with a budget of another town in
    the store (its 'P3' once made "programma's" link to that budget's programme 3)."""
    report = evaluate(mixed_store, load(QUESTIONS), with_mrr=False)
    assert report.accuracy() >= 0.91  # 0.924 as on the corpus alone; 0.894 while that link was made
    assert report.evidence_accuracy() >= 0.90


def test_second_question_set_floor(corpus_store):
    """Regression floor on tests/qa/heldout.jsonl (once held out, now read like our own set)."""
    store, _, _ = corpus_store
    report = evaluate(store, load(SECOND_SET), with_mrr=False)
    assert len(report.outcomes) >= 80
    assert report.accuracy() >= 0.70
    assert report.evidence_accuracy() >= 0.80


def test_programme_line_goals_are_given_by_number(worker):
    result = worker.ask("Programmalijn 3 'Monitoring en Sturing' van Zorg: aan welke strategische doelen draagt die bij?")
    assert result["intent"] == "contributes_to"
    assert "strategisch doel 3" in result["answer"] and "strategisch doel 4" in result["answer"]
    assert "strategisch doel 1" not in result["answer"]
    cited = {tuple(e["lines"]) for a in result["answers"] for e in a["evidence"]}
    assert (8904, 8904) in cited  # "Deze programmalijn draagt bij aan de strategische doelen 3 en 4."


def test_an_effort_section_amount_is_that_efforts_budget_and_sums_add_up(worker):
    result = worker.ask("Wat reserveert Economie en Participatie samen voor 'Vroeg er op af' en het SchuldenLab?")
    assert "350.000" in result["answer"] and "200.000" in result["answer"] and "150.000" in result["answer"]
    million = worker.ask("How large was the yearly budget of the Sociale Herovering De Riet in the 2008 notitie?")
    assert "€ 2 " not in million["answer"]  # "€ 2 mln." is two million, never two euros


def test_a_buurt_named_without_en_omgeving_finds_its_wijk(worker):
    result = worker.ask("Bij welke wijk hoort de buurt Rohof?")  # "buurt" is no question for its buurten
    assert result["intent"] == "ward_parent" and "Wierdensehoek" in result["answer"]


def test_what_both_programmes_name_is_what_they_share(worker):
    result = worker.ask("Welke energiepartij is partner van zowel Duurzaamheid als Nieuwstraatkwartier?")
    assert result["intent"] == "shared" and "Cogas" in result["answer"]


def test_what_an_element_entails_comes_from_where_the_text_explains_it(worker):
    result = worker.ask("Wat betekent het werkveld 'Het versterken van het wijkgericht werken' in het plan 2023?")
    assert result["intent"] == "element"
    assert "wijkopgaven integraler" in result["answer"] and "lijn-, programma- en wijksturing" in result["answer"]
    cited = [(e["document"], e["lines"]) for a in result["answers"] for e in a["evidence"]]
    assert any(doc == PLAN and a <= 667 <= b for doc, (a, b) in cited)  # "... dat betekent dat:", not the DIN list line


def test_questions_the_graph_cannot_hold_are_answered_from_the_text(worker):
    # "operationeel" is no goal here and the loket is not a role: the passage that says when it opens answers.
    members = worker.ask("welke leden heeft de stuurgroep van het nsk?")
    assert members["intent"] is None and "Stuurgroep" in members["answer"]
    assert any(a <= 4737 <= b for item in members["answers"] for e in item["evidence"] for a, b in [e["lines"]])
    lobby = worker.ask("Hoeveel Twentse gemeenten namen al deel aan strategisch overleg over de lobby richting het Rijk?")
    assert "14" in lobby["answer"] and "Niet gevonden als" not in lobby["answer"]


def test_a_year_or_amount_the_text_does_not_give_is_not_found(worker):
    result = worker.ask("Naar hoeveel bijstandsdossiers wil Economie en Participatie in 2030 toe?")
    assert result["answer"].startswith("Niet gevonden") and "2030" in result["answer"]
    made_up = worker.ask("How much money does the 2019 contract give the Sport programme?")
    assert "Not found" in made_up["answer"] and "Sport" in made_up["answer"]


def test_english_questions_reach_dutch_passages_through_the_glossary(corpus_store):
    from beleidsgraaf.queries.search import search, translated

    assert {"inwerkingtreed", "werking"} & set(translated("When does the act enter into force?"))
    store, _, _ = corpus_store
    found = search(store, "When is the Omgevingswet expected to enter into force?", 5, "bm25")
    assert any(p.document == "almelo-2019-programmacontracten.txt" and p.lines[0] <= 5327 <= p.lines[1] for p in found)


def test_ask_jsonl_keeps_order_and_reports_errors(corpus_store):
    _, _, location = corpus_store
    questions = "Welke buurten horen bij Windmolenbroek?\n\nWho is the programme manager of Zorg?\n" + "x" * 3000 + "\n"
    result = subprocess.run([sys.executable, "-m", "beleidsgraaf", "ask", "--jsonl", "--store", location],
                            input=questions, capture_output=True, text=True, timeout=300,
                            env={**os.environ, "COLUMNS": "200"})
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["question"][:20] for r in lines] == ["Welke buurten horen ", "Who is the programme", "x" * 20]
    assert lines[2]["answer"].startswith("Error")


def test_intent_cues_are_real_regular_expressions():
    from beleidsgraaf.queries.intents import catalogue

    for intent in catalogue():
        for cue in intent.cues:
            assert "\\\\" not in cue.pattern, f"{intent.name}: {cue.pattern} matches a literal backslash"
    by_name = {i.name: i for i in catalogue()}
    assert any(c.search("What number does it have?") for c in by_name["ward_code"].cues)


def test_line_projects_in_a_capacity_table_reach_their_ward_with_their_unit(worker):
    result = worker.ask("Welke lijnprojecten raken het Nieuwstraatkwartier?")
    for project, unit in (("Nieuwstraat", "Uitvoering Fysiek"), ("Schoolstraat", "Uitvoering Fysiek"),
                          ("Pilot toegang sociaal domein", "Uitvoering Sociaal")):
        assert project in result["answer"] and unit in result["answer"]
    cited = {e["lines"][0] for a in result["answers"] for e in a["evidence"]}
    assert 5165 in cited  # "Nieuwstraat (lijnproject=> afstemming ivm er meer van maken)"


def test_rows_are_focused_by_their_rarest_words_and_abbreviations(worker):
    result = worker.ask("Wat kosten de UF-adviseurs projectleider, verkeer en groen per jaar samen volgens het plan 2023?")
    assert "99.366" in result["answer"]  # 3 x 33.122, lines 755-757
    assert "Adviseur wonen" not in result["answer"]


def test_count_questions_quote_the_counts_the_text_states(worker):
    result = worker.ask("Hoeveel inspanningen heeft het programma Economie en Participatie voor hoofddoel I en voor doel II?")
    assert "10 inspanningen" in result["answer"] and "5 inspanningen" in result["answer"]
    cited = {(e["document"], e["lines"][0]) for a in result["answers"] for e in a["evidence"]}
    assert any(doc == "almelo-2019-programmacontracten.txt" and 2155 <= first <= 2166 for doc, first in cited)
    nothing = worker.ask("How many residents live in Ossenkoppelerhoek?")
    assert nothing["answer"].startswith("Not found")  # its buurten are numbered 1-6, but no number of inhabitants


def test_a_flattened_table_row_is_found_by_its_rare_words_and_shown_whole(worker):
    result = worker.ask("Volgens de takenanalyse: bij wie worden arbeidsmigratie en de woonvisie belegd?")
    assert "Arbeidsmigratie" in result["answer"] and "Lijnorganisatie" in result["answer"]
    assert "regisserend" in result["answer"]  # the next cell of the row: "Inzet Wijkregie: regisserend, ..."

