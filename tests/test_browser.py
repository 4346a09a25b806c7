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

WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.fixture(scope="module", autouse=True)
def chromium_present():
    """Fail, not skip, without Chromium or playwright: CI installs both, and a skipped browser suite would
    let a broken page through unnoticed."""
    if CHROMIUM is None:
        pytest.fail("no Chromium installed (apt-get install chromium); .ci/run installs it")
    if importlib.util.find_spec("playwright") is None:
        pytest.fail("playwright (Python package) is not installed: pip install -e '.[test]'")


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


def open_page(browser, width: str):
    w, h = WIDTHS[width]
    context = browser.new_context(viewport={"width": w, "height": h}, locale="nl-NL")
    return context, context.new_page()


def shown(page, selector: str) -> int:
    return int(page.locator(selector).inner_text().strip())


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_flagship_question_is_answered_and_a_citation_opens_the_highlighted_lines(server, browser, width):
    context, page = open_page(browser, width)
    try:
        page.goto(server + "/?lang=nl")
        page.fill("#q", "Welke lijnprojecten raken Ossenkoppelerhoek?")
        page.click("form.ask button")
        page.wait_for_selector("#answer", timeout=60_000)  # an unavailable answer module fails here, not skips
        assert "Ossenkoppelerhoek" in page.locator(".answer-text").inner_text()
        assert no_horizontal_page_scroll(page)
        if width == "desktop":
            DOCS.mkdir(exist_ok=True)
            page.screenshot(path=str(DOCS / "screenshot-ask.png"), full_page=True)
        links = page.locator("#answer a.evidence")
        assert links.count() > 0, "the answer cites no evidence"
        href = links.first.get_attribute("href")
        document, first = href.split("/documents/")[1].split("?")[0], int(href.split("#L")[1])
        links.first.click()
        page.wait_for_url("**/documents/**")
        highlighted = page.locator("pre.source .hl")
        assert highlighted.count() >= 1
        assert highlighted.first.get_attribute("id") == f"L{first}"
        assert highlighted.first.is_visible() and document in page.locator("h1").inner_text()
        assert no_horizontal_page_scroll(page)
        if width == "phone":
            page.screenshot(path=str(DOCS / "screenshot-document.png"))
    finally:
        context.close()


def test_ward_afstemming_counts_first_then_groups_with_an_uncertain_scope(server, desktop):
    desktop.goto(server + "/ui/wards?lang=nl")
    desktop.get_by_role("link", name="Nieuwstraatkwartier", exact=True).click()
    desktop.wait_for_selector("#ward-name")
    assert desktop.url.endswith("/ui/wards/almelo/nieuwstraatkwartier")  # the URL is the IRI's path
    assert "gemeente Almelo" in desktop.locator("#ward-name").inner_text()
    # The first answer fits one desktop screen: the counts per steering principle and scope.
    counts = desktop.locator("#afstemming-counts")
    assert counts.is_visible() and counts.bounding_box()["y"] + counts.bounding_box()["height"] <= 900
    desktop.screenshot(path=str(DOCS / "screenshot-ward.png"))  # the first screen, as a ward director sees it
    steering = {text.replace("\u00ad", "") for text in counts.locator("tbody th").all_inner_texts()}  # soft hyphens
    assert {"Lijnsturing", "Programmasturing", "Wijksturing"} <= steering
    # Targeted groups are open, with an owner, the rule that says who coordinates with whom, and lines.
    targeted = desktop.locator('section[data-scope="gericht"]')
    assert targeted.locator("details.steering[open]").count() >= 2
    owner = targeted.locator(".owner").first
    assert "stemt af met de wijkregisseur" in owner.locator(".coordination").inner_text()
    assert owner.locator("ol.efforts a.evidence").count() > 0
    # Scope unknown is shown, marked uncertain, collapsed; opened it lists efforts, ten at a time.
    uncertain = desktop.locator('section.scope.uncertain[data-scope="onbekend"]')
    assert uncertain.is_visible() and "onzeker" in uncertain.locator("h2").inner_text().lower()
    total_unknown = int(uncertain.locator("h2 .count").inner_text().strip("()"))
    assert total_unknown > 100
    group = uncertain.locator("details.steering").first
    assert group.get_attribute("open") is None
    group.locator("summary").click()
    first_owner = group.locator(".owner").first
    assert first_owner.locator("ol.efforts > li").count() == 10
    first_owner.locator(".list-pager a[rel=next]").click()
    desktop.wait_for_url("**p-o-*")
    assert desktop.locator(".owner ol.efforts[start='11']").count() == 1  # the same group, its second page
    assert no_horizontal_page_scroll(desktop)


