"""File -> numbered lines. One reader per suffix, kept in a dict.

Every reader returns the text a person can open: line N of a ``SourceText`` is line N of the
``.txt`` file, of the text layer of the PDF (pages joined in order), of the DOCX paragraphs and
table rows, or of the HTML block elements. Citations point into exactly these lines.
"""

from __future__ import annotations

import hashlib
import io
import os
import posixpath
import re
import stat
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, BinaryIO

from beleidsgraaf.errors import BeleidsgraafError, InputError

MiB = 2**20
# Size limits per kind of file (MiB, the environment may change them), checked on the file's
# metadata before a byte is read. A text format is about as large as its text, and ingest time grows
# with the text (extraction and the embedding model), so 20 MiB is far past any policy document;
# PDF and DOCX carry images and fonts, so the same text comes in a much larger file.
LIMIT_ENV = {"text": "BELEIDSGRAAF_MAX_TEXT_MB", "document": "BELEIDSGRAAF_MAX_DOCUMENT_MB"}
DEFAULT_LIMIT_MB = {"text": 20, "document": 200}
# A line this long is no document text (a full page of prose is some 3,000 characters); the file is
# refused rather than wrapped, since line numbers must stay those of the file (``grep -n``).
# Shorter long lines (a PDF page without line breaks) are read as they are; ``passages`` cuts
# them for search and the embedding model.
MAX_LINE_CHARS = 100_000
# The text itself, after a PDF or DOCX is read: ingest time grows with it (extraction, and the embedding
# model at some 30 passages a second on two cores), so past this a file is refused with a clear line
# instead of running for hours. 5 million characters are some 2,000 pages of policy text.
TEXT_CHARS_ENV = "BELEIDSGRAAF_MAX_TEXT_CHARS"
DEFAULT_TEXT_CHARS = 5_000_000
# The unpacked size of word/document.xml: 30 MiB of WordprocessingML is thousands of pages. The
# declared size is checked before unpacking, and zipfile stops reading a member at its declared
# size, so this bounds the work (a 95 MiB part took over 3 minutes through python-docx).
MAX_DOCX_PART = 30 * MiB
MAX_DOCX_RELS = MiB


class InputWarning(UserWarning):
    """Something about an input the user should know although it was read (the CLI prints it as one line)."""


class InputNote(InputWarning):
    """A note rather than a warning: something deliberately left out, such as hidden files."""


@dataclass(frozen=True)
class SourceText:
    path: Path
    name: str
    sha256: str
    media_type: str
    lines: tuple[str, ...]
    pages: tuple[int, ...] = ()  # the first line of each page, for formats that have pages (PDF)

    def line(self, number: int) -> str:
        """1-based, as grep -n counts."""
        return self.lines[number - 1]

    def span(self, first: int, last: int) -> str:
        return "\n".join(self.lines[first - 1 : last])


def _fail(path: Path, reason: str) -> InputError:
    return InputError(f"{path.name}: {reason}", hint=str(path))


def _kind(suffix: str) -> str:
    return "text" if READERS.get(suffix.lower(), ("text/plain",))[0].startswith("text/") else "document"


def max_bytes(suffix: str) -> int:
    """The size limit for files with ``suffix``: the default, or the environment's (in MiB)."""
    variable = LIMIT_ENV[_kind(suffix)]
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return DEFAULT_LIMIT_MB[_kind(suffix)] * MiB
    try:
        value = float(raw)
    except ValueError:
        value = 0.0
    if not 0 < value < 2**40:  # also refuses nan and inf
        raise BeleidsgraafError(f"{variable} must be a positive number of MiB, not {raw!r}")
    return int(value * MiB)


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InputError(f"{name}={raw!r} is not a whole number") from None


def _too_big(path: Path, size: int, limit: int) -> InputError:
    shown = f"{size / MiB:.1f} MiB"
    if shown == f"{limit / MiB:.1f} MiB":
        shown = f"{size:,} bytes"  # just over the limit: MiB rounded would read as equal to it
    return _fail(path, f"is {shown}, over the {limit / MiB:g} MiB limit for {path.suffix.lower()} files "
                       f"(set {LIMIT_ENV[_kind(path.suffix)]} to change it)")


