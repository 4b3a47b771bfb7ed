"""HTML pieces: escaping, inline SVG, summary.md's Markdown as HTML, tables."""

from __future__ import annotations

import html
import re
from pathlib import Path


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


_SVG_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(path: Path, prefix: str, title: str) -> str:
    """A matplotlib SVG file as an inline <svg>: no XML prolog, no metadata, its
    global style moved to the page, and its ids prefixed so that the charts of
    one page never share an id."""
    svg = path.read_text(encoding="utf-8")
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    svg = re.sub(r'<style type="text/css">.*?</style>', "", svg, count=1, flags=re.S)
    ids = set(_SVG_ID.findall(svg))
    svg = _SVG_ID.sub(lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r'(href="#|url\(#)([^")]+)',
                 lambda m: m[1] + (prefix + m[2] if m[2] in ids else m[2]), svg)
    return svg.replace("<svg ", f'<svg class="chart" role="img" aria-label="{esc(title)}" ', 1)


# What summary.md uses of Markdown: backslash escapes, the entities &amp; &lt;
# &gt;, code spans of any fence, and **bold**.
_MD_TOKEN = re.compile(r"\\([!-/:-@\[-`{-~])|&(amp|lt|gt);|(`+)(.+?)(?<!`)\3(?!`)|\*\*(.+?)\*\*",
                       re.S)


def md_inline(text: str) -> str:
    """A line of summary.md as HTML. Everything but the Markdown above is
    escaped, so text the summary escaped stays text."""
    out, pos = [], 0
    for m in _MD_TOKEN.finditer(text):
        out.append(esc(text[pos:m.start()]))
        if m[1] is not None:
            out.append(esc(m[1]))
        elif m[2] is not None:
            out.append(f"&{m[2]};")
        elif m[3] is not None:
            code = m[4][1:-1] if len(m[4]) > 2 and m[4][0] == m[4][-1] == " " else m[4]
            out.append(f"<code>{esc(code)}</code>")
        else:
            out.append(f"<strong>{md_inline(m[5])}</strong>")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def md_cells(line: str) -> list[str]:
    """The cells of a table row; an escaped \\| stays inside its cell."""
    cells, cell, i = [], "", 0
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            cell += body[i:i + 2]
            i += 2
            continue
        if c == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += c
        i += 1
    if cell.strip():
        cells.append(cell.strip())
    return cells


def markdown_html(md: str) -> str:
    """summary.md as HTML: its tables, ### headings and paragraphs (all it uses)."""
    out: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            head, body = table[0], [r for r in table[1:] if not all(
                set(c.strip()) <= set("-:") for c in r)]
            out.append('<div class="scroll"><table><thead><tr>'
                       + "".join(f"<th>{md_inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{md_inline(c)}</td>" for c in r) + "</tr>"
                                 for r in body) + "</tbody></table></div>")
            table.clear()

    for line in md.splitlines():
        line = line.strip()
        if line.startswith("|"):
            table.append(md_cells(line))
            continue
        flush()
        if line.startswith("### "):
            out.append(f"<h3>{md_inline(line[4:])}</h3>")
        elif line:
            out.append(f"<p>{md_inline(line)}</p>")
    flush()
    return "\n".join(out)


def table_html(header: list[str], rows: list[list[str]], row_classes: list[str] | None = None
               ) -> str:
    """A table of already escaped cells."""
    classes = row_classes or [""] * len(rows)
    body = "".join(f'<tr class="{c}">' + "".join(f"<td>{cell}</td>" for cell in r) + "</tr>"
                   for r, c in zip(rows, classes))
    return ('<div class="scroll"><table><thead><tr>' + "".join(f"<th>{h}</th>" for h in header)
            + f"</tr></thead><tbody>{body}</tbody></table></div>")
