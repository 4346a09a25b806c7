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
