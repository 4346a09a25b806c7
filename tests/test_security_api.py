"""Security of the HTTP API (issue 11): SPARQL that reaches out (SERVICE, LOAD, updates), stored XSS on the
pages, query workers that starve or eat the machine, request bodies without a bound, and protocol details
(405 Allow, OpenAPI, wards that answer on one endpoint but not the next).

Every network peer here is on 127.0.0.1 and started by the test itself.
"""

from __future__ import annotations

import http.server
import re
import select
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from fastapi.testclient import TestClient

from beleidsgraaf.api import din_svg, sparql_guard
from beleidsgraaf.api.http import create_app
from beleidsgraaf.api.problems import Problem
from beleidsgraaf.queries import views
from tests.conftest import CORPUS

PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def client(corpus_store) -> Iterator[TestClient]:
    _store, _report, location = corpus_store
    app = create_app(location, corpus_dirs=[str(CORPUS)], sparql_timeout=30, sparql_max_rows=5000)
    with TestClient(app) as c:
        yield c


def problem(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith(PROBLEM)
    body = response.json()
    assert body["status"] == status and body["detail"], body
    return body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- 1. SERVICE, LOAD and updates: decided on the parsed query -----------------------------------------
class Canary:
    """A tiny HTTP server on 127.0.0.1 that records every request made to it; the tests want it silent."""

    def __init__(self) -> None:
        hits: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def _record(self) -> None:
                hits.append(f"{self.command} {self.path}")
                self.send_response(200)
                self.send_header("content-type", "application/sparql-results+json")
                self.end_headers()
                self.wfile.write(b'{"head":{"vars":[]},"results":{"bindings":[{}]}}')

            do_GET = do_POST = _record  # noqa: N815 - the names http.server calls

            def log_message(self, *_args: object) -> None:
                pass

        self.hits = hits
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def canary() -> Iterator[Canary]:
    server = Canary()
    yield server
    server.close()


# Each of these runs a SERVICE call to the canary in Oxigraph (or would, if the guard read the text the
# way the old regex did): comment ends the regex did not know, codepoint escapes Oxigraph expands before
# parsing, case, SILENT, prefixed/relative/variable endpoints, and SERVICE nested deep in the pattern.
SERVICE_TRICKS = {
    "cr-ends-a-comment": "SELECT ?x WHERE { #x\rSERVICE <http://127.0.0.1:PORT/cr> { ?x ?p ?o } }",
    "crlf-ends-a-comment": "SELECT ?x WHERE { #x\r\nSERVICE <http://127.0.0.1:PORT/crlf> { ?x ?p ?o } }",
    "codepoint-escaped-keyword": "SELECT ?x WHERE { \\u0053ERVICE <http://127.0.0.1:PORT/esc> { ?x ?p ?o } }",
    "codepoint-escaped-cr": "SELECT ?x WHERE { #x\\u000DSERVICE <http://127.0.0.1:PORT/esc-cr> { ?x ?p ?o } }",
    "mixed-case-silent": "select * where { sErViCe SILENT <http://127.0.0.1:PORT/case> { ?s ?p ?o } }",
    "prefixed-endpoint": "PREFIX svc: <http://127.0.0.1:PORT/> SELECT * WHERE { SERVICE svc:pn { ?s ?p ?o } }",
    "relative-endpoint": "BASE <http://127.0.0.1:PORT/> SELECT * WHERE { SERVICE <base> { ?s ?p ?o } }",
    "variable-endpoint": "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:PORT/var> } SERVICE ?e { ?s ?p ?o } }",
    "inside-filter-exists": "ASK { FILTER EXISTS { SERVICE <http://127.0.0.1:PORT/exists> { ?s ?p ?o } } }",
    "inside-subquery": "SELECT * WHERE { { SELECT * WHERE { OPTIONAL { SERVICE <http://127.0.0.1:PORT/sub> { ?s ?p ?o } } } } }",
    "after-hash-in-string": 'SELECT * WHERE { BIND("#" AS ?h) SERVICE <http://127.0.0.1:PORT/str> { ?s ?p ?o } }',
    "after-hash-in-iri": "SELECT * WHERE { BIND(<http://x/#a> AS ?h) SERVICE <http://127.0.0.1:PORT/iri> { ?s ?p ?o } }",
    "after-cr-in-long-string": "SELECT * WHERE { BIND('''a\r#''' AS ?h) SERVICE <http://127.0.0.1:PORT/long> { ?s ?p ?o } }",
    "construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:PORT/construct> { ?s ?p ?o } }",
    "describe": "DESCRIBE ?s WHERE { SERVICE <http://127.0.0.1:PORT/describe> { ?s ?p ?o } }",
}
UPDATE_TRICKS = {
    "cr-ends-a-comment": "#x\rINSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "after-prefix-and-comment": "PREFIX a: <urn:a#>\n#c\rDELETE WHERE { ?s ?p ?o }",
    "load-after-cr": "#c\rLOAD <http://127.0.0.1:PORT/load.ttl>",
    "load-lower-case": "load <http://127.0.0.1:PORT/load2.ttl> INTO GRAPH <urn:g>",
    "codepoint-escaped-keyword": "\\u0049NSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "clear": "cLeAr ALL",
    "drop": "DROP SILENT GRAPH <urn:g>",
    "create": "CREATE GRAPH <urn:g>",
    "add": "ADD DEFAULT TO <urn:g>",
    "move": "MOVE <urn:a> TO <urn:b>",
    "copy": "COPY DEFAULT TO <urn:g>",
    "with": "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "two-operations": "INSERT DATA { <urn:a> <urn:b> <urn:c> } ; LOAD <http://127.0.0.1:PORT/load3.ttl>",
}
# The keyword truly inside a comment (SPARQL ends comments at \n or \r only): no SERVICE, a plain query.
COMMENTED_OUT = {
    "line-separator": "SELECT ?x WHERE { BIND(1 AS ?x) #\u2028SERVICE <http://127.0.0.1:PORT/ls> { ?x ?p ?o }\n}",
    "next-line": "SELECT ?x WHERE { BIND(1 AS ?x) #\u0085SERVICE <http://127.0.0.1:PORT/nel> { ?x ?p ?o }\n}",
}
# Legitimate queries that carry the words, or a '#', where they are data: answered, with these values.
LEGITIMATE = {
    'SELECT ?x WHERE { BIND("SERVICE and LOAD and INSERT" AS ?x) }': "SERVICE and LOAD and INSERT",
    "SELECT ?x WHERE { BIND(<http://x/#a> AS ?x) }": "http://x/#a",
    'SELECT ?x WHERE { BIND("a#b" AS ?x) }': "a#b",
    "SELECT ?x WHERE { BIND(<http://example.org/service> AS ?x) }": "http://example.org/service",
    "PREFIX service: <http://example.org/service#>\nSELECT ?x WHERE { BIND(service:SERVICE AS ?x) }":
        "http://example.org/service#SERVICE",
    "PREFIX load: <urn:load:> SELECT ?x WHERE { BIND(load:insert AS ?x) }": "urn:load:insert",
    "SELECT ?service WHERE { BIND('''service\n#x''' AS ?service) }": "service\n#x",
    'SELECT ?x\r\n# a comment, CRLF line ends as a browser form sends them\r\nWHERE { BIND("ok" AS ?x) }': "ok",
    'SELECT ?x WHERE { BIND("caf\\u00e9" AS ?x) }': "café",
}


def as_get(c: TestClient, query: str) -> httpx.Response:
    return c.get("/sparql", params={"query": query})


def as_post(c: TestClient, query: str) -> httpx.Response:
    return c.post("/sparql", content=query.encode(), headers={"content-type": "application/sparql-query"})


def as_form(c: TestClient, query: str) -> httpx.Response:
    return c.post("/sparql", content=f"query={quote(query)}", headers={"content-type": "application/x-www-form-urlencoded"})


@pytest.mark.parametrize("send", [as_get, as_post, as_form], ids=["get", "post", "form"])
def test_service_is_refused_whatever_the_spelling_and_nothing_is_fetched(client, canary, send):
    for name, template in SERVICE_TRICKS.items():
        body = problem(send(client, template.replace("PORT", str(canary.port))), 403)
        assert "SERVICE" in body["detail"], name
    for name, template in UPDATE_TRICKS.items():
        body = problem(send(client, template.replace("PORT", str(canary.port))), 403)
        assert "read-only" in body["detail"], name
    for name, template in COMMENTED_OUT.items():
        r = send(client, template.replace("PORT", str(canary.port)))
        assert r.status_code == 200, (name, r.text)
    assert canary.hits == []


def test_the_web_editor_refuses_the_same_and_fetches_nothing(client, canary):
    page = client.post("/ui/sparql", data={"query": SERVICE_TRICKS["cr-ends-a-comment"].replace("PORT", str(canary.port))})
    assert page.status_code == 403 and "SERVICE" in page.text
    page = client.post("/ui/sparql", data={"query": UPDATE_TRICKS["load-after-cr"].replace("PORT", str(canary.port))})
    assert page.status_code == 403 and "read-only" in page.text
    assert canary.hits == []


@pytest.mark.parametrize("query", sorted(LEGITIMATE))
def test_words_and_hashes_in_strings_and_iris_are_data(client, query):
    r = as_get(client, query)
    assert r.status_code == 200, r.text
    (row,) = r.json()["results"]["bindings"]
    assert next(iter(row.values()))["value"] == LEGITIMATE[query]


def test_the_guard_reads_the_query_as_the_parsers_do():
    prologue = "PREFIX bg: <https://w3id.org/beleidsgraaf/def#>\n"
    for template in SERVICE_TRICKS.values():
        with pytest.raises(Problem) as caught:
            sparql_guard.read_only(prologue, template.replace("PORT", "1"))
        assert caught.value.status == 403 and caught.value.kind == "service-refused"
    for template in UPDATE_TRICKS.values():
        with pytest.raises(Problem) as caught:
            sparql_guard.read_only(prologue, template.replace("PORT", "1"))
        assert caught.value.status == 403 and caught.value.kind == "update-refused"
    # What runs is what was checked: no carriage return and no codepoint escape is left for a parser to
    # read differently.
    text = sparql_guard.read_only(prologue, 'SELECT ?x\r\nWHERE { BIND("caf\\u00e9" AS ?x) } # \r')
    assert "\r" not in text and "\\u" not in text and "café" in text
    # A codepoint escape that would survive one round of expansion is refused, not guessed at.
    with pytest.raises(Problem) as caught:
        sparql_guard.read_only(prologue, 'SELECT ?x WHERE { BIND("\\u005Cu0053" AS ?x) }')
    assert caught.value.status == 400
    with pytest.raises(Problem) as caught:
        sparql_guard.read_only(prologue, "SELEKT * WHERE { ?s ?p ?o }")
    assert caught.value.status == 400 and "line 1" in caught.value.detail  # counted in the user's text


def test_a_sandboxed_worker_cannot_open_a_network_socket_even_if_the_guard_missed_a_service(canary, tmp_path):
    # Defence in depth: pyoxigraph has no switch to turn SERVICE off, so the query workers run under a
    # seccomp filter that refuses IP sockets. Here the guard is bypassed on purpose.
    script = textwrap.dedent(f"""
        import pyoxigraph, sys
        from beleidsgraaf.api import sandbox
        assert sandbox.deny_network(), "seccomp filter not installed"
        query = "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{canary.port}/sandboxed> {{ ?s ?p ?o }} }}"
        try:
            print(list(pyoxigraph.Store().query(query)))
        except OSError as exc:
            print("refused:", exc)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "refused:" in run.stdout, run.stdout
    assert canary.hits == []


# -- 2. stored XSS: escaping for the context, CSP, nosniff ----------------------------------------------
HOSTILE = ['Programmacontract Xss" onload="alert(1)', "<script>alert(2)</script>", "O'Brien' onmouseover='alert(3)",
           "</text><script>alert(4)</script>", 'a"><svg onload=alert(5)>']


class Tags(HTMLParser):
    """Every start tag with its attributes, and the text, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(html: str) -> Tags:
    tags = Tags()
    tags.feed(html)
    tags.close()
    return tags


def assert_inert(html: str) -> Tags:
    """No element gained an event handler, no script came from data, no inline style (the CSP forbids it)."""
    tags = parsed(html)
    for tag, attrs in tags.tags:
        assert not [a for a in attrs if a.lower().startswith("on")], (tag, attrs)
        assert "style" not in attrs, (tag, attrs)
        if tag == "script":  # ours only: the page script and a JSON data block
            assert attrs.get("src") == "/static/app.js" or attrs.get("type") == "application/json", attrs
        assert tag not in ("iframe", "object", "embed", "style"), (tag, attrs)
        for name in ("href", "src", "action"):
            assert not (attrs.get(name) or "").strip().lower().startswith("javascript:"), (tag, attrs)
    return tags


def hostile_din() -> dict:
    nodes = []
    for index, name in enumerate(HOSTILE):
        nodes.append({"iri": f"https://w3id.org/beleidsgraaf/id/x/{index}", "name": name, "kind": f'Visie" onclick="x{index}',
                      "level": index % 5, "order": index,
                      "sources": [{"document": f'doc"{index}.txt', "lines": [1, 2], "quote": name}] if index % 2 else []})
    return {"iri": "https://w3id.org/beleidsgraaf/id/x", "name": HOSTILE[0], "contract": HOSTILE[1], "nodes": nodes,
            "edges": [{"from": nodes[1]["iri"], "to": nodes[0]["iri"]}]}


def test_the_din_svg_escapes_every_string_for_its_context():
    svg = din_svg.render(hostile_din(), "nl")
    tags = assert_inert(svg)
    assert [t for t, _ in tags.tags].count("script") == 0
    text = "".join(tags.text)
    assert HOSTILE[0] in text and "<script>alert(2)</script>" in text  # shown as text, whole
    assert {a["data-kind"] for t, a in tags.tags if t == "a"} == {f'Visie" onclick="x{i}' for i in range(len(HOSTILE))}
    assert parsed(svg).tags[0][1]["aria-label"] == f"DIN {HOSTILE[0]}"


def test_pages_with_hostile_labels_inject_nothing(client, monkeypatch):
    din = hostile_din()
    monkeypatch.setattr(views, "programme_din", lambda _store, _name: din)
    page = client.get("/ui/programmes/x")
    assert page.status_code == 200
    assert "<svg" in page.text and HOSTILE[0] in "".join(assert_inert(page.text).text)

    ward = {"iri": "https://w3id.org/beleidsgraaf/id/gebied/x", "name": HOSTILE[0], "kind": HOSTILE[2], "cbs": HOSTILE[1],
            "parent": "javascript:alert(6)", "parent_name": HOSTILE[4], "aliases": HOSTILE,
            "parts": [{"iri": "javascript:alert(7)", "name": h, "kind": "Buurt", "cbs": h} for h in HOSTILE],
            "efforts": {"targeted": [{"iri": "javascript:alert(8)", "name": h, "reach": "gericht", "via": None, "via_name": h,
                                      "steering": [h], "owner": None, "owner_name": h, "programme": None,
                                      "sources": [{"document": h, "lines": [1, 1], "quote": h}]} for h in HOSTILE],
                        "citywide": []}}
    monkeypatch.setattr(views, "ward_detail", lambda _store, _name: ward)
    monkeypatch.setattr(views, "ward_afstemming", lambda _store, _name: {"ward": HOSTILE[1], "groups": HOSTILE,
                                                                        "rules": [{"rule": h, "document": h} for h in HOSTILE]})
    page = client.get("/ui/wards/x")
    assert page.status_code == 200, page.text[:300]
    assert HOSTILE[1] in "".join(assert_inert(page.text).text)


def test_html_responses_carry_a_csp_without_inline_script_and_every_response_nosniff(client):
    for path in ("/", "/ui/wards", "/ui/wards/Ossenkoppelerhoek", "/ui/programmes", "/ui/programmes/Duurzaamheid",
                 "/ui/findings", "/ui/sparql", "/ui/wards/Atlantis", "/resource/gebied/almelo/ossenkoppelerhoek",
                 "/documents/almelo-2020-contract-wijksturing.txt?from=3"):
        r = client.get(path, headers={"accept": "text/html"})
        assert r.headers["content-type"].startswith("text/html"), path
        csp = {d.split()[0]: d.split()[1:] for d in r.headers["content-security-policy"].split(";") if d.strip()}
        assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"], (path, csp)
        assert csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"] and csp["frame-ancestors"] == ["'none'"]
        assert r.headers["x-content-type-options"] == "nosniff", path
        assert_inert(r.text)
    for path in ("/docs", "/redoc"):  # the API docs: vendored scripts only, none inline (tests/test_api.py: no remote host)
        docs = client.get(path)
        assert re.findall(r"<script>(.*?)</script>", docs.text, re.S) == [], path
        assert "script-src 'self';" in docs.headers["content-security-policy"], path
    for path in ("/wards", "/sparql?query=ASK%7B%7D", "/static/app.js", "/no/such/path", "/openapi.json"):
        assert client.get(path).headers["x-content-type-options"] == "nosniff", path


# -- 3. query workers: a memory cap, and a lane kept for short queries ----------------------------------
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
HUNGRY = "SELECT ?a ?d WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"


def serve(app) -> tuple[str, object, threading.Thread]:  # noqa: ANN001
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def test_two_slow_queries_do_not_block_a_trivial_ask(corpus_store):
    _store, _report, location = corpus_store
    app = create_app(location, sparql_timeout=300, sparql_max_rows=10)  # the slow ones would run for minutes
    base, server, thread = serve(app)
    runner = app.state.ctx.runner
    finished: list[str] = []

    def slow(n: int) -> None:
        httpx.get(f"{base}/sparql", params={"query": CARTESIAN}, timeout=600)
        finished.append(f"slow {n}")

    slow_threads = [threading.Thread(target=slow, args=(n,), daemon=True) for n in range(2)]
    try:
        for t in slow_threads:
            t.start()
        deadline = time.monotonic() + 180  # a guard against a hang only: both slow queries have a worker
        while runner.busy() < 2:
            assert time.monotonic() < deadline and not finished, "the slow queries never got their workers"
            time.sleep(0.1)
        ask = httpx.get(f"{base}/sparql", params={"query": "ASK { ?s ?p ?o }"}, timeout=600)
        finished.append("ask")
        assert ask.status_code == 200 and ask.json()["boolean"] is True, ask.text
        assert finished == ["ask"], finished  # answered while both slow queries still hold their workers
    finally:
        runner.close()  # kills the slow queries' workers: their requests end with 503
        for t in slow_threads:
            t.join(timeout=60)
        server.should_exit = True
        thread.join(timeout=30)


def test_a_query_past_the_memory_cap_is_stopped_and_its_worker_replaced(corpus_store, monkeypatch):
    _store, _report, location = corpus_store
    monkeypatch.setenv("BELEIDSGRAAF_SPARQL_MEMORY_MB", "900")
    app = create_app(location, sparql_timeout=120, sparql_max_rows=10)
    with TestClient(app) as c:
        assert c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
        workers = app.state.ctx.runner.processes()
        assert workers
        for pid in workers:  # the cap is the worker's own, set by the kernel
            limits = Path(f"/proc/{pid}/limits").read_text()
            assert re.search(rf"Max address space\s+{900 * 2**20}\s+{900 * 2**20}", limits), limits
            assert re.search(r"^Seccomp:\s+2$", Path(f"/proc/{pid}/status").read_text(), re.M)
        body = problem(c.get("/sparql", params={"query": HUNGRY}), 422)
        assert body["type"].endswith("/out-of-memory") and "900 MB" in body["detail"], body
        after = c.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert after.status_code == 200 and after.json()["boolean"] is True


# -- 4. request bodies: refused by Content-Length up front, and by counting while streaming ------------
def post_routes(app) -> list[str]:  # noqa: ANN001
    return sorted(r.path for r in app.routes if "POST" in (getattr(r, "methods", None) or ()))


def test_a_declared_oversized_body_is_refused_before_it_is_read(client):
    assert post_routes(client.app) == ["/sparql", "/ui/sparql"]
    for path in post_routes(client.app):
        for content_type in ("application/x-www-form-urlencoded", "application/sparql-query"):
            r = client.post(path, content=b"query=ASK%7B%7D",
                            headers={"content-type": content_type, "content-length": str(256 * 2**20)})
            assert "too large" in problem(r, 413)["detail"]


def test_a_chunked_oversized_body_is_cut_off_while_streaming(corpus_store):
    _store, _report, location = corpus_store
    app = create_app(location, sparql_timeout=30)
    base, server, thread = serve(app)
    host, port = base.removeprefix("http://").split(":")
    try:
        for path in post_routes(app):
            # Up front: the server answers a 256 MiB Content-Length without waiting for a byte of the body.
            with socket.create_connection((host, int(port)), timeout=30) as sock:
                sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                             f"Content-Length: {256 * 2**20}\r\n\r\n".encode())
                assert sock.recv(64).startswith(b"HTTP/1.1 413"), path
            # Streaming: 256 MiB offered in 64 KiB chunks; the answer comes long before the end.
            chunk = b"query=" + b"x" * (64 * 1024 - 6)
            sent, total = 0, 256 * 2**20
            with socket.create_connection((host, int(port)), timeout=30) as sock:
                sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n".encode())
                reply = b""
                while sent < total:
                    readable, writable, _ = select.select([sock], [sock], [], 30)
                    if readable:
                        reply = sock.recv(64)
                        break
                    assert writable, "the server neither read nor answered"
                    try:
                        sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        reply = sock.recv(64)
                        break
                    sent += len(chunk)
                assert reply.startswith(b"HTTP/1.1 413"), (path, reply, sent)
                assert sent < 16 * 2**20, sent  # a few MiB in flight at most, never the whole body
    finally:
        server.should_exit = True
        thread.join(timeout=30)


# -- 5. protocol details ----------------------------------------------------------------------------
def test_405_carries_allow(client):
    for method, path, allowed in (("DELETE", "/sparql", {"GET", "POST"}), ("PUT", "/ui/sparql", {"GET", "POST"}),
                                  ("POST", "/wards", {"GET"}), ("PATCH", "/ask", {"GET"})):
        r = client.request(method, path)
        problem(r, 405)
        assert allowed <= {m.strip() for m in r.headers["allow"].split(",")}, (path, r.headers)


def test_openapi_marks_required_parameters_and_declares_the_sparql_bodies(client):
    spec = client.get("/openapi.json").json()
    params = {(path, p["name"]): p for path, item in spec["paths"].items() for op in item.values()
              for p in op.get("parameters", [])}
    for path, name in (("/ask", "q"), ("/search", "q"), ("/wards/{name}", "name"), ("/documents/{file}", "file")):
        assert params[(path, name)]["required"] is True, (path, name)
    assert params[("/search", "k")].get("required", False) is False
    # GET /sparql without a query describes the service (SPARQL 1.1 Service Description), so query is optional.
    assert params[("/sparql", "query")].get("required", False) is False
    body = spec["paths"]["/sparql"]["post"]["requestBody"]
    assert body["required"] is True
    assert {"application/sparql-query", "application/x-www-form-urlencoded"} <= set(body["content"])
    form = body["content"]["application/x-www-form-urlencoded"]["schema"]
    assert form["required"] == ["query"] and "query" in form["properties"]


def test_missing_required_parameters_are_400_problems(client):
    for path in ("/ask", "/search"):
        assert "missing" in problem(client.get(path), 400)["detail"]


def test_every_listed_ward_answers_on_detail_afstemming_and_page(client):
    wards = client.get("/wards", params={"limit": 1000}).json()["items"]
    assert len(wards) > 50
    failures = []
    for ward in wards:
        name = quote(ward["name"], safe="")
        detail = client.get(f"/wards/{name}")
        afstemming = client.get(f"/wards/{name}/afstemming")
        page = client.get(f"/ui/wards/{name}")
        statuses = (detail.status_code, afstemming.status_code, page.status_code)
        if statuses != (200, 200, 200):
            failures.append((ward["name"], statuses))
        elif afstemming.json()["iri"] != detail.json()["iri"]:  # the same ward, not a namesake
            failures.append((ward["name"], detail.json()["iri"], afstemming.json()["iri"]))
    assert not failures, failures


def test_env_memory_setting_is_read(monkeypatch):
    from beleidsgraaf.api.sparql_protocol import Limits

    monkeypatch.delenv("BELEIDSGRAAF_SPARQL_MEMORY_MB", raising=False)
    assert Limits.from_env().memory_mb == 1024
    monkeypatch.setenv("BELEIDSGRAAF_SPARQL_MEMORY_MB", "2048")
    assert Limits.from_env().memory_mb == 2048