_SPECIAL = ((stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
            (stat.S_ISSOCK, "a socket"), (stat.S_ISDOOR, "a door"), (stat.S_ISPORT, "an event port"))


def _refuse_type(path: Path, mode: int) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise _fail(path, "is a folder, not a file")
    kind = next((label for test, label in _SPECIAL if test(mode)), "a special file")
    # Reading a FIFO waits for a writer, /dev/zero never ends, a device may act on being opened.
    raise _fail(path, f"is not a regular file ({kind}); only regular files are read")


def check_file(path: Path) -> None:
    """Refuse, without opening it, a special file or a file over its size limit.

    Used where files are collected, before the fingerprint or a reader opens them. A path that does
    not resolve (a broken link, a link loop) is left to ``read``, which names it.
    """
    try:
        info = path.stat()
    except OSError:
        return
    _refuse_type(path, info.st_mode)
    limit = max_bytes(path.suffix)
    if info.st_size > limit:
        raise _too_big(path, info.st_size, limit)


def note_hidden(paths: list[Path]) -> None:
    """One note naming the hidden files (names starting with '.') that a folder walk left out."""
    if paths:
        shown = ", ".join(str(p) for p in paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")
        warnings.warn(InputNote(f"skipped {len(paths)} hidden file{'s' if len(paths) > 1 else ''} (names starting with "
                                f"'.'; name a file to ingest it): {shown}"), stacklevel=2)


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading if it is a regular file; InputError for anything else.

    O_NONBLOCK keeps the open of a FIFO from waiting for a writer (it has no effect on regular
    files), and the type is checked on the open descriptor, so a file swapped for a FIFO or a
    device after an earlier check is still refused before it is read.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    descriptor = os.open(path, flags)
    try:
        _refuse_type(path, os.fstat(descriptor).st_mode)
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


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
        # Said aloud: a file in another 8-bit encoding also decodes as Windows-1252, with wrong letters.
        warnings.warn(InputWarning(f"{path.name}: is not valid UTF-8 (byte {exc.start}); read as Windows-1252"),
                      stacklevel=2)
    controls = sum(1 for ch in text[:65536] if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text[:65536]) // 100):
        raise _fail(path, "looks like a binary file (control characters), not text")
    return text


# PDF text keeps the Symbol and Wingdings fonts' private-use code points, which show as boxes: their bullets and
# arrows become a bullet, any other private-use character a space (one character for one, so columns stay).
_SYMBOL_BULLETS = (0xF0B7, 0xF0A7, 0xF076, 0xF0D8, 0xF0E0, 0xF0FC, 0xF06E, 0xF0A8, 0xF02D, 0xF0BE)
GLYPHS = {code: " " for code in range(0xE000, 0xF900)} | {code: "•" for code in _SYMBOL_BULLETS}


def _split_lines(text: str) -> tuple[str, ...]:
    # Lines are counted as grep -n counts them: only LF ends a line (CR-only files aside), and a
    # form feed left by a PDF-to-text tool stays inside its line, so citations match the file.
    text = text.replace("\r\n", "\n")
    text = text.replace("\r", "\n") if "\n" not in text else text.replace("\r", "")
    lines = [line.replace("\f", "").translate(GLYPHS) for line in text.split("\n")]
    if lines and lines[-1] == "":
        lines.pop()
    return tuple(lines)


def read_txt(path: Path, data: bytes) -> str:
    return _decode_text(path, data)


class Paged(str):
    """A reader's text that also knows where its pages start (line numbers, 1-based)."""

    pages: tuple[int, ...] = ()

    @classmethod
    def join(cls, pages: list[str]) -> Paged:
        text = cls("\n".join(pages))
        starts, line = [], 1
        for page in pages:
            starts.append(line)
            line += page.count("\n") + 1
        text.pages = tuple(starts)
        return text


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
    return Paged.join(pages)


_OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument",
                    "http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument")  # transitional, strict
_WORD = ("http://schemas.openxmlformats.org/wordprocessingml/2006/main", "http://purl.oclc.org/ooxml/wordprocessingml/main")
_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _docx_part(path: Path, archive: zipfile.ZipFile, name: str, limit: int) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > limit:
        raise _fail(path, f"{name} unpacks to {info.file_size / MiB:.0f} MiB; the limit is {limit // MiB} MiB "
                          "(refusing a possible zip bomb)")
    with archive.open(info) as member:  # zipfile stops at the declared size and checks the CRC
        return member.read(limit + 1)


def _docx_xml(path: Path, name: str, data: bytes) -> Any:
    from lxml import etree

    # The Open Packaging Conventions forbid DTDs in a package's XML (ECMA-376 part 2), and Word never
    # writes one: a DTD in a DOCX can only be an entity expansion ("billion laughs") or an external
    # entity. Refused by a look at the bytes, and again after parsing (a UTF-16 part hides from the first).
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise _fail(path, f"is not a valid DOCX: {name} declares a DTD, which Office files never do (refused: entity expansion)")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             remove_comments=True, remove_pis=True)
    root = etree.fromstring(data, parser)
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise _fail(path, f"is not a valid DOCX: {name} declares a DTD, which Office files never do (refused: entity expansion)")
    return root


