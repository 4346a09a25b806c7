"""What a graph was built from, so an ingest of exactly the same inputs can skip all the work.

The fingerprint covers everything the embedded store's content depends on: the name and bytes of
every input file in ingest order, the MANIFEST.tsv beside them, the curated overlays, and the code
and data of the ``ingest`` and ``ontology`` packages (extraction rules, profiles, ontology), plus the
embedding model. It is stored as an artifact of the generation it describes, so it switches with
the graph; a generation written any other way has none and is never taken as unchanged.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from beleidsgraaf.errors import InputError
from beleidsgraaf.ingest import curated, municipal, readers

ARTIFACT = "ingest-fingerprint.json"
FORMAT = 1
_PACKAGES = (Path(__file__).resolve().parent, Path(__file__).resolve().parent.parent / "ontology")
_SKIP_PARTS = {"__pycache__"}


def _package_files() -> Iterable[tuple[str, Path]]:
    for root in _PACKAGES:
        # The editable install maps ontology/ beside ingest/; an installed wheel does too.
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file() and not _SKIP_PARTS & set(path.parts) and path.suffix not in (".pyc", ".pyo"):
                    yield f"{root.name}/{path.relative_to(root).as_posix()}", path


def compute(files: Sequence[Path], curated_dir: Path | None, model: str) -> str | None:
    """Hex digest of everything an ingest of ``files`` depends on; None when a file cannot be read
    (the ingest itself then runs and reports the problem)."""
    digest = hashlib.sha256(f"format {FORMAT}\nmodel {model}\n".encode())
    try:
        for path in files:
            digest.update(f"file {path.name}\n".encode())
            digest.update(_file_digest(path))
        # Manifests by content, not by path: the same folder moved elsewhere is the same input.
        manifests = {p.parent / "MANIFEST.tsv" for p in files}
        for data in sorted(_file_digest(m) for m in manifests if m.is_file()):
            digest.update(b"manifest\n" + data)
        # The data beside the documents: curated overlays (or the --curated folder) and municipality profiles.
        folders = {curated.folder_for(p, curated_dir) for p in files}
        folders |= {folder for p in files for folder in municipal.folders_for(p.parent)}
        extra = sorted((f"{folder.name}/{path.name}", path) for folder in folders if folder.is_dir()
                       for path in folder.glob("*.yaml"))
        for label, path in [*_package_files(), *extra]:
            digest.update(f"code {label}\n".encode())
            digest.update(_file_digest(path))
    except (OSError, InputError):
        return None
    return digest.hexdigest()


def _file_digest(path: Path) -> bytes:
    # Only regular files, opened without blocking: a FIFO would wait for a writer and /dev/zero never
    # ends, before the reader's own checks could refuse them. Streamed: inputs may be large PDFs.
    with readers.open_regular(path) as handle:
        return hashlib.file_digest(handle, "sha256").digest()


def artifact(fingerprint: str, report: Any) -> bytes:
    """The artifact: the fingerprint and the report of the ingest that built the generation."""
    return json.dumps({"format": FORMAT, "fingerprint": fingerprint, "report": asdict(report)},
                      ensure_ascii=False, indent=1).encode("utf-8")


def stored_report(path: Path | None, fingerprint: str) -> dict[str, Any] | None:
    """The stored report if the artifact at ``path`` carries ``fingerprint``, else None."""
    if path is None:
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("fingerprint") != fingerprint:
        return None
    report = data.get("report")
    return report if isinstance(report, dict) else None
