"""Draw a DIN (visie -> strategic -> tactical -> operational -> efforts) as an inline SVG, server-side.

A plain layered layout: one band per level, nodes in document order, wrapped onto extra rows when
a band is wide; every node links to its source lines.

Labels come from ingested documents, so every string is escaped for where it lands, quotes included
(an attribute value must not be closable from data). The styling lives in static/style.css: the page's
CSP allows no inline style.
"""

from __future__ import annotations

import html
import textwrap
from typing import Any
from urllib.parse import quote

from markupsafe import Markup

BANDS = [(0, "Visie", "Vision", "#1f4e79"), (1, "Strategische doelen", "Strategic goals", "#2e75b6"),
         (2, "Tactische doelen", "Tactical goals", "#5b9bd5"), (3, "Operationele doelen", "Operational goals", "#9dc3e6"),
         (4, "Inspanningen", "Efforts", "#f4b183")]
PER_ROW = 6
NODE_W, NODE_H, GAP_X, GAP_Y, LABEL_W = 170, 58, 14, 16, 150


def evidence_href(source: dict[str, Any]) -> str:
    first, last = source["lines"]
    return f"/documents/{quote(source['document'])}?from={first}&to={last}#L{first}"


def escape(value: object) -> str:
    """For text and for attribute values alike: & < > " ' all become references."""
    return html.escape(str(value), quote=True)


def render(din: dict[str, Any], lang: str = "nl") -> Markup:
    positions: dict[str, tuple[float, float]] = {}
    bands: list[str] = []  # drawn first, so edges and nodes lie on top
    parts: list[str] = []
    y = 10.0
    for level, nl, en, colour in BANDS:
        nodes = [n for n in din["nodes"] if n["level"] == level]
        if not nodes:
            continue
        rows = (len(nodes) + PER_ROW - 1) // PER_ROW
        band_h = rows * (NODE_H + GAP_Y)
        bands.append(f'<rect x="0" y="{y - 6:.0f}" width="100%" height="{band_h + 4:.0f}" fill="#f5f7fa" />')
        parts.append(f'<text x="8" y="{y + 18:.0f}" class="band">{escape(nl if lang == "nl" else en)}</text>')
        parts.append(f'<text x="8" y="{y + 34:.0f}" class="count">{len(nodes)}</text>')
        for index, node in enumerate(nodes):
            row, col = divmod(index, PER_ROW)
            x = LABEL_W + col * (NODE_W + GAP_X)
            ny = y + row * (NODE_H + GAP_Y)
            positions[node["iri"]] = (x + NODE_W / 2, ny)
            lines = textwrap.wrap(node["name"] or "", 26)[:3]
            if len(textwrap.wrap(node["name"] or "", 26)) > 3:
                lines[-1] = lines[-1][:23] + "…"
            text = "".join(f'<tspan x="{x + 6:.0f}" dy="{14 if i else 15}">{escape(line)}</tspan>'
                           for i, line in enumerate(lines))
            dark = level <= 1
            href = evidence_href(node["sources"][0]) if node["sources"] else f"/resource/{node['iri'].split('/id/', 1)[-1]}"
            parts.append(
                f'<a href="{escape(href)}" class="node" data-kind="{escape(node["kind"])}">'
                f'<title>{escape(node["kind"])}: {escape(node["name"] or "")}</title>'
                f'<rect x="{x:.0f}" y="{ny:.0f}" width="{NODE_W}" height="{NODE_H}" rx="6" fill="{colour}" />'
                f'<text y="{ny:.0f}" fill="{"#fff" if dark else "#111"}">{text}</text></a>')
        y += band_h + 10
    edges = []
    for edge in din["edges"]:
        if edge["from"] in positions and edge["to"] in positions:
            (x1, y1), (x2, y2) = positions[edge["from"]], positions[edge["to"]]
            edges.append(f'<line x1="{x1:.0f}" y1="{y1:.0f}" x2="{x2:.0f}" y2="{y2 + NODE_H:.0f}" />')
    width = LABEL_W + PER_ROW * (NODE_W + GAP_X)
    height = max(y, 40)
    title = escape(f"DIN {din.get('name', '')}")
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" class="din" viewBox="0 0 {width} {height:.0f}" '
                  f'width="{width}" height="{height:.0f}" role="img" aria-label="{title}">'
                  + "".join(bands) + '<g class="edges">' + "".join(edges) + "</g>" + "".join(parts) + "</svg>")
