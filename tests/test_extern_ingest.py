"""A real BBV PDF of another municipality, ingested the way a user does it, scored on the exported labels."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from beleidsgraaf.ingest import municipal
from beleidsgraaf.ingest.profiles import all_profiles
from beleidsgraaf.ontology.namespaces import BG, SCHEMA
from tests.gold_extern import EXTERN, load, same_label

PDF = "wassenaar-2024-programmabegroting.pdf"


def test_cli_ingest_and_nt_export_hold_the_gold_goals_efforts_and_amounts(tmp_path):
    assert (EXTERN / PDF).is_file(), f"corpus-extern is missing: {EXTERN}"
    default = next(p for p in all_profiles() if p.name == "default")
    assert municipal.apply(default, "Wassenaar", EXTERN) is default  # no municipality profile helps here
    env = {k: v for k, v in os.environ.items() if k != "BELEIDSGRAAF_STORE"}
    run = [sys.executable, "-m", "beleidsgraaf"]
    ingest = subprocess.run([*run, "ingest", str(EXTERN / PDF), "--store", "st"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=1200)
    assert ingest.returncode == 0, ingest.stderr
    export = subprocess.run([*run, "export", "--format", "nt", "-o", "graph.nt", "--store", "st"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=300)
    assert export.returncode == 0, export.stderr
    graph = Graph().parse(Path(tmp_path / "graph.nt"), format="nt")
    labels = {str(o) for s, o in graph.subject_objects(RDFS.label)}
    goals = {str(graph.value(s, RDFS.label)) for cls in (BG.Visie, BG.Beleidsdoel) for s in graph.subjects(RDF.type, cls)}
    efforts = {str(graph.value(s, RDFS.label)) for cls in (BG.Inspanning, BG.Project) for s in graph.subjects(RDF.type, cls)}
    amounts = {float(o) for o in graph.objects(None, SCHEMA.value) if isinstance(o, Literal)}
    gold = load(PDF)
    for programme in gold["programmes"]:
        assert any(same_label(programme["name"], label) for label in labels), programme["name"]
        found_goals = [g for g in programme["goals"] if any(same_label(g["label"], x) for x in goals)]
        found_efforts = [e for e in programme["efforts"] if any(same_label(e["label"], x) for x in efforts)]
        rows = [b for b in programme["budgets"] if b["kind"] != "investering"]
        found_rows = [b for b in rows if float(b["amount"]) in amounts]
        assert len(found_goals) >= 0.9 * len(programme["goals"]), programme["name"]
        assert len(found_efforts) >= 0.9 * len(programme["efforts"]), programme["name"]
        assert len(found_rows) >= 0.95 * len(rows), programme["name"]
    # Page furniture is no data: no label is a bare page number or a "Pagina N van M".
    assert not [label for label in labels if label.strip().isdigit()]
