"""Text renditions → the same pages/lines/tables model as PDFs.

Handles what published text versions of plans look like: markdown headings and list dashes,
tab-separated table rows whose cells hold HTML lists or paragraphs, plain prose, export artifacts
([bookmark: …]), and a block of lines repeated verbatim (a chapter index strip) as furniture;
radical characters folded, table-of-contents leaders split off and glyphs a converter repeated
from overprinted bold ("基基本本目目標標") collapsed, as in PDFs (textfix.py).
A text rendition has no pages: everything is page 1, and each line keeps its line number.
"""

from __future__ import annotations

import html
import re
from collections import Counter

from ..errors import InputError
from ..models import Block, Cell, Line, Page, Table
from ..rules import Rules
from .textfix import collapse_repeated_glyphs, fold_radicals, split_toc_entry

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s*")
_MD_LIST = re.compile(r"^\s{0,3}[-*+]\s+")
_MD_RULE = re.compile(r"^[\s\-|:]+$")
_LI = re.compile(r"<li[^>]*>(.*?)</li>", re.S | re.I)
_P = re.compile(r"<p[^>]*>(.*?)</p>", re.S | re.I)
_TAG = re.compile(r"<[^>]+>")
REPEAT_RUN = 4  # a run of this many lines repeated verbatim is furniture
# A page number a converter kept from the PDF, in forms that cannot be data: "- 12 -", "－12－",
# "P.12", "12 / 40". A bare "12" on its own line may be a table value flattened: it stays.
_PAGE_NUMBER = re.compile(r"^\s*(?:[-‐‑–—―−－]+\s*[0-9０-９]{1,4}\s*[-‐‑–—―−－]+|[PpＰｐ]\s*[.．]\s*[0-9０-９]{1,4}"
                          r"|[0-9０-９]{1,4}\s*[/／]\s*[0-9０-９]{1,4})\s*$")


def decode(data: bytes, path: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, or Shift_JIS/CP932."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    for enc in ("utf-8", "cp932"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{path}: text is neither UTF-8, UTF-16 nor Shift_JIS; cannot read it")


def remove_artifacts(text: str, rules: Rules) -> str:
    for pat in rules.artifact_patterns:
        text = pat.sub("", text)
    return text


_PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_PIPE_RULE = re.compile(r"^\s*\|?(\s*:?-{2,}:?\s*\|)+\s*:?-*:?\s*\|?\s*$")
_BR = re.compile(r"<br\s*/?>", re.I)


def pipe_cells(line: str) -> list[str]:
    """Cells of a markdown pipe-table row ("| 市民 | ▶…<br>▶… |"); escaped pipes stay."""
    body = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", body)]


def cell_lines(cell: str) -> list[str]:
    """Lines of one table cell: <li> items, <p> paragraphs, <br> breaks, or the plain text."""
    cell = _BR.sub("\n", cell)
    items = _LI.findall(cell) or _P.findall(cell)
    if items:
        parts = [html.unescape(_TAG.sub(" ", it)).strip() for it in items]
    else:
        parts = [html.unescape(_TAG.sub(" ", part)).strip() for part in cell.split("\n")]
    return [p for p in parts if p]


def repeated_runs(lines: list[str]) -> set[int]:
    """Indexes of lines inside runs of >= REPEAT_RUN non-empty lines that occur twice or more."""
    idx = [i for i, ln in enumerate(lines) if ln.strip()]
    keyed = [lines[i].strip() for i in idx]
    counts: Counter = Counter()
    for k in range(len(keyed) - REPEAT_RUN + 1):
        counts[tuple(keyed[k:k + REPEAT_RUN])] += 1
    out: set[int] = set()
    for k in range(len(keyed) - REPEAT_RUN + 1):
        if counts[tuple(keyed[k:k + REPEAT_RUN])] >= 2:
            out.update(idx[k:k + REPEAT_RUN])
    return out


def _rows_to_table(rows: list[tuple[int, list[str]]]) -> Table:
    """Rows of cells → a table, cells in the order printed. Exports of spanned tables drop or
    split cells, so a row may be shorter or longer than the header: segment reads such rows by
    what their cells hold, not by position."""
    width = max(len(cells) for _, cells in rows)
    cells_out = []
    for r, (line_no, cells) in enumerate(rows):
        for c, raw in enumerate(cells):
            lines = [Line(text=text, page=1, line_no=line_no, bold=bold)
                     for text, bold in map(collapse_repeated_glyphs, cell_lines(raw))]
            cells_out.append(Cell(row=r, col=c, lines=lines))
    return Table(page=1, n_rows=len(rows), n_cols=width, cells=cells_out, line_no=rows[0][0])


def ingest_text(path: str, data: bytes, rules: Rules) -> list[Page]:
    text = remove_artifacts(decode(data, path).replace("\r\n", "\n").replace("\r", "\n"), rules)
    text = fold_radicals(text)  # converters copy the PDF's radical characters (⻑ for 長)
    raw = text.split("\n")
    furniture_idx = repeated_runs(raw)
    blocks: list[Block] = []
    furniture: list[Line] = []
    table_rows: list[tuple[int, list[str]]] = []

    def flush_table():
        if table_rows:
            blocks.append(Block(kind="table", table=_rows_to_table(table_rows)))
            table_rows.clear()

    for i, line in enumerate(raw):
        no = i + 1
        if i in furniture_idx or _PAGE_NUMBER.match(line):
            furniture.append(Line(text=line.strip(), page=1, line_no=no))
            continue
        if _PIPE_ROW.match(line):
            if _PIPE_RULE.match(line):
                continue  # the rule under a pipe table's header
            table_rows.append((no, pipe_cells(line)))
            continue
        if "\t" in line:
            cells = [c.strip() for c in line.split("\t")]
            if all(_MD_RULE.match(c) or not c for c in cells):
                continue  # a markdown table rule
            table_rows.append((no, cells))
            continue
        flush_table()
        stripped = line.strip()
        if not stripped or _MD_RULE.match(stripped) and set(stripped) <= set("-|: "):
            continue
        stripped = _MD_HEADING.sub("", stripped)
        # A markdown list dash is a bullet: keep one, so the item stays an item.
        stripped = _MD_LIST.sub("・", stripped)
        stripped = html.unescape(_TAG.sub(" ", stripped)).strip()
        if stripped:
            stripped, bold = collapse_repeated_glyphs(stripped)
            title, toc_page = split_toc_entry(stripped)
            blocks.append(Block(kind="line", line=Line(text=title, page=1, line_no=no, toc_page=toc_page,
                                                       bold=bold)))
    flush_table()
    return [Page(number=1, blocks=blocks, furniture=furniture)]
