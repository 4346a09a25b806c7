"""The web page in a real headless Chromium (Debian's package), served by uvicorn on a free local port.

Screenshots of each page go to docs/screenshot-*.png for the README.
"""

from __future__ import annotations

import importlib.util
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import CORPUS, ROOT

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
DOCS = ROOT / "docs"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (apt-get install chromium); .ci/run installs it"),
    pytest.mark.skipif(importlib.util.find_spec("playwright") is None, reason="playwright (Python package) is not installed"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(corpus_store):
    import uvicorn

    from beleidsgraaf.api.http import create_app

    _store, _report, location = corpus_store
    port = free_port()
    config = uvicorn.Config(create_app(location, corpus_dirs=[str(CORPUS)]), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def phone(browser):
    """A phone-sized page: the layout must work at 390 px."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="nl-NL")
    page = context.new_page()
    yield page
    context.close()


def no_horizontal_page_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_ask_shows_a_cited_answer_and_the_evidence_link_opens_the_lines(server, phone):
    DOCS.mkdir(exist_ok=True)
    phone.goto(server + "/")
    phone.fill("#q", "Welke lijnprojecten raken Ossenkoppelerhoek?")
    phone.click("form.ask button")
    phone.wait_for_selector("#answer, .notice", timeout=60_000)
    if phone.locator(".notice").count() and not phone.locator("#answer").count():
        pytest.skip("ask (queries.answer) is not available in this build")
    answer = phone.locator(".answer-text").inner_text()
    assert "Ossenkoppelerhoek" in answer
    assert no_horizontal_page_scroll(phone)
    phone.screenshot(path=str(DOCS / "screenshot-ask.png"), full_page=True)

    links = phone.locator("#answer a.evidence")
    assert links.count() > 0, "the answer cites no evidence"
    href = links.first.get_attribute("href")
    document, first = href.split("/documents/")[1].split("?")[0], int(href.split("#L")[1])
    links.first.click()
    phone.wait_for_url("**/documents/**")
    highlighted = phone.locator("pre.source .hl")
    assert highlighted.count() >= 1
    assert highlighted.first.get_attribute("id") == f"L{first}"
    assert highlighted.first.is_visible() and document in phone.locator("h1").inner_text()
    phone.screenshot(path=str(DOCS / "screenshot-document.png"))


def test_ward_page_lists_buurten_and_efforts(server, phone):
    phone.goto(server + "/ui/wards")
    phone.click("text=Nieuwstraatkwartier")
    phone.wait_for_selector("#ward-name")
    assert "Nieuwstraatkwartier" in phone.locator("#ward-name").inner_text()
    targeted = phone.locator('table.efforts[data-reach="targeted"] tbody tr')
    assert targeted.count() > 0
    assert targeted.first.locator("a.evidence").count() > 0
    assert phone.locator("#afstemming").is_visible()
    phone.screenshot(path=str(DOCS / "screenshot-ward.png"), full_page=True)
    phone.goto(server + "/ui/wards/ossenkopplerhoek?lang=en")
    assert "Ossenkoppelerhoek" in phone.locator("#ward-name").inner_text()
    assert "Buurten" in phone.content() and "Beeklust" in phone.content() and "Other spellings" in phone.content()


def test_programme_din_picture_links_each_node_to_its_lines(server, desktop):
    desktop.goto(server + "/ui/programmes")
    desktop.click("text=Duurzaamheid")
    svg = desktop.locator("#din svg")
    svg.wait_for()
    nodes = desktop.locator("#din svg a.node")
    assert nodes.count() > 10
    kinds = set(desktop.eval_on_selector_all("#din svg a.node", "els => els.map(e => e.dataset.kind)"))
    assert {"Visie", "StrategischDoel"} <= kinds
    assert svg.bounding_box()["width"] > 300
    desktop.screenshot(path=str(DOCS / "screenshot-din.png"), full_page=False)
    href = nodes.first.get_attribute("href")
    assert href.startswith("/documents/") and "#L" in href
    desktop.goto(server + href)
    assert desktop.locator("pre.source .hl").count() >= 1


def test_sparql_editor_runs_a_named_query_example(server, desktop):
    desktop.goto(server + "/ui/sparql")
    label = desktop.eval_on_selector_all("#examples option",
                                         "els => els.map(e => e.textContent).find(t => t.startsWith('wards —'))")
    desktop.select_option("#examples", label=label)
    assert "skos:prefLabel" in desktop.locator("#query").input_value()
    desktop.click("form.sparql button")
    desktop.wait_for_selector("table.results")
    assert desktop.locator("table.results tbody tr").count() > 50
    desktop.screenshot(path=str(DOCS / "screenshot-sparql.png"))


def watch(page, server: str) -> tuple[list[str], list[str]]:
    """Script errors and CSP violations on the page, and requests that reached any other host."""
    problems: list[str] = []
    foreign: list[str] = []
    page.on("pageerror", lambda exc: problems.append(f"pageerror: {exc}"))
    page.on("console", lambda m: m.type == "error" and "Content Security Policy" in m.text and problems.append(m.text))
    page.on("requestfinished", lambda r: r.url.startswith(("http:", "https:")) and not r.url.startswith(server)
            and foreign.append(r.url))
    return problems, foreign


def test_sparql_editor_highlights_labels_pages_shares_and_marks_errors_under_the_csp(server, desktop):
    from urllib.parse import quote

    problems, foreign = watch(desktop, server)
    query = "SELECT ?w ?p ?o WHERE { ?w a bg:Wijk ; ?p ?o } ORDER BY ?w ?p ?o LIMIT 250"
    desktop.goto(server + "/ui/sparql?query=" + quote(query))
    desktop.wait_for_selector(".CodeMirror .cm-keyword")  # YASQE's SPARQL mode highlights the query
    assert desktop.locator(".parseErrorIcon").count() == 0  # bg: is declared by the server, so not an error here
    desktop.wait_for_selector("nav.pager")
    assert desktop.locator(".pager-where").first.text_content().startswith("1–100 ")
    assert desktop.locator("table.results tbody tr").count() == 100
    assert " ms" in desktop.locator("#sparql-status").text_content()
    # rdfs:label replaces the IRI as the link text; the prefixed or full IRI stays underneath.
    desktop.wait_for_selector("table.results td small.iri-name")
    first = desktop.locator("table.results tbody tr").first.locator("a.term-iri").first
    assert first.get_attribute("href").startswith("/resource/gebied/") and not first.text_content().startswith("<")
    desktop.locator("nav.pager button").nth(1).click()
    assert desktop.locator(".pager-where").first.text_content().startswith("101–200 ")
    assert "/ui/sparql?query=" in desktop.locator("#share-link").input_value()
    assert "/sparql?query=" in desktop.locator("#endpoint-link").input_value()
    with desktop.expect_download() as download:
        desktop.locator(".downloads button", has_text="CSV").click()
    assert Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0] == "w,p,o"
    # An error the engine finds is put at the line of the user's own text, and marked there.
    desktop.click(".CodeMirror")
    desktop.keyboard.press("Control+A")
    desktop.keyboard.type("SELECT * WHERE {\n?s nope:x ?o }")
    desktop.keyboard.press("Control+Enter")
    desktop.wait_for_selector("#sparql-results .error")
    assert "line 2, column" in desktop.locator("#sparql-results .error").text_content()
    assert desktop.locator(".sparql-error-line").count() == 1
    assert problems == [] and foreign == []


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".opblock"), ("/redoc", "h2")])
def test_api_docs_render_from_the_app_alone(server, desktop, path, ready):
    problems, foreign = watch(desktop, server)
    desktop.goto(server + path)
    desktop.wait_for_selector(ready, timeout=30000)
    assert "/sparql" in desktop.locator("body").text_content()
    # ReDoc's bundle always shows a Redocly logo from its CDN; the CSP stops it (img-src 'self' data:).
    assert [p for p in problems if "img-src" not in p] == [] and foreign == []
