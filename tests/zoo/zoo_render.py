"""Drawing plan pages with PyMuPDF: a flow of headings, paragraphs, items and tables over one or
two columns, and the damage real PDFs bring (overprinted bold, radicals, furigana, page furniture).

Text is drawn with PyMuPDF's built-in Japanese font (fontname "japan": not embedded, files stay
small). Radicals: text drawn under the alias "japan-s" is given, at save time, a ToUnicode map that
sends a few ideographs to CJK / Kangxi radicals (⺠ for 民), as fonts of some producers do.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

import pymupdf

from zoo_pools import READINGS

A4 = (595.0, 842.0)
A3_LANDSCAPE = (1191.0, 842.0)

# ideograph → radical: the Kangxi radicals NFKC folds back, and CJK radicals it does not
RADICALS = {"民": "\u2ea0", "長": "\u2ed1", "青": "\u2ed8", "食": "\u2edd", "西": "\u2ec4"}
for _c in range(0x2F00, 0x2FD6):
    _k = unicodedata.normalize("NFKC", chr(_c))
    if _k in "目行人力子心手文方日月生用立見言高自大小山水":
        RADICALS[_k] = chr(_c)


def char_width(ch: str, size: float) -> float:
    """The built-in Japanese font advances every glyph, Latin letters and digits too, by 1 em."""
    return size


def text_width(s: str, size: float) -> float:
    return sum(char_width(c, size) for c in s)


NO_LINE_START = "。、，．）」』】ー"  # kinsoku: these never begin a line


def wrap(s: str, width: float, size: float) -> list[str]:
    """Break a line of Japanese text into lines no wider than `width` (characters, as printed)."""
    lines, cur, w = [], "", 0.0
    for ch in s:
        cw = char_width(ch, size)
        if cur and w + cw > width and ch not in NO_LINE_START:
            lines.append(cur)
            cur, w = "", 0.0
        cur += ch
        w += cw
    if cur:
        lines.append(cur)
    return lines or [""]


@dataclass
class Damage:
    overprint: bool = False      # bold headings drawn 2-4 times at almost the same place
    radicals: dict = field(default_factory=dict)  # ideograph -> radical in the text layer
    furigana: bool = False       # small kana above some words of headings
    page_numbers: str = ""       # "", "dash" (- 12 -), "plain" (12)
    running_header: str = ""     # chapter name at the top of each page
    side_tab: str = ""           # vertical tab on the page edge
    row_split: bool = False      # table rows may run over a page break
    repeat_header: bool = False  # a table's header row repeated after a page break


class Canvas:
    """A document being drawn, with a flow cursor (page, column, y)."""

    def __init__(self, size=A4, columns: int = 1, damage: Damage | None = None, margin: float = 56):
        self.doc = pymupdf.open()
        self.width, self.height = size
        self.columns = columns
        self.damage = damage or Damage()
        self.margin = margin
        self.top, self.bottom = margin + 14, self.height - margin - 10
        self.gap = 20.0
        self.col_w = (self.width - 2 * margin - (columns - 1) * self.gap) / columns
        self.page = None
        self.col = 0
        self.y = self.top
        self.flow_pages: list[int] = []   # pages that get furniture
        self.font = "japan-s" if self.damage.radicals else "japan"
        self.radical_chars: set[str] = set()

    # --- pages and cursor -------------------------------------------------------------------
    def new_page(self, furniture: bool = True):
        self.page = self.doc.new_page(width=self.width, height=self.height)
        if furniture:
            self.flow_pages.append(self.page.number)
        self.col, self.y = 0, self.top
        return self.page

    @property
    def x0(self) -> float:
        return self.margin + self.col * (self.col_w + self.gap)

    def page_no(self) -> int:
        return self.page.number

    def column_break(self):
        if self.col + 1 < self.columns:
            self.col += 1
            self.y = self.top
        else:
            self.new_page()

    def need(self, h: float):
        if self.y + h > self.bottom:
            self.column_break()

    def space(self, h: float):
        self.y += h

    # --- glyphs -------------------------------------------------------------------------------
    def draw(self, x: float, y: float, s: str, size: float, bold: bool = False, color=(0, 0, 0),
             page=None, rotate: int = 0, ruby: bool = False):
        """One run of text with its baseline at y; bold may be overprinted; furigana above words."""
        page = page or self.page
        font = self.font
        if font == "japan-s":
            self.radical_chars.update(s)
        times = 1
        if bold and self.damage.overprint:
            times = 2 + sum(map(ord, s)) % 3  # 2-4 copies, the same for the same text (deterministic)
        for i in range(times):
            page.insert_text((x + 0.15 * i, y + 0.05 * i), s, fontname=font, fontsize=size, color=color,
                             rotate=rotate)
        if ruby and self.damage.furigana:
            for word, kana in READINGS.items():
                at = s.find(word)
                if at < 0:
                    continue
                rs = size * 0.42
                wx = x + text_width(s[:at], size)
                kx = wx + (text_width(word, size) - text_width(kana, rs)) / 2
                page.insert_text((kx, y - size * 0.95), kana, fontname=font, fontsize=rs)
                if font == "japan-s":
                    self.radical_chars.update(kana)

    def line(self, s: str, size: float = 10.5, indent: float = 0, bold: bool = False, gap: float = 4,
             ruby: bool = False):
        self.need(size + gap)
        self.draw(self.x0 + indent, self.y + size, s, size, bold=bold, ruby=ruby)
        self.y += size + gap

    def para(self, s: str, size: float = 10, indent: float = 0, gap: float = 3.5, first_indent: float = 0):
        width = self.col_w - indent
        for i, ln in enumerate(wrap(s, width - first_indent, size) if first_indent else wrap(s, width, size)):
            self.line(ln, size, indent + (first_indent if i == 0 else 0), gap=gap)

    def item(self, mark: str, s: str, size: float = 10, indent: float = 10, gap: float = 3.5):
        """A list item: the mark, then the text wrapped under itself (hanging indent)."""
        mw = text_width(mark, size)
        lines = wrap(s, self.col_w - indent - mw, size)
        for i, ln in enumerate(lines):
            self.need(size + gap)
            if i == 0:
                self.draw(self.x0 + indent, self.y + size, mark + ln, size)
            else:
                self.draw(self.x0 + indent + mw, self.y + size, ln, size)
            self.y += size + gap

    def heading(self, s: str, size: float = 13, style: str = "plain", bold: bool = True, gap: float = 8,
                fill=(0.85, 0.92, 0.98)):
        """A heading line; style plain / box (a rectangle around it) / band (a fill across the column)."""
        lines = wrap(s, self.col_w - 12, size)
        h = len(lines) * (size + 4) + 8
        self.need(h + size * 2)
        top = self.y
        if style in ("box", "band"):
            rect = pymupdf.Rect(self.x0, top, self.x0 + (self.col_w if style == "band" else
                                                        min(self.col_w, text_width(max(lines, key=len), size) + 16)),
                                top + h)
            shape = self.page.new_shape()
            shape.draw_rect(rect)
            if style == "band":
                shape.finish(color=None, fill=fill)
            else:
                shape.finish(color=(0.2, 0.3, 0.6), width=1.0)
            shape.commit()
        y = top + 4
        for ln in lines:
            self.draw(self.x0 + 6, y + size, ln, size, bold=bold, ruby=True)
            y += size + 4
        self.y = top + h + gap

    def label_box(self, label: str, title: str, size: float = 12, fill=(0.2, 0.4, 0.65), gap: float = 8):
        """A node label in a filled box (white text), its title beside it as a separate text run."""
        lw = text_width(label, size) + 10
        lines = wrap(title, self.col_w - lw - 8, size)
        h = len(lines) * (size + 4) + 6
        self.need(h + size * 2)
        shape = self.page.new_shape()
        shape.draw_rect(pymupdf.Rect(self.x0, self.y, self.x0 + lw, self.y + size + 8))
        shape.finish(color=None, fill=fill)
        shape.commit()
        self.draw(self.x0 + 5, self.y + size + 3, label, size, bold=True, color=(1, 1, 1))
        y = self.y + 3
        for ln in lines:
            self.draw(self.x0 + lw + 8, y + size, ln, size, bold=True, ruby=True)
            y += size + 4
        self.y += max(h, size + 8) + gap

    def boxed_items(self, label: str, items: list[str], mark: str, size: float = 10, indent: float = 10):
        """A framed box: a label line, then items (hanging indent); moved whole to the next column."""
        mw = text_width(mark, size)
        wrapped = [wrap(t, self.col_w - 2 * indent - mw, size) for t in items]
        lh = size + 3.5
        h = (1 + sum(len(w) for w in wrapped)) * lh + 16
        self.need(h)
        shape = self.page.new_shape()
        shape.draw_rect(pymupdf.Rect(self.x0, self.y, self.x0 + self.col_w, self.y + h))
        shape.finish(color=(0.3, 0.3, 0.3), width=0.8)
        shape.commit()
        y = self.y + 6
        self.draw(self.x0 + indent, y + size, label, size, bold=True)
        y += lh + 2
        for lines in wrapped:
            for i, ln in enumerate(lines):
                self.draw(self.x0 + indent + (0 if i == 0 else mw), y + size, (mark + ln) if i == 0 else ln, size)
                y += lh
        self.y += h + 6

    # --- tables ------------------------------------------------------------------------------
    def table(self, widths: list[float], rows: list[list[list[str]]], ruled: str = "lines", size: float = 9,
              header_rows: int = 1, marks: str = "・", header_fill=(0.9, 0.9, 0.9), header_bold: bool = True,
              plain_cols: tuple = ()):
        """rows[r][c] is a list of entries; in body rows each entry is an item (mark, hanging indent).
        ruled: "lines" (ruled cells), "fill" (background fills only), "none" (no rules).
        A row that does not fit is split over the break when damage.row_split, else moved whole.
        Columns in plain_cols (an actor label column) get no item mark."""
        total = sum(widths)
        ws = [w / total * self.col_w for w in widths]
        lh = size + 3.5
        header = rows[:header_rows]

        def cell_lines(r: int, c: int, entries: list[str]) -> list[tuple[float, str]]:
            out = []
            inner = ws[c] - 8
            for e in entries:
                if r < header_rows or not marks or not e or c in plain_cols or e in ("－", "―"):
                    out += [(0.0, ln) for ln in wrap(e, inner, size)]
                else:
                    mw = text_width(marks, size)
                    for i, ln in enumerate(wrap(e, inner - mw, size)):
                        out.append((0.0, marks + ln) if i == 0 else (mw, ln))
            return out

        def draw_row(r: int, cells: list[list[tuple[float, str]]], n_lines: int, is_header: bool):
            h = n_lines * lh + 8
            xs = [self.x0]
            for w in ws:
                xs.append(xs[-1] + w)
            shape = self.page.new_shape()
            for c in range(len(ws)):
                rect = pymupdf.Rect(xs[c], self.y, xs[c + 1], self.y + h)
                if ruled == "lines":
                    shape.draw_rect(rect)
                elif ruled == "fill" and (is_header or c == 0):
                    shape.draw_rect(rect)
            if ruled == "lines":
                shape.finish(color=(0, 0, 0), width=0.7, fill=None)
            elif ruled == "fill":
                shape.finish(color=None, fill=header_fill)
            if ruled in ("lines", "fill"):
                shape.commit()
            if ruled == "lines" and is_header:
                pass
            for c, lines in enumerate(cells):
                for i, (dx, ln) in enumerate(lines[:n_lines]):
                    self.draw(xs[c] + 4 + dx, self.y + 4 + size + i * lh, ln, size,
                              bold=is_header and header_bold)
            self.y += h

        def draw_header():
            for r, row in enumerate(header):
                cells = [cell_lines(r, c, e) for c, e in enumerate(row)]
                draw_row(r, cells, max(len(x) for x in cells), True)

        for r, row in enumerate(rows):
            cells = [cell_lines(r, c, e) for c, e in enumerate(row)]
            n = max(1, max(len(x) for x in cells))
            is_header = r < header_rows
            fresh = False  # at the top of a column (below a repeated header): the row must go here
            while True:
                room = int((self.bottom - self.y - 8) // lh)
                if n <= room:
                    draw_row(r, cells, n, is_header)
                    break
                if fresh or (self.damage.row_split and not is_header and room >= 2):
                    k = max(room, 1)  # a row taller than the room left: split it
                    draw_row(r, cells, k, is_header)
                    cells = [x[k:] for x in cells]
                    n -= k
                self.column_break()
                fresh = True
                if self.damage.repeat_header and header and not is_header:
                    draw_header()
        self.y += 8

    # --- furniture and saving ----------------------------------------------------------------
    def furniture(self, first_number: int = 1):
        """Page numbers, running header and side tab on every flow page; returns page → printed number."""
        numbers = {}
        d = self.damage
        save_font = self.font
        for i, pno in enumerate(self.flow_pages):
            page = self.doc[pno]
            n = first_number + i
            numbers[pno] = n
            if d.page_numbers:
                s = f"- {n} -" if d.page_numbers == "dash" else str(n)
                self.draw(self.width / 2 - text_width(s, 9) / 2, self.height - 28, s, 9, page=page)
            if d.running_header:
                right = (i % 2 == 1)
                x = self.width - self.margin - text_width(d.running_header, 8.5) if right else self.margin
                self.draw(x, 34, d.running_header, 8.5, color=(0.3, 0.3, 0.3), page=page)
            if d.side_tab:
                x = self.width - 22
                h = len(d.side_tab) * 12 + 12
                y0 = 160 + (i % 3) * 4
                shape = page.new_shape()
                shape.draw_rect(pymupdf.Rect(x - 4, y0, self.width - 6, y0 + h))
                shape.finish(color=None, fill=(0.25, 0.45, 0.7))
                shape.commit()
                for k, ch in enumerate(d.side_tab):
                    self.draw(x, y0 + 14 + k * 12, ch, 10, color=(1, 1, 1), page=page)
        self.font = save_font
        return numbers

    def save(self, path, toc: list | None = None, owner_password: str | None = None):
        for page in self.doc:  # one content stream per page instead of one per text run
            page.clean_contents(sanitize=False)
        if toc:
            self.doc.set_toc(toc)
        if self.font == "japan-s":
            self._radical_unicode_map()
        path.parent.mkdir(parents=True, exist_ok=True)
        if owner_password:  # readable by anyone, printing and copying restricted
            self.doc.save(str(path), garbage=3, deflate=True, encryption=pymupdf.PDF_ENCRYPT_AES_128,
                          owner_pw=owner_password, user_pw="",
                          permissions=pymupdf.PDF_PERM_ACCESSIBILITY)
        else:
            self.doc.save(str(path), garbage=3, deflate=True, no_new_id=True)  # same seed, same bytes
        self.doc.close()

    def _radical_unicode_map(self):
        """Give the 'japan-s' alias of the built-in font its own object with a ToUnicode map:
        the code of each ideograph in `damage.radicals` is read back as the radical."""
        doc = self.doc
        entries = []
        for ch in sorted(self.radical_chars):
            if ord(ch) > 0xFFFF:
                continue
            target = self.damage.radicals.get(ch, ch)
            entries.append(f"<{ord(ch):04x}> <{ord(target):04x}>")
        blocks = []
        for i in range(0, len(entries), 100):
            chunk = entries[i:i + 100]
            blocks.append(f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar")
        cmap = ("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
                "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n" + "\n".join(blocks) +
                "\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend")
        tu = doc.get_new_xref()
        doc.update_object(tu, "<<>>")
        doc.update_stream(tu, cmap.encode())
        font_xref = None
        for page in doc:
            for f in page.get_fonts():
                if f[4] == "japan-s":
                    font_xref = f[0]
                    break
            if font_xref:
                break
        if not font_xref:
            return
        obj = doc.xref_object(font_xref).rstrip()
        fx = doc.get_new_xref()
        doc.update_object(fx, obj[:-2] + f"/ToUnicode {tu} 0 R >>")
        for page in doc:
            kind, value = doc.xref_get_key(page.xref, "Resources")
            if kind == "xref":
                rx = int(value.split()[0])
                if doc.xref_get_key(rx, "Font/japan-s")[0] != "null":
                    doc.xref_set_key(rx, "Font/japan-s", f"{fx} 0 R")
            elif doc.xref_get_key(page.xref, "Resources/Font/japan-s")[0] != "null":
                doc.xref_set_key(page.xref, "Resources/Font/japan-s", f"{fx} 0 R")
