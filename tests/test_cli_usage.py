"""The CLI as a person meets it: one-line usage errors, names where IRIs go, 80 columns, one language per run."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest

from beleidsgraaf.api.messages import MESSAGES, language_from_environment
from tests.conftest import CORPUS

OSSENKOPPELERHOEK = "https://w3id.org/beleidsgraaf/id/gebied/almelo/ossenkoppelerhoek"
HAGHOEK = "Vriezenveenseweg e.o. Haghoek Oost"  # five words: more than the question linker indexes for a ward
BOX = re.compile(r"[\u2500-\u257f]")  # box drawing: rich's panels and tables


def cli(*args: str, lang: str | None = None, columns: int = 80, timeout: int = 300) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES", "BELEIDSGRAAF_LANG")}
    env.update({"COLUMNS": str(columns), "LANG": "C.UTF-8"})
    prefix = ["--lang", lang] if lang else []
    return subprocess.run([sys.executable, "-m", "beleidsgraaf", *prefix, *args], capture_output=True, text=True,
                          timeout=timeout, env=env, stdin=subprocess.DEVNULL)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    output = result.stdout + result.stderr
    assert "Traceback" not in output and not BOX.search(output), output[-3000:]
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("Error: "), (result.returncode, output)
    assert not result.stdout.strip(), result.stdout
    return lines[0]


@pytest.fixture(scope="module")
def location(corpus_store) -> str:
    return corpus_store[2]


# -- usage errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, expected", [
    (["qurey"], ["qurey", "'query'", "beleidsgraaf --help"]),
    (["afstemming"], ["WARD", "beleidsgraaf afstemming --help"]),
    (["stats", "--jsn"], ["--jsn", "--json", "beleidsgraaf stats --help"]),
    (["search", "budget", "-k", "veel"], ["-k", "beleidsgraaf search --help"]),
    (["stats", "overbodig"], ["overbodig"]),
    (["query", "efforts-in-ward", "--format", "xml"], ["xml", "table"]),
    (["query", "efforts-in-wrd"], ["efforts-in-wrd", "'efforts-in-ward'"]),
    (["query", "efforts-in-ward"], ["ward="]),
    (["query", "efforts-in-ward", "-p", "wijk=Hofkamp"], ["wijk"]),
    (["validate", "--severity", "alles"], ["alles", "violation"]),
    (["--lang", "fr", "stats"], ["fr", "nl"]),
])
def test_a_usage_error_is_one_line_and_exit_2(location, args, expected):
    # In English here; test_one_language_in_usage_and_name_errors runs some of them in Dutch.
    line = one_error_line(cli(*args, "--store", location, lang="en"))
    for part in expected:
        assert part in line, line


def test_no_arguments_shows_the_help():
    result = cli()
    assert result.returncode == 2 and "Usage" in result.stdout + result.stderr and "Traceback" not in result.stderr


def test_lang_may_follow_the_command_and_defaults_to_the_locale():
    assert "onbekende optie" in one_error_line(cli("stats", "--jsn", "--lang", "nl"))
    assert language_from_environment({"LANG": "nl_NL.UTF-8"}) == "nl"
    assert language_from_environment({"LC_ALL": "C", "LANG": "nl_NL.UTF-8"}) == "en"  # LC_ALL wins, as in POSIX
    assert language_from_environment({"LANG": "en_GB.UTF-8", "BELEIDSGRAAF_LANG": "nl"}) == "nl"
    assert language_from_environment({}) == "en"


# -- names where IRIs go -----------------------------------------------------------------------------
def rows(*args: str) -> list[dict[str, Any]]:
    result = cli(*args, "--format", "json")
    assert result.returncode == 0, result.stderr
    return sorted(json.loads(result.stdout), key=lambda row: json.dumps(row, sort_keys=True))


def test_a_ward_name_gives_the_same_rows_as_its_iri(location):
    by_iri = rows("query", "efforts-in-ward", "-p", f"ward={OSSENKOPPELERHOEK}", "--store", location)
    assert by_iri
    assert rows("query", "efforts-in-ward", "-p", "ward=Ossenkoppelerhoek", "--store", location) == by_iri
    assert rows("query", "efforts-in-ward", "-p", "ward=id:gebied/almelo/ossenkoppelerhoek", "--store", location) == by_iri
    assert rows("query", "efforts-in-ward", "-p", "ward=ossenkopelerhoek", "--store", location) == by_iri  # a typo


def test_a_long_ward_name_resolves_in_query_and_afstemming(location):
    report = cli("afstemming", HAGHOEK, "--json", "--store", location)
    assert report.returncode == 0, report.stderr
    data = json.loads(report.stdout)
    assert data["ward"] == HAGHOEK and data["groups"]
    assert rows("query", "efforts-in-ward", "-p", f"ward={HAGHOEK}", "--store", location) == \
        rows("query", "efforts-in-ward", "-p", f"ward={data['iri']}", "--store", location)


def test_a_concept_and_a_programme_by_name(location):
    by_iri = rows("query", "efforts-by-steering", "-p", "principle=https://w3id.org/beleidsgraaf/def#lijnsturing",
                  "--store", location)
    assert by_iri and rows("query", "efforts-by-steering", "-p", "principle=lijnsturing", "--store", location) == by_iri
    assert rows("query", "efforts-by-steering", "-p", "principle=bg:lijnsturing", "--store", location) == by_iri
    zorg = cli("links", "Zorg", "--json", "--store", location)
    assert zorg.returncode == 0, zorg.stderr
    assert [row["programme"] for row in json.loads(zorg.stdout)] == ["Zorg"]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_an_ambiguous_name_lists_the_choices_on_one_line(location, lang):
    line = one_error_line(cli("query", "efforts-in-ward", "-p", "ward=Verspreide huizen", "--store", location, lang=lang))
    choices = re.findall(r"https://w3id\.org/beleidsgraaf/id/gebied/almelo/[\w-]+/verspreide-huizen", line)
    assert len(set(choices)) == 7, line  # seven buurten of that name, each with its IRI
    assert ("buurt" if lang == "nl" else "neighbourhood") in line
    line = one_error_line(cli("afstemming", "Binnenstad", "--store", location, lang=lang))
    assert "/almelo/binnenstad" in line and "/utrecht/binnenstad" in line


@pytest.mark.parametrize("args", [
    ["query", "efforts-in-ward", "-p", "ward=Zonnedal"],
    ["afstemming", "Zonnedal"],
    ["afstemming", "https://w3id.org/beleidsgraaf/id/gebied/almelo/zonnedal"],
    ["links", "Zonnedal"],
])
def test_an_unknown_name_is_one_line(location, args):
    assert "zonnedal" in one_error_line(cli(*args, "--store", location)).lower()


# -- 80 columns ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> dict[str, Any]:
    """The corpus ingested by the CLI at 80 columns, once in each language (the second run forced)."""
    store = tmp_path_factory.mktemp("cli80") / "bg"
    outputs = {}
    for lang, extra in (("nl", []), ("en", ["--force"])):
        result = cli("ingest", str(CORPUS), *extra, "--store", str(store), lang=lang, timeout=600)
        assert result.returncode == 0, result.stderr[-3000:]
        outputs[lang] = result.stdout
    return {"store": str(store), **outputs}


def fits(text: str, columns: int = 80) -> None:
    long = [line for line in text.splitlines() if len(line) > columns]
    assert not long, long[:3]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_ingest_summary_fits_80_columns_and_names_every_document_in_full(ingested, corpus_store, lang):
    text = ingested[lang]
    fits(text)
    assert "…" not in text
    for doc in corpus_store[1].documents:
        assert doc.title in text and doc.file in text, doc.title


@pytest.mark.parametrize("args, cut_allowed", [
    (["stats"], False),
    (["validate"], False),
    (["queries"], False),
    (["query", "efforts-in-ward", "-p", "ward=Ossenkoppelerhoek"], True),  # quotes in the graph end in "…"
    (["query", "programmes"], False),
    (["afstemming", "Ossenkoppelerhoek"], True),
    (["links"], False),
])
def test_tables_fit_80_columns(location, args, cut_allowed):
    result = cli(*args, *([] if args == ["queries"] else ["--store", location]))
    assert result.returncode in (0, 1), result.stderr  # validate exits 1 on violations
    fits(result.stdout)
    assert cut_allowed or "…" not in result.stdout


def test_validate_names_each_document_in_full(location):
    text = cli("validate", "--store", location).stdout
    findings = json.loads(cli("validate", "--json", "--store", location).stdout)
    for document in {f["document"] for f in findings if f["document"]}:
        assert document in text


# -- one language per run --------------------------------------------------------------------------
def words(text: str) -> set[str]:
    return set(re.findall(r"[a-zà-ÿ]{4,}", re.sub(r"\{[^}]*\}", " ", text.lower())))


NL_WORDS = set().union(*(words(nl) for nl, _ in MESSAGES.values()))
EN_WORDS = set().union(*(words(en) for _, en in MESSAGES.values()))
FOREIGN = {"en": NL_WORDS - EN_WORDS, "nl": EN_WORDS - NL_WORDS}


def strings(data: Any) -> list[str]:
    if isinstance(data, dict):
        return [*map(str, data), *(s for v in data.values() for s in strings(v))]
    if isinstance(data, list):
        return [s for v in data for s in strings(v)]
    return [] if data is None else [str(data)]


def data_words(args: list[str], location: str, lang: str) -> set[str]:
    """Words the command prints from the graph (titles, labels, quotes): they are the documents' language."""
    if args[0] == "queries":
        from beleidsgraaf.queries import named

        return words(" ".join(f"{q.name} {getattr(q, lang)} {' '.join(p.name for p in q.parameters)}"
                              for q in named.catalogue().values()))
    found = json.loads(cli(*args, "--json", "--store", location).stdout)
    if args[0] == "validate":  # the other language's message is not printed
        found = [{k: v for k, v in f.items() if k != ("message_nl" if lang == "en" else "message_en")} for f in found]
    return words(" ".join(strings(found)))


