"""An analyst's first hour (issue 12): every mistake explained in one line, honest numbers, Excel
that opens right. Small inputs built in the test; the sample corpus is in tests/e2e/test_first_hour.py."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

import planextract
from planextract import pipeline
from planextract.cli import app
from planextract.errors import InputError
from planextract.merge import document_row
from planextract.models import (DocumentInfo, NodeRow, PlanResult, PlanRow, Provenance, RoleRow, RunResult,
                                SegmentedDocument, Unassigned)
from planextract.store import store

runner = CliRunner()
ENV = {"COLUMNS": "80", "NO_COLOR": "1"}


def _plan(pid: str, code: str = "072028", roles: bool = True, text: str = "学習機会の充実に努める。") -> PlanResult:
    plan = PlanRow(plan_id=pid, city="テスト市", city_code=code, prefecture="福島県", title=None, edition=1,
                   period_start_fy=None, period_end_fy=None, vision="支え合うまち")
    nodes = [NodeRow(plan_id=pid, level="goal", code="1", label="1", title="人づくり", parent_code=None,
                     description=None, is_new=False, doc_id="d", page=1),
             NodeRow(plan_id=pid, level="policy", code="1.1", label="(1)", title="福祉教育の推進", parent_code="1",
                     description=None, is_new=False, doc_id="d", page=2)]
    role_rows = [RoleRow(plan_id=pid, policy_code="1.1", actor="市民", actor_label="市民", qualifier=None, seq=1,
                         text=text, doc_id="d", page=2)] if roles else []
    return PlanResult(plan=plan, documents=[], nodes=nodes, roles=role_rows, actions=[], scores=[], ratings=[],
                      unassigned=[], furniture=[], problems=[])


def _out(tmp_path: Path, *plans: PlanResult) -> Path:
    out = tmp_path / "out"
    store(RunResult(plans=list(plans or [_plan("t-1")])), out)
    return out


def _gold(folder: Path, pid: str = "t-1") -> Path:
    folder.mkdir(exist_ok=True)
    gold = {"plan": {"plan_id": pid, "city": "テスト市", "prefecture": "福島県", "edition": 1,
                     "period_start_fy": None, "period_end_fy": None, "vision": "支え合うまち"},
            "nodes": [{"level": "goal", "code": "1", "title": "人づくり"}], "roles": [], "actions": [], "scores": []}
    (folder / f"{pid}.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return folder


def _one_line_error(res, code: int = 2) -> str:
    """The command failed with `code` and said why in one line, without a traceback."""
    assert res.exit_code == code, (res.exit_code, res.output)
    assert "Traceback" not in res.output and not isinstance(res.exception, (KeyError, ValueError, OSError)), res.output
    lines = [ln for ln in res.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), res.output
    return lines[0]


# ---------------------------------------------------------------- 1. score compares something, or says not


def test_score_without_a_gold_folder_is_an_error_not_a_perfect_score(tmp_path):
    out = _out(tmp_path)
    line = _one_line_error(runner.invoke(app, ["score", str(out / "csv"), str(tmp_path / "nogold")]))
    assert "gold folder not found" in line
    line = _one_line_error(runner.invoke(app, ["score", str(out), str(tmp_path / "nogold")]))
    assert line.endswith(f"give the run's csv folder, {out / 'csv'}")  # the run's folder instead of its csv/
    (tmp_path / "empty").mkdir()
    assert "no gold files" in _one_line_error(runner.invoke(app, ["score", str(out / "csv"), str(tmp_path / "empty")]))


def test_invalid_gold_json_is_one_line_naming_file_and_line(tmp_path):
    out = _out(tmp_path)
    gold = _gold(tmp_path / "gold")
    (gold / "t-1.json").write_text('{"plan": {"plan_id": "t-1",\n  "nodes": [}', encoding="utf-8")
    line = _one_line_error(runner.invoke(app, ["score", str(out / "csv"), str(gold)]))
    assert "t-1.json" in line and "line 2" in line
    (gold / "t-1.json").write_text('{"nodes": []}', encoding="utf-8")
    assert "missing plan" in _one_line_error(runner.invoke(app, ["score", str(out / "csv"), str(gold)]))


def test_score_exits_1_naming_gold_without_plan_and_plan_without_gold(tmp_path):
    out = _out(tmp_path, _plan("t-1"), _plan("u-2"))
    gold = _gold(_gold(tmp_path / "gold", "t-1"), "v-3")
    res = runner.invoke(app, ["score", str(out / "csv"), str(gold)], env=ENV)
    assert res.exit_code == 1, res.output
    assert "v-3.json: plan v-3 is not in" in res.output  # gold file that matches no plan
    assert "plan u-2: no gold file u-2.json" in res.output  # plan that matches no gold
    assert "overall P" in res.output  # the score of what could be compared is still printed
    # every plan matched: exit 0
    assert runner.invoke(app, ["score", str(out / "csv"), str(gold), "--plans", "t-1"]).exit_code == 0


def test_score_takes_a_city_for_its_one_plan_and_refuses_unknown_ids(tmp_path):
    out = _out(tmp_path, _plan("t-1"))
    gold = _gold(tmp_path / "gold", "t-1")
    res = runner.invoke(app, ["score", str(out / "csv"), str(gold), "--plans", "t", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert {r["plan"] for r in rows} == {"t-1", "overall"}
    line = _one_line_error(runner.invoke(app, ["score", str(out / "csv"), str(gold), "--plans", "x-9"]))
    assert "known plans: t-1" in line


# ---------------------------------------------------------------- 4. user errors: one line, exit 2


@pytest.mark.parametrize("args, says", [
    (["inspect", "{tmp}/missing.pdf"], "no such file"),
    (["inspect", "{tmp}"], "is a folder"),
    (["inspect", "{tmp}/a_file", "--format", "xml"], "--format takes"),
    (["report", "--out", "{out}", "--dest", "{tmp}/a_file"], "is a file"),
    (["export", "--out", "{out}", "--dest", "{tmp}/a_file"], "is a file"),
    (["export", "--out", "{out}", "--format", "docx"], "--format takes"),
    (["run", "--corpus", "{tmp}/corpus", "--out", "."], "holds the corpus"),
    (["run", "--corpus", "{tmp}/corpus", "--out", "{tmp}/a_file"], "is a file"),
    (["run", "--corpus", "{tmp}/corpus", "--out", "{tmp}"], "holds the corpus"),
    (["run", "--corpus", "{tmp}/corpus", "--out", "{tmp}/corpus/out"], "is inside the corpus"),
    (["run", "--corpus", "{tmp}/nothing", "--out", "{tmp}/o"], "corpus folder not found"),
    (["run", "--corpus", "{tmp}/corpus", "--out", "{tmp}/o", "--formats", "docx"], "--formats takes"),
    (["compare", "--out", "{out}", "--by", "city"], "--by takes actor or theme"),
    (["compare", "--out", "{out}", "--format", "xml"], "--format takes"),
    (["compare", "--out", "{tmp}/nothing"], "run `planextract run` first"),
    (["search", "", "--out", "{out}"], "give a WORD, a --theme, or both"),
    (["similar", "t-1", "9.9", "--out", "{out}"], "its policies: 1.1"),
    (["init", "{tmp}/a_file", "--city", "x市", "--code", "139998"], "is a file"),
    (["validate", "--corpus", "{tmp}/corpus", "--rules", "{tmp}/norules"], "rules folder not found"),
    (["run", "--corpus", "{tmp}/corpus", "--out", "{tmp}/o", "--rules", "{tmp}/norules"], "rules folder not found"),
])
def test_user_errors_are_one_line_and_exit_2(tmp_path, monkeypatch, args, says):
    out = _out(tmp_path)
    (tmp_path / "a_file").write_text("x", encoding="utf-8")
    (tmp_path / "corpus").mkdir()
    monkeypatch.chdir(tmp_path)
    res = runner.invoke(app, [a.format(tmp=tmp_path, out=out) for a in args], env=ENV)
    assert says in _one_line_error(res)
    assert (tmp_path / "a_file").read_text(encoding="utf-8") == "x"  # a file given as a folder is left alone


# ---------------------------------------------------------------- 5. names as typed, empties explained


def test_plan_ids_resolve_from_the_city_when_unambiguous():
    from planextract.names import resolve_plan_id, resolve_plan_ids

    known = ["atsugi-6", "ichinoseki-2", "ichinoseki-3"]
    assert resolve_plan_id("atsugi", known) == "atsugi-6"
    assert resolve_plan_id("atsugi-6", known) == "atsugi-6"
    assert resolve_plan_ids("atsugi, ichinoseki-3", known) == ["atsugi-6", "ichinoseki-3"]
    assert resolve_plan_ids("", known) is None
    with pytest.raises(InputError, match="several editions"):
        resolve_plan_id("ichinoseki", known)
    with pytest.raises(InputError, match="known plans: atsugi-6, ichinoseki-2, ichinoseki-3"):
        resolve_plan_id("atsugi-5", known)


def test_actor_labels_resolve_through_the_actor_rules(rules):
    from planextract.names import resolve_actor

    assert resolve_actor("社会福祉協議会", rules) == "社協"
    assert resolve_actor("住 民", rules) == "市民"
    assert resolve_actor("行政", rules) == "行政"
    with pytest.raises(InputError, match="actors: 市民, 地域, 専門職, 社協, 行政"):
        resolve_actor("商店街", rules)


def test_a_plan_folder_without_documents_is_a_warning(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "sakurano").mkdir(parents=True)
    (corpus / "sakurano" / "plan.yaml").write_text('city: さくら野市\ncity_code: "139998"\n', encoding="utf-8")
    (corpus / "sakurano" / "notes.docx").write_bytes(b"x")
    res = runner.invoke(app, ["run", "--corpus", str(corpus), "--out", str(tmp_path / "out")], env=ENV)
    assert res.exit_code == 0, res.output
    assert "warning sakurano: plan.yaml but no document to read" in res.output
    assert "1 folder(s) without documents: sakurano" in res.output
    with (tmp_path / "out/csv/problems.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["doc_path"], r["severity"]) for r in rows] == [("sakurano", "warning")]
    strict = runner.invoke(app, ["run", "--corpus", str(corpus), "--out", str(tmp_path / "o2"), "--strict"])
    assert strict.exit_code == 1


# ---------------------------------------------------------------- 6. NULL where a plan has no role content


def test_actor_matrix_is_null_for_a_plan_without_roles(tmp_path):
    out = _out(tmp_path, _plan("t-1"), _plan("u-2", roles=False))
    con = duckdb.connect(str(out / "planextract.duckdb"), read_only=True)
    cells = dict(((p, a), n) for p, a, n in con.execute("SELECT plan_id, actor, n FROM v_actor_matrix").fetchall())
    assert cells[("t-1", "市民")] == 1 and cells[("t-1", "社協")] == 0  # has roles, none for 社協: 0
    assert all(cells[("u-2", a)] is None for a in ("市民", "地域", "専門職", "社協", "行政"))
    assert con.execute("SELECT roles FROM v_plan_summary WHERE plan_id = 'u-2'").fetchone() == (None,)
    m = planextract.compare("actor", out=out)
    assert m.no_roles == ["u-2"] and m.rows()[1]["市民"] is None


# ---------------------------------------------------------------- 8. xlsx: a real workbook


def _sheet_xml(book: zipfile.ZipFile, name: str) -> str:
    wb = book.read("xl/workbook.xml").decode()
    rels = book.read("xl/_rels/workbook.xml.rels").decode()
    rid = re.search(rf'<sheet name="{re.escape(name)}" sheetId="\d+" r:id="(rId\d+)"', wb).group(1)
    target = re.search(rf'Id="{rid}" Type="[^"]+" Target="([^"]+)"', rels).group(1)
    return book.read(f"xl/{target}").decode()


def _cell_texts(sheet: str, strings: list[str]) -> dict[str, str]:
    """cell reference → text, for every string cell of a sheet (shared or inline strings)."""
    out = {}
    for ref, typ, body in re.findall(r'<c r="([A-Z]+\d+)"[^>]*?t="(s|inlineStr|str)"[^>]*>(.*?)</c>', sheet):
        if typ == "s":
            out[ref] = strings[int(re.search(r"<v>(\d+)</v>", body).group(1))]
        else:
            out[ref] = re.sub(r"<[^>]+>", "", body)
    return out


def test_xlsx_export_is_one_workbook_with_codes_as_text(tmp_path):
    out = _out(tmp_path, _plan("t-1", code="072028", text="=HYPERLINK(\"http://x\")"))
    res = runner.invoke(app, ["export", "--out", str(out), "--format", "xlsx", "--dest", str(tmp_path / "x")])
    assert res.exit_code == 0, res.output
    path = tmp_path / "x" / "planextract.xlsx"
    with zipfile.ZipFile(path) as book:
        names = re.findall(r'<sheet name="([^"]+)"', book.read("xl/workbook.xml").decode())
        assert names[:6] == ["plans", "documents", "nodes", "roles", "actions", "scores"]
        assert "policy_alignment" in names
        strings = []
        if "xl/sharedStrings.xml" in book.namelist():
            strings = [re.sub(r"<[^>]+>", "", s) for s in
                       re.findall(r"<si>(.*?)</si>", book.read("xl/sharedStrings.xml").decode(), re.S)]
        plans = _sheet_xml(book, "plans")
        texts = _cell_texts(plans, strings)
        assert texts["A1"] == "plan_id" and texts["C1"] == "city_code"
        assert texts["C2"] == "072028"  # text, leading zero kept
        assert 'state="frozen"' in plans and 'ySplit="1"' in plans  # header row frozen
        assert "<autoFilter" in plans
        roles = _sheet_xml(book, "roles")
        assert "<f>" not in roles  # no formula anywhere
        assert any(v.startswith("=HYPERLINK") for v in _cell_texts(roles, strings).values())
        nodes = _cell_texts(_sheet_xml(book, "nodes"), strings)
        assert "1.1" in nodes.values()  # codes as text, not the number 1.1


# ---------------------------------------------------------------- 9. docs agree with the program


def test_every_value_the_formats_help_names_is_accepted():
    from typer.main import get_command

    opt = next(p for p in get_command(app).commands["run"].params if p.name == "formats")
    named = re.findall(r"\b(pdf,text|pdf|text|both)\b", opt.help)
    assert named and "both" in opt.help
    for value in named:
        assert pipeline.parse_formats(value)
    assert pipeline.parse_formats("both") == pipeline.parse_formats("pdf,text") == ("pdf", "text")


def test_every_command_has_a_python_twin_with_its_options():
    import inspect as pyinspect

    from typer.main import get_command

    presentation = {"format", "strict"}  # how a listing is printed, which warnings set the exit status
    for name, cmd in get_command(app).commands.items():
        twin = getattr(planextract, name, None)
        assert callable(twin), f"planextract.{name} is missing"
        params = set(pyinspect.signature(twin).parameters)
        options = {p.name for p in cmd.params}
        if name == "export":
            presentation_here = set()  # export's --format is what it writes
        else:
            presentation_here = presentation
        assert options - presentation_here <= params, (name, options - params)


def test_faq_and_inspect_name_the_same_file_types(tmp_path):
    from planextract.ingest import PDF_SUFFIXES, TEXT_SUFFIXES

    faq = (Path(__file__).resolve().parents[2] / "docs/faq.md").read_text(encoding="utf-8")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x.docx").write_bytes(b"x")
    line = _one_line_error(runner.invoke(app, ["inspect", str(tmp_path / "c" / "x.docx")]))
    for suffix in PDF_SUFFIXES | TEXT_SUFFIXES:
        assert f"`{suffix}`" in faq and suffix in line, suffix


# ---------------------------------------------------------------- 10. extracted and kept


def test_extracted_and_kept_tell_rows_from_text_set_aside():
    info = DocumentInfo(doc_id="d", plan_slug="t", path="t/x.pdf", sha256="0" * 64, format="pdf", n_pages=1,
                        chars_total=1000)
    aside = Unassigned(text="こ れ ま で の 取 組" + "あ" * 393, reason="column not extracted", prov=Provenance(doc_id="d"))
    seg = SegmentedDocument(info=info, unassigned=[aside], chars_assigned=800)  # 400 in rows, 400 set aside
    row = document_row("t-1", seg, furniture_chars=200)
    assert row.chars_unassigned == 400 and row.chars_furniture == 200
    assert row.coverage == 1.0  # everything accounted for …
    assert row.extracted == 0.5  # … but only half of the text (furniture aside) is in rows
    assert row.kept == 1.0
    from planextract.api import plan_figures

    figures = plan_figures([row, row.model_copy(update={"chars_unassigned": 0, "chars_assigned": 1000})])
    assert figures == {"extracted": 0.75, "kept": 1.0}  # weighted by characters


def test_national_figures_take_plans_without_role_content(tmp_path):
    from planextract.report import _plan_row, national_figures, prefecture_figures

    out = _out(tmp_path, _plan("t-1"), _plan("u-2", roles=False))
    con = duckdb.connect(str(out / "planextract.duckdb"), read_only=True)
    try:
        plans, themes = national_figures(con)
    finally:
        con.close()
    figures = prefecture_figures(plans, themes)  # a NULL roles count is not a number to add up
    assert figures[0]["plans"] == 2 and figures[0]["roles"] == 0.5
    row = _plan_row(next(p for p in plans if p["plan_id"] == "u-2"), themes)
    assert "no role table" in row and "–" in row
