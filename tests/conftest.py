"""Shared fixtures: the rules, and small documents built in the test (PDF with PyMuPDF, text)."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from planextract.ingest import ingest_document
from planextract.rules import load_rules
from planextract.segment import segment_document

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def rules():
    return load_rules()


class PdfBuilder:
    """Draws pages of Japanese text, boxes and ruled tables, the way plan PDFs are laid out."""

    def __init__(self, width: float = 595, height: float = 842):
        self.doc = pymupdf.open()
        self.width, self.height = width, height
        self.page = None
        self.new_page()

    def new_page(self):
        self.page = self.doc.new_page(width=self.width, height=self.height)
        return self

    def text(self, x: float, y: float, text: str, size: float = 10.5):
        self.page.insert_text((x, y), text, fontname="japan", fontsize=size)
        return self

    def table(self, x: float, y: float, widths: list[float], rows: list[list[list[str]]],
              line_h: float = 15, size: float = 9.5, spans: dict | None = None):
        """rows[r][c] is a list of text lines; spans[(r, c)] = rows covered (merged down)."""
        spans = spans or {}
        heights = [max(len(cell) for cell in row) * line_h + 6 for row in rows]
        xs = [x]
        for w in widths:
            xs.append(xs[-1] + w)
        ys = [y]
        for h in heights:
            ys.append(ys[-1] + h)
        covered = set()
        for (r, c), n in spans.items():
            for k in range(r + 1, r + n):
                covered.add((k, c))
        shape = self.page.new_shape()
        for r in range(len(rows)):
            for c in range(len(widths)):
                if (r, c) in covered:
                    continue
                n = spans.get((r, c), 1)
                rect = pymupdf.Rect(xs[c], ys[r], xs[c + 1], ys[r + n])
                shape.draw_rect(rect)
                for i, ln in enumerate(rows[r][c]):
                    self.page.insert_text((xs[c] + 4, ys[r] + 4 + size + i * line_h), ln,
                                          fontname="japan", fontsize=size)
        shape.finish(color=(0, 0, 0), width=0.8)
        shape.commit()
        return ys[-1]

    def save(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.doc.save(str(path))
        return path


@pytest.fixture
def pdf():
    return PdfBuilder()


@pytest.fixture
def extract_file(rules, tmp_path):
    """Write a document into tmp corpus/<city>/ and run ingest + segment on it."""

    def run(name: str, content, city: str = "testcity"):
        path = tmp_path / "corpus" / city / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, PdfBuilder):
            content.save(path)
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        doc = ingest_document(path, tmp_path / "corpus", city, rules)
        return segment_document(doc, rules)

    return run


@pytest.fixture(scope="session")
def baseline(tmp_path_factory):
    """The quick sample plans' scores from a clean run: a broken document must leave them alone."""
    from planextract import pipeline
    from samples import copy_corpus, quick_scores

    tmp = tmp_path_factory.mktemp("base")
    pipeline.run(copy_corpus(tmp), tmp / "out")
    return quick_scores(tmp / "out")
