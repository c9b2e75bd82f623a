"""Page geometry as small pure steps: drawings → ruling segments → lattice tables; lines → reading order.

Written in the style of a table finder that keeps every intermediate inspectable:
`drawings_to_segments`, `merge_segments`, `segments_to_grids`, `grid_to_cells`, `xy_cut`.
Coordinates: PDF points, origin top-left.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

THIN = 2.5  # a filled rectangle this thin is a ruling, not a background
SNAP = 2.0  # positions closer than this are the same line
JOIN = 3.0  # collinear pieces closer than this are one segment (dashed borders)


@dataclass(frozen=True)
class Seg:
    """A horizontal (pos = y, span = x0..x1) or vertical (pos = x, span = y0..y1) ruling."""

    horizontal: bool
    pos: float
    a: float
    b: float


@dataclass
class RawLine:
    text: str
    bbox: tuple[float, float, float, float]
    size: float
    vertical: bool = False
    # Typography (see models.Line): merge_same_row does not carry these; pdf.py puts them back.
    bold: bool = False
    color: int | None = None

    @property
    def cx(self) -> float:
        return (self.bbox[0] + self.bbox[2]) / 2

    @property
    def cy(self) -> float:
        return (self.bbox[1] + self.bbox[3]) / 2


@dataclass
class GridCell:
    row: int
    col: int
    row_span: int
    col_span: int
    bbox: tuple[float, float, float, float]
    lines: list[RawLine] = field(default_factory=list)


@dataclass
class Grid:
    bbox: tuple[float, float, float, float]
    xs: list[float]
    ys: list[float]
    cells: list[GridCell]
    carried: bool = False  # rows of a table met before, its columns taken from it (after a break)
    colour: tuple = ()  # of the fills of its first column (a table's rows after a break share it)

    @property
    def n_rows(self) -> int:
        return len(self.ys) - 1

    @property
    def n_cols(self) -> int:
        return len(self.xs) - 1


# ----------------------------------------------------------------------------- rulings


def drawings_to_segments(drawings: list[dict]) -> list[Seg]:
    """Ruling segments from PyMuPDF drawings: thin filled rects, stroked rects, straight lines.
    Takes get_cdrawings (plain tuples, about half the cost) or get_drawings (Rect and Point)."""
    segs: list[Seg] = []
    for d in drawings:
        stroked = "s" in (d.get("type") or "")
        for item in d.get("items", ()):
            op = item[0]
            if op == "re":
                x0, y0, x1, y1 = item[1]
                w, h = x1 - x0, y1 - y0
                if h <= THIN and w > THIN:
                    segs.append(Seg(True, (y0 + y1) / 2, x0, x1))
                elif w <= THIN and h > THIN:
                    segs.append(Seg(False, (x0 + x1) / 2, y0, y1))
                elif stroked and w > THIN and h > THIN:
                    segs += [Seg(True, y0, x0, x1), Seg(True, y1, x0, x1),
                             Seg(False, x0, y0, y1), Seg(False, x1, y0, y1)]
            elif op == "l":
                (px, py), (qx, qy) = item[1], item[2]
                if abs(py - qy) < 1.0 and abs(px - qx) > 1.0:
                    segs.append(Seg(True, (py + qy) / 2, min(px, qx), max(px, qx)))
                elif abs(px - qx) < 1.0 and abs(py - qy) > 1.0:
                    segs.append(Seg(False, (px + qx) / 2, min(py, qy), max(py, qy)))
    return segs


def merge_segments(segs: list[Seg]) -> list[Seg]:
    """Join collinear, touching pieces (borders drawn cell by cell, dashed lines)."""
    out: list[Seg] = []
    for horizontal in (True, False):
        group = sorted((s for s in segs if s.horizontal == horizontal), key=lambda s: (s.pos, s.a))
        rows: list[list[Seg]] = []
        for s in group:
            if rows and abs(rows[-1][0].pos - s.pos) <= SNAP:
                rows[-1].append(s)
            else:
                rows.append([s])
        for row in rows:
            pos = sum(s.pos for s in row) / len(row)
            row.sort(key=lambda s: s.a)
            a, b = row[0].a, row[0].b
            for s in row[1:]:
                if s.a <= b + JOIN:
                    b = max(b, s.b)
                else:
                    out.append(Seg(horizontal, pos, a, b))
                    a, b = s.a, s.b
            out.append(Seg(horizontal, pos, a, b))
    return out


def connected_groups(n: int, pairs: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Items 0..n-1 joined by `pairs` (union-find): each connected group's indexes, in order, the
    groups in the order of their first item."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in pairs:
        a, b = find(i), find(j)
        if a != b:
            parent[a] = b
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _touches(h: Seg, v: Seg) -> bool:
    return (h.a - SNAP <= v.pos <= h.b + SNAP) and (v.a - SNAP <= h.pos <= v.b + SNAP)


def segments_to_grids(segs: list[Seg]) -> list[list[Seg]]:
    """Connected groups of rulings with at least two horizontal and two vertical lines."""
    hs = [s for s in segs if s.horizontal and s.b - s.a > 4]
    vs = [s for s in segs if not s.horizontal and s.b - s.a > 4]
    both = hs + vs
    touching = ((i, len(hs) + j) for i, h in enumerate(hs) for j, v in enumerate(vs) if _touches(h, v))
    out = []
    for g in ([both[i] for i in group] for group in connected_groups(len(both), touching)):
        if sum(s.horizontal for s in g) >= 2 and sum(not s.horizontal for s in g) >= 2:
            out.append(g)
    return out


def _cluster(values: list[float]) -> list[float]:
    out: list[float] = []
    for v in sorted(values):
        if out and v - out[-1] <= SNAP:
            continue
        out.append(v)
    return out


def _covered(segs: list[Seg], pos: float, a: float, b: float) -> bool:
    """Is the edge at `pos` from a to b drawn (at least 70% of it)?"""
    need = (b - a) * 0.7
    got = 0.0
    for s in segs:
        if abs(s.pos - pos) <= SNAP:
            got += max(0.0, min(s.b, b) - max(s.a, a))
    return got >= need


def grid_to_cells(group: list[Seg]) -> Grid | None:
    """Elementary cells between ruling positions, merged where a border is missing (spans)."""
    xs = _cluster([s.pos for s in group if not s.horizontal])
    ys = _cluster([s.pos for s in group if s.horizontal])
    if len(xs) < 2 or len(ys) < 2:
        return None
    hs = [s for s in group if s.horizontal]
    vs = [s for s in group if not s.horizontal]
    nx, ny = len(xs) - 1, len(ys) - 1

    def open_sides() -> Iterator[tuple[int, int]]:  # neighbours with no border drawn between them
        for i in range(nx):
            for j in range(ny):
                if i + 1 < nx and not _covered(vs, xs[i + 1], ys[j], ys[j + 1]):
                    yield i * ny + j, (i + 1) * ny + j
                if j + 1 < ny and not _covered(hs, ys[j + 1], xs[i], xs[i + 1]):
                    yield i * ny + j, i * ny + j + 1

    cells = []
    for group in connected_groups(nx * ny, open_sides()):
        members = [divmod(k, ny) for k in group]
        i0 = min(i for i, _ in members)
        i1 = max(i for i, _ in members)
        j0 = min(j for _, j in members)
        j1 = max(j for _, j in members)
        if len(members) != (i1 - i0 + 1) * (j1 - j0 + 1):
            # a region that is no rectangle (an L round a title tab in a box's corner): the rules
            # draw a box with a heading, not a table's cells
            return None
        # A region with no border at all around it is the outside of the drawing, not a cell.
        cells.append(GridCell(row=j0, col=i0, row_span=j1 - j0 + 1, col_span=i1 - i0 + 1,
                              bbox=(xs[i0], ys[j0], xs[i1 + 1], ys[j1 + 1])))
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid(bbox=(xs[0], ys[0], xs[-1], ys[-1]), xs=xs, ys=ys, cells=cells)


# ----------------------------------------------------------------------------- background fills

FILL_GAP = 4.0  # fills drawn edge to edge, or a thin white rule apart, are cells of one table
# A page with more fills than this is a drawing or a pattern (a map, a hatch), not shaded cells:
# no table of fills is looked for there (pairing them would take time for nothing).
MAX_FILLS = 1000


class Fill(NamedTuple):
    """A filled rectangle and its colour (RGB, rounded)."""

    x0: float
    y0: float
    x1: float
    y1: float
    colour: tuple = ()


def _colour(r: tuple) -> tuple:
    return r[4] if len(r) > 4 else ()


def drawings_to_fills(drawings: list[dict], width: float, height: float) -> list[Fill]:
    """Rectangles of fill-only drawings that may be the backgrounds of table cells: not white, not
    a ruling (thin), not a page-sized background. A stroked rectangle is a ruling already
    (drawings_to_segments). A rectangle drawn as a closed path of lines counts too."""
    out = []
    for d in drawings:
        fill = d.get("fill")
        if not fill or (d.get("type") or "") != "f" or d.get("fill_opacity", 1.0) == 0 or min(fill) >= 0.95:
            continue
        items = d.get("items", ())
        if items and all(item[0] == "l" for item in items) and len(items) <= 5 and d.get("rect") is not None:
            rects = [tuple(d["rect"])]
        else:
            rects = [tuple(item[1]) for item in items if item[0] == "re"]
        for x0, y0, x1, y1 in rects:
            x0, x1 = min(x0, x1), max(x0, x1)
            y0, y1 = min(y0, y1), max(y0, y1)
            w, h = x1 - x0, y1 - y0
            if w > THIN and h > THIN and w * h <= 0.5 * width * height:
                out.append(Fill(x0, y0, x1, y1, tuple(round(c, 2) for c in fill)))
    return out


def _abut(a: tuple, b: tuple, axis: int, gap: float) -> bool:
    """`b` starts where `a` ends along `axis` (0: side by side, 1: one above the other), at most
    `gap` apart, and the two share at least half of the shorter edge across."""
    if abs(b[axis] - a[axis + 2]) > gap:
        return False
    lo, hi = 1 - axis, 3 - axis  # the other axis
    return min(a[hi], b[hi]) - max(a[lo], b[lo]) >= 0.5 * min(a[hi] - a[lo], b[hi] - b[lo])


def _abutting_pairs(rects: list[tuple]) -> Iterable[tuple[int, int]]:
    """Pairs of fills side by side (or one above the other) edge to edge or a white rule apart,
    sharing at least half of the shorter edge. Found through buckets of edge positions, so that a
    page of many fills (a map, a pattern) is not compared pair by pair."""
    for axis in (0, 1):  # 0: side by side (right edge to left edge), 1: one above the other
        starts: dict[int, list[int]] = {}
        for j, r in enumerate(rects):
            starts.setdefault(math.floor(r[axis] / FILL_GAP), []).append(j)
        for i, a in enumerate(rects):
            key = math.floor(a[axis + 2] / FILL_GAP)
            for j in (j for k in (key - 1, key, key + 1) for j in starts.get(k, ())):
                if j != i and _abut(a, rects[j], axis, FILL_GAP):
                    yield i, j


def _fill_edges(values: list[float]) -> list[float]:
    """Edge positions of fills, those within FILL_GAP of each other one edge (a white rule
    between two cells is the border between them: its middle)."""
    groups: list[list[float]] = []
    for v in sorted(values):
        if groups and v - groups[-1][-1] <= FILL_GAP:
            groups[-1].append(v)
        else:
            groups.append([v])
    return [(g[0] + g[-1]) / 2 for g in groups]


def _nearest(edges: list[float], v: float) -> int:
    return min(range(len(edges)), key=lambda k: abs(edges[k] - v))


def fills_to_grids(rects: list[tuple[float, float, float, float]],
                   known_columns: Iterable[tuple[list[float], tuple]] = (), lines: list[RawLine] = ()) -> list[Grid]:
    """Tables drawn with background fills only (a grey header row, a grey first column, no
    rules): each group of abutting fills with two columns or more is a grid. The fills' edges are
    the borders: the header row's cells give the columns, the label column's cells the rows.
    Each fill is a cell (spanning the elementary cells it covers); the places no fill covers
    (the body, printed on white) are cells of their own.
    A column of fills alone is the first column of a table whose header row a page or column
    break left behind, when it has the left and right edges of the first column of a table met
    before, in its colour (`known_columns`: the column edges and first column's colour of those
    tables): it takes that table's columns.
    With the page's `lines`: a header row shaded as one band takes its columns from the white
    channels between its labels (band_columns), and a header row whose body is not shaded
    reaches down over the lines under it that keep to its columns (body_rows)."""
    if len(rects) > MAX_FILLS:
        return []
    known = [(xs, colour) for xs, colour in known_columns if len(xs) >= 3]
    groups = [[rects[i] for i in g] for g in connected_groups(len(rects), _abutting_pairs(rects))]
    out = []
    # tables with columns of their own first: a column of fills alone may continue one of them
    # (the next column of the page)
    columns = [(_fill_edges([v for r in g for v in (r[0], r[2])]), g) for g in groups]
    for xs, group in sorted(columns, key=lambda c: len(c[0]) < 3):
        ys = _fill_edges([v for r in group for v in (r[1], r[3])])
        # the colour of the first column's fills (the lowest: a header row may be darker)
        colour = _colour(max((r for r in group if r[0] - xs[0] <= FILL_GAP), key=lambda r: r[1]))
        if len(xs) >= 3 and len(group) >= 2:
            known.append((xs, colour))
        carried, body = False, None
        if len(xs) == 2:  # a single column of fills: a table's only when it continues one
            found = _continued_columns(xs, colour, known)
            carried, xs = found is not None, found or xs
        if len(group) == 1 and len(xs) == 2 and lines:
            xs = band_columns(group[0], lines) or xs
            body = body_rows(xs, ys[-1], lines) if len(xs) > 2 else None
            if len(xs) > 2 and body is None:
                continue  # labels side by side in a band (a heading's number and title), no table under
            group = []  # the band is the background of the header row's cells, not a cell
        elif len(group) < 2 and len(xs) == 2:
            continue
        if len(xs) < 3 or len(ys) < 2:
            continue  # no columns to read
        if len(ys) == 2 and lines:  # a header row alone: its body, printed on white, under it
            ys = ys + ((body or body_rows(xs, ys[-1], lines)) or [])  # a band's body is read above
        grid = _grid_of(xs, ys, group)
        grid.carried, grid.colour = carried, colour
        out.append(grid)
    return out


def _continued_columns(first: list[float], colour: tuple, known: list[tuple[list[float], tuple]]) -> list[float] | None:
    """The columns of a table met before whose first column this column of fills continues, in
    the same colour: at the same place (the next page), else as wide (the next column of a page
    in two columns: the table's columns moved with it)."""
    known = [k for k, c in known if c == colour]
    for k in known:
        if abs(k[0] - first[0]) <= 1.0 and abs(k[1] - first[1]) <= 1.0:
            return k
    for k in reversed(known):  # the latest table first
        if abs((k[1] - k[0]) - (first[1] - first[0])) <= 1.0:
            return [x + first[0] - k[0] for x in k]
    return None


def _grid_of(xs: list[float], ys: list[float], fills: list[tuple]) -> Grid:
    taken: dict[tuple[int, int], GridCell] = {}
    cells = []
    for r in sorted(fills, key=lambda r: (r[1], r[0])):
        i0, i1 = _nearest(xs, r[0]), _nearest(xs, r[2])
        j0, j1 = _nearest(ys, r[1]), _nearest(ys, r[3])
        spots = [(i, j) for i in range(i0, i1) for j in range(j0, j1)]
        if not spots or any(s in taken for s in spots):
            continue  # a fill inside another one (a badge in a cell): not a cell of its own
        cell = GridCell(row=j0, col=i0, row_span=j1 - j0, col_span=i1 - i0, bbox=(xs[i0], ys[j0], xs[i1], ys[j1]))
        cells.append(cell)
        taken.update((s, cell) for s in spots)
    for i in range(len(xs) - 1):
        for j in range(len(ys) - 1):
            if (i, j) not in taken:
                cells.append(GridCell(row=j, col=i, row_span=1, col_span=1, bbox=(xs[i], ys[j], xs[i + 1], ys[j + 1])))
    cells.sort(key=lambda c: (c.row, c.col))
    return Grid(bbox=(xs[0], ys[0], xs[-1], ys[-1]), xs=xs, ys=ys, cells=cells)


BAND_LINES = 4  # a header band is at most this many lines tall (a taller fill is a panel)


def band_columns(band: tuple, lines: list[RawLine]) -> list[float] | None:
    """Column borders of a header row shaded as one band: two or more labels side by side in it,
    white channels between them (no line of the band crosses from one label's start to the
    next). Text is set a little inside its cell, so a border lies just left of each label."""
    x0, y0, x1, y1 = band[:4]
    inside = [ln for ln in lines if not ln.vertical and x0 <= ln.cx <= x1 and y0 <= ln.cy <= y1]
    if not inside or y1 - y0 > BAND_LINES * max(ln.size for ln in inside) + 8:
        return None
    starts: list[float] = []
    for e in sorted(ln.bbox[0] for ln in inside):
        if not starts or e - starts[-1] > SNAP:
            starts.append(e)
    if len(starts) < 2:
        return None
    xs = [x0]
    for k, e in enumerate(starts[1:], 1):
        before = max(ln.bbox[2] for ln in inside if ln.bbox[0] < e - SNAP)
        if before > e - SNAP:
            return None  # a line runs across: one text, not labels side by side
        xs.append(e - min(4.0, (e - before) / 2))
    return xs + [x1]


def body_rows(xs: list[float], top: float, lines: list[RawLine]) -> list[float] | None:
    """Row borders under a header row (columns `xs`, its bottom at `top`) whose body is printed
    on white: the lines under it that keep inside one column each, read down while they follow
    closely (the first line within a row's padding of the header; then a blank of more than
    1.5 lines where no column has text ends the table). A blank where a new line starts in the
    first column is a border between rows. None when the lines under it do not fill two columns."""
    x0, x1 = xs[0], xs[-1]
    under = sorted((ln for ln in lines if not ln.vertical and ln.bbox[1] >= top - 1
                    and ln.bbox[0] < x1 - 1 and ln.bbox[2] > x0 + 1), key=lambda ln: (ln.bbox[1], ln.bbox[0]))
    borders: list[float] = []
    cols: set[int] = set()
    last = top
    for ln in under:
        em = ln.size if ln.size > 0 else 10.0
        k = max(0, min(len(xs) - 2, sum(1 for x in xs[1:-1] if ln.bbox[0] >= x - 1)))
        if ln.bbox[1] - last > (1.5 if cols else 3.5) * em or ln.bbox[0] < x0 - 2 or ln.bbox[2] > xs[k + 1] + 2:
            break  # past the table, or a line across its borders (a paragraph under it)
        if cols and k == 0 and ln.bbox[1] - last >= 0.6 * em:
            borders.append((last + ln.bbox[1]) / 2)
        cols.add(k)
        last = max(last, ln.bbox[3])
    if len(cols) < 2:
        return None
    return borders + [last + 2]


def assign_lines_to_cells(grid: Grid, lines: list[RawLine]) -> list[RawLine]:
    """Put each line whose centre falls in a cell into it; return the lines left outside."""
    outside = []
    for ln in lines:
        x0, y0, x1, y1 = grid.bbox
        if not (x0 - 1 <= ln.cx <= x1 + 1 and y0 - 1 <= ln.cy <= y1 + 1):
            outside.append(ln)
            continue
        for c in grid.cells:
            cx0, cy0, cx1, cy1 = c.bbox
            if cx0 - 1 <= ln.cx <= cx1 + 1 and cy0 - 1 <= ln.cy <= cy1 + 1:
                c.lines.append(ln)
                break
        else:
            outside.append(ln)
    return outside


def split_label_rows(grid: Grid) -> None:
    """A row drawn as one band (a shaded header with no rules between its labels) is one cell over
    several columns; when each piece of text in it sits inside one column of the grid and every
    column holds one, the labels name those columns: the cell becomes one per column. (A title
    with a note beside it, 見守り事業 …（単位：人）, is not labels: a note is no column's name.)"""
    cells = []
    for c in grid.cells:
        cells.extend(_split_by_column(grid, c) if c.col_span > 1 and c.row_span == 1 and c.lines else [c])
    grid.cells = sorted(cells, key=lambda c: (c.row, c.col))


def _split_by_column(grid: Grid, c: GridCell) -> list[GridCell]:
    cols = range(c.col, c.col + c.col_span)
    per_col: dict[int, list[RawLine]] = {k: [] for k in cols}
    for ln in c.lines:
        home = [k for k in cols if grid.xs[k] - 1 <= ln.bbox[0] and ln.bbox[2] <= grid.xs[k + 1] + 1]
        if not home:
            return [c]  # a piece across a column's edge: text of the whole row (a title, a note)
        per_col[home[0]].append(ln)
    if not all(per_col.values()) or any(ln.text.lstrip().startswith(("(", "（", "※", "*", "＊")) for ln in c.lines):
        return [c]
    return [GridCell(row=c.row, col=k, row_span=1, col_span=1,
                     bbox=(grid.xs[k], c.bbox[1], grid.xs[k + 1], c.bbox[3]), lines=per_col[k]) for k in cols]


# ----------------------------------------------------------------------------- lines


def _y_overlap(a: RawLine, b: RawLine) -> float:
    lo = max(a.bbox[1], b.bbox[1])
    hi = min(a.bbox[3], b.bbox[3])
    h = min(a.bbox[3] - a.bbox[1], b.bbox[3] - b.bbox[1]) or 1.0
    return max(0.0, hi - lo) / h


def _joins_row(cur: RawLine, ln: RawLine, max_gap_em: float) -> bool:
    """`ln` continues the visual line `cur`: same height band, same size, a small gap after it."""
    gap = ln.bbox[0] - cur.bbox[2]
    em = max(cur.size, ln.size)
    return (not cur.vertical and not ln.vertical and _y_overlap(cur, ln) >= 0.6
            and -1.0 <= gap <= max_gap_em * em and abs(cur.size - ln.size) <= 0.35 * em)


class _RowIndex:
    """Rows in a grid keyed by (right edge, height band): the rows a line may join are found in a
    few cells instead of by comparing with every row (a page of thousands of short lines that join
    nothing would otherwise take quadratic time). Rows or lines too large or too odd for the grid
    are checked one by one, which gives the same answer."""

    MAX_CELLS = 64

    def __init__(self, cell: float):
        self.cell = cell
        self.grid: dict[tuple[int, int], set[int]] = {}
        self.keys: dict[int, list[tuple[int, int]]] = {}
        self.loose: set[int] = set()  # rows kept outside the grid, always checked

    def _band(self, lo: float, hi: float) -> range | None:
        if not (math.isfinite(lo) and math.isfinite(hi)) or hi - lo > self.MAX_CELLS * self.cell:
            return None
        return range(math.floor(lo / self.cell), math.floor(hi / self.cell) + 1)

    def put(self, k: int, row: RawLine) -> None:
        for key in self.keys.pop(k, []):
            self.grid[key].discard(k)
        self.loose.discard(k)
        x0, y0, x1, y1 = row.bbox
        if not y1 > y0:  # no height: it can never overlap another line by 0.6 of a height
            return
        ys, xs = self._band(y0, y1), self._band(x1, x1)
        if ys is None or xs is None:
            self.loose.add(k)
            return
        keys = [(xs[0], y) for y in ys]
        for key in keys:
            self.grid.setdefault(key, set()).add(k)
        self.keys[k] = keys

    def candidates(self, ln: RawLine, max_gap_em: float, n_rows: int) -> Iterable[int]:
        """Rows that may join `ln`, in row order (a superset of those that do)."""
        x0, y0, _, y1 = ln.bbox
        if not y1 > y0:
            return []
        # a row it joins ends within [x0 - gap, x0 + 1]; its size is at most size / 0.65
        reach = max_gap_em * ln.size / 0.65 + 1e-6 if ln.size >= 0 else math.inf
        ys, xs = self._band(y0, y1), self._band(x0 - reach, x0 + 1.0)
        if ys is None or xs is None or len(ys) * len(xs) > max(self.MAX_CELLS, n_rows):
            return range(n_rows)
        found = set(self.loose)
        for x in xs:
            for y in ys:
                found |= self.grid.get((x, y), set())
        return sorted(found)


def merge_same_row(lines: list[RawLine], max_gap_em: float = 1.6) -> list[RawLine]:
    """Join pieces of one visual line (a label box and its title, a spaced-out word): each line
    joins the first row it continues (see _joins_row), rows found through a grid index."""
    sizes = sorted(ln.size for ln in lines if math.isfinite(ln.size) and ln.size > 0)
    index = _RowIndex(cell=max(1.0, sizes[len(sizes) // 2]) if sizes else 8.0)
    rows: list[RawLine] = []
    for ln in sorted(lines, key=lambda ln: (ln.bbox[0], ln.bbox[1])):
        k = next((k for k in index.candidates(ln, max_gap_em, len(rows)) if _joins_row(rows[k], ln, max_gap_em)),
                 None)
        if k is not None:
            cur = rows[k]
            gap = ln.bbox[0] - cur.bbox[2]
            sep = " " if gap > 0.25 * max(cur.size, ln.size) else ""
            rows[k] = RawLine(cur.text + sep + ln.text,
                              (cur.bbox[0], min(cur.bbox[1], ln.bbox[1]),
                               ln.bbox[2], max(cur.bbox[3], ln.bbox[3])),
                              max(cur.size, ln.size))
        else:
            k = len(rows)
            rows.append(RawLine(ln.text, ln.bbox, ln.size, ln.vertical))
        index.put(k, rows[k])
    return rows


def cell_rows(lines: list[RawLine]) -> list[RawLine]:
    """Lines of one cell as visual rows, top to bottom (distributed text joined)."""
    rows: list[list[RawLine]] = []
    for ln in sorted(lines, key=lambda ln: (ln.bbox[1], ln.bbox[0])):
        if rows and _y_overlap(rows[-1][0], ln) >= 0.5:
            rows[-1].append(ln)
        else:
            rows.append([ln])
    out = []
    for row in rows:
        row.sort(key=lambda ln: ln.bbox[0])
        text = " ".join(ln.text for ln in row)
        bbox = (min(ln.bbox[0] for ln in row), min(ln.bbox[1] for ln in row),
                max(ln.bbox[2] for ln in row), max(ln.bbox[3] for ln in row))
        styled = RawLine(text, bbox, max(ln.size for ln in row))
        styled.bold, styled.color = row_style(row)
        out.append(styled)
    return out


def row_style(pieces: list[RawLine]) -> tuple[bool, int | None]:
    """Bold and colour of a row made of pieces: those of most of its characters."""
    if len(pieces) == 1:
        return pieces[0].bold, pieces[0].color
    weight = [max(1, len("".join(p.text.split()))) for p in pieces]
    bold = sum(w for p, w in zip(pieces, weight) if p.bold) * 2 > sum(weight)
    colours: dict[int | None, int] = {}
    for p, w in zip(pieces, weight):
        colours[p.color] = colours.get(p.color, 0) + w
    return bold, max(colours, key=lambda c: colours[c])


# ----------------------------------------------------------------------------- boxes

BOX_SLACK = 2.0  # a line this far over a box's edge is still inside it (stroke width, rounding)


def drawings_to_boxes(drawings: list[dict], width: float, height: float) -> list[tuple[float, float, float, float]]:
    """Rectangles drawn stroked or filled (not white, not a ruling, not a page-sized background):
    rectangle and quad items, and a closed path of a few lines or curves (a rounded box)."""
    out = []
    for d in drawings:
        kind = d.get("type") or ""
        fill = d.get("fill")
        filled = "f" in kind and fill and d.get("fill_opacity", 1.0) != 0 and min(fill) < 0.95
        if not ("s" in kind or filled):
            continue
        items = d.get("items", ())
        rects = []
        for item in items:
            if item[0] == "re":
                rects.append(tuple(item[1]))
            elif item[0] == "qu":
                q = item[1]
                xs, ys = [pt[0] for pt in q], [pt[1] for pt in q]
                rects.append((min(xs), min(ys), max(xs), max(ys)))
        if not rects and items and len(items) <= 12 and all(it[0] in ("l", "c") for it in items) \
                and d.get("rect") is not None and _closed(items):
            rects.append(tuple(d["rect"]))
        for x0, y0, x1, y1 in rects:
            x0, x1 = min(x0, x1), max(x0, x1)
            y0, y1 = min(y0, y1), max(y0, y1)
            if x1 - x0 > THIN and y1 - y0 > THIN and (x1 - x0) * (y1 - y0) <= 0.5 * width * height:
                out.append((x0, y0, x1, y1))
    return out


def _closed(items) -> bool:
    """A path of lines and curves that ends where it starts."""
    first, last = items[0][1], items[-1][-1]
    return abs(first[0] - last[0]) <= 1.0 and abs(first[1] - last[1]) <= 1.0


def _inside(ln: RawLine, box: tuple) -> bool:
    """The line is in the box: whole, or its middle is and it runs over the edge by less than
    half a character (a wrapped title set a little too tight for its box)."""
    slack = max(BOX_SLACK, 0.5 * ln.size)
    x0, y0, x1, y1 = ln.bbox
    return (box[0] <= ln.cx <= box[2] and box[1] <= ln.cy <= box[3]
            and box[0] - slack <= x0 and x1 <= box[2] + slack and box[1] - slack <= y0 and y1 <= box[3] + slack)


def lines_by_box(lines: list[RawLine], boxes: list[tuple], max_gap_em: float = 1.6
                 ) -> tuple[list[tuple[tuple, list[RawLine]]], list[RawLine]]:
    """The lines of each drawn box that is a reading unit, and the lines left outside boxes.
    A line belongs to the smallest box that holds it whole. A box is a unit unless it is a label
    box: its text is one row that continues outside the box (「基本目標１」 in a box, its title
    beside it), which stays with the outside lines so that the row is read as one line."""
    band = 16.0
    by_band: dict[int, list[int]] = {}
    for k, box in enumerate(boxes):
        for y in range(int(box[1] // band), int(box[3] // band) + 1):
            by_band.setdefault(y, []).append(k)
    members: dict[int, list[RawLine]] = {}
    outside: list[RawLine] = []
    for ln in lines:
        holding = [k for k in by_band.get(int(ln.cy // band), ()) if _inside(ln, boxes[k])]
        if ln.vertical or not holding:
            outside.append(ln)
            continue
        k = min(holding, key=lambda k: (boxes[k][2] - boxes[k][0]) * (boxes[k][3] - boxes[k][1]))
        members.setdefault(k, []).append(ln)
    # a one-row box may continue in another one-row box beside it (a label box, its title band)
    one_row = {k for k, inner in members.items() if _one_row(inner)}
    beside = outside + [ln for k in one_row for ln in members[k]]
    units = []
    loose = list(outside)
    for k, inner in members.items():
        # (the box's own lines never stand beside its edges, so `beside` may hold them)
        if (k in one_row and _label_box(boxes[k], inner, beside, max_gap_em)) or _abuts_another(k, boxes, by_band, band):
            loose.extend(inner)
        else:
            units.append((boxes[k], inner))
    return units, loose


ABUT = 3.0  # boxes drawn edge to edge (or a hairline apart) are the cells of one table


def _abuts_another(k: int, boxes: list[tuple], by_band: dict[int, list[int]], band: float) -> bool:
    """Another box touches this one edge to edge along half of the shorter side: the two are
    cells of a table drawn with fills, read by the table's rows, not boxes read one by one."""
    a = boxes[k]
    near = {j for y in range(int(a[1] // band) - 1, int(a[3] // band) + 2) for j in by_band.get(y, ())}
    return any(_abut(a, boxes[j], axis, ABUT) or _abut(boxes[j], a, axis, ABUT)
               for j in near - {k} for axis in (0, 1))


def _one_row(inner: list[RawLine]) -> bool:
    return all(_y_overlap(inner[0], ln) >= 0.5 for ln in inner[1:])


def _label_box(box: tuple, inner: list[RawLine], outside: list[RawLine], max_gap_em: float) -> bool:
    """The box's text is one row (see _one_row), and a line outside it continues that row beside it."""
    first = inner[0]
    em = max(ln.size for ln in inner)
    return any(_y_overlap(first, ln) >= 0.6 and (0 <= ln.bbox[0] - box[2] <= max_gap_em * em
                                                 or 0 <= box[0] - ln.bbox[2] <= max_gap_em * em)
               for ln in outside)


# ----------------------------------------------------------------------------- reading order


@dataclass
class Atom:
    """Something to order on a page: a text line, a whole table, or a drawn box (BoxUnit)."""

    bbox: tuple[float, float, float, float]
    payload: object


@dataclass
class BoxUnit:
    """What a drawn box holds: read together, in its own order, wherever the box falls."""

    atoms: list[Atom]


def _is_box(atom: Atom) -> bool:
    return isinstance(atom.payload, BoxUnit)


def _gaps(intervals: list[tuple[float, float]], lo: float, hi: float) -> list[tuple[float, float]]:
    gaps = []
    cur = lo
    for a, b in sorted(intervals):
        if a > cur:
            gaps.append((cur, a))
        cur = max(cur, b)
    return [(a, b) for a, b in gaps if b - a > 0.5]


def _line_boxes(atom: Atom) -> list[tuple]:
    """The boxes of an atom's lines: a box's lines count one by one, as they would unboxed."""
    if _is_box(atom):
        return [b for a in atom.payload.atoms for b in _line_boxes(a)]
    return [atom.bbox]


def _row_starts(side: list[Atom]) -> list[float]:
    """The left edge of each visual row (pieces side by side at one height) of a column."""
    rows: list[list[float]] = []  # [bottom, left] of each row, top to bottom
    for b in sorted((b for a in side for b in _line_boxes(a)), key=lambda b: b[1]):
        if rows and (b[1] + b[3]) / 2 < rows[-1][0]:
            rows[-1][0] = max(rows[-1][0], b[3])
            rows[-1][1] = min(rows[-1][1], b[0])
        else:
            rows.append([b[3], b[0]])
    return [left for _, left in rows]


def _over_other_column(line: Atom, atoms: list[Atom], gutter: float) -> bool:
    """Something wholly right of the gutter stands at the height of `line`, which crosses it."""
    return any(b.bbox[0] >= gutter - 1 and b.bbox[1] < line.bbox[3] and line.bbox[1] < b.bbox[3]
               for b in atoms if b is not line)


def _crossed_gutter(atoms: list[Atom], x0: float, x1: float) -> float | None:
    """A column channel that a few lines cross: the x in the middle half of the region crossed by
    the fewest lines, when both sides hold several lines over a common height and the lines that
    cross are few. Each line then belongs to the side it starts on."""
    width = x1 - x0
    if width <= 0:
        return None
    candidates = sorted({a.bbox[2] + 2 for a in atoms if x0 + 0.25 * width < a.bbox[2] + 2 < x0 + 0.75 * width})
    best, best_n = None, len(atoms)
    for x in candidates:
        n = sum(1 for a in atoms if a.bbox[0] < x - 1 and a.bbox[2] > x + 1)
        if n < best_n:
            best, best_n = x, n
    if best is None or best_n > max(2, len(atoms) // 10):
        return None
    # what crosses is a heading running over into the other column, not a full-width paragraph:
    # it stops short of the right edge, or the other column has text at its height (a line that
    # runs on over the other column's text, to the page edge, is not the page's width of text)
    if any(a.bbox[0] < best - 1 and a.bbox[2] > x0 + 0.85 * width and not _over_other_column(a, atoms, best)
           for a in atoms):
        return None
    left = [a for a in atoms if a.bbox[2] <= best + 1]
    right = [a for a in atoms if a.bbox[0] >= best - 1]

    def weight(side: list[Atom]) -> float:  # a table weighs as the lines its height holds
        return sum(max(1.0, (a.bbox[3] - a.bbox[1]) / 20) for a in side)

    if weight(left) < 4 or weight(right) < 4:
        return None
    ly = (min(a.bbox[1] for a in left), max(a.bbox[3] for a in left))
    ry = (min(a.bbox[1] for a in right), max(a.bbox[3] for a in right))
    common = min(ly[1], ry[1]) - max(ly[0], ry[0])
    if common < 0.5 * min(ly[1] - ly[0], ry[1] - ry[0]):
        return None
    # text columns: most rows of each side start at one left edge (a diagram's boxes do not); a
    # row is counted once, by its first piece (the other cells of a table's row start elsewhere)
    for side in (left, right):
        edges = _row_starts(side)
        aligned = max(sum(1 for e in edges if e0 - 1 <= e <= e0 + 16) for e0 in edges)
        if aligned < 0.7 * len(edges):
            return None
    return best


def _above_below(atoms: list[Atom], gap: tuple[float, float], x_cut: float) -> list[tuple[list[Atom], list[Atom]]]:
    """For the columns left and right of x_cut: what lies above the horizontal channel `gap`
    and what lies below it."""
    out = []
    for side in ([a for a in atoms if a.bbox[2] <= x_cut], [a for a in atoms if a.bbox[0] >= x_cut]):
        out.append(([a for a in side if a.bbox[3] <= gap[0] + 0.01], [a for a in side if a.bbox[1] >= gap[1] - 0.01]))
    return out


def _splits_both_columns(atoms: list[Atom], gap: tuple[float, float], x_cut: float) -> bool:
    """The horizontal channel has text above and below it in both columns: it parts two bands
    of columns. A channel that is only where one column has ended (the other running on below
    it) is not a reason to read across the columns."""
    return all(above and below for above, below in _above_below(atoms, gap, x_cut))


def _box_row_gap(atoms: list[Atom], gap: tuple[float, float], x_cut: float) -> bool:
    """A horizontal channel between rows of boxes: on each side of the column channel the
    nearest thing above it and the nearest below it are drawn boxes (a diagram of goal boxes
    with their policy boxes beside them is read row by row; text columns are not)."""
    for above, below in _above_below(atoms, gap, x_cut):
        if not above or not below:
            return False
        if not (_is_box(max(above, key=lambda a: a.bbox[3])) and _is_box(min(below, key=lambda a: a.bbox[1]))):
            return False
    return True


def _column_heads_down(above: list[Atom], below: list[Atom], min_col_gap: float) -> list[list[Atom]]:
    """The last row above a cut, when it is the heads of the columns below it (■主な取組 over a
    list, ■評価指標 over a table beside it), goes down with them: each head is then read with its
    column, not both heads before both columns. A head stands over its column: the row's pieces
    sit on both sides of a channel of the columns below, each starting where its column starts."""
    if len(above) < 3 or not below:
        return [above, below]
    last = max(above, key=lambda a: a.bbox[3])
    bottom = last.bbox[3]
    row = [a for a in above if last.bbox[1] <= (a.bbox[1] + a.bbox[3]) / 2 <= bottom]
    rest = [a for a in above if a not in row]
    if len(row) < 2 or not rest:
        return [above, below]
    height = max(a.bbox[3] - a.bbox[1] for a in row)
    if min(a.bbox[1] for a in below) - bottom > 1.5 * height:
        return [above, below]
    x0, x1 = min(a.bbox[0] for a in below), max(a.bbox[2] for a in below)
    for a, b in _gaps([(t.bbox[0], t.bbox[2]) for t in below], x0, x1):
        if b - a < min_col_gap:
            continue
        left = [t for t in row if t.bbox[2] <= a + 1]
        right = [t for t in row if t.bbox[0] >= b - 1]
        if len(left) + len(right) != len(row) or not left or not right:
            continue
        starts = (min(t.bbox[0] for t in below if t.bbox[2] <= a + 1), min(t.bbox[0] for t in below if t.bbox[0] >= b - 1))
        if all(abs(min(t.bbox[0] for t in side) - start) <= height for side, start in ((left, starts[0]), (right, starts[1]))):
            return [rest, row + below]
    return [above, below]


COLUMN_ATOMS = 4  # a page column holds at least this many things (a row of boxes holds one each)
COLUMN_WIDTH_TOL = 0.1  # the columns of one page grid differ in width by at most this share


def _column_grid(atoms: list[Atom], xg: list[tuple[float, float]], x0: float, x1: float) -> bool:
    """The white channels part the region into page columns of one width, each a sequence of its
    own (lines, tables, boxes): a page printed in columns that run in step (a heading, a text, a
    table, a box in each) is read column by column, although the white between its rows is
    wider than the channel between its columns. Label and text side by side are columns of
    different widths, and a diagram's row of boxes holds one box a column: both are read by rows."""
    edges = [x0] + [e for g in sorted(xg) for e in g] + [x1]
    spans = [(edges[i], edges[i + 1]) for i in range(0, len(edges), 2)]
    widths = [b - a for a, b in spans]
    if len(spans) < 2 or max(widths) - min(widths) > COLUMN_WIDTH_TOL * max(widths):
        return False
    for a, b in spans:
        side = [t for t in atoms if a - 0.5 <= t.bbox[0] and t.bbox[2] <= b + 0.5]
        if len(side) < COLUMN_ATOMS or all(_is_box(t) for t in side):
            return False
    return True


def xy_cut(atoms: list[Atom], min_col_gap: float = 8.0) -> list[Atom]:
    """Recursive XY-cut: split at the widest white channel (columns before rows when wider, rows
    first between rows of boxes); a box's content is read in place, as one unit."""
    out: list[Atom] = []
    for atom in _xy_cut(atoms, min_col_gap):
        if _is_box(atom):
            out.extend(xy_cut(atom.payload.atoms, min_col_gap))
        else:
            out.append(atom)
    return out


def _xy_cut(atoms: list[Atom], min_col_gap: float) -> list[Atom]:
    if len(atoms) <= 1:
        return list(atoms)
    x0 = min(a.bbox[0] for a in atoms)
    x1 = max(a.bbox[2] for a in atoms)
    y0 = min(a.bbox[1] for a in atoms)
    y1 = max(a.bbox[3] for a in atoms)
    xg = [g for g in _gaps([(a.bbox[0], a.bbox[2]) for a in atoms], x0, x1) if g[1] - g[0] >= min_col_gap]
    yg = _gaps([(a.bbox[1], a.bbox[3]) for a in atoms], y0, y1)
    best_x = max((g[1] - g[0] for g in xg), default=0.0)
    best_y = max((g[1] - g[0] for g in yg), default=0.0)
    if not xg and len(atoms) >= 8:
        gutter = _crossed_gutter(atoms, x0, x1)
        if gutter is not None:
            # two columns whose channel a few lines cross (a heading wider than its column)
            # the same test as _crossed_gutter's right side, so neither side can come back whole
            left = [a for a in atoms if a.bbox[0] < gutter - 1]
            right = [a for a in atoms if a.bbox[0] >= gutter - 1]
            if left and right:
                return _xy_cut(left, min_col_gap) + _xy_cut(right, min_col_gap)
    if best_x == 0 and best_y == 0:
        return sorted(atoms, key=lambda a: (a.bbox[1], a.bbox[0]))
    if xg and yg:
        col = max(xg, key=lambda g: g[1] - g[0])
        x_cut = (col[0] + col[1]) / 2
        rows = [g for g in yg if _box_row_gap(atoms, g, x_cut)] if any(_is_box(a) for a in atoms) else []
        if _column_grid(atoms, xg, x0, x1):
            # (before the rows of boxes: an overview's columns each hold a box over a box, and a
            # box's row with the other columns' is no row of a diagram)
            best_y = 0.0
        elif rows:
            best_x, best_y, yg = 0.0, 1.0, rows
        elif best_y > best_x:
            yg = [g for g in yg if _splits_both_columns(atoms, g, x_cut)]
            best_y = max((g[1] - g[0] for g in yg), default=0.0)
    # Cut at the single widest channel and recurse: cutting at every gap at once would slice
    # through columns wherever all of them happen to have a line break at the same height.
    if best_x >= best_y:
        a, b = max(xg, key=lambda g: g[1] - g[0])
        key = 0
    else:
        a, b = max(yg, key=lambda g: g[1] - g[0])
        key = 1
    cuts = [(a + b) / 2]
    bands: list[list[Atom]] = [[] for _ in range(len(cuts) + 1)]
    for atom in atoms:
        centre = (atom.bbox[key] + atom.bbox[key + 2]) / 2
        k = sum(1 for c in cuts if centre > c)
        bands[k].append(atom)
    if key == 1:
        bands = _column_heads_down(bands[0], bands[1], min_col_gap)
    out: list[Atom] = []
    for band in bands:
        if band:
            out.extend(_xy_cut(band, min_col_gap))
    return out
