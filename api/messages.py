"""Every sentence the CLI prints, in Dutch and English; one language per run.

The language is ``--lang nl|en``, else ``BELEIDSGRAAF_LANG``, else the locale (``LC_ALL``, ``LC_MESSAGES``,
``LANG``: "nl..." is Dutch, anything else English). ``ask`` is not translated here: it answers in the
language of the question. Error messages raised below the CLI (readers, store, SHACL) keep their own text;
the markers ``Error:``, ``Warning:`` and ``Note:`` stay the same in both languages because scripts and tests
look for them, like for an exit code.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

LANGUAGES = ("nl", "en")
ENV_LANG = "BELEIDSGRAAF_LANG"

# key -> (nl, en). "{name}" placeholders are filled by t(); keys ending in ".n" are (singular, plural) pairs
# separated by "|" and chosen by count().
MESSAGES: dict[str, tuple[str, str]] = {
    "app.help": ("beleidsgraaf: kennisgraaf van gemeentelijk beleid (Doelen-Inspanningen-Netwerk) met bronvermelding.",
                 "beleidsgraaf: knowledge graph of municipal policy (goals-efforts network) with cited sources."),
    # usage errors (one line, exit 2)
    "usage.no_command": ("onbekend commando '{name}'", "no such command '{name}'"),
    "usage.no_option": ("onbekende optie {name}", "no such option {name}"),
    "usage.missing_argument": ("argument {name} ontbreekt", "missing argument {name}"),
    "usage.missing_option": ("optie {name} ontbreekt", "missing option {name}"),
    "usage.needs_value": ("optie {name} verwacht een waarde", "option {name} needs a value"),
    "usage.extra_argument": ("onverwacht argument {name}", "unexpected extra argument {name}"),
    "usage.bad_value": ("ongeldige waarde voor {name}: {detail}", "invalid value for {name}: {detail}"),
    "usage.not_integer": ("geen geheel getal", "not a whole number"),
    "usage.not_number": ("geen getal", "not a number"),
    "usage.choice": ("ongeldige waarde '{value}' voor {name}; kies {choices}",
                     "invalid value '{value}' for {name}; use {choices}"),
    "usage.did_you_mean": ("bedoelde u {choices}?", "did you mean {choices}?"),
    "usage.see_help": ("zie {command} --help", "see {command} --help"),
    "usage.lang": ("--lang '{value}' is geen taal; kies nl of en", "--lang '{value}' is not a language; use nl or en"),
    "or": ("of", "or"),
    "aborted": ("Afgebroken.", "Aborted."),
    "internal": ("interne fout: {detail} (een fout in beleidsgraaf, niet in uw invoer; `beleidsgraaf --debug ...` "
                 "of {env}=1 toont de traceback)",
                 "internal error: {detail} (a bug in beleidsgraaf, not in your input; `beleidsgraaf --debug ...` "
                 "or {env}=1 shows the traceback)"),
    # names given for IRIs
    "name.unknown": ("geen {kinds} met de naam '{name}'", "no {kinds} named '{name}'"),
    "name.unknown_iri": ("geen {kinds} met IRI <{name}>", "no {kinds} with IRI <{name}>"),
    "name.ambiguous": ("'{name}' is meerduidig, {count} mogelijkheden: {choices}; geef de IRI",
                       "'{name}' is ambiguous, {count} choices: {choices}; give the IRI"),
    "name.suggest": ("bedoelde u: {names}?", "did you mean: {names}?"),
    "name.param": ("parameter {param}: {detail}", "parameter {param}: {detail}"),
    "kind.gemeente": ("gemeente", "municipality"),
    "kind.ward": ("wijk, dorp of buurt", "ward"),
    "kind.programme": ("programma", "programme"),
    "kind.unit": ("eenheid", "unit"),
    "kind.person": ("persoon", "person"),
    "kind.partner": ("partner", "partner"),
    "kind.body": ("bestuursorgaan", "governing body"),
    "kind.document": ("document", "document"),
    "kind.effort": ("inspanning", "effort"),
    "kind.goal": ("doel", "goal"),
    "kind.role": ("rol", "role"),
    "kind.principle": ("sturingsprincipe", "steering principle"),
    "kind.any": ("bron", "resource"),
    # ingest
    "ingest.unchanged": ("Ingest: ongewijzigd, {files}, {triples} triples, {passages}, {seconds} s; --force bouwt opnieuw",
                         "Ingest: unchanged, {files}, {triples} triples, {passages}, {seconds} s; --force rebuilds"),
    "ingest.summary": ("Ingest: {files}, {documents}, {triples} triples, {curated}, {seconds} s",
                       "Ingest: {files}, {documents}, {triples} triples, {curated}, {seconds} s"),
    "ingest.lines": ("regels {first}-{last}", "lines {first}-{last}"),
    "ingest.nothing": ("geen doelen, inspanningen, actoren, gebieden of budgetten gevonden",
                       "no goals, efforts, actors, wards or budgets found"),
    "store": ("opslag: {location}", "store: {location}"),
    "store.empty": ("de opslag {location} is leeg (voer eerst `beleidsgraaf ingest corpus/` uit)",
                    "the store at {location} is empty (run `beleidsgraaf ingest corpus/` first)"),
    "files.n": ("bestand|bestanden", "file|files"),
    "documents.n": ("document|documenten", "document|documents"),
    "passages.n": ("passage|passages", "passage|passages"),
    "curated.n": ("gecureerde koppeling|gecureerde koppelingen", "curated link|curated links"),
    "goals.n": ("doel|doelen", "goal|goals"),
    "efforts.n": ("inspanning|inspanningen", "effort|efforts"),
    "actors.n": ("actor|actoren", "actor|actors"),
    "wards.n": ("gebied|gebieden", "ward|wards"),
    "budgets.n": ("budget|budgetten", "budget|budgets"),
    "level.visie": ("visie", "vision"),
    "level.strategisch": ("strategisch", "strategic"),
    "level.tactisch": ("tactisch", "tactical"),
    "level.operationeel": ("operationeel", "operational"),
    "level.doel": ("beleidsdoel", "policy goal"),
    # export, sparql, query
    "export.written": ("{size} bytes naar {path}", "{size} bytes to {path}"),
    "rows.n": ("rij|rijen", "row|rows"),
    "row": ("rij {number}", "row {number}"),
    "sparql.query_or_file": ("geef een QUERY of -f BESTAND.rq (één van beide)", "give either a QUERY or -f FILE.rq"),
    "sparql.no_file": ("{file}: dit querybestand bestaat niet", "{file}: no such query file"),
    "param.not_pair": ("--param '{pair}' is geen NAAM=WAARDE", "--param '{pair}' is not NAME=VALUE"),
    "param.unknown": ("query '{query}' heeft geen parameter '{name}' (parameters: {known})",
                      "query '{query}' has no parameter '{name}' (parameters: {known})"),
    "param.missing": ("query '{query}' heeft --param {name}={value} nodig", "query '{query}' needs --param {name}={value}"),
    "query.unknown": ("geen benoemde query '{name}'", "no named query '{name}'"),
    "query.list": ("`beleidsgraaf queries` toont ze", "`beleidsgraaf queries` lists them"),
    "query.rows": ("rijen {first}–{last} van {total}", "rows {first}–{last} of {total}"),
    "query.rows_none": ("geen rijen vanaf rij {first} (van {total})", "no rows from row {first} on (of {total})"),
    "type.string": ("tekst", "text"),
    "type.integer": ("geheel getal", "whole number"),
    "type.decimal": ("getal", "number"),
    # stats
    "stats.class": ("klasse", "class"),
    "stats.count": ("aantal", "count"),
    "stats.graph": ("named graph", "named graph"),
    "stats.triples": ("triples", "triples"),
    # queries
    "queries.name": ("naam", "name"),
    "queries.description": ("omschrijving", "description"),
    "queries.parameters": ("parameters", "parameters"),
    "queries.iri": ("naam of IRI", "name or IRI"),
    "queries.optional": ("optioneel", "optional"),
    # serve
    "serve.listening": ("beleidsgraaf: http://{host}:{port}/  (API-documentatie: http://{host}:{port}/docs, "
                        "SPARQL: http://{host}:{port}/sparql)",
                        "beleidsgraaf: http://{host}:{port}/  (API docs: http://{host}:{port}/docs, "
                        "SPARQL: http://{host}:{port}/sparql)"),
    # validate
    "validate.severity": ("ernst", "severity"),
    "validate.lines": ("regels", "lines"),
    "validate.finding": ("bevinding", "finding"),
    "validate.no_document": ("(geen document)", "(no document)"),
    "validate.summary": ("{violations}, {warnings}, {notes} ({seconds} s)", "{violations}, {warnings}, {notes} ({seconds} s)"),
    "severity.violation": ("fout", "violation"),
    "severity.warning": ("let op", "warning"),
    "severity.info": ("opmerking", "note"),
    "violations.n": ("fout|fouten", "violation|violations"),
    "warnings.n": ("aandachtspunt|aandachtspunten", "warning|warnings"),
    "notes.n": ("opmerking|opmerkingen", "note|notes"),
    # search
    "search.document": ("document", "document"),
    "search.lines": ("regels", "lines"),
    "search.text": ("tekst", "text"),
    "search.none": ("geen passages gevonden", "no passages found"),
    # ask
    "ask.need_question": ("geef een vraag, of --jsonl om vragen van stdin te lezen",
                          "give a question, or --jsonl to read questions from stdin"),
    # afstemming
    "afstemming.title": ("Afstemming in {ward}", "Coordination in {ward}"),
    "afstemming.no_owner": ("geen eigenaar genoemd", "no owner named"),
    "afstemming.none": ("Geen inspanningen gevonden die dit gebied raken.", "No efforts found that reach this ward."),
    "afstemming.rules": ("Afstemmingsregels:", "Coordination rules:"),
    "afstemming.no_rules": ("Geen afstemmingsregels gevonden.", "No coordination rules found."),
    "afstemming.no_contact": ("De documenten noemen geen wijkregisseur bij naam voor dit gebied.",
                              "The documents name no ward director for this ward."),
    "afstemming.contact": ("contactpersoon: {name}", "contact: {name}"),
    "afstemming.title_in": ("Afstemming in {ward} (gemeente {municipality})",
                            "Coordination in {ward} (municipality of {municipality})"),
    "afstemming.count.gericht": ("{n} gericht", "{n} targeted"),
    "afstemming.count.stadsbreed": ("{n} stadsbreed", "{n} city-wide"),
    "afstemming.count.onbekend": ("{n} met onbekend bereik (onzeker)", "{n} of unknown scope (uncertain)"),
    "afstemming.scope.gericht": ("Gericht op dit gebied ({n})", "Targeted at this ward ({n})"),
    "afstemming.scope.stadsbreed": ("Stadsbreed, dus ook hier ({n})", "City-wide, so here too ({n})"),
    "afstemming.scope.onbekend": ("Bereik onbekend, onzeker ({n})", "Scope unknown, uncertain ({n})"),
    "afstemming.uncertain": ("De documenten zeggen niet op welke gebieden deze inspanningen gericht zijn: ze kunnen "
                             "dit gebied raken; kijk in de bron.",
                             "The documents do not say which wards these efforts target: they may reach this ward; "
                             "check the source."),
    "afstemming.with": ("stemt af met {role}: {sources}", "coordinates with {role}: {sources}"),
    "afstemming.no_rule": ("de documenten noemen hiervoor geen afstemmingsregel",
                           "the documents state no coordination rule for this"),
    "owner.unit": ("lijneenheid", "line unit"),
    "owner.programme": ("programma", "programme"),
    "role.wijkregisseur": ("de wijkregisseur", "the ward director (wijkregisseur)"),
    "role.programmamanager": ("de programmamanager", "the programme manager"),
    "reach.gericht": ("gericht", "targeted"),
    "reach.stadsbreed": ("stadsbreed", "city-wide"),
    "steering.lijnsturing": ("lijnsturing", "line steering"),
    "steering.programmasturing": ("programmasturing", "programme steering"),
    "steering.wijksturing": ("wijksturing", "ward steering"),
    "steering.onbekend": ("sturing onbekend", "steering unknown"),
    # links
    "links.names": ("noemt", "names"),
    "links.named_by": ("genoemd door", "named by"),
    "links.shared": ("gedeelde gebieden", "shared wards"),
    "links.mutual": ("⇄ = wederzijds", "⇄ = mutual"),
    "links.no_relation": ("programma '{name}' neemt aan geen programmarelatie deel",
                          "programme '{name}' takes part in no programme relation"),
    "links.none": ("geen programmarelaties gevonden", "no programme relations found"),
    # eval
    "eval.kind": ("soort", "kind"),
    "eval.accuracy": ("juist", "accuracy"),
    "eval.summary": ("totaal {accuracy} van {count}; bronnen {evidence}; looptijd {latency}; MRR {mrr}",
                     "overall {accuracy} of {count}; evidence {evidence}; latency {latency}; MRR {mrr}"),
}

_language = "en"


def language_from_environment(environ: Mapping[str, str] | None = None) -> str:
    """``BELEIDSGRAAF_LANG``, else the locale as POSIX orders it (LC_ALL, LC_MESSAGES, LANG): nl..., else en."""
    environ = os.environ if environ is None else environ
    explicit = environ.get(ENV_LANG, "").strip().lower()
    if explicit in LANGUAGES:
        return explicit
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = environ.get(name, "").strip()
        if value:
            return "nl" if value.lower().startswith("nl") else "en"
    return "en"


def set_language(language: str) -> None:
    global _language
    if language not in LANGUAGES:
        raise ValueError(language)
    _language = language


def language() -> str:
    return _language


def t(key: str, **values: object) -> str:
    """The message ``key`` in this run's language, with its placeholders filled."""
    text = MESSAGES[key][LANGUAGES.index(_language)]
    return text.format(**values) if values else text


def count(key: str, number: int) -> str:
    """``count("files.n", 1)`` -> "1 bestand"; singular for exactly one, plural otherwise (also 0)."""
    singular, plural = t(key).split("|")
    return f"{number} {singular if number == 1 else plural}"


def either(items: list[str]) -> str:
    """"a, b or c" in this run's language."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('or')} {items[-1]}"
