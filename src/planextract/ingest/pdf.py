"""PDF → pages of positioned lines and tables, in reading order, with page furniture set aside."""

from __future__ import annotations

import bisect
import functools
import logging
import re
from collections import Counter
from collections.abc import Iterator

import pymupdf

from ..errors import InputError
from ..models import Block, Bookmark, Cell, Line, Page, Table
from .layout import (
    Atom,
    connected_groups,
    BoxUnit,
    RawLine,
    _y_overlap,
    row_style,
    assign_lines_to_cells,
    split_label_rows,
    cell_rows,
    drawings_to_boxes,
    drawings_to_fills,
    drawings_to_segments,
    fills_to_grids,
    grid_to_cells,
    lines_by_box,
    merge_same_row,
    merge_segments,
    segments_to_grids,
    xy_cut,
    THIN,
)
from .textfix import collapse_repeated_glyphs, fold_radicals, split_toc_entry

# pdfminer (under pdfplumber) logs a warning per glyph on some fonts; keep our own messages only.
logging.getLogger("pdfminer").setLevel(logging.ERROR)

MARGIN_BAND = 0.07  # top/bottom share of the page where page numbers live
# "12", "- 12 -", "－12－", "―12―", "(12)", "12 / 40", "P.12", "p. 12", "ｐ．１２", "P12"
_PAGE_NUMBER = re.compile(
    r"^[-‐‑–—―−－~〜\s]*[(（]?\s*(?:[PpＰｐ]\s*[.．]?\s*)?[0-9０-９]{1,4}\s*[)）]?[-‐‑–—―−－~〜\s]*$"
    r"|^[0-9０-９]{1,4}\s*[/／]\s*[0-9０-９]{1,4}$")
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


# A bold weight in the font's name: "…-Bold", "MS-Gothic,Bold", "HiraKakuPro-W6", "…-Heavy".
_BOLD_FONT = re.compile(r"bold|heavy|black|extrab|ultrab|demib|[-,_ ]W(?:[6-9]|1[0-2])(?![0-9])", re.I)
_KANA = re.compile(r"^[\u3041-\u309f\u30a0-\u30ff\s]+$")
RUBY_RATIO = 0.6  # furigana is at most this share of the size of the text it reads
_DARK = 0x40  # a colour whose three channels are all below this prints as black (rich black)


def _span_bold(span: dict) -> bool:
    """A bold font: PyMuPDF's bold flag, MuPDF's bold character flag, or a bold weight name."""
    return bool(span.get("flags", 0) & 16 or span.get("char_flags", 0) & 8 or _bold_font(span.get("font") or ""))


@functools.lru_cache(maxsize=256)
def _bold_font(name: str) -> bool:
    return bool(_BOLD_FONT.search(name))


