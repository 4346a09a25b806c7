"""Questions that cross documents, on the real corpus: who reaches a ward (targeted, city-wide, scope unknown), how
two programmes relate, what changed between two years or two documents, sums and differences of table rows, and
hours per week and per year. The questions were written from the corpus documents for this test."""

from __future__ import annotations

import re

import pytest

from beleidsgraaf.queries.answer import answerer
from beleidsgraaf.queries.handlers_compare import _paired
from beleidsgraaf.queries.handlers_money import _stated_factor
from beleidsgraaf.queries.replies import Row

CONTRACTS = "almelo-2019-programmacontracten.txt"
PLAN = "almelo-2023-plan-leefbare-wijken-en-dorpen.txt"
NOTE = "almelo-2008-notitie-wijkaanpak.txt"
WIJKSTURING = "almelo-2020-contract-wijksturing.txt"


@pytest.fixture(scope="module")
def worker(corpus_store):
    store, _, _ = corpus_store
    return answerer(store)


def _says(result: dict, text: str) -> bool:
    """The answer holds the sentence (a note on the user's spelling of a name may come before it)."""
    return text in result["answer"]


def _cited(result: dict) -> list[dict]:
    """The answer items that come from the graph (the handler's), each must cite a document and lines."""
    items = [i for i in result["answers"] if i["iri"] is not None]
    assert items, result["answer"]
    for item in items:
        assert item["evidence"], item
        assert all(e["document"] and e["lines"][0] <= e["lines"][1] for e in item["evidence"]), item
    return items


# --- Who reaches a ward ------------------------------------------------------------------------------------------

def test_programmes_reaching_a_ward_are_grouped_by_scope(worker):
    result = worker.ask("Welke programma's en lijneenheden bereiken De Riet?")
    assert result["intent"] == "ward_reach"
    answer = result["answer"]
    # The 2008 note's efforts are aimed at De Riet; the ward plans work city-wide; programme contracts name no area.
    targeted, citywide, unknown = (answer.index(s) for s in ("Gericht op De Riet", "Stadsbreed", "Bereik onbekend"))
    assert targeted < citywide < unknown
    assert "Notitie wijkaanpak" in answer[targeted:citywide]
    assert "Plan Leefbare wijken en dorpen" in answer[citywide:unknown]
    assert "Zorg" in answer[unknown:]
    items = _cited(result)
    targeted_items = [i for i in items if "gericht op De Riet" in i["text"]]
    assert targeted_items and all(e["document"] == NOTE for i in targeted_items for e in i["evidence"])


def test_a_ward_no_effort_targets_says_so_and_lists_who_reaches_it_city_wide(worker):
    result = worker.ask("Which programmes reach Hofkamp?")
    assert result["intent"] == "ward_reach"
    assert _says(result, "No efforts targeted at Hofkamp.")
    assert "City-wide, so also in Hofkamp" in result["answer"]
    _cited(result)


def test_a_ward_question_for_line_units_only_says_none_target_it(worker):
    result = worker.ask("Welke lijnafdelingen zijn actief in Sluitersveld?")
    assert result["intent"] == "ward_reach"
    assert _says(result, "Niet gevonden: de documenten noemen geen lijnprojecten")
    assert "Stadsbreed" in result["answer"]  # what does reach it, under another principle


def test_programme_list_does_not_answer_a_question_that_names_a_ward(worker):
    result = worker.ask("Welke programma's zijn actief in Kerkelanden?")
    assert result["intent"] == "ward_reach"
    assert "Kerkelanden" in result["answer"]


# --- Two programmes ----------------------------------------------------------------------------------------------

def test_two_programmes_side_by_side(worker):
    result = worker.ask("Hoe verhouden de programma's Zorg en Veiligheid zich tot elkaar?")
    assert result["intent"] == "programme_pair"
    answer = result["answer"]
    assert "Veiligheid → Zorg (wederzijds)" in answer and "Zorg → Veiligheid (wederzijds)" in answer
    assert re.search(r"Gedeelde gebieden \(\d+\): .*Binnenstad", answer)
    assert re.search(r"Gedeelde actoren \([1-9]\d*\)", answer)
    _cited(result)
    # The passages that name both: each holds both names, with its lines.
    passages = [i for i in result["answers"] if i["iri"] is None]
    assert passages
    assert all("Zorg" in p["text"] and "Veiligheid" in p["text"] and p["evidence"][0]["lines"] for p in passages)


def test_two_programmes_that_do_not_name_each_other(worker):
    result = worker.ask("What connects Binnenstad and Nieuwstraatkwartier?")
    assert result["intent"] == "programme_pair"
    assert "do not name each other" in result["answer"]


