"""The intent registry, the message catalogue and the ontology's vocabulary agree with the code that uses them."""

from __future__ import annotations

import importlib
import inspect
import re
import typing
from pathlib import Path

import pytest

from beleidsgraaf.errors import BeleidsgraafError
from beleidsgraaf.queries import intents, messages, vocabulary
from beleidsgraaf.queries.linking import Linked
from beleidsgraaf.queries.replies import Context, Reply

QUERIES = Path(intents.__file__).parent
HANDLER_MODULES = sorted(f"beleidsgraaf.queries.{p.stem}" for p in QUERIES.glob("handlers_*.py"))


def _takes_context(function) -> bool:
    hints = typing.get_type_hints(function)
    return any(hints.get(name) is Context for name in inspect.signature(function).parameters)


@pytest.mark.parametrize("intent", intents.catalogue(), ids=lambda i: i.name)
def test_every_registered_handler_takes_a_context_and_returns_a_reply(intent):
    parameters = list(inspect.signature(intent.handler).parameters)
    hints = typing.get_type_hints(intent.handler)
    assert len(parameters) == 1 and hints[parameters[0]] is Context, intent.handler_path
    assert hints["return"] is Reply, intent.handler_path


def test_every_public_handler_function_is_registered():
    registered = {(i.handler.__module__, i.handler.__name__) for i in intents.catalogue()}
    for name in HANDLER_MODULES:
        module = importlib.import_module(name)
        for attribute, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ != name or attribute.startswith("_") or not _takes_context(function):
                continue  # imported, private, or a store-level helper (ward_rules) that answers no question
            assert (name, attribute) in registered, f"{name}:{attribute} answers questions but no intent names it"


def _load(tmp_path, monkeypatch, text: str):
    path = tmp_path / "intents.yaml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(intents, "INTENTS_FILE", path)
    intents._data.cache_clear()
    intents.catalogue.cache_clear()
    try:
        return intents.catalogue()
    finally:
        intents._data.cache_clear()
        intents.catalogue.cache_clear()


EXAMPLES = "examples: {nl: [a, b, c, d, e], en: [a, b, c, d, e]}"


@pytest.mark.parametrize("entry, complaint", [
    (f"{{name: x, handler: 'beleidsgraaf.queries.handlers_wards:no_such_handler', {EXAMPLES}}}", "no function"),
    (f"{{name: x, handler: 'beleidsgraaf.queries.no_such_module:f', {EXAMPLES}}}", "cannot be imported"),
    (f"{{name: x, handler: 'beleidsgraaf.queries.handlers_wards:ward_contacts', {EXAMPLES}}}", "one argument"),
    (f"{{name: x, handler: 'beleidsgraaf.queries.handlers_wards:ward_code', slots: [wijk], {EXAMPLES}}}", "unknown slots"),
    (f"{{name: x, handler: 'beleidsgraaf.queries.handlers_wards:ward_code', when_empty: guess, {EXAMPLES}}}", "when_empty"),
    (f"{{name: x, handler: 'beleidsgraaf.queries.handlers_wards:ward_code', when_empty: ask_document, {EXAMPLES}}}",
     "topic"),
    ("{name: x, handler: 'beleidsgraaf.queries.handlers_wards:ward_code', examples: {nl: [a], en: [a]}}", "examples"),
    (f"{{name: x, handler: 'beleidsgraaf.queries.handlers_wards:ward_code', slot: [ward], {EXAMPLES}}}", "unknown field"),
])
def test_a_bad_registry_entry_fails_when_the_registry_is_read(tmp_path, monkeypatch, entry, complaint):
    with pytest.raises(BeleidsgraafError, match=complaint):
        _load(tmp_path, monkeypatch, f"intents:\n  - {entry}\n")


