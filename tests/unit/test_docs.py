"""Docs cannot drift: every command has help and a README example; every table and column is in
docs/schema.md; every rules file is in docs/rules.md; every sample document has its inspect page."""

from pathlib import Path

import pytest
from typer.main import get_command

from planextract.cli import app
from planextract.store import TABLES

ROOT = Path(__file__).resolve().parents[2]
COMMANDS = sorted(get_command(app).commands)


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_has_help_and_a_readme_example(name):
    cmd = get_command(app).commands[name]
    assert (cmd.help or "").strip()
    assert f"planextract {name}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_schema_doc_lists_every_table_and_column():
    doc = (ROOT / "docs/schema.md").read_text(encoding="utf-8")
    for name, model in TABLES.items():
        assert f"## {name}" in doc
        for col in model.model_fields:
            assert f"| {col} |" in doc, (name, col)


def test_rules_doc_covers_every_rules_file():
    doc = (ROOT / "docs/rules.md").read_text(encoding="utf-8")
    for p in (ROOT / "rules").glob("*.yaml"):
        assert f"## {p.name}" in doc


def test_inspect_pages_for_every_sample_document():
    pages = {p.name for p in (ROOT / "docs/inspect").glob("*.txt")}
    for doc in (ROOT / "corpus").glob("*/*"):
        if doc.suffix in (".pdf", ".txt"):
            stem = f"{doc.parent.name}_{doc.name}"
            assert any(p.startswith(stem) for p in pages), stem