@pytest.mark.parametrize("lang", ["en", "nl"])
@pytest.mark.parametrize("args", [["stats"], ["validate"], ["queries"], ["afstemming", "Ossenkoppelerhoek"], ["links"]])
def test_one_language_per_run(location, lang, args):
    result = cli(*args, *([] if args == ["queries"] else ["--store", location]), lang=lang)
    assert result.returncode in (0, 1), result.stderr
    foreign = (words(result.stdout) & FOREIGN[lang]) - data_words(args, location, lang)
    assert not foreign, (foreign, result.stdout[:2000])


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_one_language_in_the_ingest_summary(ingested, corpus_store, lang):
    data = words(" ".join(f"{d.file} {d.title}" for d in corpus_store[1].documents) + " " + ingested["store"])
    foreign = (words(ingested[lang]) & FOREIGN[lang]) - data
    assert not foreign, (foreign, ingested[lang][:2000])
    assert ("bestanden" if lang == "nl" else "files") in ingested[lang]


@pytest.mark.parametrize("lang", ["en", "nl"])
def test_one_language_in_usage_and_name_errors(location, lang):
    for args in (["qurey"], ["stats", "--jsn"], ["afstemming", "Zonnedal"], ["afstemming", "Binnenstad"]):
        line = one_error_line(cli(*args, "--store", location, lang=lang)).removeprefix("Error: ")
        prose = re.sub(r"https?://\S+", " ", line)  # the IRIs of the choices are no sentence
        assert not (words(prose) & FOREIGN[lang]) - words("Zonnedal Binnenstad beleidsgraaf afstemming"), line


def test_the_catalogue_has_both_languages_and_the_same_placeholders():
    for key, (nl, en) in MESSAGES.items():
        assert nl and en, key
        assert set(re.findall(r"\{(\w+)\}", nl)) == set(re.findall(r"\{(\w+)\}", en)), key
        assert key.endswith(".n") == ("|" in nl) == ("|" in en), key


def test_named_query_parameters_declare_known_kinds():
    from beleidsgraaf.queries import named
    from beleidsgraaf.queries.linking import KIND_OF_CLASS

    assert set(KIND_OF_CLASS.values()) <= set(named.PARAM_KINDS)
    kinds = {p.name: p.kinds for q in named.catalogue().values() for p in q.parameters}
    assert kinds["ward"] == ("ward",) and kinds["owner"] == ("programme", "document") and kinds["resource"] == ()
    with pytest.raises(ValueError):
        named.parse("# param: ward iri:wijk  typo in the kind\nSELECT * {}", "bad")

