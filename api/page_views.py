"""What the ward, programme, list and findings pages show, arranged for their templates: groups, counts, pages,
filters and the URLs between them. No HTTP here beyond reading the query string of the request being answered.

Lists are paged on the server, so a page works without script and a long group never pushes the first answer off
the screen. Each paged list has its own parameter (``page`` for a page's main list, ``p-<group>`` for a group),
so paging one group leaves the others where they were; ``all=1`` shows everything, for printing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

from starlette.requests import Request

from beleidsgraaf.queries import views

LIST_SIZE = 24  # cards on a list page
GROUP_SIZE = 10  # efforts in one owner group, findings in one document's severity
TABLE_SIZE = 15  # rows of a budget or actor table
SEVERITIES = ("violation", "warning", "info")


# -- URLs built from IRIs ------------------------------------------------------------------------------
def ward_href(iri: str | None) -> str:
    """The ward's page: its IRI's path below id/gebied/ (``/ui/wards/almelo/binnenstad``), else ``?iri=``."""
    if not iri:
        return "#"
    if iri.startswith(views.WARD_BASE):
        return "/ui/wards/" + quote(iri[len(views.WARD_BASE):])
    return "/ui/wards?iri=" + quote(iri, safe="")


def programme_href(iri: str | None) -> str:
    if not iri:
        return "#"
    if iri.startswith(views.PROGRAMME_BASE):
        return "/ui/programmes/" + quote(iri[len(views.PROGRAMME_BASE):])
    return "/ui/programmes?iri=" + quote(iri, safe="")


def api_ward_path(iri: str) -> str:
    """The JSON API's address of a ward, by IRI path too, so a namesake's JSON is its own."""
    return "/wards/" + quote(iri[len(views.WARD_BASE):]) if iri.startswith(views.WARD_BASE) else "/wards/" + quote(iri, safe="")


# -- paging ------------------------------------------------------------------------------------------
@dataclass
class Paged:
    items: list[Any]
    total: int
    number: int
    pages: int
    first: int  # 1-based position of the first item shown
    last: int
    previous: str | None  # hrefs, None at either end
    next: str | None
    anchor: str

    @property
    def paged(self) -> bool:
        return self.pages > 1


def show_all(request: Request) -> bool:
    return request.query_params.get("all") == "1"


def _number(raw: str | None) -> int:
    return int(raw) if raw and raw.isdigit() and 0 < len(raw) < 7 else 1


def with_params(request: Request, **changes: str | None) -> str:
    """This page's URL with some query parameters changed (None removes one)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    params += [(k, v) for k, v in changes.items() if v is not None]
    return request.url.path + ("?" + urlencode(params) if params else "")


