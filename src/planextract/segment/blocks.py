"""segment, step 2: blocks. What each part of a page is, before its items are attributed.

PDF tables drawn with ruling lines are found by ingest. A table printed without rules (white
space only, or background fills) reaches segment as loose lines, in an order that may read the
whole label column before the items (XY-cut). What gives it away is its labels:
- a header row: two or more column labels side by side on one baseline (自助 互助 共助 公助;
  市民 地域 行政), the lines below them aligned under one label each;
- a label column: two or more labels one under another at the same left edge, the lines to their
  right belonging to the label whose row they start in.
Such a region becomes a Table block, so that the table reader reads it like a ruled one.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Callable
from itertools import takewhile

from ..models import Block, Cell, Line, Page, Table

ROW_TOL = 3.0  # points: lines whose vertical centres are this close sit on one baseline


def item_mark_pattern(bullets: str) -> re.Pattern:
    """The marks that open an item in a cell: the bullets of rules/numbering.yaml but the dashes
    (which also join numbers: 1-1)."""
    marks = "".join(c for c in dict.fromkeys(bullets) if unicodedata.category(c) != "Pd")
    return re.compile(f"[{re.escape(marks)}]")


def _centre_y(ln: Line) -> float:
    return (ln.bbox[1] + ln.bbox[3]) / 2


def _baseline_rows(lines: list[Line]) -> list[list[Line]]:
    rows: list[list[Line]] = []
    for ln in sorted(lines, key=_centre_y):
        if rows and abs(_centre_y(rows[-1][0]) - _centre_y(ln)) <= ROW_TOL:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    return [sorted(row, key=lambda ln: ln.bbox[0]) for row in rows]


def _pieces(ln: Line) -> list[Line]:
    """A line as the pieces ingest joined with a space (labels of narrow columns standing closer
    than the gap that joins one line's pieces), each with the box its text fills: the first from
    the line's left end, the last to its right end, any between spread evenly."""
    parts = ln.text.split()
    if len(parts) <= 1:
        return [ln]
    size = ln.size or 10.0
    widths = [_text_width(t, size) for t in parts]
    x0, y0, x1, y1 = ln.bbox
    gap = max(0.0, (x1 - x0 - sum(widths)) / (len(parts) - 1))
    out, x = [], x0
    for t, w in zip(parts, widths):
        out.append(ln.model_copy(update={"text": t, "bbox": (x, y0, min(x + w, x1), y1)}))
        x += w + gap
    return out


def _header_rows(lines: list[Line], is_label: Callable[[str], bool]) -> list[tuple[list[Line], set[int]]]:
    """Runs of two or more column labels side by side on one baseline, left to right, each with
    the ids of the lines it is made of (other text on the baseline, the page's other column,
    is not part of it). Labels joined into one line are split again (_pieces); a label wrapped
    onto a second line (市民一人 / ひとり) is joined with the piece right under it that starts
    where it starts."""
    rows = _baseline_rows(lines)
    out = []
    for i, row in enumerate(rows):
        pieces = [(pc, ln) for ln in row for pc in _pieces(ln)]
        texts = [pc.text for pc, _ in pieces]
        extra: dict[int, list[int]] = {}  # piece index → ids of the lines that continue it
        reach = _centre_y(row[0]) + 1.7 * max(ln.size or 10.0 for ln in row)
        below = [(pc, ln) for nxt in takewhile(lambda r: _centre_y(r[0]) <= reach, rows[i + 1:])
                 for ln in nxt for pc in _pieces(ln)]
        if below:  # the next line down (another column's lines may stand between, at other heights)
            for k, (pc, _) in enumerate(pieces):
                if is_label(texts[k]):
                    continue
                nxt = [(q, ln) for q, ln in below if abs(q.bbox[0] - pc.bbox[0]) <= 2]
                if len(nxt) == 1 and len(_pieces(nxt[0][1])) == 1 and is_label(texts[k] + nxt[0][0].text):
                    texts[k] += nxt[0][0].text
                    extra[k] = [id(nxt[0][1])]
        per_line = Counter(id(ln) for _, ln in pieces)
        k = 0
        while k < len(pieces):
            j = k
            while j < len(pieces) and is_label(texts[j]):
                j += 1
            if j - k >= 2:
                run = range(k, j)
                in_run = Counter(id(pieces[r][1]) for r in run)
                owners = set(in_run)
                if all(in_run[o] == per_line[o] for o in owners):  # whole lines only
                    header = [pieces[r][0].model_copy(update={"text": texts[r]}) if texts[r] != pieces[r][0].text
                              else pieces[r][0] for r in run]
                    out.append((header, owners | {x for r in run for x in extra.get(r, ())}))
            k = max(j, k + 1)
    return out


def _box(lines: list[Line]) -> tuple[float, float, float, float]:
    return (min(x.bbox[0] for x in lines), min(x.bbox[1] for x in lines),
            max(x.bbox[2] for x in lines), max(x.bbox[3] for x in lines))


def _in_place_of(blocks: list[Block], members: set[int], table: Table) -> list[Block]:
    """The blocks with the table where its first line stood and its lines taken out."""
    first = next(i for i, b in enumerate(blocks) if b.line is not None and id(b.line) in members)
    kept = [b for b in blocks if b.line is None or id(b.line) not in members]
    kept.insert(min(first, len(kept)), Block(kind="table", table=table))
    return kept


def _column_edges(header: list[Line], right: float) -> list[tuple[float, float]]:
    """Each column runs from halfway after the previous label to halfway before the next one; the
    last one at most as far past its label's start as the widest step between labels (beyond
    it, text of the page's other column)."""
    centres = [(ln.bbox[0] + ln.bbox[2]) / 2 for ln in header]
    step = max(b.bbox[0] - a.bbox[0] for a, b in zip(header, header[1:]))
    edges = []
    for k, c in enumerate(centres):
        left = (centres[k - 1] + c) / 2 if k else header[0].bbox[0] - (centres[1] - centres[0]) / 2
        rgt = (c + centres[k + 1]) / 2 if k + 1 < len(centres) else min(right, header[-1].bbox[0] + step)
        edges.append((left, rgt))
    return edges


def _column_of(x: float, edges: list[tuple[float, float]]) -> int | None:
    for k, (a, b) in enumerate(edges):
        if a - 2 <= x < b:
            return k
    return None


def _pieces_in_columns(ln: Line, header: list[Line], edges: list[tuple[float, float]],
                       item_mark: re.Pattern) -> list[tuple[int, Line]] | None:
    """A line's place in the columns. Text is left-aligned in its column, so a line belongs to the
    column it starts in, unless it runs into the next column's label: then ingest joined pieces
    of several columns printed on one baseline, and the white space between them splits them
    again (one piece per column it spans). None when it does not fit the columns."""
    first = _column_of(ln.bbox[0], edges)
    if first is None:
        return None
    last = first
    while last + 1 < len(header) and ln.bbox[2] > header[last + 1].bbox[0] + 4:
        last += 1
    if last == first:
        return [(first, ln)]
    pieces = ln.text.split()
    if len(pieces) < last - first + 1:
        # cells' text with no white space between (a cell overran into the next): each next
        # cell's text starts at its item mark
        cuts = [0] + [m.start() for m in item_mark.finditer(ln.text) if m.start() > 0] + [len(ln.text)]
        if len(cuts) - 1 == last - first + 1:
            pieces = [ln.text[a:b].strip() for a, b in zip(cuts, cuts[1:])]
    if len(pieces) != last - first + 1:
        return None
    out = []
    for i, piece in enumerate(pieces):
        k = first + i
        a = ln.bbox[0] if i == 0 else header[k].bbox[0]
        b = header[k + 1].bbox[0] - 4 if k + 1 < len(header) else ln.bbox[2]
        out.append((k, ln.model_copy(update={"text": piece, "bbox": (a, ln.bbox[1], b, ln.bbox[3])})))
    return out


def _body_under(header: list[Line], edges: list[tuple[float, float]], below: list[Line], top: float,
                stops: Callable[[str], bool], item_mark: re.Pattern) -> tuple[list[tuple[int, Line]], list[Line], float]:
    """The lines of a borderless table's body, read down from `top` while each fits the header's
    columns and follows the one before closely (the first may stand a row's padding below the
    header; inside the body a blank of more than 1.5 lines, where no column has text, ends it:
    what follows is a note or a box of its own): (column, piece) pairs, the lines used, the bottom."""
    body: list[tuple[int, Line]] = []
    used: list[Line] = []
    last_y = top
    for ln in sorted(below, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
        if ln.bbox[0] >= edges[-1][1] or ln.bbox[2] <= edges[0][0]:
            continue  # the page's other column, beside the table
        placed = _pieces_in_columns(ln, header, edges, item_mark)
        size = ln.size or 10.0
        if placed is None or stops(ln.text) or ln.bbox[1] - last_y > (1.5 if body else 3.5) * size:
            break
        body += placed
        used.append(ln)
        last_y = max(last_y, ln.bbox[3])
    return body, used, last_y


def _body_cells(body: list[tuple[int, Line]], n_cols: int, row: int) -> list[Cell]:
    cells = []
    for k in range(n_cols):
        lines = sorted((ln for c, ln in body if c == k), key=lambda x: (x.bbox[1], x.bbox[0]))
        if lines:
            cells.append(Cell(row=row, col=k, bbox=_box(lines), lines=lines))
    return cells


class BorderlessTables:
    """Blocks step over a document's pages in order: each table printed without rules, found by
    its header row of labels, becomes a Table block in place of its lines. A header row alone at
    the foot of a page (its rows carried over the break) is a table of its own row, and the lines
    at the top of the next page that fit its columns are the rows: a one-row table of as many
    columns, which the table reader reads under that header. `stops(text)`: a heading or section
    marker, which ends a table; `bullets`: the item marks of rules/numbering.yaml."""

    def __init__(self, is_label: Callable[[str], bool], stops: Callable[[str], bool], bullets: str):
        self.is_label, self.stops = is_label, stops
        self.item_mark = item_mark_pattern(bullets)
        self.carried: tuple[list[Line], list[tuple[float, float]], int] | None = None  # header alone

    def __call__(self, page: Page) -> Page:
        carried, self.carried = self.carried, None
        line_blocks = [b for b in page.blocks if b.line is not None and b.line.bbox is not None]
        blocks = list(page.blocks)
        if carried is not None and carried[2] + 1 == page.number and line_blocks:
            blocks, line_blocks = self._rows_carried(page, blocks, line_blocks, *carried[:2])
        if len(line_blocks) < 3:
            return page.model_copy(update={"blocks": blocks})
        headers = _header_rows([b.line for b in line_blocks], self.is_label)
        right = page.width or max(b.line.bbox[2] for b in line_blocks)
        for header, sources in headers:
            if not sources <= {id(b.line) for b in line_blocks}:
                continue  # its lines went into a table found before
            edges = _column_edges(header, right)
            top = max(b.line.bbox[3] for b in line_blocks if id(b.line) in sources)
            below = [b.line for b in line_blocks if b.line.bbox[1] >= top - 1 and id(b.line) not in sources]
            body, used, last_y = _body_under(header, edges, below, top, self.stops, self.item_mark)
            if not body and any(ln.bbox[2] > edges[0][0] and ln.bbox[0] < edges[-1][1] for ln in below):
                continue  # not a table's header, or its rows are not where they can be read
            cells = [Cell(row=0, col=k, bbox=ln.bbox, lines=[ln]) for k, ln in enumerate(header)]
            cells += _body_cells(body, len(header), 1)
            if not body:  # nothing under it on this page: its rows follow the break
                self.carried = (header, edges, page.number)
            members = sources | {id(ln) for ln in used}
            bbox = (edges[0][0], min(ln.bbox[1] for ln in header), edges[-1][1], last_y)
            table = Table(page=page.number, bbox=bbox, n_rows=2 if body else 1, n_cols=len(header), cells=cells)
            blocks = _in_place_of(blocks, members, table)
            line_blocks = [b for b in line_blocks if id(b.line) not in members]
        return page.model_copy(update={"blocks": blocks})

    def _rows_carried(self, page: Page, blocks: list[Block], line_blocks: list[Block], header: list[Line],
                      edges: list[tuple[float, float]]) -> tuple[list[Block], list[Block]]:
        """The rows of a header left alone at the foot of the page before: the lines from the top
        of this page that fit its columns, as a one-row table before everything else."""
        lines = [b.line for b in line_blocks]
        top = min(ln.bbox[1] for ln in lines)
        if any(min(ln.bbox[1] for ln in h) <= top + ROW_TOL for h, _ in _header_rows(lines, self.is_label)):
            return blocks, line_blocks  # the header is printed again over its rows
        body, used, last_y = _body_under(header, edges, lines, top, self.stops, self.item_mark)
        if not body:
            return blocks, line_blocks
        members = {id(ln) for ln in used}
        table = Table(page=page.number, bbox=(edges[0][0], top, edges[-1][1], last_y), n_rows=1,
                      n_cols=len(header), cells=_body_cells(body, len(header), 0))
        blocks = _in_place_of(blocks, members, table)
        return blocks, [b for b in line_blocks if id(b.line) not in members]



def _label_columns(lines: list[Line], is_label: Callable[[str], bool]) -> list[list[Line]]:
    """Runs of two or more labels one under another at one left edge, with no other line starting
    in their column between them (a heading between two role tables ends the first)."""
    runs: list[list[Line]] = []
    by_x: dict[int, list[Line]] = {}
    for ln in lines:
        if is_label(ln.text):
            by_x.setdefault(round(ln.bbox[0] / 4), []).append(ln)
    by_top = sorted(lines, key=lambda x: x.bbox[1])
    tops = [x.bbox[1] for x in by_top]
    for group in by_x.values():
        group.sort(key=lambda x: x.bbox[1])
        members = {id(x) for x in group}
        left, right = min(ln.bbox[0] for ln in group), max(ln.bbox[2] for ln in group)
        run: list[Line] = []
        for ln in group:
            if run:
                # a line in the label column (not one of the page column to its left)
                window = by_top[bisect.bisect_left(tops, run[-1].bbox[3]):bisect.bisect_left(tops, ln.bbox[1])]
                between = [x for x in window if x.bbox[0] < right and x.bbox[2] > left and id(x) not in members]
                if between:
                    if len(run) >= 2:
                        runs.append(run)
                    run = []
            run.append(ln)
        if len(run) >= 2:
            runs.append(run)
    return runs


def _text_width(text: str, size: float) -> float:
    """Printed width of a text in a Japanese font: a full-width or ambiguous character (●, ○, ①)
    is one em, any other half of one."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text) * size


def split_joined_labels(blocks: list[Block], is_label: Callable[[str], bool]) -> dict[int, tuple[Block, Block, Block]]:
    """Lines that ingest joined across a label column and the column beside it ("自治会 ●見守りに…":
    a row's label and the first line of its items on one baseline, a word space apart), split
    again where the white space is: the label and the rest, each with the box its text fills
    (measured from the line's two ends). Only where the line starts at the left edge of other
    labels (bare or joined alike), so that a column of labels is what is split.
    Returns {id(label block): (label block, rest block, the joined block)}; `blocks` is changed."""
    joined: list[tuple[int, str, str]] = []
    edges: list[float] = []
    for i, b in enumerate(blocks):
        ln = b.line
        if ln is None or ln.bbox is None:
            continue
        if is_label(ln.text):
            edges.append(ln.bbox[0])
            continue
        head, _, rest = ln.text.strip().partition(" ")
        if rest.strip() and is_label(head):
            joined.append((i, head, rest.strip()))
            edges.append(ln.bbox[0])
    out: dict[int, tuple[Block, Block, Block]] = {}
    edges.sort()
    for i, head, rest in reversed(joined):
        ln = blocks[i].line
        if bisect.bisect_right(edges, ln.bbox[0] + 4) - bisect.bisect_left(edges, ln.bbox[0] - 4) < 2:
            continue
        size = ln.size or 10.0
        x0, y0, x1, y1 = ln.bbox
        label = Block(kind="line", line=ln.model_copy(update={
            "text": head, "bbox": (x0, y0, min(x1, x0 + _text_width(head, size)), y1)}))
        items = Block(kind="line", line=ln.model_copy(update={
            "text": rest, "bbox": (max(x0, x1 - _text_width(rest, size)), y0, x1, y1)}))
        out[id(label.line)] = (label, items, blocks[i])
        blocks[i:i + 1] = [label, items]
    return out


def _unsplit(blocks: list[Block], split: dict[int, tuple[Block, Block, Block]]) -> list[Block]:
    """The joined lines back where no table took either piece."""
    left = {id(b) for b in blocks}
    restore = {id(p[1]): p for p in split.values() if id(p[0]) in left and id(p[1]) in left}
    out = []
    for b in blocks:
        pieces = split.get(id(b.line)) if b.line is not None else None
        if pieces is not None and id(pieces[1]) in restore:
            out.append(pieces[2])
        elif id(b) not in restore:
            out.append(b)
    return out


def _row_label(labels: list[Line], line: Line) -> Line:
    """The label whose row `line` is in: each label's row runs from its top (less a row's padding)
    to the next label's top; a line above the first belongs to the first."""
    return next((lab for lab in reversed(labels) if lab.bbox[1] - ROW_TOL <= line.bbox[1]), labels[0])


def label_column_tables(page: Page, is_label: Callable[[str], bool], stops: Callable[[str], bool]) -> Page:
    """The page with each borderless table of labels down its first column (actor rows) turned
    into a two-column Table block: each label's row runs from its top to the next label's top."""
    blocks = list(page.blocks)
    split = split_joined_labels(blocks, is_label)
    line_blocks = [b for b in blocks if b.line is not None and b.line.bbox is not None]
    if len(line_blocks) < 3:
        return page
    for labels in _label_columns([b.line for b in line_blocks], is_label):
        left = labels[0].bbox[0]
        top = labels[0].bbox[1] - 3
        # the table ends at the first line below its last label that starts in the label column
        # (a heading, the next section) or that is a heading or section marker
        # (each row against its own label: icons of different widths, each followed by its items)
        ends = [ln.bbox[1] for ln in (b.line for b in line_blocks)
                if ln.bbox[1] > labels[-1].bbox[3] and ln.bbox[2] > left
                and (ln.bbox[0] < labels[-1].bbox[2] or stops(ln.text))]
        bottom = min(ends, default=float("inf"))
        row_of = {id(b.line): _row_label(labels, b.line) for b in line_blocks
                  if top <= b.line.bbox[1] < bottom and not stops(b.line.text)}
        right = [b.line for b in line_blocks if id(b.line) in row_of and b.line.bbox[0] >= row_of[id(b.line)].bbox[2] + 4]
        # the items' column starts where the first item of a row starts, on its label's baseline;
        # lines starting further right belong to something else (the other column of the page)
        # (the first piece right of the label, per row: labels of different widths, icons each
        # followed by its item, start their rows at different places)
        firsts = {id(lab): min((x.bbox[0] for x in right if abs(_centre_y(x) - _centre_y(lab)) <= ROW_TOL),
                               default=None) for lab in labels}
        known = [x for x in firsts.values() if x is not None]
        if known:
            def starts_row_column(x: Line) -> bool:
                first = firsts[id(row_of[id(x)])]
                first = min(known) if first is None else first
                return first - 2 <= x.bbox[0] <= first + 30
            right = [x for x in right if starts_row_column(x)]
        if not right:
            continue
        cells = []
        for r, lab in enumerate(labels):
            items = sorted((ln for ln in right if row_of[id(ln)] is lab), key=lambda x: (x.bbox[1], x.bbox[0]))
            cells.append(Cell(row=r, col=0, bbox=lab.bbox, lines=[lab]))
            if items:
                cells.append(Cell(row=r, col=1, lines=items, bbox=_box(items)))
        members = {id(ln) for ln in labels} | {id(ln) for c in cells for ln in c.lines}
        last = max(ln.bbox[3] for c in cells for ln in c.lines)
        table = Table(page=page.number, bbox=(left, labels[0].bbox[1], max(ln.bbox[2] for ln in right), last),
                      n_rows=len(labels), n_cols=2, cells=cells)
        blocks = _in_place_of(blocks, members, table)
        line_blocks = [b for b in line_blocks if id(b.line) not in members]
    return page.model_copy(update={"blocks": _unsplit(blocks, split) if split else blocks})
