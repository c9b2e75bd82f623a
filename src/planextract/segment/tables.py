"""Tables: evaluation / progress sheets and 体系図 grids (read by their header names),
role tables (actor column + items), and anything else (given back to the flow)."""

from __future__ import annotations

import re

from ..models import ActionKind, Actor, Decision, Level, Line, Provenance, RatingRecord, ScoreKind, ScoreRecord, Table
from ..normalise import clean_text, fiscal_year, join_fragments, light_form, split_qualifier, squash_space, to_int
from .explain import counts, record
from .paragraphs import Para, mostly_past

_POLICY_CELL = re.compile(r"^\s*(?:[(（](?P<n>[0-9０-９]{1,2})[)）]|(?P<c>[①-⑳])|(?P<b>[0-9０-９]{1,2})(?=\s|$))\s*(?P<title>.*)$", re.S)
_GOAL_CELL = re.compile(r"^\s*(?:基本目標\s*(?P<n>[0-9０-９]{1,2})|(?P<n2>[0-9０-９]{1,2})(?=\s|[:：]|$))\s*[:：]?\s*(?P<title>.*)$", re.S)
_SCORE = re.compile(r"^\s*(?P<score>[1-5](?:[.．][0-9]{1,2})?)(?![0-9])")


class Grid:
    """Cells by position; a spanned cell answers for every position it covers."""

    def __init__(self, table: Table):
        self.table = table
        self.at: dict[tuple[int, int], object] = {}
        for c in table.cells:
            for r in range(c.row, c.row + c.row_span):
                for k in range(c.col, c.col + c.col_span):
                    self.at[(r, k)] = c

    def cell(self, r: int, k: int):
        return self.at.get((r, k))

    def row_cells(self, r: int) -> list:
        seen, out = set(), []
        for k in range(self.table.n_cols):
            c = self.at.get((r, k))
            if c is not None and id(c) not in seen:
                seen.add(id(c))
                out.append(c)
        return out


def cell_text(cell) -> str:
    text = ""
    for ln in cell.lines if cell else []:
        text = join_fragments(text, ln.text) if text else ln.text
    return text.strip()


def header_form(text: str) -> str:
    """A header cell's text as tables.yaml patterns are matched: widths folded, no white space."""
    return squash_space(light_form(text))


MIDDLE_DOTS = ("・", "･")


def fills_width(line: Line, cell) -> bool:
    """The line runs to the cell's right edge (within its padding and a character): it was wrapped."""
    if line.bbox is None or cell.bbox is None:
        return False
    return cell.bbox[2] - line.bbox[2] <= 1.5 * (line.size or 10.0)


def cell_prov(cell, table: Table, doc_id: str) -> Provenance:
    line_no = cell.lines[0].line_no if cell and cell.lines else table.line_no
    return Provenance(doc_id=doc_id, page=table.page, bbox=cell.bbox if cell else None, line_no=line_no)


