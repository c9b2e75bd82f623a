"""PDF → pages of positioned lines and tables, in reading order, with page furniture set aside."""

from __future__ import annotations

import logging
import re
from collections import Counter

import pymupdf

from ..errors import InputError
from ..models import Block, Cell, Line, Page, Table
from .layout import (
    Atom,
    RawLine,
    assign_lines_to_cells,
    cell_rows,
    drawings_to_segments,
    grid_to_cells,
    merge_same_row,
    merge_segments,
    segments_to_grids,
    xy_cut,
)

# pdfminer (under pdfplumber) logs a warning per glyph on some fonts; keep our own messages only.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

MARGIN_BAND = 0.07  # top/bottom share of the page where page numbers live
_PAGE_NUMBER = re.compile(r"^[-‐－—\s]*[0-9０-９]{1,4}[-‐－—\s]*$|^[0-9０-９]{1,4}\s*/\s*[0-9０-９]{1,4}$")
_DIGITS = re.compile(r"[0-9０-９]+")


def open_pdf(path: str, password: str | None = None) -> pymupdf.Document:
    try:
        doc = pymupdf.open(path)
    except Exception as e:  # PyMuPDF raises its own types for damaged files
        raise InputError(f"{path}: not a readable PDF ({e})") from e
    if doc.needs_pass:
        if not password or not doc.authenticate(password):
            raise InputError(f"{path}: the PDF is encrypted; give its password with --password")
    return doc


def page_raw_lines(page: pymupdf.Page) -> list[RawLine]:
    out = []
    data = page.get_text("dict", flags=pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP)
    for block in data.get("blocks", ()):
        if block.get("type") != 0:
            continue
        for line in block.get("lines", ()):
            text = "".join(span["text"] for span in line["spans"])
            if not text.strip():
                continue
            size = max(span["size"] for span in line["spans"])
            dx, dy = line.get("dir", (1.0, 0.0))
            out.append(RawLine(text, tuple(line["bbox"]), size, vertical=abs(dy) > abs(dx)))
    return out


def _furniture_keys(ln: RawLine) -> tuple[tuple, tuple]:
    """(exact key, key with numbers folded) at the line's place on the page."""
    text = "".join(ln.text.split())
    place = (round(ln.bbox[0] / 4), round(ln.bbox[1] / 4))
    return (text, *place), (_DIGITS.sub("#", text), *place)


def _in_margin(ln: RawLine, width: float, height: float) -> bool:
    x0, y0, x1, y1 = ln.bbox
    return (y1 <= height * MARGIN_BAND or y0 >= height * (1 - MARGIN_BAND)
            or x1 <= width * MARGIN_BAND or x0 >= width * (1 - MARGIN_BAND))


def find_furniture(pages_lines: list[list[RawLine]], sizes: list[tuple[float, float]]) -> list[set[int]]:
    """Indexes of furniture lines per page: page numbers in the margin bands, and text that
    repeats at the same place on most pages (running heads, footers, chapter index tabs).
    Numbers may change from page to page only in the margins ("- 45 -", "第5章 … 45")."""
    n = len(pages_lines)
    exact: Counter = Counter()
    folded: Counter = Counter()
    for lines in pages_lines:
        keys = [_furniture_keys(ln) for ln in lines]
        for k in {k for k, _ in keys}:
            exact[k] += 1
        for k in {k for _, k in keys}:
            folded[k] += 1
    repeated_min = max(3, int(0.6 * n + 0.999))
    out = []
    for lines, (width, height) in zip(pages_lines, sizes):
        idx = set()
        for i, ln in enumerate(lines):
            k_exact, k_folded = _furniture_keys(ln)
            in_band = ln.bbox[3] <= height * MARGIN_BAND or ln.bbox[1] >= height * (1 - MARGIN_BAND)
            if in_band and _PAGE_NUMBER.match(ln.text.strip()):
                idx.add(i)
            elif n >= 3 and exact[k_exact] >= repeated_min:
                idx.add(i)
            elif n >= 3 and _in_margin(ln, width, height) and folded[k_folded] >= repeated_min:
                idx.add(i)
        out.append(idx)
    return out


def _to_line(ln: RawLine, page_no: int) -> Line:
    return Line(text=ln.text, page=page_no, bbox=tuple(round(v, 1) for v in ln.bbox),
                size=round(ln.size, 2), vertical=ln.vertical)


_UNREADABLE = re.compile(r"\(cid:\d+\)")
# Scripts a Japanese plan is written in: ASCII and Latin, Greek, punctuation and symbols (①, ▶, ●),
# kana, CJK ideographs, full- and half-width forms. A font without a Unicode map makes MuPDF emit
# raw glyph ids instead: characters scattered over unrelated scripts, private-use, or U+FFFD.
_EXPECTED = [(0x09, 0x7E), (0xA0, 0x24F), (0x370, 0x3FF), (0x2000, 0x2BFF), (0x3000, 0x30FF),
             (0x31F0, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F),
             (0xFF00, 0xFFEF), (0x20000, 0x3134F)]


