"""Reliability: hostile input files, a killed ingest, SPARQL abuse, API fuzzing and a load run.

Everything is generated here, bounded in time, and talks only to 127.0.0.1. The graph of a
store is compared as exported N-Quads bytes: a failed ingest must leave it byte for byte as it was.
"""

from __future__ import annotations

import asyncio
import io
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from beleidsgraaf.api import service
from beleidsgraaf.errors import InputError
from beleidsgraaf.ingest import readers
from beleidsgraaf.ingest.pipeline import ingest
from beleidsgraaf.ontology.store import open_store
from tests.conftest import CORPUS

SMALL = "almelo-2020-contract-wijksturing.txt"
GOOD = "Programma Test\nDoelen\n- Schone wijken\n"


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[str, bytes]:
    """A store holding one small corpus file, and its N-Quads."""
    folder = tmp_path_factory.mktemp("base-src")
    shutil.copy(CORPUS / SMALL, folder / SMALL)
    shutil.copy(CORPUS / "MANIFEST.tsv", folder / "MANIFEST.tsv")
    for sidecar in ("curated", "profiles"):  # what belongs to the file lives beside it, as in the corpus
        shutil.copytree(CORPUS / sidecar, folder / sidecar)
    location = str(tmp_path_factory.mktemp("base") / "store")
    ingest([folder], open_store(location))
    return location, service.export(location, "nq")


# -- hostile files ---------------------------------------------------------------------------------
def pdf(pages: list[list[str]], shapes_only: bool = False) -> bytes:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for lines in pages:
        if shapes_only:
            page.rect(72, 400, 300, 200, fill=1)  # a scan-like page: marks, no text layer
        for row, line in enumerate(lines):
            page.drawString(72, 800 - row * 18, line)
        page.showPage()
    page.save()
    return buffer.getvalue()


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b"\0" * 2**20
            for _ in range(120):  # 120 MiB of zeros, ~120 kB packed
                member.write(chunk)
    return buffer.getvalue()


