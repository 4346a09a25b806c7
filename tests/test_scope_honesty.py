"""Answers stay inside the municipality a question names, say so when it holds nothing, say when a question lies
outside the documents, and read cleanly (quotes end on whole words, PDF glyphs cleaned)."""

from __future__ import annotations

import pyoxigraph
import pytest
from rdflib import Graph, Literal, URIRef

from beleidsgraaf.ingest.extract import _tidy_name
from beleidsgraaf.ingest.readers import read
from beleidsgraaf.ontology.store import bind_values
from beleidsgraaf.queries import intents
from beleidsgraaf.queries.answer import _off_topic, answerer
from beleidsgraaf.queries.handlers_money import _row_kinds
from beleidsgraaf.queries.linking import Entity, Linked, Mention, link
from beleidsgraaf.queries.replies import Context, Item, _merge, run_named, shorten
from beleidsgraaf.queries.scope import narrow_links
from beleidsgraaf.queries.text_answers import TOC_LEADER, TOC_LEADERS, _unnamed, words_in_documents
from beleidsgraaf.textkey import norm


@pytest.fixture(scope="module")
def worker(corpus_store):
    store, _, _ = corpus_store
    return answerer(store)


def _towns(worker, result: dict) -> list[set[str]]:
    """Per answer item, the municipalities of the files it cites (else of its IRI)."""
    files: dict[str, set[str]] = {}
    for row in worker.documents:
        if row.municipality:
            files.setdefault(str(row.file), set()).add(norm(str(row.municipality)))
    out = []
    for item in result["answers"]:
        cited = {t for e in item["evidence"] for t in files.get(e["document"], set())}
        if not cited and item["iri"]:
            rows, _ = run_named(worker.store, "municipality-of", item=URIRef(item["iri"]))
            cited = {norm(str(r.label)) for r in rows}
        out.append(cited)
    return out


