"""Indicator tables of BBV documents: one indicator per row with its measured and target values, from cells one per
line or a row per line, and on the real budget of another municipality."""

from __future__ import annotations

from rdflib.namespace import RDF, RDFS

from beleidsgraaf.ingest.indicators import indicator_tables
from beleidsgraaf.ontology.namespaces import BG

CELLS = """Tabel 3.1 - Effectindicatoren P3 Wonen
Effectindicator
Peilwaarde
(2023)
Streefwaarde
Begroting
2024
Streefwaarde
Begroting
2025
Aantal sociale
huurwoningen
1.200
1.250
(plus 50)
1.300
Wat gaat het kosten ?""".splitlines()

ROWS = """Tabel 2.1 - Effectindicatoren P2 Zorg
Effectindicator  Peilwaarde  Streefwaarde 2024  Streefwaarde 2025
% inwoners met
schuldenproblematiek  6,1% (2021)  6,0%  5,9%
% eenzaamheid*  49% (2020)  48%  47%
*Percentage van de volwassenen met een hoge eenzaamheidsscore
Wat gaat het kosten ?""".splitlines()

RANKED = """Tabel 6.1 - Beleidsindicatoren per programma
Progr. Nr. Naam Indicator  Eenheid Bron
Cijfer
Dorpstad
(jaartal)
Vergelijkingscijfer
Nederland
(jaartal)
1 8.  Winkeldiefstallen
Aantal per 1.000
inwoners
CBS  0,6 (2022) 2,3 (2022)
1 9.
Geweldsmisdrijven
CBS  4,1 (2022) 4,6 (2022)""".splitlines()


def test_cells_one_per_line_make_one_indicator_with_its_columns():
    [row] = indicator_tables(CELLS, 1, len(CELLS))
    assert row.label == "Aantal sociale huurwoningen"
    assert row.baseline == "1.200 (Peilwaarde (2023))"
    assert row.target == "1.250 (plus 50) (Streefwaarde Begroting 2024); 1.300 (Streefwaarde Begroting 2025)"
    assert (row.evidence.first, row.evidence.last) == (11, 16)


def test_rows_on_one_line_split_label_from_values_and_skip_footnotes():
    rows = indicator_tables(ROWS, 1, len(ROWS))
    assert [r.label for r in rows] == ["% inwoners met schuldenproblematiek", "% eenzaamheid"]
    assert rows[0].baseline == "6,1% (2021) (Peilwaarde)" and rows[0].target.startswith("6,0% (Streefwaarde 2024)")
    assert rows[1].target == "48% (Streefwaarde 2024); 47% (Streefwaarde 2025)"


def test_numbered_rows_with_unit_and_source_keep_both_figures():
    rows = indicator_tables(RANKED, 1, len(RANKED))
    assert [r.label.split()[0] for r in rows] == ["Winkeldiefstallen", "Geweldsmisdrijven"]
    assert rows[0].baseline == "0,6 (2022) (Cijfer Dorpstad (jaartal)); 2,3 (2022) (Vergelijkingscijfer Nederland (jaartal))"
    assert rows[0].target is None


def test_a_real_budget_has_its_effect_indicators_in_the_graph(budget_store):
    graph = budget_store.dataset()
    found = {str(graph.value(s, RDFS.label)): s for s in graph.subjects(RDF.type, BG.Indicator)}
    waste = next(s for label, s in found.items() if label.startswith("Totaal kg huishoudelijk restafval"))
    assert str(graph.value(waste, BG.nulwaarde)) == "214,4 kg (2022) (Peilwaarde (peiljaar))"
    assert "190 kg (Streefwaarde Begroting 2025)" in str(graph.value(waste, BG.streefwaarde))
    homes = next(s for label, s in found.items() if label.startswith("Aantal woningen"))
    assert "12.500 (plus 94) (Streefwaarde Begroting 2025)" in str(graph.value(homes, BG.streefwaarde))
    assert len(found) >= 6  # P2 (4), P4 (1), P5 (1) effect indicators, and the beleidsindicatoren after the programmes