def _text_colour(rgb: int) -> int | None:
    """sRGB of text that is not (near) black; None for black."""
    r, g, b = (rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255
    return None if max(r, g, b) < _DARK else rgb


def _is_ruby_span(span: dict, base: dict) -> bool:
    """Small kana printed above the base text of the same line (furigana MuPDF put in the line)."""
    if span["size"] > RUBY_RATIO * base["size"] or not _KANA.match(span["text"]):
        return False
    return span["bbox"][3] <= (base["bbox"][1] + base["bbox"][3]) / 2


def _styled_line(text: str, spans: list[dict], bbox, vertical: bool) -> RawLine:
    ln = RawLine(fold_radicals(text), tuple(bbox), max(s["size"] for s in spans), vertical)
    if len(spans) == 1:
        ln.bold, ln.color = _span_bold(spans[0]), _text_colour(spans[0].get("color", 0))
    else:
        ln.bold, ln.color = row_style([RawLine(s["text"], (0, 0, 0, 0), s["size"], bold=_span_bold(s),
                                               color=_text_colour(s.get("color", 0))) for s in spans])
    return ln


def page_raw_lines(page: pymupdf.Page) -> tuple[list[RawLine], list[RawLine]]:
    """The page's text lines, and the furigana set aside from them (see set_aside_furigana)."""
    out: list[RawLine] = []
    ruby: list[RawLine] = []
    data = page.get_text("dict", flags=TEXT_FLAGS)
    for block in data.get("blocks", ()):
        if block.get("type") != 0:
            continue
        for line in block.get("lines", ()):
            spans = [s for s in line["spans"] if s["text"]]
            if not "".join(s["text"] for s in spans).strip():
                continue
            dx, dy = line.get("dir", (1.0, 0.0))
            vertical = abs(dy) > abs(dx)
            bbox = line["bbox"]
            base = max(spans, key=lambda s: s["size"])
            small = [s for s in spans if not vertical and _is_ruby_span(s, base)]
            if small:
                spans = [s for s in spans if s not in small]
                ruby += [_styled_line(s["text"], [s], s["bbox"], False) for s in small]
                bbox = (min(s["bbox"][0] for s in spans), min(s["bbox"][1] for s in spans),
                        max(s["bbox"][2] for s in spans), max(s["bbox"][3] for s in spans))
            text = "".join(span["text"] for span in spans)
            out.append(_styled_line(text, spans, bbox, vertical))
    out = collapse_overprint(out, page)
    kept, furigana = set_aside_furigana(out)
    return kept, ruby + furigana


TEXT_FLAGS = pymupdf.TEXT_PRESERVE_WHITESPACE | pymupdf.TEXT_MEDIABOX_CLIP


def _overlap_share(a: tuple, b: tuple) -> float:
    """Area of the intersection of two boxes over the area of the smaller one."""
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    if w <= 0 or h <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return w * h / smaller if smaller > 0 else 0.0


OVERPRINT = 0.5  # glyphs (or whole runs) covering each other at least this much are copies
# Lines overlapping this much are looked at glyph by glyph: copies of each glyph drawn 1–2 pt apart
# come out as lines of two characters, each overlapping the next by a little under half.
LINE_OVERLAP = 0.3


def overprint_clusters(lines: list[RawLine]) -> list[list[int]]:
    """Groups of lines drawn over each other (each glyph or run drawn 2–4 times to look bold).
    Honest text never overlaps: lines next to each other share no area."""
    return [g for g in connected_groups(len(lines), _overlapping_pairs(lines)) if len(g) > 1]


def _overlapping_pairs(lines: list[RawLine]) -> Iterator[tuple[int, int]]:
    """Pairs of lines drawn over each other. Copies are drawn at (almost) the same height: only
    lines whose tops are within half a size of each other are compared (a window over the lines
    in order of their top)."""
    order = sorted(range(len(lines)), key=lambda i: lines[i].bbox[1])
    for n, i in enumerate(order):
        a = lines[i]
        x0, y0, x1, _ = a.bbox
        reach = 0.5 * a.size
        for j in reversed(order[max(0, n - 64):n]):  # at most 64 lines back: a row of table cells
            b = lines[j].bbox
            if y0 - b[1] > reach:
                break
            if (b[0] < x1 and x0 < b[2] and lines[j].vertical == a.vertical
                    and _overlap_share(a.bbox, b) >= LINE_OVERLAP):
                yield i, j


def collapse_overprint(lines: list[RawLine], page: pymupdf.Page | None = None) -> list[RawLine]:
    """One copy of overprinted text, marked bold. Copies of a whole run are lines with the same
    text; copies of each glyph at offsets MuPDF does not merge come out as overlapping lines of
    repeated characters, rebuilt here from the page's glyph boxes (rawdict, read only then)."""
    clusters = overprint_clusters(lines)
    clustered = {i for g in clusters for i in g}
    # a single line may hold the copies too, when MuPDF strings them together ("基基基本本本")
    clusters += [[i] for i, ln in enumerate(lines)
                 if i not in clustered and collapse_repeated_glyphs(ln.text)[1]]
    if not clusters:
        return lines
    chars_by_line = None
    drop: set[int] = set()
    for group in clusters:
        if _collapse_runs(lines, group, drop):
            continue
        if page is None:
            continue
        if chars_by_line is None:
            chars_by_line = _chars_by_line(page)
        member_chars = [chars_by_line.get(_bbox_key(lines[i].bbox), []) for i in group]
        # a line whose glyphs are mostly not copies is text printed over (a heading running into
        # the other column's text): it stays a line of its own instead of being woven into the copies
        copying = copying_members(member_chars)
        if len(copying) < len(group):
            group = [group[k] for k in copying]
            member_chars = [member_chars[k] for k in copying]
            if not group or _collapse_runs(lines, group, drop):
                continue
        members = [lines[i] for i in group]
        chars = [c for cs in member_chars for c in cs]
        if not chars:
            continue
        kept = dedupe_glyphs(chars, members[0].vertical)
        if len(kept) > 0.75 * len(chars):
            continue  # not copies: text printed over other text, left as it is
        first = lines[group[0]]
        merged = RawLine(fold_radicals("".join(c["c"] for c in kept)),
                         (min(m.bbox[0] for m in members), min(m.bbox[1] for m in members),
                          max(m.bbox[2] for m in members), max(m.bbox[3] for m in members)),
                         max(m.size for m in members), first.vertical, bold=True, color=first.color)
        lines[group[0]] = merged
        drop.update(group[1:])
    return [ln for i, ln in enumerate(lines) if i not in drop]


def _bbox_key(bbox) -> tuple:
    return tuple(round(v, 1) for v in bbox)


def _chars_by_line(page: pymupdf.Page) -> dict[tuple, list[dict]]:
    out: dict[tuple, list[dict]] = {}
    data = page.get_text("rawdict", flags=TEXT_FLAGS)
    for block in data.get("blocks", ()):
        for line in block.get("lines", ()):
            out.setdefault(_bbox_key(line["bbox"]), []).extend(
                c for span in line["spans"] for c in span["chars"])
    return out


def _collapse_runs(lines: list[RawLine], group: list[int], drop: set[int]) -> bool:
    """Copies of a whole run (same text at the same place): keep the first, bold; True if done."""
    members = [lines[i] for i in group]
    texts = {"".join(m.text.split()) for m in members}
    same_place = all(_overlap_share(members[0].bbox, m.bbox) >= OVERPRINT for m in members)
    if len(group) > 1 and len(texts) == 1 and same_place:
        keep = min(group, key=lambda i: (lines[i].bbox[0], lines[i].bbox[1]))
        lines[keep].bold = True
        drop.update(i for i in group if i != keep)
        return True
    return False


def copying_members(member_chars: list[list[dict]]) -> list[int]:
    """The lines of an overlapping group that take part in the overprint: at least half of their
    glyphs have a copy, the same character covering the glyph's box in another line of the group
    or elsewhere in the same line ("基基基本本本")."""
    by_char: dict[str, list[tuple[int, int, tuple]]] = {}
    for m, cs in enumerate(member_chars):
        for n, c in enumerate(cs):
            by_char.setdefault(c["c"], []).append((m, n, c["bbox"]))
    out = []
    for k, mine in enumerate(member_chars):
        copied = sum(1 for n, c in enumerate(mine)
                     if any((m, i) != (k, n) and _overlap_share(c["bbox"], box) >= OVERPRINT
                            for m, i, box in by_char[c["c"]]))
        if mine and copied >= 0.5 * len(mine):
            out.append(k)
    return out


def dedupe_glyphs(chars: list[dict], vertical: bool) -> list[dict]:
    """Glyphs in reading order, a glyph dropped when the same character already covers its box
    (「ままま」 or ・・・ printed side by side do not overlap, so they stay)."""
    axis = 1 if vertical else 0
    kept: list[dict] = []
    for c in sorted(chars, key=lambda c: (c["bbox"][axis], c["bbox"][1 - axis])):
        if any(k["c"] == c["c"] and _overlap_share(k["bbox"], c["bbox"]) >= OVERPRINT for k in kept[-8:]):
            continue
        kept.append(c)
    return kept


def set_aside_furigana(lines: list[RawLine]) -> tuple[list[RawLine], list[RawLine]]:
    """Lines of small kana (≤ RUBY_RATIO of the size) just above a line of larger text: furigana,
    not text of their own."""
    if not lines:
        return lines, []
    largest = max(ln.size for ln in lines)
    small = [i for i, r in enumerate(lines)
             if not r.vertical and r.size <= RUBY_RATIO * largest and _KANA.match(r.text)]
    if not small:
        return lines, []
    by_top = sorted((ln.bbox[1], k) for k, ln in enumerate(lines) if not ln.vertical)
    tops = [t for t, _ in by_top]
    ruby_idx = set()
    for i in small:
        r = lines[i]
        height = r.bbox[3] - r.bbox[1]
        lo = bisect.bisect_left(tops, r.bbox[3] - height)
        hi = bisect.bisect_right(tops, r.bbox[3] + 0.5 * largest)
        for _, k in by_top[lo:hi]:
            b = lines[k]
            if (k != i and r.size <= RUBY_RATIO * b.size and b.bbox[1] - r.bbox[3] <= 0.5 * b.size
                    and b.bbox[0] - b.size <= r.bbox[0] and r.bbox[2] <= b.bbox[2] + b.size):
                ruby_idx.add(i)
                break
    return ([ln for i, ln in enumerate(lines) if i not in ruby_idx],
            [ln for i, ln in enumerate(lines) if i in ruby_idx])


_PAGE_DIGITS = re.compile(r"^[0-9０-９]{1,4}$")
_LEADERS_ONLY = re.compile(r"^(?:[.．・･·…‥⋯]\s*){3,}[0-9０-９]{0,4}\s*$")
# leaders alone with their number (・・・・12) or at the end of a title's piece (タイトル・・・・)
_ENDS_IN_LEADERS = re.compile(r"(?:[.．・･·…‥⋯]\s*){3,}[0-9０-９]{0,4}\s*$")


def join_leaders(lines: list[RawLine]) -> list[RawLine]:
    """A run of leader dots drawn as its own piece joins the title to its left on the same row,
    even when the producer's widths make the two overlap (merge_same_row would keep them apart):
    the TOC entry is then one line "タイトル……12"."""
    leaders = [i for i, ln in enumerate(lines) if not ln.vertical and _ENDS_IN_LEADERS.search(ln.text.strip())]
    if not leaders:
        return lines
    drop: set[int] = set()
    for i in leaders:
        dots = lines[i]
        if i in drop:
            continue
        if _LEADERS_ONLY.match(dots.text.strip()):
            left = [k for k, ln in enumerate(lines)
                    if k != i and k not in drop and not ln.vertical and ln.bbox[0] < dots.bbox[0]
                    and ln.bbox[2] <= dots.bbox[2] and dots.bbox[0] - ln.bbox[2] <= 2 * dots.size
                    and _y_overlap(ln, dots) >= 0.6]
            if not left:
                continue
            k = max(left, key=lambda k: lines[k].bbox[2])
            title = lines[k]
        else:
            k, title = i, dots  # title and leaders in one piece (タイトル・・・・), its number apart
        # and the page number to its right, when the leaders stop short of it: the next thing on
        # the row, within 4 characters, or within 8 when it is the last thing on the row (a column
        # of page numbers at the page's right; in a 目次 of two columns the number of the right
        # column's entry has its title after it)
        row = [j for j, ln in enumerate(lines) if j not in drop and j not in (i, k) and not ln.vertical
               and ln.bbox[0] >= dots.bbox[2] - 1 and _y_overlap(ln, dots) >= 0.6]
        nearest = min(row, key=lambda j: lines[j].bbox[0]) if row else None
        reach = 8 if len(row) == 1 else 4
        number = nearest if nearest is not None and not dots.text.rstrip()[-1:].isdigit() \
            and _PAGE_DIGITS.match(lines[nearest].text.strip()) \
            and lines[nearest].bbox[0] - dots.bbox[2] <= reach * dots.size else None
        if title is dots and number is None:
            continue
        head = [title, dots] if title is not dots else [dots]
        tail = [lines[number]] if number is not None else []
        pieces = head + tail
        text = "".join(pc.text for pc in head) + "".join(" " + pc.text for pc in tail)
        lines[k] = RawLine(text, (title.bbox[0], min(pc.bbox[1] for pc in pieces), pieces[-1].bbox[2],
                                  max(pc.bbox[3] for pc in pieces)), max(pc.size for pc in pieces),
                           bold=title.bold, color=title.color)
        drop.update(({i} if k != i else set()) | ({number} if number is not None else set()))
    return [ln for i, ln in enumerate(lines) if i not in drop]


def restyle_rows(rows: list[RawLine], pieces: list[RawLine]) -> list[RawLine]:
    """Bold and colour onto the rows merge_same_row made, from the pieces inside each row (a row
    left alone keeps its piece's box; a joined row is found by the piece's centre)."""
    alone = {(r.bbox, r.text): r for r in rows}
    piece_keys = {(pc.bbox, pc.text) for pc in pieces}
    band = 8.0
    joined: dict[int, list[RawLine]] = {}  # rows made of several pieces, by height band
    for r in rows:
        if (r.bbox, r.text) not in piece_keys:
            for y in range(int(r.bbox[1] // band), int(r.bbox[3] // band) + 1):
                joined.setdefault(y, []).append(r)
    parts: dict[int, tuple[RawLine, list[RawLine]]] = {}
    for pc in pieces:
        row = alone.get((pc.bbox, pc.text))
        if row is None:
            row = next((r for r in joined.get(int(pc.cy // band), ())
                        if r.bbox[0] - 0.5 <= pc.cx <= r.bbox[2] + 0.5
                        and r.bbox[1] - 0.5 <= pc.cy <= r.bbox[3] + 0.5), None)
        if row is not None:
            parts.setdefault(id(row), (row, []))[1].append(pc)
    for row, group in parts.values():
        row.bold, row.color = row_style(group)
    return rows


def _furniture_keys(ln: RawLine) -> tuple[tuple, tuple]:
    """(exact key, key with numbers folded) at the line's place on the page."""
    text = "".join(ln.text.split())
    place = (round(ln.bbox[0] / 4), round(ln.bbox[1] / 4))
    return (text, *place), (_DIGITS.sub("#", text), *place)


def _band_key(ln: RawLine, height: float) -> tuple | None:
    """(band, text with numbers folded) of a line in the top or bottom margin band."""
    if ln.bbox[3] <= height * MARGIN_BAND:
        band = "top"
    elif ln.bbox[1] >= height * (1 - MARGIN_BAND):
        band = "bottom"
    else:
        return None
    return band, _DIGITS.sub("#", "".join(ln.text.split()))


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
    banded: Counter = Counter()  # text of the top or bottom band, wherever it stands in the band
    for lines, (_, height) in zip(pages_lines, sizes):
        keys = [_furniture_keys(ln) for ln in lines]
        for k in {k for k, _ in keys}:
            exact[k] += 1
        for k in {k for _, k in keys}:
            folded[k] += 1
        for k in {_band_key(ln, height) for ln in lines} - {None}:
            banded[k] += 1
    repeated_min = max(3, int(0.6 * n + 0.999))
    tabs = side_tab_places(pages_lines, sizes)
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
            elif n >= 3 and in_band and banded[_band_key(ln, height)] >= repeated_min:
                idx.add(i)  # a running head printed left on even pages and right on odd ones
            elif _side_tab_key(ln, width) in tabs:
                idx.add(i)
        out.append(idx)
    return out


SIDE_BAND = 0.1  # share of the page width at each side where index tabs are printed
TAB_PAGES = 2  # a tab recurs at the same place on at least this many pages (a chapter may be short)


def _side_tab_key(ln: RawLine, width: float) -> tuple | None:
    """(side, place) of a chapter index tab: vertical text (or a column of single characters)
    against the left or right edge of the page."""
    x0, _, x1, _ = ln.bbox
    narrow = len("".join(ln.text.split())) <= 2 and x1 - x0 <= 2.5 * ln.size
    if not (ln.vertical or narrow):
        return None
    if x1 <= width * SIDE_BAND:
        return ("left", round(x0 / 6))
    if x0 >= width * (1 - SIDE_BAND):
        return ("right", round((width - x1) / 6))
    return None


def side_tab_places(pages_lines: list[list[RawLine]], sizes: list[tuple[float, float]]) -> set[tuple]:
    """Places at the page edge where vertical text recurs on TAB_PAGES pages or more, whatever it
    says: a chapter tab changes its text from chapter to chapter but not its place."""
    pages_at: Counter = Counter()
    for lines, (width, _) in zip(pages_lines, sizes):
        for key in {_side_tab_key(ln, width) for ln in lines} - {None}:
            pages_at[key] += 1
    return {key for key, count in pages_at.items() if count >= TAB_PAGES}


def _to_line(ln: RawLine, page_no: int, boxes: "BoxIndex | None" = None) -> Line:
    text, toc_page = split_toc_entry(ln.text)
    return Line(text=text, page=page_no, bbox=tuple(round(v, 1) for v in ln.bbox),
                size=round(ln.size, 2), vertical=ln.vertical, bold=ln.bold, color=ln.color,
                boxed=boxes is not None and boxes.behind(ln.bbox), toc_page=toc_page)


class BoxIndex:
    """Filled boxes and bands of a page (page.get_drawings fills), found by height band.
    Rulings (thin fills), white fills and page-sized backgrounds are not boxes."""

    BAND = 16.0

    def __init__(self, drawings: list[dict], width: float, height: float):
        self.bands: dict[int, list[tuple]] = {}
        for d in drawings:
            fill = d.get("fill")
            if not fill or d.get("fill_opacity", 1.0) == 0 or min(fill) >= 0.95:
                continue
            if d.get("rect") is None:
                continue
            x0, y0, x1, y1 = d["rect"]  # a tuple (get_cdrawings) or a Rect
            w, h = x1 - x0, y1 - y0
            if w <= THIN or h <= THIN or w * h > 0.5 * width * height:
                continue
            box = (x0, y0, x1, y1)
            for y in range(int(y0 // self.BAND), int(y1 // self.BAND) + 1):
                self.bands.setdefault(y, []).append(box)

    def behind(self, bbox: tuple) -> bool:
        """A box or band lies behind the line: it covers most of the line and is not a panel
        many lines tall (at most BOX_LINES times the line's height)."""
        x0, y0, x1, y1 = bbox
        line_h = max(y1 - y0, 1.0)
        area = max(x1 - x0, 1.0) * line_h
        for box in self.bands.get(int(((y0 + y1) / 2) // self.BAND), ()):
            w = min(x1, box[2]) - max(x0, box[0])
            h = min(y1, box[3]) - max(y0, box[1])
            if box[3] - box[1] <= BOX_LINES * line_h and w > 0 and h > 0 and w * h >= 0.6 * area:
                return True
        return False


BOX_LINES = 4


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


def ingest_pdf(path: str, password: str | None = None
               ) -> tuple[list[Page], str | None, list[tuple[int, str]], list[Bookmark]]:
    """Pages in reading order, the metadata title (a hint, not page text), page warnings, and the
    file's bookmarks."""
    doc = open_pdf(path, password)
    warnings: list[tuple[int, str]] = []
    try:
        pages, title = _read_pages(doc, path, warnings)
        return pages, title, warnings, read_bookmarks(doc)
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
    furigana: list[list[RawLine]] = []
    boxes: list[BoxIndex] = []
    drawn_boxes: list[list[tuple]] = []
    # column edges, colour and page of the tables of fills met (a column of fills alone continues
    # one of its own page or of the page before: a break carries rows over one page, never more)
    fill_columns: list[tuple[list[float], tuple, int]] = []
    for index, page in enumerate(doc):
        lines, ruby = page_raw_lines(page)
        furigana.append(ruby)
        drawings = page.get_cdrawings()  # plain tuples: get_drawings wraps them in objects for twice the cost
        boxes.append(BoxIndex(drawings, page.rect.width, page.rect.height))
        drawn_boxes.append(drawings_to_boxes(drawings, page.rect.width, page.rect.height))
        segs = merge_segments(drawings_to_segments(drawings))
        grids = []
        for group in segments_to_grids(segs):
            grid = grid_to_cells(group)
            if grid is None or grid.n_rows < 1 or grid.n_cols < 2 or len(grid.cells) < 2:
                continue
            lines = _take_lines(grid, lines, grids, need=2)
        # tables drawn with background fills only; a fill inside a ruled table is its shading
        fills = drawings_to_fills(drawings, page.rect.width, page.rect.height)
        recent = [(xs, colour) for xs, colour, p in fill_columns if p >= index - 1]
        for grid in fills_to_grids(fills, recent, lines):
            if any(_boxes_meet(grid.bbox, g.bbox) for g in grids):
                continue
            if grid.carried and grid.n_rows == 1 and not _opens_column(grid.bbox, lines, page.rect.width,
                                                                        page.rect.height):
                continue  # a row carried over a break opens its page or column; this is a box
            # a row of fills alone may be a heading's label box and title band: three cells
            lines = _take_lines(grid, lines, grids, need=2 if grid.n_rows >= 2 or grid.carried else 3)
            if grids and grids[-1] is grid:
                fill_columns.append((grid.xs, grid.colour, index))
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
    for pno, (lines, grids, (w, h), furn, box, drawn) in enumerate(
            zip(raw_pages, grids_per_page, sizes, furniture, boxes, drawn_boxes), 1):
        if not lines and not grids and images[pno - 1]:
            warnings.append((pno, f"page {pno} has no text layer (a scanned image?); OCR is needed to read it"))
        all_lines = lines + [ln for g in grids for c in g.cells for ln in c.lines]
        unreadable = unreadable_share(all_lines) > 0.3
        if unreadable:
            warnings.append((pno, f"page {pno}: text cannot be read (fonts without a Unicode map give "
                                  f"(cid:…) or private-use characters); its text is set aside"))
        body = join_leaders([ln for i, ln in enumerate(lines) if i not in furn])
        blocks = []
        for atom in xy_cut(page_atoms(body, grids, drawn)):
            if isinstance(atom.payload, RawLine):
                blocks.append(Block(kind="line", line=_to_line(atom.payload, pno, box)))
            else:
                blocks.append(Block(kind="table", table=_grid_to_table(atom.payload, pno, box)))
        set_aside = [ln for i, ln in enumerate(lines) if i in furn] + furigana[pno - 1]
        pages.append(Page(number=pno, width=w, height=h, blocks=blocks,
                          furniture=[_to_line(ln, pno) for ln in set_aside],
                          unreadable=unreadable))
    title = (doc.metadata or {}).get("title") or None
    return pages, title


def page_atoms(body: list[RawLine], grids: list, drawn: list[tuple]) -> list[Atom]:
    """What xy_cut orders on a page: visual lines, tables, and drawn boxes as units. Pieces are
    joined into lines within a box or outside boxes, never across a box's edge (the text of two
    boxes side by side is two lines); a table inside a box is read with the box."""
    units, loose = lines_by_box(body, drawn)
    atoms = [Atom(ln.bbox, ln) for ln in restyle_rows(merge_same_row(loose), loose)]
    box_atoms = []
    for rect, inner in units:
        rows = restyle_rows(merge_same_row(inner), inner)
        box_atoms.append(Atom(rect, BoxUnit([Atom(ln.bbox, ln) for ln in rows])))
    for g in grids:
        holder = [b for b in box_atoms if _within(g.bbox, b.bbox)]
        if holder:
            min(holder, key=lambda b: _area(b.bbox)).payload.atoms.append(Atom(g.bbox, g))
        else:
            atoms.append(Atom(g.bbox, g))
    return atoms + box_atoms


def _within(inner: tuple, outer: tuple, slack: float = 2.0) -> bool:
    return (outer[0] - slack <= inner[0] and inner[2] <= outer[2] + slack
            and outer[1] - slack <= inner[1] and inner[3] <= outer[3] + slack)


def _area(b: tuple) -> float:
    return (b[2] - b[0]) * (b[3] - b[1])


def _take_lines(grid, lines: list[RawLine], grids: list, need: int) -> list[RawLine]:
    """The grid keeps the lines in its cells when `need` cells or more hold text (it is then one of
    `grids`); otherwise it is a frame around a picture or a single box, and its text goes back.
    Returns the lines left outside."""
    lines = assign_lines_to_cells(grid, lines)
    if sum(1 for c in grid.cells if c.lines) >= need:
        split_label_rows(grid)  # (after the count: the split is no evidence that this is a table)
        grids.append(grid)
    else:
        for c in grid.cells:
            lines.extend(c.lines)
            c.lines = []
    return lines


def _opens_column(bbox: tuple, lines: list[RawLine], width: float, height: float) -> bool:
    """Nothing is printed above the box in its column but the page's margin (running heads)."""
    return not any(ln.bbox[3] <= bbox[1] + 1 and ln.bbox[0] < bbox[2] and ln.bbox[2] > bbox[0]
                   and not _in_margin(ln, width, height) for ln in lines)


def _boxes_meet(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _grid_to_table(grid, pno: int, boxes: BoxIndex | None = None) -> Table:
    cells = []
    for c in grid.cells:
        rows = cell_rows(c.lines)
        cells.append(Cell(row=c.row, col=c.col, row_span=c.row_span, col_span=c.col_span,
                          bbox=tuple(round(v, 1) for v in c.bbox),
                          lines=[_to_line(r, pno, boxes) for r in rows]))
    return Table(page=pno, bbox=tuple(round(v, 1) for v in grid.bbox), n_rows=grid.n_rows,
                 n_cols=grid.n_cols, cells=cells)


def read_bookmarks(doc: pymupdf.Document) -> list[Bookmark]:
    """The file's outline (get_toc): level, title, 1-based page (None when it points nowhere)."""
    try:
        toc = doc.get_toc(simple=True)
    except Exception:  # a damaged outline is not a reason to lose the pages
        return []
    out = []
    for entry in toc:
        level, title, page = entry[0], entry[1], entry[2]
        title = fold_radicals(" ".join(str(title).split()))
        if title and isinstance(level, int) and level >= 1:
            page = page if isinstance(page, int) and page >= 1 else None
            out.append(Bookmark(level=level, title=title, page=page))
    return out