def test_a_list_binds_one_values_row_per_term():
    text = bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": [URIRef("urn:a"), URIRef("urn:b")], "o": Literal(1)})
    assert "VALUES (?x ?o) { (<urn:a> " in text and "(<urn:b> " in text
    graph = Graph()
    for name in "abc":
        graph.add((URIRef(f"urn:{name}"), URIRef("urn:p"), Literal(1)))
    assert {str(r.x) for r in graph.query(text)} == {"urn:a", "urn:b"}
    store = pyoxigraph.Store()
    store.add(pyoxigraph.Quad(pyoxigraph.NamedNode("urn:a"), pyoxigraph.NamedNode("urn:p"), pyoxigraph.Literal("1")))
    assert len(list(store.query(bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": [URIRef("urn:a")]})))) == 1
    assert not list(store.query(bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"x": []})))  # no term: nothing matches


@pytest.mark.parametrize("question", ["Welke programma's heeft Utrecht?", "Welke partners noemt Utrecht?"])
def test_answers_keep_to_the_municipality_the_question_names(worker, question):
    result = worker.ask(question)
    towns = _towns(worker, result)
    assert result["answers"] and all(own <= {"utrecht"} for own in towns), towns
    assert sum(1 for own in towns if own) >= len(towns) // 2  # mostly items whose municipality is known
    assert "Almelo" in result["answer"]  # it says what it left out, and where


def test_without_a_municipality_both_stay(worker):
    result = worker.ask("Welke programma's zijn er?")
    towns = set().union(*_towns(worker, result))
    assert {"almelo", "utrecht"} <= towns


@pytest.mark.parametrize("question", ["Gaat het morgen onweren boven Twente?", "Wie won Wimbledon in 2019?",
                                      "Hoeveel kost een kilo aardappelen bij de markt?", "How do I fix a flat bicycle tyre?",
                                      "Which actor played James Bond first?"])
def test_questions_outside_the_documents_say_so(worker, question):
    result = worker.ask(question)
    assert result["intent"] == "outside", result["answer"]
    assert not result["answers"] and "buiten de documenten" in result["answer"] or "outside the documents" in result["answer"]


def test_no_example_question_of_another_intent_counts_as_outside(worker):
    """The examples of every other intent are in-domain by construction: none may be taken for off-topic."""
    wrong = []
    for intent in intents.catalogue():
        if intent.off_topic:
            continue
        for _, question in intent.examples:
            linked = link(question, worker.index)
            ranked = intents.rank(question, linked, intents.question_vector(question, worker.model), worker.vocabulary)
            if _off_topic(ranked, linked, lambda q=question, n=linked: words_in_documents(q, n, worker.store)) is not None:
                wrong.append(question)
    assert not wrong


def test_a_ward_without_line_work_says_what_does_reach_it(worker):
    result = worker.ask("Welke lijnprojecten raken Hofkamp?")
    answer = result["answer"]
    assert answer.startswith("Niet gevonden") and "Stadsbreed" in answer and "wijksturing" in answer
    assert len(answer) < 600  # a lead, not the list: the items carry the efforts and their lines
    assert result["answers"] and all(item["evidence"] for item in result["answers"])


def test_quotes_end_on_whole_words():
    text = "De wijkregisseur stemt vooraf af met de programmamanager over alle projecten in de wijk."
    short = shorten(text, 40)
    assert short.endswith("…") and len(short) <= 41 and text.startswith(short[:-1]) and text[len(short) - 1] == " "
    assert shorten(text, 400) == text


def test_pdf_symbol_font_bullets_become_bullets(tmp_path):
    source = tmp_path / "note.txt"
    source.write_text("Doelen:\n\uf0b7 schone wijken\n\uf0a7 veilige buurten\nprijs \ue123 10\n", encoding="utf-8")
    lines = read(source).lines
    assert lines[1] == "• schone wijken" and lines[2] == "• veilige buurten" and lines[3] == "prijs   10"
    assert len(lines) == 4  # one character for one: line numbers and columns unchanged


@pytest.mark.parametrize(("found", "name"), [("P1 Veiligheid en Handhaving", "Veiligheid en Handhaving"),
                                             ("Groene Zone Dit", "Groene Zone"), ("Programma Rekening Begroting", ""),
                                             ("LASTEN BATEN OMSCHRIJVING", ""), ("Duurzaamheid", "Duurzaamheid")])
def test_programme_names_lose_codes_table_headers_and_next_sentences(found, name):
    assert _tidy_name(found) == name


def test_the_users_spelling_is_kept_beside_the_documents(worker):
    answer = worker.ask("Welke inspanningen raken Sluitersveld?")["answer"]
    assert answer.startswith("'Sluitersveld' staat in de documenten als 'Sluiterseveld'.")
    assert "staat in de documenten als" not in worker.ask("Welke inspanningen raken de wijk Hofkamp?")["answer"]


def test_a_passage_that_does_not_name_the_ward_asked_about_is_no_answer():
    ward = Entity(URIRef("urn:w"), "ward", "Wijk", "Zwanenbroek")
    linked = Linked([Mention("in Zwanenbroek", 0, 14, [ward], 100.0)])
    ctx = Context(None, "Waarom krijgt Zwanenbroek extra aandacht?", "nl", linked, None)  # type: ignore[arg-type]
    elsewhere = [{"document": "a.txt", "lines": [1, 3], "text": "De wijk Hofkamp krijgt extra aandacht."}]
    assert _unnamed(elsewhere, ctx) == "Niet gevonden: geen passage zegt dit over Zwanenbroek."
    named = [{"document": "a.txt", "lines": [4, 5], "text": "Zwanenbroek krijgt extra aandacht door de leegstand."}]
    assert _unnamed(elsewhere + named, ctx) is None


def test_the_wards_of_a_programme_are_its_own_targeted_first_each_cited(worker):
    result = worker.ask("Op welke wijken richt het programma Duurzaamheid zich?")
    assert result["intent"] == "programme_wards"
    assert result["answer"].startswith("Duurzaamheid richt inspanningen op 1 gebied(en): Binnenstad.")
    duurzaamheid = next(r for r in worker.documents if str(r.title).endswith("Duurzaamheid"))
    for item in result["answers"]:
        assert item["evidence"] and all(e["document"] == str(duurzaamheid.file)
                                         and int(duurzaamheid.first) <= e["lines"][0] <= int(duurzaamheid.last)
                                         for e in item["evidence"]), item


def test_a_programme_of_another_municipality_is_not_linked_for_the_one_named(worker):
    """Duurzaamheid is a programme in Almelo and in Utrecht: "in Utrecht" keeps only Utrecht's."""
    question = "Welke doelen heeft Duurzaamheid in Utrecht?"
    linked = narrow_links(worker.store, link(question, worker.index))
    programmes = [e for m in linked.mentions for e in m.entities if e.kind == "programme"]
    assert programmes and all("/utrecht/" in str(e.iri) for e in programmes)
    both = [e for m in link("Welke doelen heeft Duurzaamheid?", worker.index).mentions for e in m.entities]
    assert {"/almelo/", "/utrecht/"} <= {part for e in both for part in ("/almelo/", "/utrecht/") if part in str(e.iri)}


@pytest.mark.parametrize(("question", "kinds"), [("Wat zijn de lasten van P2 in 2024?", {"lasten"}),
                                                  ("What were the expenses and the revenue in 2023?", {"lasten", "baten"}),
                                                  ("Wat is het saldo van baten en lasten?", {"saldo"}),
                                                  ("Wat zijn de toevoegingen aan reserves van P5?", {"toevoegingReserves"}),
                                                  ("Hoeveel geld gaat naar de wijkregie?", set())])
def test_budget_row_kinds_are_read_by_the_ontologys_names(question, kinds):
    assert _row_kinds(question) == kinds


def test_table_of_contents_passages_answer_nothing():
    toc = "Programma's ........................ 12 P1 Veiligheid en Handhaving ................ 14"
    assert len(TOC_LEADER.findall(toc)) >= TOC_LEADERS
    assert len(TOC_LEADER.findall("De wijkregisseur stemt af... met de lijn.")) < TOC_LEADERS


def test_names_that_differ_only_in_case_are_one_item():
    merged = _merge([Item("Brandweer (partner)", "urn:a"), Item("brandweer (partner)", "urn:b")])
    assert [i.text for i in merged] == ["Brandweer (partner)"]


@pytest.fixture(scope="module")
def bbv_store(budget_store):
    return answerer(budget_store)


def test_a_bbv_row_kind_and_year_pick_the_row_of_the_cost_table(bbv_store):
    result = bbv_store.ask("Hoeveel bedragen de baten van programma Fysieke leefomgeving in 2025?")
    assert result["intent"] == "budget" and len(result["answers"]) == 1
    assert "1.879.000" in result["answer"]  # Tabel 4.3, Baten, 2025: 1.879 (x € 1.000)
    english = bbv_store.ask("What are the expenses of the Mens en Maatschappij programme in 2024?")
    assert len(english["answers"]) == 1 and "38.934.000" in english["answer"]


def test_a_programme_is_found_by_the_number_of_its_code(bbv_store):
    """A budget codes its programmes P1..P5; a reader says "programma 2". The code's number links, another does not."""
    result = bbv_store.ask("Wat zijn de lasten van programma 2 in 2024?")
    assert result["intent"] == "budget" and len(result["answers"]) == 1
    assert "38.934.000" in result["answer"]  # P2 Mens en Maatschappij, Lasten 2024
    assert not any(e.kind == "programme" for m in link("Wat kost programma 9?", bbv_store.index).mentions for e in m.entities)


def test_verbonden_partijen_of_a_budget_are_listed_each_with_its_heading_line(bbv_store):
    result = bbv_store.ask("Welke verbonden partijen heeft Wassenaar?")
    names = {item["text"].split(" (")[0] for item in result["answers"]}
    assert {"Veiligheidsregio Haaglanden", "Omgevingsdienst Haaglanden", "GGD Haaglanden"} <= names
    assert not {n for n in names if n.lower().startswith("gemeente") or n == "CBS"}
    assert all(item["evidence"] and item["evidence"][0]["document"] == "wassenaar-2024-programmabegroting.pdf"
               for item in result["answers"])


@pytest.mark.parametrize("question", ["Which goals are there?", "Welke budgetten zijn er?", "Wie zijn de partners?"])
def test_a_short_question_in_the_documents_own_words_is_not_off_topic(worker, question):
    assert worker.ask(question)["intent"] != "outside"


def test_a_goal_question_without_a_document_asks_back_unless_it_names_a_topic(worker):
    bare = worker.ask("Welke doelen zijn er?")
    assert bare["answer"].startswith("Welk programma of document bedoelt u?")
    topic = worker.ask("Welke doelen gelden er voor jongeren?")
    assert topic["intent"] is None and topic["answer"].startswith("Antwoord uit een passage")
    assert "jongere" in topic["answer"].lower()


def test_a_contract_that_names_no_related_programme_says_so_and_who_names_it(worker):
    result = worker.ask("Welke programma's noemt het programmacontract Binnenstad als verwant?")
    assert "Binnenstad noemt zelf geen ander programma als verwant." in result["answer"]
    assert {"Duurzaamheid → Binnenstad (eenzijdig)", "Zorg → Binnenstad (eenzijdig)"} <= {a["text"] for a in result["answers"]}
    assert all(a["evidence"] for a in result["answers"])


def test_a_role_not_found_for_a_ward_lists_no_other_documents_people(worker):
    result = worker.ask("Wie is wijkregisseur van Windmolenbroek?")
    assert result["answer"].startswith("Niet gevonden") and "Wel genoemd" not in result["answer"]
    assert all(item["iri"] is None for item in result["answers"])  # the nearest passages, not people


class _Rows:
    """A store that answers the entities query with the rows given (for the linking rules alone)."""

    def __init__(self, rows: list[tuple[str, str, str, str | None, int | None]]) -> None:
        self.rows = rows

    def query(self, _sparql: str, _bindings: object = None) -> list[object]:
        from types import SimpleNamespace

        bg = "https://w3id.org/beleidsgraaf/def#"
        return [SimpleNamespace(x=URIRef(x), kind=URIRef(bg + cls), label=Literal(label),
                                alt=Literal(alt) if alt else None, year=Literal(year) if year else None)
                for x, cls, label, alt, year in self.rows]


def test_a_typo_never_changes_a_number_and_a_documents_own_word_beats_its_class():
    from beleidsgraaf.queries.linking import EntityIndex

    index = EntityIndex(_Rows([  # type: ignore[arg-type]
        ("urn:p3", "Programma", "Bestuur en middelen", "P3", None),
        ("urn:plan", "Plan", "Plan Leefbare wijken 2023", None, 2023),
        ("urn:budget", "Plan", "Jaarstukken 2023", None, 2023),
    ]))
    assert index.lookup("programma 3")[0][0].label == "Bestuur en middelen"
    assert index.lookup("programma's") == ([], 0.0)  # 'programma s' is one letter from 'programma 3'
    assert index.lookup("programma 4") == ([], 0.0)
    # "plan 2023": the document whose title starts with "Plan", not every bg:Plan of 2023.
    assert [e.label for e in index.lookup("plan 2023")[0]] == ["Plan Leefbare wijken 2023"]
    assert [e.label for e in index.lookup("jaarstukken 2023")[0]] == ["Jaarstukken 2023"]
