"""Paging of named queries (queries/paging.py): the query text it writes, then slices and totals on the corpus."""

import pytest

from beleidsgraaf.ontology.store import bind_values
from beleidsgraaf.queries import named
from beleidsgraaf.queries.paging import DEFAULT_LIMIT, count, page

PREFIXED = """# name: demo
# param: y integer?  a year
PREFIX bg: <https://w3id.org/beleidsgraaf/def#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?x ?label WHERE {
  ?x a bg:Budget ; rdfs:label ?label .   # a comment with a } brace
  FILTER(?label != "}" && !BOUND(?y))
}
ORDER BY ?label
"""


def test_page_appends_limit_and_offset_after_the_order():
    text = page(PREFIXED, 50, 100)
    assert text.startswith(PREFIXED.rstrip())
    assert text.rstrip().endswith("ORDER BY ?label\nLIMIT 50 OFFSET 100")


def test_page_wraps_a_query_that_has_its_own_limit_or_trailing_values():
    limited = "PREFIX bg: <https://w3id.org/beleidsgraaf/def#>\nSELECT ?x WHERE { ?x a bg:Budget } ORDER BY ?x LIMIT 10"
    text = page(limited, 3, 2)
    assert text.startswith("PREFIX bg: <https://w3id.org/beleidsgraaf/def#>\nSELECT ?x { {\nSELECT ?x WHERE")
    assert text.rstrip().endswith("LIMIT 10\n} }\nLIMIT 3 OFFSET 2")
    valued = "SELECT ?x (STR(?o) AS ?text) WHERE { ?x ?p ?o } VALUES ?x { <urn:a> <urn:b> }"
    text = page(valued, 1, 0)
    assert text.startswith("SELECT ?x ?text { {")  # the query's own variables, in its order ("*" may reorder them)
    assert text.rstrip().endswith("VALUES ?x { <urn:a> <urn:b> }\n} }\nLIMIT 1 OFFSET 0")


def test_parameters_bind_inside_the_original_query_in_either_order():
    """bind_values puts VALUES after the first 'WHERE {': the wrappers have no WHERE keyword of their own."""
    from rdflib import Literal

    for wrapped in (page(PREFIXED, 5, 0), count(PREFIXED)):
        bound = bind_values(wrapped, {"y": Literal(2022)})
        assert "WHERE { VALUES (?y) {" in bound
        assert bound.index("VALUES (?y)") > bound.index("SELECT DISTINCT ?x ?label")


def test_count_drops_the_order_and_avoids_a_clash_with_the_query_variables():
    text = count(PREFIXED)
    assert text.startswith(PREFIXED.split("SELECT")[0] + "SELECT (COUNT(*) AS ?total) { {")
    assert "ORDER BY" not in text
    assert "AS ?total_rows" in count("SELECT ?total WHERE { ?x <urn:t> ?total } ORDER BY ?total")
    limited = "SELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x LIMIT 10"
    assert "ORDER BY ?x LIMIT 10" in count(limited)  # the order picks the ten rows: it stays