def read_docx(path: Path, data: bytes) -> str:
    # Read with lxml directly rather than python-docx: only the main document part is unpacked (with
    # a size cap), and it is parsed without entity expansion or a DTD.
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise _fail(path, "is not a DOCX file (not a zip archive)") from exc
    with archive:
        main = "word/document.xml"
        rels = _docx_part(path, archive, "_rels/.rels", MAX_DOCX_RELS)
        if rels is not None:
            for relation in _docx_xml(path, "_rels/.rels", rels).iter(f"{_RELATIONSHIPS}Relationship"):
                if relation.get("Type") in _OFFICE_DOCUMENT and relation.get("Target"):
                    main = posixpath.normpath(relation.get("Target").lstrip("/"))
                    break
        document = _docx_part(path, archive, main, MAX_DOCX_PART)
    if document is None:
        raise _fail(path, f"is not a DOCX file (no {main})")
    root = _docx_xml(path, main, document)
    w = next((ns for ns in _WORD if root.tag == f"{{{ns}}}document"), None)
    body = root.find(f"{{{w}}}body") if w else None
    if body is None:
        raise _fail(path, f"is not a Word document ({main} has no w:document/w:body)")
    p, t, tbl, tr, tc = (f"{{{w}}}{tag}" for tag in ("p", "t", "tbl", "tr", "tc"))
    lines: list[str] = []
    # Walk the body in order so paragraphs and tables keep their reading order.
    for block in body.iterchildren():
        if block.tag == p:
            lines.append("".join(node.text or "" for node in block.iter(t)))
        elif block.tag == tbl:
            for row in block.iter(tr):
                cells = [" ".join("".join(n.text or "" for n in para.iter(t)) for para in cell.iter(p))
                         for cell in row.iter(tc)]
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


_LABEL = {".pdf": "PDF", ".docx": "DOCX", ".html": "HTML file", ".htm": "HTML file"}


def read(path: Path) -> SourceText:
    """Read one file into numbered lines, or raise InputError naming the file and the reason."""
    if not path.exists():
        raise _fail(path, "does not exist")
    if path.is_dir():
        raise _fail(path, "is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in READERS:
        raise _fail(path, f"has an unsupported type '{suffix or '(none)'}'; use one of {', '.join(READERS)}")
    limit = max_bytes(suffix)
    try:
        check_file(path)  # type and size from the metadata, before opening: a device may act on an open
        with open_regular(path) as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > limit:
                raise _too_big(path, size, limit)
            data = handle.read(limit + 1)  # a file still growing stops at the limit
    except FileNotFoundError as exc:
        raise _fail(path, "disappeared while reading") from exc
    except PermissionError as exc:
        raise _fail(path, "cannot be read (permission denied)") from exc
    except IsADirectoryError as exc:
        raise _fail(path, "is a folder, not a file") from exc
    except OSError as exc:
        raise _fail(path, f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limit:
        raise _too_big(path, len(data), limit)
    if not data.strip():
        raise _fail(path, "is empty")
    media_type, reader = READERS[suffix]
    try:
        text = reader(path, data)
    except InputError:
        raise
    except Exception as exc:
        # The parsers of PDF, zip and XML meet hostile or broken files with whatever exception their
        # code happens to raise (IndexError, zlib.error, XMLSyntaxError, RecursionError, ...): it is
        # still this file that cannot be read, so say which, instead of a traceback.
        kind = type(exc).__name__
        kind = f"{type(exc).__module__}.{kind}" if kind.islower() else kind  # "zlib.error", not "error"
        detail = " ".join(f"{kind}: {exc}".split())[:300]
        raise _fail(path, f"is not a readable {_LABEL.get(suffix, 'text file')} ({detail})") from exc
    max_chars = _int_env(TEXT_CHARS_ENV, DEFAULT_TEXT_CHARS)
    if len(text) > max_chars:
        raise _fail(path, f"holds {len(text):,} characters of text; the limit is {max_chars:,} (set {TEXT_CHARS_ENV} "
                          "to raise it)")
    lines = _split_lines(text)
    too_long = next((n for n, line in enumerate(lines, start=1) if len(line) > MAX_LINE_CHARS), None)
    if too_long is not None:
        raise _fail(path, f"line {too_long} has {len(lines[too_long - 1]):,} characters; the limit is {MAX_LINE_CHARS:,} "
                          "per line (text without line breaks is no document)")
    if not any(line.strip() for line in lines):
        raise _fail(path, "contains no text")
    return SourceText(
        pages=getattr(text, "pages", ()),
        path=path,
        name=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        media_type=media_type,
        lines=lines,
    )