def test_programme_din_scales_without_clipping_and_draws_no_table_cells(server, desktop):
    desktop.goto(server + "/ui/programmes?lang=nl")
    desktop.locator('a[href="/ui/programmes/almelo/duurzaamheid"]').click()
    svg = desktop.locator("#din svg")
    svg.wait_for()
    assert "gemeente Almelo" in desktop.locator("#programme-name").inner_text()
    nodes = desktop.locator("#din svg a.node")
    assert nodes.count() > 10
    kinds = set(desktop.eval_on_selector_all("#din svg a.node", "els => els.map(e => e.dataset.kind)"))
    assert {"Visie", "StrategischDoel"} <= kinds
    labels = desktop.eval_on_selector_all("#din svg a.node title", "els => els.map(e => e.textContent)")
    assert not [label for label in labels if label.split(": ", 1)[1] in ("1.000", "3.000", "(2018)", "(jaartal)")]
    # The picture is as wide as its box at a desktop width: nothing cut off at the right, no sideways scroll.
    box = desktop.locator("#din").bounding_box()
    assert abs(svg.bounding_box()["width"] - box["width"]) <= 4
    assert desktop.evaluate("(() => { const d = document.getElementById('din'); return d.scrollWidth <= d.clientWidth + 1 })()")
    for section in ("#budgets", "#actors", "#places"):
        assert desktop.locator(section).is_visible()
    assert desktop.locator("table.budgets tbody tr").count() > 0 and desktop.locator("table.actors tbody tr").count() > 0
    desktop.screenshot(path=str(DOCS / "screenshot-din.png"), full_page=False)
    href = nodes.first.get_attribute("href")
    assert href.startswith("/documents/") and "#L" in href
    desktop.goto(server + href)
    assert desktop.locator("pre.source .hl").count() >= 1


def test_programme_budgets_and_actors_read_as_labelled_blocks_on_a_phone(server, phone):
    """At 390 px a five-column table squeezed its words to a letter a line; there each row is a block now, every
    value after its column's name, and the empty ones left out."""
    phone.goto(server + "/ui/programmes/almelo/nieuwstraatkwartier?lang=nl")
    for table in ("table.budgets", "table.actors"):
        widths = phone.eval_on_selector_all(f"{table} tbody td", "els => els.filter(e => e.offsetParent)"
                                            ".map(e => e.getBoundingClientRect().width)")
        assert widths and min(widths) > 300, (table, min(widths or [0]))
    label = phone.evaluate("getComputedStyle(document.querySelector('table.budgets tbody td'), '::before').content")
    assert "Bedrag" in label
    assert no_horizontal_page_scroll(phone)


def test_findings_filter_by_severity_changes_the_counts_and_downloads_csv(server, desktop):
    desktop.goto(server + "/ui/findings?lang=nl")
    total = shown(desktop, "#findings-shown")
    assert total > 100
    desktop.select_option("#severity", "violation")
    desktop.click("#findings-filter button[type=submit]")
    desktop.wait_for_url("**severity=violation**")
    violations = shown(desktop, "#findings-shown")
    assert 0 < violations < total
    assert set(desktop.eval_on_selector_all(".finding-level", "els => els.map(e => e.id.split('-').pop())")) == {"violation"}
    desktop.locator("details.finding-document summary").first.click()
    first = desktop.locator("details.finding-document[open] li.finding").first
    assert first.locator("a.evidence").get_attribute("href").startswith("/documents/")
    desktop.screenshot(path=str(DOCS / "screenshot-findings.png"))
    with desktop.expect_download() as download:
        desktop.locator("a", has_text="CSV").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("ernst,melding") and len(lines) - 1 >= violations  # a message may span lines
    assert no_horizontal_page_scroll(desktop)


def test_sparql_query_from_a_link_shows_a_row_and_downloads_csv(server, desktop):
    """Kept minimal: the editor is another piece of work, so only its stable contract (query in the URL)."""
    from urllib.parse import quote

    query = "SELECT ?w ?naam WHERE { ?w a bg:Wijk ; skos:prefLabel ?naam } ORDER BY ?naam"
    desktop.goto(server + "/ui/sparql?query=" + quote(query))
    desktop.wait_for_selector("table.results tbody tr")
    assert "Ossenkoppelerhoek" in desktop.locator("table.results tbody").inner_text()
    csv_text = desktop.request.get(server + "/sparql?format=csv&query=" + quote(query)).text()
    assert csv_text.splitlines()[0] == "w,naam" and "Ossenkoppelerhoek" in csv_text


PAGES = ["/", "/?q=Welke+lijnprojecten+raken+Ossenkoppelerhoek%3F", "/ui/wards", "/ui/wards/almelo/ossenkoppelerhoek",
         "/ui/wards/almelo/ossenkoppelerhoek?all=1", "/ui/programmes", "/ui/programmes/almelo/economie-en-participatie",
         "/ui/findings", "/ui/findings?severity=warning&all=1", "/ui/sparql",
         "/documents/almelo-2019-programmacontracten.txt?from=4068&to=4072"]


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_no_page_scrolls_sideways(server, browser, width):
    context, page = open_page(browser, width)
    try:
        wide = []
        for path in PAGES:
            page.goto(server + path)
            page.wait_for_load_state("networkidle")
            if not no_horizontal_page_scroll(page):
                wide.append((path, page.evaluate("document.documentElement.scrollWidth")))
        assert not wide, wide
    finally:
        context.close()


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