def test_bad_input():
    with pytest.raises(ValueError):
        page(PREFIXED, -1, 0)
    with pytest.raises(ValueError):
        page(PREFIXED, 10, -5)
    with pytest.raises(ValueError):
        count("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    with pytest.raises(ValueError):
        page("SELECT ?x WHERE { ?x ?p ?o", 10, 0)


# -- on the corpus --------------------------------------------------------------------------------------

CASES = [  # (named query, parameters): listings, one with an optional parameter bound, one aggregate, one without ORDER BY
    ("efforts-by-steering", {}),
    ("efforts-by-steering", {"principle": "https://w3id.org/beleidsgraaf/def#programmasturing"}),
    ("budgets", {}),
    ("budgets", {"y": "2022"}),
    ("wards", {}),
    ("capacity", {}),
    ("afstemming-rules", {}),
    ("shared-actors", {}),
    ("programme-relations", {}),
    ("class-counts", {}),
    ("entities", {}),
]


def rows(store, text, bound):
    return [tuple(row) for row in store.query(text, bound)]


@pytest.mark.parametrize(("name", "values"), CASES, ids=[f"{n}{'+' if v else ''}" for n, v in CASES])
def test_pages_and_total_on_the_corpus(corpus_store, name, values):
    store, _, _ = corpus_store
    query = named.get(name)
    bound = query.bind(values)
    full = rows(store, query.text, bound)
    assert full, f"{name} gives no rows on the corpus"
    [(total,)] = rows(store, count(query.text), bound)
    assert int(total) == len(full)
    size = max(1, len(full) // 4 + 1)  # four or five pages, the last one short
    pages = [rows(store, page(query.text, size, offset), bound) for offset in range(0, len(full) + size, size)]
    assert pages[-1] == []  # past the end
    if "ORDER BY" in query.text:
        assert [row for part in pages for row in part] == full  # the query's order holds across pages
    else:
        assert sorted(row for part in pages for row in part) == sorted(full)
    # bound first, then paged (as the API builds its query text): the same page
    assert rows(store, page(bind_values(query.text, bound), size, size), {}) == rows(store, page(query.text, size, size), bound)


def test_page_of_a_query_with_its_own_limit(corpus_store):
    store, _, _ = corpus_store
    text = named.get("wards").text.rstrip() + "\nLIMIT 20 OFFSET 5"
    full = rows(store, text, {})
    assert len(full) == 20
    assert rows(store, page(text, 6, 3), {}) == full[3:9]
    assert rows(store, page(text, 50, 18), {}) == full[18:]
    assert int(rows(store, count(text), {})[0][0]) == 20


# -- the API and the CLI ----------------------------------------------------------------------------------

def test_api_pages_named_queries_and_listings(corpus_store):
    from fastapi.testclient import TestClient

    from beleidsgraaf.api.http import create_app

    store, _, location = corpus_store
    full = rows(store, named.get("efforts-by-steering").text, {})
    with TestClient(create_app(location, sparql_timeout=30, sparql_max_rows=5000)) as client:
        first = client.get("/queries/efforts-by-steering", params={"limit": 7, "offset": 5})
        assert first.status_code == 200, first.text
        body = first.json()
        assert (body["total"], body["limit"], body["offset"]) == (len(full), 7, 5)
        assert int(first.headers["x-total-count"]) == len(full)
        assert [b["effort"]["value"] for b in body["results"]["bindings"]] == [str(row[0]) for row in full[5:12]]
        default = client.get("/queries/efforts-by-steering").json()
        assert len(default["results"]["bindings"]) == min(len(full), DEFAULT_LIMIT) and default["offset"] == 0
        assert default["total"] == len(full)  # the total kept from the first page of the same listing
        csv = client.get("/queries/efforts-by-steering", params={"limit": 2}, headers={"accept": "text/csv"})
        assert len(csv.text.strip().splitlines()) == 3 and csv.headers["x-total-count"] == str(len(full))
        wards = client.get("/wards", params={"limit": 1000}).json()
        assert wards["total"] == len(wards["items"]) > 10
        second = client.get("/wards", params={"limit": 4, "offset": 4}).json()
        assert second["items"] == wards["items"][4:8] and second["total"] == wards["total"]
        assert client.get("/programmes", params={"offset": 10_000}).json()["items"] == []
        for bad in ({"limit": 0}, {"limit": 10_001}, {"offset": -1}):
            assert client.get("/wards", params=bad).status_code == 422
            assert client.get("/queries/wards", params=bad).status_code == 422


def test_cli_pages_a_named_query(corpus_store):
    import json
    import subprocess
    import sys

    store, _, location = corpus_store
    full = rows(store, named.get("wards").text, {})
    done = subprocess.run([sys.executable, "-m", "beleidsgraaf", "--lang", "en", "query", "wards", "--store", location,
                           "--format", "json", "--limit", "3", "--offset", "1"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [row["ward"] for row in json.loads(done.stdout)] == [str(row[0]) for row in full[1:4]]
    assert f"rows 2–4 of {len(full)}" in done.stderr
    table = subprocess.run([sys.executable, "-m", "beleidsgraaf", "--lang", "nl", "query", "wards", "--store", location,
                            "--offset", str(len(full) - 1)], capture_output=True, text=True, timeout=300)
    assert table.returncode == 0, table.stderr
    assert f"rijen {len(full)}–{len(full)} van {len(full)}" in table.stdout