def test_behaviour_is_declared_in_the_registry_not_keyed_on_intent_names():
    by_name = {i.name: i for i in intents.catalogue()}
    assert by_name["passage"].text_fallback == "always"
    assert {i.name for i in by_name.values() if not i.counts} == {"budget", "budget_check", "capacity", "change", "arithmetic",
                                                                        "outside"}
    assert {"ward_list", "programme_list", "document_meta", "shared"} <= {i.name for i in by_name.values() if i.generic}
    names = "|".join(re.escape(n) for n in by_name)
    keyed = re.compile(rf"""\.name\s*(==|!=|in\b|not in\b)|[(\[{{,]\s*["']({names})["']\s*[,)\]}}]""")
    for path in [QUERIES / "answer.py", QUERIES / "text_answers.py"]:
        found = keyed.search(path.read_text(encoding="utf-8"))
        assert found is None, f"{path.name} keys behaviour on an intent name: {found.group(0)}"


def test_routing_shows_its_parts():
    ranked = intents.rank("Welke buurten horen bij Hofkamp?", Linked())
    for entry in ranked:
        assert set(entry.parts) == {"cues", "examples", "slots", "order"}
        assert entry.score == pytest.approx(sum(entry.parts.values()))
    shares = intents.similarity(*intents.question_vector("Welke buurten horen bij Hofkamp?"))
    assert sum(shares.values()) == pytest.approx(1.0) and max(shares, key=shares.get) == "ward_buurten"


def test_a_word_the_documents_never_use_may_be_a_typo_of_a_cue():
    known = frozenset("hoeveel heeft de junior wijkregisseur kosmos".split())
    capacity = next(r for r in intents.rank("hoeveel uuren heeft de junior wijkregisseur", Linked(), known=known)
                    if r.intent.name == "capacity")
    assert capacity.typos == {"uuren"} and capacity.parts["cues"] > 0
    budget = next(r for r in intents.rank("hoeveel kosmos heeft de junior", Linked(), known=frozenset({"junior"}))
                  if r.intent.name == "budget")
    assert not budget.typos  # a short cue ("kost") must match the whole word
    english = intents.rank("how many hourss does the junior wijkregisseur get", Linked(), known=known)
    assert not any(r.typos for r in english)  # an English word is always unknown to Dutch documents


def test_every_message_has_both_languages_and_every_key_is_used():
    catalogue = messages.catalogue()
    source = "\n".join(p.read_text(encoding="utf-8") for p in QUERIES.glob("*.py"))
    used = set(re.findall(r"""\bsay\(\s*["']([a-z_]+)["']""", source))
    assert used <= set(catalogue), sorted(used - set(catalogue))
    # A key may also be chosen at run time ("efforts_" + principle, "shared_actors" if ... else "shared_wards").
    unused = [k for k in catalogue if f'"{k}"' not in source and not k.startswith("efforts_")]
    assert not unused, unused
    assert "ctx.t(" not in source  # one way to write a sentence: the catalogue


def test_a_message_with_other_placeholders_per_language_is_refused(tmp_path, monkeypatch):
    path = tmp_path / "messages.yaml"
    path.write_text("x:\n  nl: 'Niet gevonden: {name}'\n  en: 'Not found: {naam}'\n", encoding="utf-8")
    monkeypatch.setattr(messages, "MESSAGES_FILE", path)
    messages.catalogue.cache_clear()
    try:
        with pytest.raises(ValueError, match="placeholders"):
            messages.catalogue()
    finally:
        messages.catalogue.cache_clear()


def test_goal_levels_and_effort_kinds_come_from_the_ontology():
    assert vocabulary.goal_levels()[:4] == ("Visie", "StrategischDoel", "TactischDoel", "OperationeelDoel")
    assert {"Werkveld", "Programmalijn", "Project", "Activiteit"} <= set(vocabulary.effort_kinds())
    assert vocabulary.label("StrategischDoel", "en") == "strategic goal"
    assert vocabulary.label("wijksturing", "nl") == "wijksturing"
    levels = "|".join(vocabulary.goal_levels() + vocabulary.effort_kinds())
    for path in QUERIES.glob("handlers_*.py"):
        copied = re.findall(rf"""["']({levels})["']""", path.read_text(encoding="utf-8"))
        assert not copied, f"{path.name} names ontology classes itself: {copied}"
