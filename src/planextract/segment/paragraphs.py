"""Lines → paragraphs, and paragraphs → items.

A paragraph is what a reader sees as one unit: a heading, a list item with its wrapped lines, a
block of prose. PDF lines are grouped by geometry (same size, small gap); text-rendition lines are
already logical lines, except list items wrapped by the export.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..models import Line, Provenance
from ..normalise import ItemMarks, join_fragments, light_form


@dataclass
class Para:
    text: str
    lines: list[Line] = field(default_factory=list)
    after_break: bool = False  # a blank line (text) or a wide gap (PDF) comes before it

    @property
    def first(self) -> Line:
        return self.lines[0]

    def prov(self, doc_id: str) -> Provenance:
        ln = self.first
        bbox = None
        if all(x.bbox for x in self.lines):
            bbox = (min(x.bbox[0] for x in self.lines), min(x.bbox[1] for x in self.lines),
                    max(x.bbox[2] for x in self.lines), max(x.bbox[3] for x in self.lines))
        return Provenance(doc_id=doc_id, page=ln.page, bbox=bbox, line_no=ln.line_no)


# A past tense (〜した、〜を行った) marks an achievement, not a commitment (CONVENTIONS.md).
PAST_TENSE = re.compile(r"(?:した|った|いた|えた|れた|めた|けた|てた|ねた|せた)。?\s*(?:[(（][^)）]*[)）])?\s*$")


def mostly_past(text: str) -> bool:
    """Most sentences of a cell are in the past tense: a record of what was done."""
    sentences = [x for x in re.split(r"(?<=。)", text) if x.strip()]
    past = sum(1 for x in sentences if PAST_TENSE.search(x.strip()))
    return bool(sentences) and past * 2 >= len(sentences) and past >= 1


WRAP_MIN = 25  # characters: a text-rendition line shorter than this was not wrapped


def _sentence_done(text: str) -> bool:
    return text.rstrip().endswith(("。", "：", ":", "」。", "。)", "。）"))


def lines_to_paragraphs(lines: list[Line], marks: ItemMarks, starts_block, stands_alone=None) -> list[Para]:
    """Group lines. `starts_block(text)`: the line opens a heading or section by itself;
    `stands_alone(text)`: the paragraph is complete as it is (a bare label such as 基本理念)."""
    paras: list[Para] = []
    for ln in lines:
        text = ln.text.strip()
        if not text:
            continue
        new = True
        after_break = False
        if paras:
            prev = paras[-1]
            last = prev.lines[-1]
            opens = marks.starts_item(text, prev.text) or starts_block(light_form(text))
            # a bare label stands alone: what follows it is its value, not its continuation
            opens = opens or bool(stands_alone and stands_alone(prev.text))
            if ln.bbox and last.bbox and ln.page == last.page:
                size = ln.size or 10.0
                gap = ln.bbox[1] - last.bbox[3]
                # a line printed otherwise (bold, on a band) is not the same paragraph
                same_size = abs((ln.size or 0) - (last.size or 0)) <= 0.6 and ln.bold == last.bold \
                    and ln.boxed == last.boxed
                below = -2.0 <= gap <= 0.9 * size
                # a first-line indent of up to two characters still makes one paragraph
                aligned = ln.bbox[0] >= prev.first.bbox[0] - 2.5 * size and ln.bbox[0] <= last.bbox[2]
                new = opens or not (same_size and below and aligned)
                after_break = gap > 1.5 * size
            elif ln.bbox is None and last.bbox is None:
                after_break = (ln.line_no or 0) - (last.line_no or 0) > 1
                # Text rendition: only a wrapped list item continues on the next line.
                # An export wraps long lines only: a short line (a heading) is complete.
                new = (opens or after_break or not marks.starts_item(prev.text) or _sentence_done(prev.text)
                       or len(prev.lines[-1].text.strip()) < WRAP_MIN)
        if new:
            paras.append(Para(text=text, lines=[ln], after_break=after_break))
        else:
            prev.text = join_fragments(prev.text, text)
            prev.lines.append(ln)
    return paras


def para_items(para: Para, marks: ItemMarks) -> list[tuple[str | None, str]]:
    """Items of a paragraph as (marker, raw text): '●a　●b' → two items."""
    out = []
    for piece in marks.split_inline(para.text):
        mark, rest = marks.split_leading(piece)
        rest = rest.strip()
        if rest:
            out.append((mark, rest))
    return out
