"""File -> numbered lines. One reader per suffix, kept in a dict.

Every reader returns the text a person can open: line N of a ``SourceText`` is line N of the
``.txt`` file, of the text layer of the PDF (pages joined in order), of the DOCX paragraphs and
table rows, or of the HTML block elements. Citations point into exactly these lines.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from beleidsgraaf.errors import InputError

MAX_BYTES = 200 * 1024 * 1024
MAX_DOCX_UNCOMPRESSED = 100 * 1024 * 1024


@dataclass(frozen=True)
class SourceText:
    path: Path
    name: str
    sha256: str
    media_type: str
    lines: tuple[str, ...]

    def line(self, number: int) -> str:
        """1-based, as grep -n counts."""
        return self.lines[number - 1]

    def span(self, first: int, last: int) -> str:
        return "\n".join(self.lines[first - 1 : last])


def _fail(path: Path, reason: str) -> InputError:
    return InputError(f"{path.name}: {reason}", hint=str(path))


def _decode_text(path: Path, data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _fail(path, f"starts with a UTF-16 mark but is not valid UTF-16 (byte {exc.start})") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data[:65536]:
        raise _fail(path, "looks like a binary file (NUL bytes), not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Windows-1252 is the one other encoding Dutch office text realistically comes in; accept
        # it only when it decodes to printable text, otherwise report the byte position.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise _fail(path, f"is not valid UTF-8 (byte {exc.start}) nor Windows-1252 text") from exc
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise _fail(path, "looks like a binary file (control characters), not text")
    return text


def _split_lines(text: str) -> tuple[str, ...]:
    # Lines are counted as grep -n counts them: only LF ends a line (CR-only files aside), and a
    # form feed left by a PDF-to-text tool stays inside its line, so citations match the file.
    text = text.replace("\r\n", "\n")
    text = text.replace("\r", "\n") if "\n" not in text else text.replace("\r", "")
    lines = [line.replace("\f", "") for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(lines)


def read_txt(path: Path, data: bytes) -> str:
    return _decode_text(path, data)


def read_pdf(path: Path, data: bytes) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _fail(path, "is an encrypted PDF")
        pages = [page.extract_text() or "" for page in reader.pages]
    except InputError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, AssertionError) as exc:
        raise _fail(path, f"is not a readable PDF ({type(exc).__name__}: {exc})") from exc
    if not any(page.strip() for page in pages):
        raise _fail(path, "is a PDF without a text layer (a scan?); run OCR first")
    return "\n".join(pages)


def read_docx(path: Path, data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            total = sum(info.file_size for info in archive.infolist())
            if total > MAX_DOCX_UNCOMPRESSED:
                raise _fail(path, f"unpacks to {total // 2**20} MiB; refusing a possible zip bomb")
    except zipfile.BadZipFile as exc:
        raise _fail(path, "is not a DOCX file (not a zip archive)") from exc
    import docx
    from docx.oxml.ns import qn

    try:
        document = docx.Document(io.BytesIO(data))
    except (KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise _fail(path, f"is not a readable DOCX ({exc})") from exc
    lines: list[str] = []
    # Walk the body in order so paragraphs and tables keep their reading order.
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:p"):
            lines.append("".join(node.text or "" for node in block.iter(qn("w:t"))))
        elif block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = [
                    " ".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in cell.iter(qn("w:p")))
                    for cell in row.iter(qn("w:tc"))
                ]
                lines.append("\t".join(c.strip() for c in cells))
    return "\n".join(lines)


class _HtmlText(HTMLParser):
    BLOCK = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol",
        "section", "article", "header", "footer", "blockquote", "pre", "dt", "dd", "hr",
    }
    SKIP = {"script", "style", "head", "noscript", "template"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")
        if tag == "li":
            self.parts.append("- ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))


def read_html(path: Path, data: bytes) -> str:
    parser = _HtmlText()
    parser.feed(_decode_text(path, data))
    parser.close()
    text = "".join(parser.parts)
    lines = [line.strip(" ") for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


READERS: dict[str, tuple[str, Callable[[Path, bytes], str]]] = {
    ".txt": ("text/plain", read_txt),
    ".text": ("text/plain", read_txt),
    ".md": ("text/markdown", read_txt),
    ".pdf": ("application/pdf", read_pdf),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", read_docx),
    ".html": ("text/html", read_html),
    ".htm": ("text/html", read_html),
}


def supported(path: Path) -> bool:
    return path.suffix.lower() in READERS


def read(path: Path) -> SourceText:
    """Read one file into numbered lines, or raise InputError naming the file and the reason."""
    if not path.exists():
        raise _fail(path, "does not exist")
    if path.is_dir():
        raise _fail(path, "is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise _fail(path, f"has an unsupported type '{suffix or '(none)'}'; use one of {', '.join(READERS)}")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _fail(path, f"is {size // 2**20} MiB; the limit is {MAX_BYTES // 2**20} MiB")
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise _fail(path, "disappeared while reading") from exc
    except PermissionError as exc:
        raise _fail(path, "cannot be read (permission denied)") from exc
    except IsADirectoryError as exc:
        raise _fail(path, "is a folder, not a file") from exc
    if not data.strip():
        raise _fail(path, "is empty")
    media_type, reader = READERS[suffix]
    text = reader(path, data)
    lines = _split_lines(text)
    if not any(line.strip() for line in lines):
        raise _fail(path, "contains no text")
    return SourceText(
        path=path,
        name=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=media_type,
        lines=lines,
    )