def test_what_two_programmes_have_in_common_is_the_pair_answer(worker):
    result = worker.ask("Wat hebben Zorg en Economie en Participatie gemeenschappelijk?")
    assert "Zorg → Economie en Participatie (eenzijdig)" in result["answer"]
    assert "Gedeelde actoren" in result["answer"]


# --- What changed ------------------------------------------------------------------------------------------------

def test_a_budget_between_two_years_row_by_row(worker):
    result = worker.ask("Wat is er veranderd in de begroting van Binnenstad tussen 2019 en 2022?")
    assert result["intent"] == "change"
    assert ("Programmacontract Binnenstad: totaal € 450.000 (2019) → € 600.000 (2022), +€ 150.000; "
            "3 regels veranderd, 1 gelijk, 1 alleen in 2019, 1 alleen in 2022.") in result["answer"]
    texts = {i["text"]: i for i in _cited(result)}
    row = texts["Programmabudget: € 450.000 (2019) → € 150.000 (2022), −€ 300.000 — Programmacontract Binnenstad"]
    assert row["evidence"][0]["document"] == CONTRACTS and row["evidence"][0]["lines"][0] == 1830
    assert any("geen bedrag in 2022" in t for t in texts)  # the parking pilot ends before 2022


def test_a_table_with_a_row_per_year_compares_the_years_rows(worker):
    result = worker.ask("Hoeveel minder krijgt Omgevingswet in 2022 dan in 2020?")
    assert "€ 696.000 (2020) → € 116.000 (2022), −€ 580.000" in result["answer"]


def test_efforts_in_one_document_and_not_the_other(worker):
    result = worker.ask("Welke inspanningen staan in het Contract Wijksturing en niet in het plan Leefbare wijken en dorpen?")
    assert result["intent"] == "change"
    match = re.search(r"(\d+) inspanningen in beide, (\d+) alleen in Contract Wijksturing .* (\d+) alleen in Plan",
                      result["answer"])
    assert match and int(match.group(2)) > 0 and int(match.group(3)) > 0
    for item in _cited(result):
        document = WIJKSTURING if "alleen in Contract Wijksturing" in item["text"] else PLAN
        assert item["evidence"][0]["document"] == document, item


def test_two_tables_of_one_document_without_a_year_column(worker):
    result = worker.ask("Wat is het verschil tussen de begroting 2023 en 2024-2026 van het plan Leefbare wijken en dorpen?")
    assert _says(result, "Geen verschil")
    assert {tuple(i["evidence"][0]["lines"]) for i in result["answers"]} == {(743, 766), (768, 791)}


def test_a_change_without_two_things_to_compare_says_what_it_needs(worker):
    result = worker.ask("Wat is er veranderd in de begroting van Veiligheid tussen 2019 en 2022?")
    assert _says(result, "Niet gevonden: de documenten geven voor Veiligheid geen bedragen per jaar voor 2019 en 2022.")


# --- Sums and differences ----------------------------------------------------------------------------------------

def test_difference_of_two_rows_shows_the_arithmetic(worker):
    result = worker.ask("Hoeveel meer kost een wijkregisseur dan een junior wijkregisseur?")
    assert result["intent"] == "arithmetic"
    assert _says(result,
        "Wijkregisseur is € 33.408 meer dan Junior wijkregisseur: € 149.100 − € 115.692 = € 33.408.")
    items = _cited(result)
    assert {e["document"] for i in items for e in i["evidence"]} == {PLAN}


def test_sum_of_two_rows_in_the_named_document(worker):
    result = worker.ask("What is the total of Wijkfonds and Buurtrestaurant in the notitie wijkaanpak?")
    assert _says(result, "Wijkfonds and Buurtrestaurant together: € 300.000 (€ 200.000 + € 100.000 = € 300.000)")
    assert [tuple(i["evidence"][0]["lines"]) for i in _cited(result)] == [(1187, 1187), (1173, 1173)]


def test_difference_in_hours_per_week(worker):
    result = worker.ask("Hoeveel minder uren per week heeft de financieel adviseur dan de adviseur wonen?")
    assert "14 uur per week minder" in result["answer"] and "2 uur per week − 16 uur per week" in result["answer"]


def test_rows_against_the_stated_total_stay_a_table_check(worker):
    result = worker.ask("Is er een verschil tussen de regels en het totaal van de begroting van Duurzaamheid?")
    assert "vermeld totaal" in result["answer"] and "klopt niet" in result["answer"]


def test_names_no_row_carries_are_not_found(worker):
    result = worker.ask("Hoeveel meer kost een kwartiermaker dan een stadsdichter?")
    assert _says(result, "Niet gevonden: de documenten noemen niet twee bedragen")


# --- Hours per week and per year -------------------------------------------------------------------------------