class TableReader:
    def __init__(self, seg):
        self.seg = seg
        self.rules = seg.rules
        self.prev_policy_num: int | None = None
        self.units: dict[tuple, int] = {}
        self.last_sheet: tuple[dict[int, str], int] | None = None
        self.last_kind = ""
        self.rating_year: int | None = None  # the year a sheet's 達成度 rates (its 令和N年度実績 column)
        self.last_sheet_table: Table | None = None
        self.split_row = False  # the row being read may be the rest of one split by a page break
        self.header_alone: tuple[Grid, str | None] | None = None  # actor header row cut from its rows
        # the header, policy and page of the table just read, when actors head its columns
        self.actor_table: tuple[Grid, str | None, int, tuple | None] | None = None

    # ------------------------------------------------------------------ classify

    def column_role(self, text: str) -> str | None:
        t = header_form(text)
        for pat, role in self.rules.column_patterns:
            if pat.fullmatch(t):
                return role
        # a column headed by a level's name (分野, 施策, 取組の方向): the outline's vocabulary
        level = self.rules.headings.level_words
        for role in ("goal", "policy"):
            if t in level.get(role, ()):
                return role
        return None

    def header(self, grid: Grid) -> dict[int, str] | None:
        roles = {}
        for c in grid.row_cells(0):
            role = self.column_role(cell_text(c))
            if role:
                for k in range(c.col, c.col + c.col_span):
                    roles[k] = role
        distinct = set(roles.values())
        if len(distinct) >= self.rules.tables.min_header_matches:
            return roles
        return None

    def actor_of(self, text: str) -> tuple[Actor, str] | None:
        return self.seg.actor_of(text)

    def read(self, table: Table) -> None:
        seg = self.seg
        if seg.trace is None:
            return self._read(table)
        before, under = counts(seg.out), seg.at.describe()
        self._read(table)
        record(seg, table.page, table.line_no, f"table {table.n_rows}x{table.n_cols}",
               " | ".join(cell_text(c)[:14] for c in Grid(table).row_cells(0))[:120], self.last_kind, "", under, before)

    def _read(self, table: Table) -> None:
        grid = Grid(table)
        roles = self.header(grid)
        if roles:
            self.last_kind = "sheet: " + ", ".join(f"{k}={v}" for k, v in sorted(roles.items()))
            self.last_sheet = (roles, table.n_cols)
            self.read_sheet(grid, roles)
            return
        if self.is_policy_rows_of_one_actor(grid):
            self.last_kind = "role table of one actor (a policy column, items beside)"
            self.read_policy_rows(grid)
            return
        if self.is_actor_header_alone(grid):
            # the header row at the foot of a page or column, its rows after the break
            self.last_kind = "role table header alone (its rows follow the break)"
            self.header_alone = (grid, self.seg.policy)
            for c in grid.row_cells(0):
                self.seg.account(cell_text(c))
            return
        alone, self.header_alone = self.header_alone, None
        if alone and alone[1] == self.seg.policy and table.n_cols == alone[0].table.n_cols \
                and not self.is_actor_columns(grid):
            self.last_kind = "role table continued (actors head the columns on the page before)"
            self.read_actor_columns(grid, header_grid=alone[0], first_row=0)
            return
        above, self.actor_table = self.actor_table, None
        if above and above[1] == self.seg.policy and table.n_cols == above[0].table.n_cols \
                and self.after_break(above[2], above[3], table) \
                and not self.is_actor_columns(grid) and not self.opens_section(grid):
            # its rows go on over the page break without the header printed again
            self.last_kind = "role table continued (actors head the columns of the table before the break)"
            self.read_actor_columns(grid, header_grid=above[0], first_row=0)
            return
        if self.is_actor_columns(grid):  # the more specific shape first
            self.last_kind = "role table (actors head the columns)"
            self.read_actor_columns(grid)
            return
        if self.is_role_table(grid):
            self.last_kind = "role table (actor column)"
            self.read_role_table(grid)
            return
        # (before a sheet's continuation: a first row naming 事業名 is a header of its own)
        name_col = self.item_name_column(grid)
        if name_col is not None:
            self.last_kind = f"item table (a header row; one action a row, named in column {name_col + 1})"
            self.read_item_table(grid, name_col)
            return
        if self.last_sheet and self.seg.section != "ignore" \
                and (table.bbox is None or table.n_cols == self.last_sheet[1]):
            # (a table under 数値目標 / 成果指標 is that section's, not the rest of an earlier sheet)
            # a sheet that runs on without repeating its header row
            self.last_kind = "sheet continued (header not repeated)"
            self.read_sheet(grid, self.last_sheet[0], first_row=0)
            return
        self.last_kind = "not recognised: cells read as paragraphs"
        self.give_back(table)

    def is_role_table(self, grid: Grid) -> bool:
        hits = 0
        for r in range(grid.table.n_rows):
            c = grid.cell(r, 0)
            if c is not None and c.row == r and self.actor_of(cell_text(c)):
                hits += 1
        # one actor row is enough under a それぞれの役割 heading (a table cut by a page break)
        need = 1 if self.seg.section == "roles" else 2
        return hits >= need and grid.table.n_cols >= 2

    def is_actor_columns(self, grid: Grid) -> bool:
        """A role table turned on its side: the actors head the columns, their items below."""
        labels = [cell_text(c) for c in grid.row_cells(0)]
        named = [t for t in labels if t]
        return grid.table.n_rows >= 2 and len(named) >= 2 and all(self.actor_of(t) for t in named)

    def opens_section(self, grid: Grid) -> bool:
        """A cell of the first row is a heading or a section marker: the table starts something
        new (a heading drawn as boxes), it does not go on with the rows before it."""
        return any(self.seg.ends_table(cell_text(c)) for c in grid.row_cells(0) if cell_text(c))

    def is_actor_header_alone(self, grid: Grid) -> bool:
        """A one-row table of actor labels only (自助 | 互助 | 共助 | 公助): a header whose rows
        a page or column break carried away."""
        labels = [cell_text(c) for c in grid.row_cells(0)]
        named = [t for t in labels if t]
        return grid.table.n_rows == 1 and len(named) >= 2 and all(self.actor_of(t) for t in named)

    def read_actor_columns(self, grid: Grid, header_grid: Grid | None = None, first_row: int = 1) -> None:
        seg = self.seg
        head = header_grid or grid
        self.actor_table = (head, seg.policy, grid.table.page, grid.table.bbox)
        header = {c.col: self.actor_of(cell_text(c)) for c in head.row_cells(0) if cell_text(c)}
        if header_grid is None:
            for c in grid.row_cells(0):
                seg.account(cell_text(c))
        for r in range(first_row, grid.table.n_rows):
            for cell in grid.row_cells(r):
                if cell.row != r:
                    continue
                prov = cell_prov(cell, grid.table, seg.doc_id)
                actor = header.get(cell.col)
                if actor is None or seg.policy is None:
                    seg.unassigned(cell_text(cell), "role table cell outside a policy or actor", prov)
                    continue
                self.add_roles(seg.policy, actor, cell.lines, prov, grid.table, first=r == first_row)

    def add_roles(self, code: str, actor: tuple[Actor, str], lines: list[Line], prov: Provenance, table: Table,
                  first: bool) -> None:
        """The items of one actor's cell. In the first row of a table that opens the page after a
        role table, text before the cell's first marked item is the rest of the actor's last item,
        which the page break cut (that item was marked, the rest is not)."""
        items = self.items_of(lines)
        if first and items and items[0][0] is None and self.finish_cut_role(code, actor, items[0][1], table):
            items = items[1:]
        for marker, raw in items:
            self.seg.add_role(code, actor[0], actor[1], raw, prov, marker)

    def finish_cut_role(self, code: str, actor: tuple[Actor, str], rest: str, table: Table) -> bool:
        seg = self.seg
        last = next((r for r in reversed(seg.out.roles) if r.local_code == code and r.actor == actor[0]
                     and r.actor_label == actor[1]), None)
        if last is None or last.marker is None or not self.after_break(last.prov.page, last.prov.bbox, table):
            return False
        raw = join_fragments(last.raw_text, rest)
        body, qualifier = split_qualifier(clean_text(raw))
        last.raw_text, last.text = raw, body
        last.qualifier = qualifier or last.qualifier
        seg.account(rest)
        return True

    def after_break(self, page: int, bbox: tuple | None, table: Table) -> bool:
        """The table goes on after a page or column break from what stood at `page`, `bbox`: it
        opens the next page, or the next column of the same page (to the right of it)."""
        if not self.opens_page(table):
            return False
        if table.page == page + 1:
            return True
        return table.page == page and bbox is not None and table.bbox[0] >= bbox[2] - 2

    def opens_page(self, table: Table) -> bool:
        """The table stands at the top of its page (what is above it is the page's margin)."""
        if table.bbox is None:
            return False
        height = self.seg.doc.pages[table.page - 1].height or 842
        return table.bbox[1] <= 0.3 * height

    def is_policy_rows_of_one_actor(self, grid: Grid) -> bool:
        """One actor's page (社協の役割): a table whose first column names the policies, the
        actor's items beside each."""
        seg = self.seg
        if seg.section != "roles" or seg.role_actor is None or grid.table.n_cols < 2 or grid.table.n_rows < 2:
            return False
        first = grid.cell(0, 0)
        return first is not None and self.column_role(cell_text(first)) == "policy"

    def read_policy_rows(self, grid: Grid) -> None:
        seg = self.seg
        actor, label = seg.role_actor
        for c in grid.row_cells(0):
            seg.account(cell_text(c))
        code = None
        for r in range(1, grid.table.n_rows):
            cells = grid.row_cells(r)
            head = grid.cell(r, 0)
            if head is not None and head.row == r and cell_text(head):
                text = light_form(cell_text(head))
                lab = seg.labels.read(text)
                node = seg.find_node(Level.policy, clean_text(lab.title if lab and lab.title else text))
                code = node.local_code if node is not None else None
                seg.account(cell_text(head))
            for cell in cells:
                if cell is head or cell.row != r:
                    continue
                prov = cell_prov(cell, grid.table, seg.doc_id)
                if code is None:
                    seg.unassigned(cell_text(cell), "role table cell outside a policy or actor", prov)
                    continue
                for marker, raw in self.items_of(cell.lines):
                    seg.add_role(code, actor, label, raw, prov, marker)

    def give_back(self, table: Table) -> None:
        """An unrecognised table: its cells go back to the flow, row by row."""
        from .paragraphs import lines_to_paragraphs

        grid = Grid(table)
        # the first column each cell holds in each row, found in one pass (a row of thousands of
        # cells must not scan every position again for each cell)
        first_col: dict[tuple[int, int], int] = {}
        for (rr, k), cc in grid.at.items():
            key = (rr, id(cc))
            if k < first_col.get(key, k + 1):
                first_col[key] = k
        for r in range(table.n_rows):
            for c in grid.row_cells(r):
                if c.row != r or c.col != first_col[(r, id(c))]:
                    continue
                for para in lines_to_paragraphs(c.lines, self.seg.marks, self.seg.starts_block, self.seg.stands_alone):
                    self.seg.process(para)

    # ------------------------------------------------------------------ item tables

    def label_row(self, grid: Grid, r: int) -> list[tuple[object, str]] | None:
        """(cell, header form) of row `r` when every cell is a short label (tables.yaml
        `max_header_chars`), not a sentence or a number: a row naming the columns below it."""
        head = [(c, header_form(cell_text(c))) for c in grid.row_cells(r)]
        limit = self.rules.tables.max_header_chars
        ok = bool(head) and all(t and len(t) <= limit and "。" not in t and not t.isdigit() for _, t in head)
        return head if ok else None

    def item_name_column(self, grid: Grid) -> int | None:
        """The column naming the actions of an item table (tables.yaml `item_name_columns`), or
        None when the table is not one: it must stand where actions are listed, and its first row
        must be a header, every cell a short label, one of them naming the items' column."""
        _, kind = self.seg.current_parent()
        if self.seg.section not in ("action", "focus_measure") or kind is None \
                or grid.table.n_rows < 2 or grid.table.n_cols < 2:
            return None
        head = self.label_row(grid, 0)
        if head is None:
            return None
        if any((self.seg.match_section(t) or ("",))[0] == "ignore" for _, t in head):
            return None  # an indicator table (指標 | 現状値 | 目標値) under the actions: not actions
        for c, t in head:
            if any(p.fullmatch(t) for p in self.rules.item_name_patterns):
                return c.col
        return None  # no column names the items: which one would be a guess

    def read_item_table(self, grid: Grid, name_col: int) -> None:
        """One action per row below the header, its name from `name_col` (a name wrapped over two
        lines is one; marked items in one cell are one each); the other cells describe it and are
        kept in `unassigned`; the header printed again inside the table is skipped."""
        seg = self.seg
        code, kind = seg.current_parent()
        table = grid.table
        header = [cell_text(c) for c in grid.row_cells(0)]
        for text in header:
            seg.account(text)
        for r in range(1, table.n_rows):
            cells = [c for c in grid.row_cells(r) if c.row == r]  # (a cell spanning from above was read there)
            if [cell_text(c) for c in grid.row_cells(r)] == header:
                for text in header:
                    seg.account(text)  # the header printed again inside the table
                continue
            for c in cells:
                prov = cell_prov(c, table, seg.doc_id)
                if c.col_span == table.n_cols or not c.col <= name_col < c.col + c.col_span:
                    # what an action does, who is in charge, a group row across the table: kept, not an action
                    seg.unassigned(cell_text(c), "item table: a column that describes the actions", prov)
                    continue
                items = self.items_of(c.lines)
                if len(items) > 1 and items[0][0] is None and (
                        items[0][1].endswith("・") or (items[1][0] in MIDDLE_DOTS and fills_width(c.lines[0], c))):
                    # a name wrapped at the 中黒 that joins two words (作成・ / 配布, or 作成 / ・配布
                    # after a line filled to the cell's edge) is one name
                    items = [(None, cell_text(c))]
                for mark, text in items:
                    seg.add_action(code, kind, text, prov, marker=mark)

    # ------------------------------------------------------------------ role tables

    def read_role_table(self, grid: Grid) -> None:
        seg = self.seg
        code = seg.policy
        actor = None
        for r in range(grid.table.n_rows):
            label_cell = grid.cell(r, 0)
            body_cell = grid.cell(r, 1)
            if body_cell is None or body_cell.row != r:
                continue
            prov = cell_prov(body_cell, grid.table, seg.doc_id)
            label = cell_text(label_cell) if label_cell is not None and label_cell.row == r else ""
            if label:
                if r == 0 and self.column_role(label) == "actor":
                    seg.account(label + cell_text(body_cell))  # 主体 | 取組: the header row
                    continue
                head = self.label_row(grid, 0) if r == 0 and not self.actor_of(label) else None
                if head:
                    # 取組の主体 | 取組内容 | 期待される効果: labels over the actors' rows, a header
                    # though its words are not known ones (kept in unassigned: it could be a row)
                    for c, _ in head:
                        seg.unassigned(cell_text(c), "role table: first row of labels read as its header",
                                       cell_prov(c, grid.table, seg.doc_id))
                    continue
                actor = self.actor_of(label) or seg.other_actor(label, prov)
                seg.account(label)
            for c in grid.row_cells(r):
                if c.row == r and c.col > body_cell.col:  # what the commitments are to bring, a note: kept
                    seg.unassigned(cell_text(c), "role table: a column beside the commitments",
                                   cell_prov(c, grid.table, seg.doc_id))
            unlabelled = r == 0 and not label
            if unlabelled and code is not None and self.opens_page(grid.table):
                actor = self.actor_above_break(code, grid.table)  # the rest of a row the break split
            if actor is None or code is None:
                seg.unassigned(cell_text(body_cell), "role table outside a policy", prov)
                continue
            self.add_roles(code, actor, body_cell.lines, prov, grid.table, first=unlabelled)

    def actor_above_break(self, code: str, table: Table) -> tuple[Actor, str] | None:
        """The actor of the last role read on the page before, in the same policy: a row that a
        page break split goes on without its label."""
        last = self.seg.out.roles[-1] if self.seg.out.roles else None
        if last is None or last.local_code != code or not self.after_break(last.prov.page, last.prov.bbox, table):
            return None
        return last.actor, last.actor_label

    def items_of(self, lines: list[Line]) -> list[tuple[str | None, str]]:
        """Items of a cell: a line starting with a mark opens an item; others continue it."""
        marks = self.seg.marks
        items: list[list] = []
        for ln in lines:
            text = ln.text.strip()
            if not text:
                continue
            for piece in marks.split_inline(text):
                mark, rest = marks.split_leading(piece, items[-1][1] if items else "")
                if mark is not None or not items:
                    items.append([mark, rest.strip()])
                else:
                    items[-1][1] = join_fragments(items[-1][1], rest.strip())
        return [(m, t) for m, t in items if t]

    # ------------------------------------------------------------------ sheets

    def read_sheet(self, grid: Grid, roles: dict[int, str], first_row: int = 1) -> None:
        seg = self.seg
        sig = tuple(sorted(set(roles.values())))
        # a sheet met again (its header repeated on the next page, or not): its first row may be
        # the rest of a row that the page break split
        after_break = self.follows_page_break(grid.table)
        self.may_continue = (sig in self.units or first_row == 0) and after_break
        if sig not in self.units:
            self.units[sig] = len(self.units) + 1
            self.prev_policy_num = None
            seg.goal = None
            seg.policy = None
        seg.unit = self.units[sig]
        seg.focus = None
        seg.section = None
        seg.list_context = None
        table = grid.table
        if first_row == 1:
            self.rating_year = None
            for c in grid.row_cells(0):
                seg.account(cell_text(c))
                m = re.search(r"(令和|平成)\s*([0-9０-９]{1,2}|元)\s*年度\s*(?:実績|評価|の取組)", light_form(cell_text(c)))
                if m and self.rating_year is None:
                    self.rating_year = fiscal_year(m.group(1), m.group(2), self.rules)
        cols_of: dict[str, list[int]] = {}
        for k, role in sorted(roles.items()):
            cols_of.setdefault(role, []).append(k)
        loose = table.bbox is None  # a text rendition: cells in printed order, not by position
        for r in range(first_row, table.n_rows):
            cells = grid.row_cells(r)
            if len(cells) == 1 and cells[0].col_span >= table.n_cols - 1 and not loose:
                self.full_width_row(cells[0], table)
                continue
            self.split_row = self.may_continue and r == first_row and not loose
            if loose:
                self.loose_row(grid, r, roles)
            else:
                self.sheet_row(grid, r, roles, cols_of)
            self.split_row = False
        seg.unit = 0

    def full_width_row(self, cell, table: Table) -> None:
        seg = self.seg
        text = cell_text(cell)
        m = re.match(r"^[(（【]?\s*基本理念\s*[)）】]?\s*[:：]?\s*(.+)$", light_form(text))
        if m:
            seg.out.facts.visions.append(clean_text(m.group(1)))
            seg.account(text)
            return
        for para in [Para(text=text, lines=cell.lines or [Line(text=text, page=table.page)])]:
            seg.process(para)

    def first_seen(self, grid: Grid, r: int, k: int):
        c = grid.cell(r, k)
        if c is None or c.row != r:
            return None
        return c

    def sheet_row(self, grid: Grid, r: int, roles: dict[int, str], cols_of: dict[str, list[int]]) -> None:
        seg = self.seg
        table = grid.table

        def col(role):
            for k in cols_of.get(role, []):
                c = self.first_seen(grid, r, k)
                if c is not None:
                    return c
            return None

        def text_of(role):
            return cell_text(col(role)) if col(role) is not None else ""

        for k in cols_of.get("vision", []):
            c = self.first_seen(grid, r, k)
            if c is not None and cell_text(c):
                seg.out.facts.visions.append(clean_text(cell_text(c)))
                seg.account(cell_text(c))

        goal_cell, policy_cell = col("goal"), col("policy")
        goal_text, policy_text = text_of("goal"), text_of("policy")
        items_text = text_of("policy_items")
        row_prov = cell_prov(goal_cell or policy_cell or col("roles") or grid.row_cells(r)[0], table, seg.doc_id)
        self.hierarchy(goal_text, policy_text, items_text, row_prov)
        seg.account(goal_text + policy_text)
        code = seg.policy

        c = col("policy_items")
        if c is not None and code:
            for marker, raw in self.items_of(c.lines):
                if raw and not re.fullmatch(r"[(（]?[0-9０-９]{1,2}[)）]?", raw):
                    seg.add_action(code, ActionKind.action, raw, cell_prov(c, table, seg.doc_id), marker)
                else:
                    seg.account((marker or "") + raw)
        elif c is not None:
            seg.unassigned(cell_text(c), "policy items outside a policy", cell_prov(c, table, seg.doc_id))
        for role, kind in (("actions", ActionKind.action), ("outcome", ActionKind.outcome)):
            c = col(role)
            if c is None or not code:
                continue
            prov = cell_prov(c, table, seg.doc_id)
            items = self.items_of(c.lines)
            if role == "outcome" and items and all(m is None for m, _ in items):
                items = [(None, "".join(t for _, t in items))]
            for marker, raw in items:
                seg.add_action(code, kind, raw, prov, marker)

        actor_cell = col("actor")
        actors = self.actors_in(cell_text(actor_cell)) if actor_cell is not None else []
        if actor_cell is not None:
            seg.account(cell_text(actor_cell))
        c = col("roles")
        if c is not None:
            self.roles_cell(c, actors, code, table)

        c = col("midterm_score")
        if c is not None and code:
            self.score_cell(c, code, table)
        c = col("self_rating")
        if c is not None and code:
            self.rating_cell(c, actors, code, table)

        for k, cell in enumerate(grid.row_cells(r)):
            if cell.row != r or cell.col in roles:
                continue
            seg.unassigned(cell_text(cell), "column not extracted", cell_prov(cell, table, seg.doc_id))

    def hierarchy(self, goal_text: str, policy_text: str, items_text: str, prov: Provenance) -> None:
        """Locate (or open) the row's goal and policy from whatever the hierarchy cells hold."""
        seg = self.seg
        g_num, g_title = None, ""
        gl = light_form(goal_text)
        if gl and not policy_text and re.match(r"^[(（][0-9０-９]{1,2}[)）]\s*\S", gl):
            # "(2) ○○の推進" one column left: bracketed numbers mark policies, not goals
            goal_text, policy_text, gl = "", goal_text, ""
        m = _GOAL_CELL.match(gl) if gl else None
        lab = seg.labels.read(gl) if gl and not m else None
        if m:
            g_num, g_title = to_int(m.group("n") or m.group("n2")), m.group("title")
        elif lab is not None and lab.title and lab.kind != "composite":
            g_num, g_title = lab.num, lab.title  # 分野1 …, 柱Ⅱ …, 【3】 …: the label the outline reads
        elif gl:
            g_title = gl
        p_num, p_title = None, ""
        pl = light_form(policy_text)
        m = _POLICY_CELL.match(pl) if pl else None
        lab = seg.labels.read(pl) if pl and not m else None
        if m:
            p_num = to_int(m.group("n") or m.group("c") or m.group("b"))
            p_title = m.group("title")
        elif lab is not None and lab.title:
            p_num, p_title = lab.num, lab.title  # 取組の方向1-1 …, 施策2 …
            if lab.goal_num is not None and g_num is None and not gl:
                g_num = lab.goal_num
        elif pl:
            p_title = pl
        if g_title and not g_num:
            # A circled or bracketed number alone in the goal column is the policy's number.
            m2 = _POLICY_CELL.match(g_title)
            if m2 and not m2.group("title").strip():
                p_num = p_num or to_int(m2.group("n") or m2.group("c") or m2.group("b"))
                pl = pl or g_title  # the printed label
                g_title = ""
        if self.split_row and self.continue_titles(g_num, g_title, p_num, p_title):
            return
        if not pl and not gl:
            m3 = _POLICY_CELL.match(light_form(items_text)) if items_text else None
            if m3 and m3.group("n"):
                p_num = to_int(m3.group("n"))
        if g_title and not g_num:
            # A title in the goal column: a goal, or a policy title printed one column left.
            node_p = seg.find_node(Level.policy, g_title)
            node_g = seg.find_node(Level.goal, g_title)
            continues = p_num is not None and self.prev_policy_num is not None and p_num > self.prev_policy_num
            if node_g is not None:
                g_num = int(node_g.local_code)
            elif node_p is not None or (continues and not p_title):
                if not p_title:
                    p_title = g_title
                g_title = ""
            else:
                g_num = (seg.goal or 0) + 1 if seg.goal is not None or seg.goals() else 1
        if g_num is None and p_num is not None and self.prev_policy_num is not None and p_num <= self.prev_policy_num \
                and not goal_text and seg.goal is not None and (p_num == 1):
            g_num = seg.goal + 1  # numbering restarted: the next goal's rows
        if g_num is not None and (g_num != seg.goal or g_title):
            seg.open_goal(g_num, g_title, prov, None)
            seg.pending_title = None
            self.prev_policy_num = None
        if p_num is not None or p_title:
            label = None
            if p_num is not None:
                label = pl[: len(pl) - len(p_title)].strip() if pl and p_title and pl.endswith(p_title) else (pl or None)
            node = seg.open_policy(seg.goal, p_num, p_title, prov, label if label else None)
            seg.pending_title = None
            if node is not None:
                self.prev_policy_num = p_num if p_num is not None else (self.prev_policy_num or 0) + 1

    def follows_page_break(self, table: Table) -> bool:
        """The table opens its page and the previous sheet ran to the foot of the page before: a
        row may have been split between them."""
        prev, self.last_sheet_table = self.last_sheet_table, table
        if prev is None or prev.bbox is None or table.bbox is None or table.page != prev.page + 1:
            return False
        height = self.seg.doc.pages[prev.page - 1].height or 842
        return prev.bbox[3] >= 0.8 * height and table.bbox[1] <= 0.3 * height

    def continue_titles(self, g_num, g_title: str, p_num, p_title: str) -> bool:
        """The first row of a sheet on a new page, whose hierarchy cells hold unnumbered text that
        names no known node: the rest of titles that the page break cut. Joined to the open nodes
        (a wrapped title must not become a goal or policy of its own)."""
        seg = self.seg
        if g_num is not None or p_num is not None or not (g_title or p_title):
            return False
        if (g_title and seg.find_node(Level.goal, g_title)) or (p_title and seg.find_node(Level.policy, p_title)):
            return False
        pairs = [(title, seg.nodes.get(code) if code else None)
                 for title, code in ((g_title, str(seg.goal) if seg.goal is not None else None), (p_title, seg.policy))
                 if title]
        if any(node is None for _, node in pairs):
            return False  # nothing is changed unless every cut title has its node
        for title, node in pairs:
            node.title = clean_text(join_fragments(node.title, title))
            node.raw_title = join_fragments(node.raw_title, title)
        return True

    def score_cell(self, cell, code: str, table: Table) -> None:
        """'3.6 ○ comments…': the average is the score; the comments are kept as unassigned."""
        seg = self.seg
        prov = cell_prov(cell, table, seg.doc_id)
        text = light_form(cell_text(cell))
        m = _SCORE.match(text)
        if m:
            seg.out.scores.append(ScoreRecord(local_code=code, unit=seg.unit, kind=ScoreKind.midterm_evaluation,
                                              score=float(m.group("score").replace("．", ".")), prov=prov))
            seg.account(m.group(0))
            text = text[m.end():]
        if text.strip():
            seg.unassigned(text, "evaluation comments", prov)

    def split_by_actor(self, text: str) -> list[tuple[tuple[Actor, str] | None, str]]:
        """'市民 ① … 福祉事業者 ① …' → [(市民, '① …'), (福祉事業者, '① …')]."""
        aliases = [re.escape(a) for a, _ in self.rules.actor_aliases if len(a) >= 2]
        # a label opens items: a mark follows it, on its line or at the start of the next one
        pat = re.compile(r"(?:^|(?<=[\s。]))(" + "|".join(aliases) + r")(?=[ \t　]*(?:[①-⑳▶●]|\n\s*[①-⑳▶●・○]|\Z))", re.M)
        out = []
        pos = 0
        current = None
        for m in pat.finditer(text):
            chunk = text[pos:m.start()]
            if chunk.strip():
                out.append((current, chunk))
            current = self.actor_of(m.group(1))
            pos = m.end()
        if text[pos:].strip():
            out.append((current, text[pos:]))
        return out

    def actors_in(self, text: str) -> list[tuple[Actor, str]]:
        """The actor labels of a 区分 cell ('市民', or '市民 福祉事業者 社協 行政')."""
        return [a for a in (self.actor_of(w) for w in re.split(r"[\s、,]+", text.strip())) if a]

    def roles_cell(self, cell, actors: list[tuple[Actor, str]], code: str | None, table: Table) -> None:
        """A roles cell: for the actors of the row's 区分 cell, or split by the labels inside it."""
        seg = self.seg
        prov = cell_prov(cell, table, seg.doc_id)
        text = "\n".join(ln.text for ln in cell.lines)
        if code is None:
            seg.unassigned(cell_text(cell), "roles outside a policy", prov)
            return
        if actors:
            lines = [Line(text=t, page=table.page, line_no=prov.line_no) for t in text.split("\n")]
            items = self.items_of(lines)
            if len(actors) == 1:
                for marker, raw in items:
                    seg.add_role(code, actors[0][0], actors[0][1], raw, prov, marker)
                return
            # Several actors in one cell: their lists restart at ①.
            groups: list[list] = []
            for marker, raw in items:
                if not groups or (marker and marker.startswith("①")):
                    groups.append([])
                groups[-1].append((marker, raw))
            if len(groups) == len(actors):
                for (actor, label), group in zip(actors, groups):
                    for marker, raw in group:
                        seg.add_role(code, actor, label, raw, prov, marker)
            else:
                seg.unassigned(cell_text(cell), "roles of several actors that could not be told apart", prov)
            return
        for actor, chunk in self.split_by_actor(text):
            lines = [Line(text=t, page=table.page, line_no=prov.line_no) for t in chunk.split("\n")]
            if actor is not None:
                seg.account(actor[1])
            if actor is None:
                seg.unassigned(chunk, "roles without an actor label", prov)
                continue
            for marker, raw in self.items_of(lines):
                seg.add_role(code, actor[0], actor[1], raw, prov, marker)

    def loose_row(self, grid: Grid, r: int, roles: dict[int, str]) -> None:
        """A row of a text rendition: cells typed by content, filling the header's columns in order."""
        seg = self.seg
        table = grid.table
        cells = sorted(grid.row_cells(r), key=lambda c: c.col)
        kinds = [cell_kind(cell_text(c), self) for c in cells]
        if all(k == "empty" for k in kinds):
            return
        header = [roles.get(k) for k in range(max(table.n_cols, max(roles) + 1))]
        i = 0
        if kinds and kinds[0] == "vision":
            m = re.match(r"^[(（]?\s*基本理念\s*[)）]?\s*[:：]?\s*(.+)$", light_form(cell_text(cells[0])))
            if m:
                seg.out.facts.visions.append(clean_text(m.group(1)))
            seg.account(cell_text(cells[0]))
            i = 1
        hier: list[str] = []
        while i < len(cells) and kinds[i] in ("hierarchy", "empty", "number"):
            hier.append(light_form(cell_text(cells[i])))
            i += 1
        # "(1) ○○の推進 ① …": the policy and its items in one cell
        items_text = cell_text(cells[i]) if i < len(cells) else ""
        lead = light_form(items_text)
        m = _CIRCLED_AT.search(lead)
        prefix = lead[: m.start()].strip() if m else ""
        named = [h for h in hier if h]
        goal_text = policy_text = ""
        if len(named) >= 2:
            goal_text, policy_text = named[0], named[1]
        elif len(named) == 1:
            goal_text = named[0]
        if prefix and _POLICY_CELL.match(prefix):
            if policy_text:
                goal_text = goal_text or policy_text
            policy_text = prefix if not policy_text else policy_text
        prov = cell_prov(cells[0], table, seg.doc_id)
        if goal_text or policy_text or prefix:
            self.hierarchy(goal_text, policy_text, prefix, prov)
        seg.account("".join(hier) + prefix)
        code = seg.policy
        # the remaining cells fill the header's remaining roles in order, by what they hold
        start = next((k for k, role in enumerate(header) if role not in ("vision", "goal", "policy")), 0)
        pointer = start
        actors: list = []
        for c, kind in zip(cells[i:], kinds[i:]):
            text = cell_text(c)
            cprov = cell_prov(c, table, seg.doc_id)
            if kind == "empty":
                continue
            fits = _FITS.get(kind, (None,))
            target = None
            for k in range(pointer, len(header)):
                if header[k] in fits:
                    target = k
                    break
            if target is None:
                seg.unassigned(text, "cell of a loose row that fits no column", cprov)
                continue
            pointer = target + 1
            role = header[target]
            if role == "actor":
                actors = self.actors_in(light_form(text))
                seg.account(text)
            elif role == "policy_items" and code:
                body = light_form(text)
                if prefix and body.startswith(prefix):
                    body = body[len(prefix):]
                for marker, raw in self.items_of([Line(text=body, page=table.page, line_no=cprov.line_no)]):
                    seg.add_action(code, ActionKind.action, raw, cprov, marker)
            elif role == "roles":
                self.roles_cell(c, actors, code, table)
            elif role in ("actions", "outcome") and code:
                kind_ = ActionKind.action if role == "actions" else ActionKind.outcome
                for marker, raw in self.items_of(c.lines):
                    seg.add_action(code, kind_, raw, cprov, marker)
            elif role == "midterm_score" and code:
                self.score_cell(c, code, table)
            elif role == "self_rating" and code:
                self.rating_cell(c, actors, code, table)
            else:
                seg.unassigned(text, "column not extracted", cprov)

    def settle_ratings(self) -> None:
        """A sheet that rates by department anywhere rates by department everywhere: its bare
        numbers are department ratings whose tag was lost, not self-ratings of the node."""
        out = self.seg.out
        by_department = {r.unit for r in out.ratings if r.department}
        keep = []
        for sc in out.scores:
            if sc.kind == ScoreKind.self_rating and sc.unit in by_department:
                out.ratings.append(RatingRecord(local_code=sc.local_code, unit=sc.unit, actor=sc.actor,
                                                department=None, score=sc.score, raw_text=str(int(sc.score)),
                                                prov=sc.prov))
            else:
                keep.append(sc)
        moved = len(out.scores) - len(keep)
        out.scores = keep
        if moved and self.seg.trace is not None:
            self.seg.trace.append(Decision(page=None, line=None, what="document", rule="ratings settled",
                                           result=f"{moved} bare ratings of department-rated sheets "
                                                  "moved from scores to ratings"))

    def rating_cell(self, cell, actors: list[tuple[Actor, str]], code: str, table: Table) -> None:
        seg = self.seg
        prov = cell_prov(cell, table, seg.doc_id)
        text = light_form(cell_text(cell))
        actor = actors[0] if len(actors) == 1 else None
        dept_pat = self.rules.department_pattern
        found = False
        rest = text
        for m in re.finditer(dept_pat.pattern + r"\s*(?P<score>[1-5])(?![0-9.])", text):
            seg.out.ratings.append(RatingRecord(local_code=code, unit=seg.unit, actor=actor[0] if actor else None,
                                                department=m.group("department"), score=float(m.group("score")),
                                                raw_text=m.group(0), prov=prov))
            seg.account(m.group(0))
            rest = rest.replace(m.group(0), " ", 1)
            found = True
        if found and rest.strip():
            seg.unassigned(rest, "text in a rating cell", prov)
        single = re.fullmatch(r"\s*([1-5])(?:[.．]0)?\s*", text)
        if not found and single and len(actors) <= 1:
            # one number for the row (a policy, or one actor of it): the node's self-rating
            seg.out.scores.append(ScoreRecord(local_code=code, unit=seg.unit, kind=ScoreKind.self_rating,
                                              actor=actor[0] if actor else None, fiscal_year=self.rating_year,
                                              score=float(single.group(1)), prov=prov))
            seg.account(text)
            return
        if not found:
            for m in re.finditer(r"(?:^|\s)([1-5])(?=\s|$)", text):
                seg.out.ratings.append(RatingRecord(local_code=code, unit=seg.unit, actor=actor[0] if actor else None,
                                                    department=None, score=float(m.group(1)), raw_text=text,
                                                    prov=prov))
                seg.account(m.group(1))
                found = True
        if not found and text:
            seg.unassigned(text, "rating cell without a rating", prov)