def write(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def self_link(path: Path) -> None:
    path.symlink_to(path.name)  # a link to itself: never resolves


HOSTILE: dict[str, tuple[str, Callable[[Path], None], str]] = {
    "empty": ("leeg.txt", write(b""), "is empty"),
    "whitespace": ("wit.txt", write(b" \n\t\n" * 100), "is empty"),
    "binary-noise": ("ruis.txt", write(random.Random(7).randbytes(65536)), "binary"),
    "invalid-utf8": ("kapot.txt", write(b"Programma Test\nDoelen\n- Schone \x81\x8d wijken\n"), "not valid utf-8"),
    "pdf-without-text": ("scan.pdf", write(pdf([[], []], shapes_only=True)), "without a text layer"),
    "truncated-pdf": ("half.pdf", write(pdf([[f"Programma Test regel {n}" for n in range(40)]] * 3)[:1600]),
                      "not a readable pdf"),
    "docx-zip-bomb": ("bom.docx", write(zip_bomb()), "zip bomb"),
    "docx-not-zip": ("nep.docx", write(b"PK\x03\x04 this is no zip archive" * 20), "not a docx"),
    "self-symlink": ("lus.txt", self_link, "does not exist"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_hostile_file_is_named_and_the_graph_stays_byte_for_byte(base, tmp_path, case):
    location, before = base
    name, make, reason = HOSTILE[case]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "goed.txt").write_text(GOOD, encoding="utf-8")
    make(folder / name)
    with pytest.raises(InputError) as caught:
        ingest([folder], open_store(location))
    assert name in str(caught.value) and reason in str(caught.value).lower(), str(caught.value)
    assert service.export(location, "nq") == before


def test_a_file_that_vanishes_mid_run_is_named(base, tmp_path):
    location, before = base
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-eerst.txt").write_text(GOOD, encoding="utf-8")
    (folder / "b-weg.txt").write_text(GOOD.replace("Test", "Weg"), encoding="utf-8")

    def tick(what: str, _done: int, _total: int) -> None:
        if what == "lezen a-eerst.txt":  # the folder was listed; the next file goes before it is read
            (folder / "b-weg.txt").unlink()

    with pytest.raises(InputError, match="b-weg.txt"):
        ingest([folder], open_store(location), tick)
    assert service.export(location, "nq") == before


def test_a_symlink_loop_in_a_folder_is_cut_and_each_file_read_once(tmp_path):
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "goed.txt").write_text(GOOD, encoding="utf-8")
    (folder / "sub" / "terug").symlink_to(folder, target_is_directory=True)
    (folder / "zelf").symlink_to(folder / "zelf", target_is_directory=True)
    report = ingest([folder], open_store(str(tmp_path / "store")))
    assert report.files == ["goed.txt"]


def test_utf16_with_bom_reads_as_the_utf8_file(tmp_path):
    text = (CORPUS / SMALL).read_text(encoding="utf-8")
    for encoding, folder in (("utf-8", "u8"), ("utf-16", "u16")):  # Python writes UTF-16 with a BOM
        (tmp_path / folder).mkdir()
        (tmp_path / folder / SMALL).write_text(text, encoding=encoding)
    assert (tmp_path / "u16" / SMALL).read_bytes()[:2] in (b"\xff\xfe", b"\xfe\xff")
    u8, u16 = readers.read(tmp_path / "u8" / SMALL), readers.read(tmp_path / "u16" / SMALL)
    assert u16.lines == u8.lines and len(u8.lines) > 800
    first = ingest([tmp_path / "u8"], open_store(str(tmp_path / "s8")))
    second = ingest([tmp_path / "u16"], open_store(str(tmp_path / "s16")))
    assert first.documents == second.documents and first.documents[0].efforts > 0


def test_a_text_up_to_the_character_limit_is_read_whole_and_a_longer_or_oversized_one_refused(tmp_path, monkeypatch):
    monkeypatch.setenv(readers.TEXT_CHARS_ENV, "1000000")
    line = "Doel: de buurt is schoon, heel en veilig; inspanning: wijkschouw met bewoners en partners.\n"
    big = tmp_path / "groot.txt"
    count = 1_000_000 // len(line)
    big.write_text(line * count, encoding="utf-8")
    source = readers.read(big)
    assert len(source.lines) == count and source.lines[-1] == line.rstrip("\n")
    big.write_text(line * (count + 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"groot.txt: holds 1,000,\d{3} characters of text; the limit is 1,000,000"):
        readers.read(big)
    for name, limit in (("te-groot.txt", 20), ("te-groot.pdf", 200)):
        huge = tmp_path / name
        with open(huge, "wb") as handle:
            handle.truncate(readers.max_bytes(huge.suffix) + 1)  # sparse: costs no disk
        assert readers.max_bytes(huge.suffix) == limit * 2**20
        with pytest.raises(InputError, match=f"{name}: is [0-9,]+ bytes, over the {limit} MiB limit"):
            readers.read(huge)


# -- hostile files through the command line, as a user runs it --------------------------------------
CLI = Path(sys.executable).with_name("beleidsgraaf")
HANG_GUARD = 60  # seconds: only a guard against a hang, not a speed threshold
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
DOCX_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
              'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
              'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/'
              'document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
              '</Types>')
DOCX_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
             'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def docx(path: Path, chunks: Iterator[bytes] | list[bytes]) -> None:
    """A minimal DOCX whose word/document.xml is ``chunks`` written one after the other (streamed, so a
    document.xml of many MiB costs little memory)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", DOCX_TYPES)
        archive.writestr("_rels/.rels", DOCX_RELS)
        with archive.open("word/document.xml", "w") as member:
            for chunk in chunks:
                member.write(chunk)


def huge_document_xml(mib: int) -> Iterator[bytes]:
    yield f'<w:document xmlns:w="{W_NS}"><w:body>'.encode()
    paragraph = b"<w:p><w:r><w:t>Schone wijken, veilige buurten en een goed loket.</w:t></w:r></w:p>"
    block = paragraph * (2**20 // len(paragraph))
    for _ in range(mib):
        yield block
    yield b"</w:body></w:document>"


def billion_laughs() -> list[bytes]:
    entities = ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)]
    return [f'<?xml version="1.0"?><!DOCTYPE w:document [{"".join(entities)}]><w:document xmlns:w="{W_NS}"><w:body>'
            f'<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>'.encode()]


def corrupt_deflate(path: Path) -> None:
    """A DOCX whose document.xml has damaged compressed bytes (zlib or CRC errors inside the reader)."""
    text = " ".join(f"Inspanning {n}: wijkschouw" for n in range(4000))
    docx(path, [f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>'
                .encode()])
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("word/document.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    for offset in range(start + 20, start + info.compress_size - 20, 97):
        data[offset] ^= 0x5A
    path.write_bytes(bytes(data))


def single_line(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for _ in range(20 * 2**20 // 2**16):  # 20 MiB of words and not one line break
            handle.write("woord " * (2**16 // 6) + "xxxx")


def lines_of_text(mib: int) -> Callable[[Path], None]:
    line = "Doel: de buurt is schoon, heel en veilig; inspanning: wijkschouw met bewoners en partners.\n"
    return write((line * (mib * 2**20 // len(line) + 1)).encode())


def sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with open(path, "wb") as handle:
            handle.truncate(size)
    return make


# case -> (file name, how to make it, words the one Error line must hold, extra environment)
CLI_HOSTILE: dict[str, tuple[str, Callable[[Path], None], str, dict[str, str]]] = {
    "20-mib-single-line": ("regel.txt", single_line, "line 1 has 20,97", {"BELEIDSGRAAF_MAX_TEXT_CHARS": "30000000"}),
    "text-over-the-size-limit": ("groot.txt", sparse(20 * 2**20 + 1), "over the 20 mib limit", {}),
    "text-over-a-configured-limit": ("groot.txt", lines_of_text(2), "over the 1 mib limit", {"BELEIDSGRAAF_MAX_TEXT_MB": "1"}),
    "docx-95-mib-document-xml": ("groot.docx", lambda p: docx(p, huge_document_xml(95)), "zip bomb", {}),
    "docx-billion-laughs": ("lach.docx", lambda p: docx(p, billion_laughs()), "dtd", {}),
    "docx-malformed-xml": ("stuk.docx", lambda p: docx(p, [f'<w:document xmlns:w="{W_NS}"><w:body><w:p>'.encode()]),
                           "not a readable docx", {}),
    "docx-corrupt-deflate": ("kapot.docx", corrupt_deflate, "not a readable docx", {}),
    "fifo": ("pijp.txt", lambda p: os.mkfifo(p), "not a regular file", {}),
    "symlink-to-dev-zero": ("nul.txt", lambda p: p.symlink_to("/dev/zero"), "not a regular file", {}),
}


def cli_ingest(target: Path, store: Path, env: dict[str, str] | None = None,
               prefix: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    command = prefix or [str(CLI)]
    return subprocess.run([*command, "ingest", str(target), "--store", str(store)], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=HANG_GUARD, env={**os.environ, **(env or {})})


def the_error_line(result: subprocess.CompletedProcess[str], exit_code: int = 2) -> str:
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-4000:]
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert result.returncode == exit_code and len(errors) == 1, (result.returncode, output[-4000:])
    return errors[0]


# Each file named on the command line; in a folder too where collecting the files could hang or read.
CLI_WAYS = [(case, "named") for case in sorted(CLI_HOSTILE)] + [
    (case, "in-a-folder") for case in ("20-mib-single-line", "fifo", "symlink-to-dev-zero", "text-over-the-size-limit")]


@pytest.mark.parametrize("case, how", CLI_WAYS)
def test_cli_refuses_a_hostile_file_with_one_error_line(tmp_path, case, how):
    name, make, reason, env = CLI_HOSTILE[case]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "goed.txt").write_text(GOOD, encoding="utf-8")
    make(folder / name)
    result = cli_ingest(folder / name if how == "named" else folder, tmp_path / "store", env)
    line = the_error_line(result)
    assert name in line and reason in line.lower(), line
    assert not (tmp_path / "store").exists() or not list((tmp_path / "store").glob("gen-*")), "nothing may be written"


def test_cli_warns_about_windows_1252_and_notes_skipped_dot_files(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "kantoor.txt").write_bytes((GOOD + "Budget € 25.000 voor één wijk\n").encode("cp1252"))
    os.mkfifo(folder / ".verborgen.txt")  # a dot-file is not even opened: a FIFO would hang if it were
    (folder / ".ook-verborgen.pdf").write_bytes(b"%PDF-1.4 never read")
    result = cli_ingest(folder, tmp_path / "store", {"COLUMNS": "200", "BELEIDSGRAAF_LANG": "nl"})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-4000:]
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    notes = [line for line in result.stderr.splitlines() if line.startswith("Note:")]
    assert len(warnings) == 1 and "kantoor.txt" in warnings[0] and "Windows-1252" in warnings[0], result.stderr
    assert len(notes) == 1 and ".verborgen.txt" in notes[0] and ".ook-verborgen.pdf" in notes[0], result.stderr
    assert "Ingest: 1 bestand," in result.stdout and "kantoor.txt" in result.stdout, result.stdout


BOOM = """
import sys
from beleidsgraaf.api import cli, service
def boom(*args, **kwargs):
    raise RuntimeError("a bug, not the user's input")
service.run_ingest = boom
sys.argv = ["beleidsgraaf", *sys.argv[1:]]
cli.main()
"""


@pytest.mark.parametrize("debug", ["off", "env", "flag"])
def test_cli_an_internal_error_is_one_line_unless_debugging(tmp_path, debug):
    (tmp_path / "goed.txt").write_text(GOOD, encoding="utf-8")
    env = {"BELEIDSGRAAF_DEBUG": "1"} if debug == "env" else {"BELEIDSGRAAF_DEBUG": ""}
    prefix = [sys.executable, "-c", BOOM, *(["--debug"] if debug == "flag" else [])]
    result = cli_ingest(tmp_path / "goed.txt", tmp_path / "store", env, prefix)
    if debug == "off":
        line = the_error_line(result, exit_code=1)
        assert "RuntimeError" in line and "BELEIDSGRAAF_DEBUG=1" in line, line
    else:
        assert result.returncode == 1 and "Traceback" in result.stderr and "a bug, not the user's input" in result.stderr


# -- crash safety ------------------------------------------------------------------------------------
def large_corpus(folder: Path, copies: int) -> Path:
    folder.mkdir()
    for n in range(copies):
        for path in sorted(CORPUS.glob("*.txt")):
            shutil.copy(path, folder / f"{path.stem}-kopie{n}.txt")
    return folder


@pytest.mark.parametrize("moment", ["extracting", "writing"])
def test_kill_9_half_way_leaves_the_previous_graph(base, tmp_path, moment):
    location, before = base
    store = tmp_path / "store"
    shutil.copytree(location, store, symlinks=True)
    corpus = large_corpus(tmp_path / "groot", 4)
    generations = set(store.glob("gen-*"))
    process = subprocess.Popen([sys.executable, "-m", "beleidsgraaf", "ingest", str(corpus), "--store", str(store)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    try:
        if moment == "extracting":
            time.sleep(2.5)  # past start-up, inside reading and extraction
        else:  # the new generation folder is being written
            while not set(store.glob("gen-*")) - generations and time.monotonic() < deadline:
                time.sleep(0.005)
        assert process.poll() is None, "the ingest finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    assert service.export(str(store), "nq") == before
    # The half-written generation does not get in the way of the next ingest.
    ingest([CORPUS / SMALL], open_store(str(store)))
    assert service.export(str(store), "nq") == before


# -- a live server ------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def live(corpus_store) -> Iterator[str]:
    """`beleidsgraaf serve` on the corpus, as a real uvicorn process on 127.0.0.1."""
    _store, _report, location = corpus_store
    port = free_port()
    env = {**os.environ, "BELEIDSGRAAF_CORPUS": str(CORPUS), "BELEIDSGRAAF_SPARQL_TIMEOUT": "5"}
    process = subprocess.Popen([sys.executable, "-m", "beleidsgraaf", "serve", "--port", str(port), "--store", location],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/queries", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        process.kill()
        pytest.fail("beleidsgraaf serve did not start within 60 s")
    yield base_url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


def raw_get(base_url: str, target: str) -> int | None:
    """A GET with a request line httpx would not send; the status, or None if the server hung up."""
    host, port = base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=30) as sock:
        try:
            sock.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            reply = sock.recv(64)
        except (BrokenPipeError, ConnectionResetError):
            return None
    parts = reply.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def test_sparql_abuse_on_the_live_endpoint(live, corpus_store):
    _store, _report, location = corpus_store
    before = service.export(location, "nq")
    with httpx.Client(base_url=live, timeout=30) as client:
        huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (10 * 2**20)
        direct = client.post("/sparql", content=huge, headers={"content-type": "application/sparql-query"})
        form = client.post("/sparql", content="query=" + huge.replace(" ", "+").replace("#", "%23"),
                           headers={"content-type": "application/x-www-form-urlencoded"})
        assert direct.status_code == 413 and form.status_code == 413
        status = raw_get(live, "/sparql?query=SELECT+*+WHERE+%7B+?s+?p+?o+%7D+%23" + "x" * (10 * 2**20))
        assert status is None or 400 <= status < 500, status  # refused or hung up on, never served
        for smuggled in ["# comment first\ninsert data { <urn:a> <urn:b> <urn:c> }",
                         "PREFIX bg: <https://w3id.org/beleidsgraaf/def#>\nCLEAR ALL",
                         "select * where { SeRvIcE SILENT <http://127.0.0.1:9/x> { ?s ?p ?o } }"]:
            assert client.get("/sparql", params={"query": smuggled}).status_code == 403, smuggled
        # A parameter value cannot break out of its VALUES term.
        injected = client.get("/queries/efforts-in-ward", params={"ward": "x> } ; DROP ALL ; #"})
        assert 400 <= injected.status_code < 500 or injected.status_code == 200
        started = time.monotonic()
        slow = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
        assert slow.status_code == 503 and slow.json()["type"].endswith("/timeout")
        assert time.monotonic() - started < 20
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    assert service.export(location, "nq") == before


LOAD_QUESTIONS = ["Welke buurten horen bij Ossenkoppelerhoek?", "Wie is de wijkregisseur van De Riet?",
                  "Welke programma's zijn er?", "budget wijkregisseurs"]
LOAD_SPARQL = ["SELECT DISTINCT ?w WHERE { ?w a bg:Wijk } LIMIT 50",
               "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a/rdfs:subClassOf* bg:Doel }"]


async def load_run(base_url: str, clients: int, seconds: float) -> tuple[dict[str, list[float]], list[str]]:
    latencies: dict[str, list[float]] = {"ask": [], "search": [], "sparql": [], "error": []}
    errors: list[str] = []
    stop = time.monotonic() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(number: int, client: httpx.AsyncClient) -> None:
        rng = random.Random(number)
        while time.monotonic() < stop:
            kind = rng.choice(["ask", "search", "sparql", "sparql"])
            if kind == "ask":
                request = client.get("/ask", params={"q": rng.choice(LOAD_QUESTIONS)})
            elif kind == "search":
                request = client.get("/search", params={"q": rng.choice(LOAD_QUESTIONS), "k": 5})
            else:
                request = client.get("/sparql", params={"query": rng.choice(LOAD_SPARQL)})
            started = time.perf_counter()
            try:
                response = await request
                ok = response.status_code == 200
                if not ok:
                    errors.append(f"{kind} {response.status_code} {response.text[:200]}")
            except httpx.HTTPError as exc:
                ok = False
                errors.append(f"{kind} {type(exc).__name__}")
            latencies[kind if ok else "error"].append(time.perf_counter() - started)

    async with httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits) as client:
        await asyncio.gather(*(client_loop(n, client) for n in range(clients)))
    return latencies, errors


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else (values[0] if values else 0.0)


def test_load_50_clients_mixed_ask_search_sparql_without_errors(live):
    for question in LOAD_QUESTIONS[:1]:  # load the models once, as a running server has
        assert httpx.get(f"{live}/ask", params={"q": question}, timeout=120).status_code == 200
    seconds = 60.0 if os.environ.get("BELEIDSGRAAF_LOAD_LONG") == "1" else 10.0
    latencies, errors = asyncio.run(load_run(live, 50, seconds))
    done = sum(len(v) for k, v in latencies.items() if k != "error")
    print(f"\nload: 50 clients, {seconds:.0f} s, {done} requests ({done / seconds:.0f}/s), "
          f"{len(latencies['error'])} errors; p95 " +
          ", ".join(f"{k} {p95(v) * 1000:.0f} ms" for k, v in latencies.items() if k != "error" and v))
    assert not errors, errors[:5]
    assert all(latencies[k] for k in ("ask", "search", "sparql"))


# -- property-based API fuzzing ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def api_schema(corpus_store):
    from beleidsgraaf.api.http import create_app

    _store, _report, location = corpus_store
    app = create_app(location, corpus_dirs=[str(CORPUS)], sparql_timeout=20, sparql_max_rows=500)
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def test_api_fuzzing_no_5xx_and_responses_match_the_schema(api_schema):
    # Driven by hand: schemathesis' pytest plugin does not run under this pytest version.
    examples = int(os.environ.get("BELEIDSGRAAF_FUZZ_EXAMPLES", "10"))
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        @settings(max_examples=examples, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            # Schema-valid but empty text is refused with 400 by design ("q is empty"), not a defect.
            case.call_and_validate(excluded_checks=[schemathesis.checks.positive_data_acceptance])

        check()