_UNEXPECTED = re.compile("[^" + "".join(f"\\U{a:08x}-\\U{b:08x}" for a, b in _EXPECTED) + "]")


def unreadable_share(lines: list[RawLine]) -> float:
    """Share of characters that are (cid:N) placeholders or outside the scripts of a Japanese plan."""
    text = "".join("".join(ln.text.split()) for ln in lines)
    if not text:
        return 0.0
    bad = sum(len(m.group(0)) for m in _UNREADABLE.finditer(text))
    bad += len(_UNEXPECTED.findall(_UNREADABLE.sub("", text)))
    return bad / len(text)


def ingest_pdf(path: str, password: str | None = None) -> tuple[list[Page], str | None, list[tuple[int, str]]]:
    """Pages in reading order, the metadata title (a hint, not page text), and page warnings."""
    doc = open_pdf(path, password)
    warnings: list[tuple[int, str]] = []
    try:
        return _read_pages(doc, path, warnings) + (warnings,)
    except InputError:
        raise
    except Exception as e:  # a damaged object deep in the file
        raise InputError(f"{path}: the PDF is damaged and cannot be read ({type(e).__name__}: {e})") from e
    finally:
        doc.close()


def _read_pages(doc, path: str, warnings: list[tuple[int, str]]) -> tuple[list[Page], str | None]:
    if doc.page_count == 0:
        raise InputError(f"{path}: the PDF has no pages (truncated or damaged)")
    raw_pages: list[list[RawLine]] = []
    grids_per_page = []
    sizes = []
    for page in doc:
        lines = page_raw_lines(page)
        segs = merge_segments(drawings_to_segments(page.get_drawings()))
        grids = []
        for group in segments_to_grids(segs):
            grid = grid_to_cells(group)
            if grid is None or grid.n_rows < 1 or grid.n_cols < 2 or len(grid.cells) < 2:
                continue
            lines = assign_lines_to_cells(grid, lines)
            if sum(1 for c in grid.cells if c.lines) >= 2:
                grids.append(grid)
            else:  # a frame around a picture or a single box: give its text back
                for c in grid.cells:
                    lines.extend(c.lines)
        raw_pages.append(lines)
        grids_per_page.append(grids)
        sizes.append((page.rect.width, page.rect.height))
    furniture = find_furniture(raw_pages, sizes)
    pages = []
    images = [bool(page.get_images()) for page in doc]
    if not any(raw_pages) and not any(grids_per_page):
        if any(images):
            raise InputError(f"{path}: no page has a text layer (scanned images?); OCR is needed to read it")
        raise InputError(f"{path}: the PDF has no text at all")
    for pno, (lines, grids, (w, h), furn) in enumerate(zip(raw_pages, grids_per_page, sizes, furniture), 1):
        if not lines and not grids and images[pno - 1]:
            warnings.append((pno, f"page {pno} has no text layer (a scanned image?); OCR is needed to read it"))
        all_lines = lines + [ln for g in grids for c in g.cells for ln in c.lines]
        unreadable = unreadable_share(all_lines) > 0.3
        if unreadable:
            warnings.append((pno, f"page {pno}: text cannot be read (fonts without a Unicode map give "
                                  f"(cid:…) or private-use characters); its text is set aside"))
        body = [ln for i, ln in enumerate(lines) if i not in furn]
        atoms = [Atom(ln.bbox, ln) for ln in merge_same_row(body)]
        atoms += [Atom(g.bbox, g) for g in grids]
        blocks = []
        for atom in xy_cut(atoms):
            if isinstance(atom.payload, RawLine):
                blocks.append(Block(kind="line", line=_to_line(atom.payload, pno)))
            else:
                blocks.append(Block(kind="table", table=_grid_to_table(atom.payload, pno)))
        pages.append(Page(number=pno, width=w, height=h, blocks=blocks,
                          furniture=[_to_line(ln, pno) for i, ln in enumerate(lines) if i in furn],
                          unreadable=unreadable))
    title = (doc.metadata or {}).get("title") or None
    return pages, title


def _grid_to_table(grid, pno: int) -> Table:
    cells = []
    for c in grid.cells:
        rows = cell_rows(c.lines)
        cells.append(Cell(row=c.row, col=c.col, row_span=c.row_span, col_span=c.col_span,
                          bbox=tuple(round(v, 1) for v in c.bbox),
                          lines=[_to_line(r, pno) for r in rows]))
    return Table(page=pno, bbox=tuple(round(v, 1) for v in grid.bbox), n_rows=grid.n_rows,
                 n_cols=grid.n_cols, cells=cells)
