import subprocess
from pathlib import Path

import pytest

from beleidsgraaf.errors import InputError
from beleidsgraaf.ingest.readers import read

CORPUS = Path(__file__).resolve().parents[1] / "corpus"


def test_text_lines_match_grep_numbering():
    path = CORPUS / "almelo-2019-programmacontracten.txt"
    source = read(path)
    out = subprocess.run(["grep", "-n", "Programmacontract Zorg", str(path)], capture_output=True, text=True).stdout
    number = int(out.split(":", 1)[0])
    assert "Programmacontract Zorg" in source.line(number)
    assert len(source.lines) == int(subprocess.run(["grep", "-c", "", str(path)], capture_output=True, text=True).stdout)


@pytest.mark.parametrize("content, reason", [
    (b"", "is empty"),
    (b"   \n\n", "is empty"),
    (bytes(range(256)) * 50, "binary"),
    (b"\xff\xfe\x00\xd8" + b"\x81\x8d\x8f" * 100 + b"\x00", "UTF-16"),
    (b"Goed begin \xc3\x28 en dan \x81\x8d\x8f\x90\x9d", "not valid UTF-8"),
])
def test_bad_text_files_name_the_file_and_reason(tmp_path, content, reason):
    bad = tmp_path / "slecht.txt"
    bad.write_bytes(content)
    with pytest.raises(InputError) as info:
        read(bad)
    assert "slecht.txt" in str(info.value)
    assert reason in str(info.value)


def test_missing_folder_and_unsupported(tmp_path):
    with pytest.raises(InputError, match="does not exist"):
        read(tmp_path / "nergens.txt")
    with pytest.raises(InputError, match="folder"):
        read(tmp_path)
    other = tmp_path / "plaatje.png"
    other.write_bytes(b"\x89PNG")
    with pytest.raises(InputError, match="unsupported"):
        read(other)


def test_utf16_with_bom_and_cp1252(tmp_path):
    utf16 = tmp_path / "u.txt"
    utf16.write_bytes("Visie\nSluitersveld wordt één wijk\n".encode("utf-16"))
    assert read(utf16).lines == ("Visie", "Sluitersveld wordt één wijk")
    ansi = tmp_path / "a.txt"
    ansi.write_bytes("Budget € 25.000 voor één wijk\n".encode("cp1252"))
    with pytest.warns(UserWarning, match="Windows-1252"):
        assert read(ansi).line(1) == "Budget € 25.000 voor één wijk"


def test_pdf_text_layer_and_scan(tmp_path):
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "contract.pdf"
    c = canvas.Canvas(str(pdf), pagesize=A4)
    c.drawString(72, 800, "Programmacontract Groen")
    c.drawString(72, 780, "Strategische doelen:")
    c.showPage()
    c.drawString(72, 800, "Tweede pagina")
    c.save()
    source = read(pdf)
    assert source.lines[0] == "Programmacontract Groen"
    assert "Tweede pagina" in source.lines
    scan = tmp_path / "scan.pdf"
    c = canvas.Canvas(str(scan), pagesize=A4)
    c.rect(50, 50, 100, 100)
    c.save()
    with pytest.raises(InputError, match="without a text layer"):
        read(scan)
    truncated = tmp_path / "kapot.pdf"
    truncated.write_bytes(pdf.read_bytes()[:300])
    with pytest.raises(InputError, match="kapot.pdf"):
        read(truncated)


def test_docx_paragraphs_and_tables_in_order(tmp_path):
    import docx

    document = docx.Document()
    document.add_paragraph("Plan Leefbare wijken")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Bestuurlijk opdrachtgever", "Jan Jansen"
    table.cell(1, 0).text, table.cell(1, 1).text = "Budget", "€ 10.000"
    document.add_paragraph("Slot")
    path = tmp_path / "plan.docx"
    document.save(path)
    assert read(path).lines == ("Plan Leefbare wijken", "Bestuurlijk opdrachtgever\tJan Jansen", "Budget\t€ 10.000", "Slot")
    fake = tmp_path / "nep.docx"
    fake.write_bytes(b"not a zip")
    with pytest.raises(InputError, match="nep.docx"):
        read(fake)


def test_html_blocks_become_lines(tmp_path):
    page = tmp_path / "begroting.html"
    page.write_text("<html><head><style>p{}</style></head><body><h1>Programma 1</h1><p>Wat willen we "
                    "bereiken?</p><ul><li>Schone wijken</li><li>Veilige wijken</li></ul><script>x()</script>"
                    "</body></html>", encoding="utf-8")
    assert read(page).lines == ("Programma 1", "Wat willen we bereiken?", "- Schone wijken", "- Veilige wijken")


# -- limits and hostile input (issue 11) --------------------------------------------------------------
def test_cp1252_fallback_is_announced_with_the_file_name(tmp_path):
    from beleidsgraaf.ingest.readers import InputWarning

    ansi = tmp_path / "kantoor.txt"
    ansi.write_bytes("Budget € 25.000 voor één wijk\n".encode("cp1252"))
    with pytest.warns(InputWarning, match=r"kantoor\.txt: is not valid UTF-8 \(byte 7\); read as Windows-1252"):
        assert read(ansi).line(1) == "Budget € 25.000 voor één wijk"