def test_hours_per_year_without_a_stated_factor_say_the_factor_assumed(worker):
    result = worker.ask("Hoeveel uur per jaar krijgt de programmamanager van Duurzaamheid?")
    assert result["intent"] == "capacity"
    assert "36 uur per week, ≈ 1.872 uur per jaar (36 × 52)" in result["answer"]
    assert "aangenomen: 52 weken per jaar" in result["answer"]
    assert "Zorg" not in result["answer"]  # scoped to the programme named


def test_hours_per_year_stated_by_the_document_are_not_converted(worker):
    result = worker.ask("How many hours per year does the adviseur wonen have?")
    assert "16 hours per week, 622 hours per year" in result["answer"]
    assert "assumed" not in result["answer"] and "≈" not in result["answer"]


def test_a_range_split_over_role_and_hours_is_shown_as_a_range(worker):
    result = worker.ask("Hoeveel uur per week heeft de programma ondersteuner van Zorg?")
    assert "Programma ondersteuner: 8–16 uur per week" in result["answer"]


def test_the_stated_factor_is_the_documents_own_median_ratio():
    rows = [Row(perWeek=36, perYear=1400, first=1), Row(perWeek=16, perYear=622, first=2),
            Row(perWeek=36, perYear=1244, first=3), Row(perWeek=8, perYear=None, first=4)]
    factor, shown = _stated_factor(rows)
    assert factor == pytest.approx(622 / 16)
    assert (shown.perWeek, shown.perYear) == (36, 1400)  # the row that shows it: the document's own full week
    assert _stated_factor([Row(perWeek=36, perYear=None)]) is None


def test_a_bbv_row_with_several_columns_per_year_is_read_from_one_column():
    def cell(year: int, column: str, amount: int, purpose: str = "Lasten") -> Row:
        return Row(doc="d", title="Jaarstukken", first=10, last=10, file="f.pdf", quote="", budget=f"b{year}{column}",
                   purpose=f"{purpose}, {column} (P1)", column=column, item="lasten", year=year, amount=amount, isTotal=None)

    cells = [cell(2022, "Rekening 2022", -5), cell(2023, "Begroting 2023 primair", -7),
             cell(2023, "Begroting 2023 na wijziging", -8), cell(2023, "Realisatie 2023", -6)]
    (row,) = _paired(cells, 2022, 2023, "Wat veranderde tussen 2022 en 2023?")
    assert (row.a1, row.col1, row.a2, row.col2, row.purpose) == (-5, "Rekening 2022", -6, "Realisatie 2023", "Lasten")
    (asked,) = _paired(cells, 2022, 2023, "Hoe verhoudt de begroting 2023 na wijziging zich tot 2022?")
    assert (asked.a2, asked.col2) == (-8, "Begroting 2023 na wijziging")


@pytest.fixture(scope="module")
def extern_worker(budget_store):
    """The other municipality's programme budget (a BBV PDF with a column per year), in a store of its own."""
    return answerer(budget_store)


def test_a_bbv_budget_between_two_years_of_another_municipality(extern_worker):
    result = extern_worker.ask("Hoe veranderen de lasten van Veiligheid en Handhaving van 2023 naar 2024?")
    assert result["intent"] == "change"
    texts = [i["text"] for i in _cited(result)]
    assert any(t.startswith("Lasten: € -6.802.000 (Begroting 2023) → € -4.204.000 (Begroting 2024), +€ 2.598.000") for t in texts)
    assert all("Almelo" not in t and "Programmacontract" not in t for t in texts)  # inside the municipality's documents


def test_a_year_on_year_question_for_one_kind_of_row_keeps_to_it(extern_worker):
    result = extern_worker.ask("What happened to the balance of Mens en Maatschappij from 2022 to 2024?")
    assert _says(result, "Saldo van baten en lasten: € -24.467.000 (Rekening 2022) → € -27.281.000 (Begroting 2024), "
                         "−€ 2.814.000")
    assert all(i["text"].startswith("Saldo") for i in _cited(result))


def test_hours_per_week_stated_in_the_question_are_converted_and_cited(worker):
    result = worker.ask("Hoeveel uur per jaar is de uitbreiding van de interne ondersteuner naar 32 uur per week?")
    assert result["intent"] == "capacity"
    assert _says(result, "32 uur per week is ≈ 1.664 uur per jaar (32 × 52). Contract Wijksturing noemt geen uren per jaar")
    assert result["answers"][0]["evidence"][0]["document"] == WIJKSTURING


def test_hours_per_week_converted_with_the_named_documents_own_factor(worker):
    result = worker.ask("Hoeveel uur per jaar is 16 uur per week volgens het plan Leefbare wijken en dorpen?")
    assert _says(result, "16 uur per week is ≈ 622 uur per jaar")
    assert "Omgerekend met de factor van Plan Leefbare wijken en dorpen 2023-2026 zelf" in result["answer"]