def paginate(request: Request, items: Sequence[Any], size: int, param: str = "page", anchor: str = "") -> Paged:
    total = len(items)
    if show_all(request):
        return Paged(list(items), total, 1, 1, 1 if total else 0, total, None, None, anchor)
    pages = max(1, -(-total // size))
    number = min(_number(request.query_params.get(param)), pages)
    start = (number - 1) * size
    fragment = f"#{anchor}" if anchor else ""

    def href(n: int) -> str:
        return with_params(request, **{param: str(n) if n > 1 else None}) + fragment

    return Paged(list(items[start:start + size]), total, number, pages, start + 1 if total else 0,
                 min(start + size, total), href(number - 1) if number > 1 else None,
                 href(number + 1) if number < pages else None, anchor)


def group_id(prefix: str, *parts: str | None) -> str:
    """A stable, URL-safe id for a group (its anchor and page parameter), whatever its name holds."""
    return prefix + "-" + hashlib.sha1("|".join(p or "" for p in parts).encode("utf-8")).hexdigest()[:8]


# -- lists -------------------------------------------------------------------------------------------
def ward_list(request: Request, listing: list[dict[str, Any]]) -> dict[str, Any]:
    """Wijken, dorpen and stadsdelen as cards with their buurten, by municipality, paged."""
    from beleidsgraaf.queries.reports import municipality_in

    children: dict[str, list[dict[str, Any]]] = {}
    for ward in listing:
        if ward["kind"] == "Buurt" and ward["parent"]:
            children.setdefault(ward["parent"], []).append(ward)
    top = []
    for ward in listing:
        if ward["kind"] in ("Wijk", "Dorp", "Stadsdeel"):
            town = municipality_in(listing, ward["iri"]) or {"iri": None, "name": None}
            top.append({**ward, "municipality": town,
                        "children": sorted(children.get(ward["iri"], []), key=lambda b: b["name"].lower())})
    top.sort(key=lambda w: ((w["municipality"]["name"] or "~").lower(), w["name"].lower()))
    towns = sorted({w["municipality"]["name"] for w in top if w["municipality"]["name"]})
    return {"page": paginate(request, top, LIST_SIZE), "total": len(listing), "municipalities": towns}


def programme_list(request: Request, listing: list[dict[str, Any]]) -> dict[str, Any]:
    ordered = sorted(listing, key=lambda p: (((p.get("municipality") or {}).get("name") or "~").lower(),
                                             -p["nodes"], p["name"].lower()))
    towns = sorted({(p.get("municipality") or {}).get("name") for p in listing} - {None})
    return {"page": paginate(request, ordered, LIST_SIZE), "total": len(listing), "municipalities": towns}


# -- the ward page -----------------------------------------------------------------------------------
def ward_view(request: Request, report: dict[str, Any] | None) -> dict[str, Any]:
    """The afstemming report as the page shows it: counts per steering and scope first, then the groups,
    each owner's efforts paged, with the rules that say with whom they are coordinated."""
    report = report if isinstance(report, dict) else {}
    rules = {r.get("iri"): r for r in [*report.get("rules", []), *report.get("programme_rules", [])]
             if isinstance(r, dict) and r.get("iri")}
    steering_names = ("lijnsturing", "programmasturing", "wijksturing", "onbekend")
    present = {g.get("steering") for s in report.get("scopes", []) for g in s.get("steering", [])}
    rows = [p for p in steering_names if p in present] + sorted(p for p in present if p not in steering_names)
    table: dict[str, dict[str, int]] = {p: {} for p in rows}
    scopes = []
    for scope in report.get("scopes", []):
        name = scope.get("scope", "")
        groups = []
        for steering in scope.get("steering", []):
            principle = steering.get("steering", "onbekend")
            table.setdefault(principle, {})[name] = steering.get("count", 0)
            sid = f"s-{name}-{principle}"
            owners = []
            for owner in steering.get("owners", []):
                oid = group_id("o", name, principle, owner.get("owner_iri") or owner.get("owner"))
                efforts = paginate(request, owner.get("efforts", []), GROUP_SIZE, f"p-{oid}", oid)
                owners.append({**owner, "id": oid, "page": efforts,
                               "coordination": coordination(owner, principle, rules)})
            opened = (show_all(request) or name == "gericht"
                      or any(f"p-{o['id']}" in request.query_params for o in owners))
            groups.append({"steering": principle, "id": sid, "count": steering.get("count", 0), "owners": owners,
                           "open": opened})
        scopes.append({"scope": name, "count": scope.get("count", 0), "uncertain": scope.get("uncertain", False),
                       "groups": groups})
    counts = report.get("counts", {})
    return {"scopes": scopes, "table": table, "rows": rows, "columns": [s["scope"] for s in scopes],
            "total": sum(counts.values()) if counts else 0, "rules": list(rules.values())}


def coordination(owner: dict[str, Any], steering: str, rules: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Who coordinates with whom for one owner's efforts: one line per role coordinated with, and per
    document the rule's lines. Read from the rules that bind those efforts (reports._applies)."""
    lines: dict[str, dict[str, Any]] = {}
    for iri in owner.get("rules", []):
        rule = rules.get(iri)
        if rule is None:
            continue
        for role in rule.get("coordinate_with") or ["?"]:
            line = lines.setdefault(role, {"with": role, "documents": {}})
            line["documents"].setdefault(rule.get("document", ""), []).append(rule)
    return [{"with": line["with"], "documents": [{"title": title, "rules": found} for title, found in line["documents"].items()]}
            # The ward director first: this is the ward's page.
            for line in sorted(lines.values(), key=lambda x: (x["with"] != "wijkregisseur", x["with"]))]


# -- findings ----------------------------------------------------------------------------------------
def finding_filters(request: Request) -> dict[str, str]:
    return {k: request.query_params.get(k, "") for k in ("document", "severity", "shape")}


def document_key(finding: Any) -> str:
    """Which document a finding belongs to: a file can bundle several (seven programme contracts in one), so
    the file and the document's title together; the value of the ``document`` filter."""
    return document_key_of(finding.document, finding.document_title)


def document_key_of(file: str | None, title: str | None) -> str:
    if file and title:
        return f"{file}#{title}"
    return file or ""


def filter_findings(found: list[Any], filters: dict[str, str]) -> list[Any]:
    def keep(finding: Any) -> bool:
        return ((not filters["document"] or document_key(finding) == filters["document"])
                and (not filters["severity"] or finding.severity == filters["severity"])
                and (not filters["shape"] or finding.shape == filters["shape"]))

    return [f for f in found if keep(f)]


def findings_view(request: Request, found: list[Any], names: dict[str, tuple[str, str]], lang: str,
                  towns: dict[str, str] | None = None) -> dict[str, Any]:
    """Counts first (by severity, and per document), the filters, then per document its findings by severity;
    ``towns`` gives each document's municipality by its key."""
    filters = finding_filters(request)
    selected = filter_findings(found, filters)

    def by_severity(items: list[Any]) -> dict[str, int]:
        return {level: sum(1 for f in items if f.severity == level) for level in SEVERITIES}

    def href(**changes: str) -> str:
        """The findings page with these filters set on top of the current ones."""
        return "/ui/findings?" + urlencode([(k, v) for k, v in {**filters, **changes}.items() if v])

    documents: dict[str, dict[str, Any]] = {}
    for finding in found:  # in validate()'s order: by file and line, so documents come in file order
        key = document_key(finding)
        doc = documents.setdefault(key, {"key": key, "file": finding.document, "title": finding.document_title,
                                         "municipality": (towns or {}).get(key), "count": 0})
        doc["count"] += 1
    order = sorted(documents, key=lambda k: (k == "", list(documents).index(k)))
    checks: dict[str, dict[str, Any]] = {}
    for finding in found:
        name = names.get(finding.shape, (finding.shape, finding.shape))
        check = checks.setdefault(finding.shape, {"id": finding.shape, "name": name[0 if lang == "nl" else 1], "count": 0})
        check["count"] += 1
    groups, summary = [], []
    others = filter_findings(found, {**filters, "document": ""})
    for index, key in enumerate(order):
        doc = documents[key]
        members = [f for f in selected if document_key(f) == key]
        # The summary counts every document under the other filters, so the one chosen is seen among the rest.
        summary.append({**doc, "counts": by_severity([f for f in others if document_key(f) == key]),
                        "selected": key == filters["document"],
                        "hrefs": {level: href(document=key, severity=level) for level in SEVERITIES}})
        if not members:
            continue
        levels = []
        for level in SEVERITIES:
            items = [f for f in members if f.severity == level]
            if items:
                gid = f"d{index}-{level}"
                levels.append({"severity": level, "id": gid, "page": paginate(request, items, GROUP_SIZE, f"p-{gid}", gid)})
        groups.append({**doc, "id": f"d{index}", "counts": by_severity(members), "total": len(members), "levels": levels,
                       "open": len(order) == 1 or bool(filters["document"]) or show_all(request)
                       or any(f"p-{level['id']}" in request.query_params for level in levels)})
    return {"filters": filters, "filtered": any(filters.values()), "total": len(found), "shown": len(selected),
            "counts": by_severity(found), "shown_counts": by_severity(selected), "groups": groups, "summary": summary,
            "documents": [documents[k] for k in order], "checks": sorted(checks.values(), key=lambda c: c["name"].lower()),
            "query": urlencode([(k, v) for k, v in filters.items() if v]),
            "severity_hrefs": {level: href(severity=level) for level in SEVERITIES}}


# Spreadsheet programs run a cell that starts with these as a formula; labels come from documents.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def findings_csv(found: list[Any], names: dict[str, tuple[str, str]], lang: str, headers: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)

    def cell(value: Any) -> Any:
        return "'" + value if isinstance(value, str) and value.startswith(FORMULA_START) else value

    for f in found:
        first, last = (f.lines or (None, None))[:2]
        name = names.get(f.shape, (f.shape, f.shape))[0 if lang == "nl" else 1]
        writer.writerow([cell(v) for v in (f.severity, f.message_nl if lang == "nl" else f.message_en, f.document,
                                           f.document_title, first, last, f.label, name, f.shape, f.focus)])
    return out.getvalue()