def test_a_line_over_the_limit_is_refused_and_one_at_the_limit_read(tmp_path):
    from beleidsgraaf.ingest.readers import MAX_LINE_CHARS

    ok = tmp_path / "lang.txt"
    ok.write_text("Kop\n" + "w" * MAX_LINE_CHARS + "\nSlot\n", encoding="utf-8")
    assert len(read(ok).line(2)) == MAX_LINE_CHARS
    bad = tmp_path / "te-lang.txt"
    bad.write_text("Kop\n" + "woord " * (MAX_LINE_CHARS // 6 + 1) + "\nSlot\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"te-lang\.txt: line 2 has 100,002 characters; the limit is 100,000"):
        read(bad)


def test_special_files_are_refused_before_any_read(tmp_path):
    import os
    import socket

    from beleidsgraaf.ingest import fingerprint

    os.mkfifo(tmp_path / "pijp.txt")  # opening it for reading would block until a writer came
    (tmp_path / "nul.txt").symlink_to("/dev/zero")  # reading it would never end
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(tmp_path / "sok.txt"))
        for name, kind in (("pijp.txt", "a named pipe"), ("nul.txt", "a character device"), ("sok.txt", "a socket")):
            with pytest.raises(InputError, match=rf"{name}: is not a regular file \({kind}\)"):
                read(tmp_path / name)
            # The fingerprint opens files before the readers do (a file may be swapped after collecting).
            assert fingerprint.compute([tmp_path / name], None, "model") is None


def test_a_reader_failing_in_an_unforeseen_way_is_an_input_error_naming_the_file(tmp_path, monkeypatch):
    from beleidsgraaf.ingest import readers

    def broken(_path: Path, _data: bytes) -> str:
        raise IndexError("list index out of range")

    monkeypatch.setitem(readers.READERS, ".pdf", ("application/pdf", broken))
    odd = tmp_path / "vreemd.pdf"
    odd.write_bytes(b"%PDF-1.7 whatever")
    with pytest.raises(InputError, match=r"vreemd\.pdf: is not a readable PDF \(IndexError: list index out of range\)"):
        read(odd)


def _docx(path: Path, document: str, main: str = "word/document.xml") -> None:
    import zipfile

    rels = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
            f'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="/{main}"/>'
            '</Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", rels)
        archive.writestr(main, document)


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_docx_main_part_is_found_through_the_package_relationships(tmp_path):
    path = tmp_path / "anders.docx"
    _docx(path, f"<w:document {W}><w:body><w:p><w:r><w:t>Hallo</w:t></w:r><w:r><w:t xml:space='preserve'> wijk</w:t>"
                f"</w:r></w:p></w:body></w:document>", main="word/document2.xml")
    assert read(path).lines == ("Hallo wijk",)


def test_docx_with_a_dtd_or_without_a_document_is_refused(tmp_path):
    entity = tmp_path / "entiteit.docx"
    _docx(entity, f'<!DOCTYPE w:document [<!ENTITY x SYSTEM "file:///etc/passwd">]><w:document {W}><w:body><w:p><w:r>'
                  "<w:t>&x;</w:t></w:r></w:p></w:body></w:document>")
    with pytest.raises(InputError, match=r"entiteit\.docx: .*declares a DTD"):
        read(entity)
    import zipfile

    empty = tmp_path / "leeg.docx"
    with zipfile.ZipFile(empty, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(InputError, match=r"leeg\.docx: is not a DOCX file \(no word/document\.xml\)"):
        read(empty)


def test_long_lines_become_several_passages_and_the_embedder_gets_at_most_its_input_length(tmp_path):
    import numpy as np

    from beleidsgraaf.ingest import embedding, passages

    path = tmp_path / "lang.txt"
    words = [f"woord{n}" for n in range(9000)]  # about 70,000 characters on one line
    path.write_text("Kop\n" + " ".join(words) + "\nSlot van de tekst.\n", encoding="utf-8")
    records = passages.split(read(path))
    long = [r for r in records if r.first == r.last == 2]
    assert len(long) > 30 and all(len(r.text) <= passages.MAX_PASSAGE_CHARS for r in records)
    assert " ".join(r.text for r in long).split() == words  # cut between words, nothing lost or repeated

    seen: list[str] = []

    class Engine:
        def passage(self, texts: list[str]) -> np.ndarray:
            seen.extend(texts)
            return np.ones((len(texts), 4), dtype=np.float32)

        def query(self, text: str) -> np.ndarray:
            seen.append(text)
            return np.ones(4, dtype=np.float32)

    import threading

    model = object.__new__(embedding.E5Small)
    model._model, model.dim, model._lock = Engine(), 4, threading.Lock()
    model.passages(["kort", "x" * 50_000, "woord " * 1000])
    model.query("vraag " * 10_000)
    assert seen[0] == "kort" and [len(t) <= embedding.E5Small.max_chars for t in seen] == [True] * 4
    assert seen[2].endswith("woord") and len(seen[1]) == embedding.E5Small.max_chars