# ---------------------------------------------------------------------- loose rows (text renditions)

_ITEM_START = re.compile(r"^\s*(?:[①-⑳]|[■●▶・]|[(（][0-9０-９]{1,2}[)）]\s*[①-⑳])")
_CIRCLED_AT = re.compile(r"[①-⑳]")


def cell_kind(text: str, reader: "TableReader") -> str:
    """What a cell of a loosely exported row holds."""
    t = light_form(text)
    if not t:
        return "empty"
    if re.match(r"^[(（]?\s*基本理念\s*[)）]?", t):
        return "vision"
    if all(reader.actor_of(w) for w in t.split()):
        return "actor"
    if re.fullmatch(r"[0-9０-９]{1,2}|[①-⑳]|[(（][0-9０-９]{1,2}[)）]", t):
        return "number"  # a bare goal or policy number
    if re.match(r"^\s*[1-5][.．][0-9]{1,2}(?![0-9])", t):
        return "score"  # an average, possibly followed by the comments
    if reader.rules.department_pattern.search(t):
        return "department"
    if t.startswith(("○", "〇")):
        return "comment"
    if mostly_past(t):
        return "achievements"  # what was done (これまでの取組): never an action or a role
    if _ITEM_START.match(t) or reader.split_by_actor(t)[0][0] is not None:
        return "items"
    if "。" not in t and len(t) <= 60:
        return "hierarchy"
    return "items"


# which header roles a kind of cell may fill
_FITS = {
    "items": ("policy_items", "roles", "actions", "outcome", None),
    "actor": ("actor",),
    "score": ("midterm_score", "self_rating"),
    "number": ("midterm_score", "self_rating"),
    "department": (None, "self_rating"),
    "comment": (None,),
    "achievements": (None,),
}
