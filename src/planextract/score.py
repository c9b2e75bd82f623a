"""The extraction metric: precision / recall / F1 per table and plan against gold annotations.

Same matching as the workplace's eval/score.py: greedy one-to-one, same key, text similar at
SequenceMatcher ratio >= 0.9 after NFKC, white space removal and stripping of bullet marks.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path

from .errors import InputError

PLAN_FIELDS = ("city", "prefecture", "edition", "period_start_fy", "period_end_fy", "vision")


def norm(s: str | None) -> str:
    s = unicodedata.normalize("NFKC", s or "")
    s = re.sub(r"\s+", "", s)
    return s.strip("・▶●〇○◆■□-–—。．.")


def similar(a: str, b: str, th: float = 0.9) -> bool:
    if a == b:
        return True
    if not a or not b:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= th


def _read(out: Path, name: str) -> list[dict]:
    p = out / f"{name}.csv"
    if not p.exists():
        return []
    with p.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _match(gold, pred, key, text_of_gold, text_of_pred) -> int:
    used: set[int] = set()
    tp = 0
    for g in gold:
        gk, gts = key(g), [norm(t) for t in text_of_gold(g)]
        for i, p in enumerate(pred):
            if i in used or key(p) != gk:
                continue
            pt = norm(text_of_pred(p))
            if any(similar(gt, pt) for gt in gts):
                used.add(i)
                tp += 1
                break
    return tp


def prf(tp: int, ng: int, np_: int) -> tuple[float, float, float]:
    p = tp / np_ if np_ else (1.0 if ng == 0 else 0.0)
    r = tp / ng if ng else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


@dataclass
class Line:
    plan: str
    table: str
    gold: int
    pred: int
    tp: int

    @property
    def f1(self) -> float:
        return prf(self.tp, self.gold, self.pred)[2]


GOLD_KEYS = ("plan", "nodes", "roles", "actions", "scores")


def gold_files(gold_dir: Path | str) -> list[tuple[Path, dict]]:
    """Every <plan_id>.json of `gold_dir`, parsed; a missing folder, a folder without gold files or
    a file that is not a gold annotation is an error naming the file (and line)."""
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise InputError(f"{gold_dir}: gold folder not found (it holds one <plan_id>.json per plan)")
    paths = sorted(gold_dir.glob("*.json"))
    if not paths:
        raise InputError(f"{gold_dir}: no gold files (<plan_id>.json) in this folder")
    out = []
    for gp in paths:
        try:
            g = json.loads(gp.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            raise InputError(f"{gp}: not UTF-8 text; save the gold file as UTF-8") from None
        except json.JSONDecodeError as e:
            raise InputError(f"{gp}: line {e.lineno}, column {e.colno}: not valid JSON ({e.msg})") from None
        missing = [k for k in GOLD_KEYS if not isinstance(g, dict) or k not in g]
        if not missing and not (isinstance(g["plan"], dict) and g["plan"].get("plan_id")):
            missing = ["plan.plan_id"]
        if missing:
            raise InputError(f"{gp}: not a gold annotation (missing {', '.join(missing)})")
        out.append((gp, g))
    return out


def check_output(out: Path) -> None:
    """The folder scored must hold a run's CSV tables."""
    if not (out / "nodes.csv").exists():
        hint = f"; give the run's csv folder, {out / 'csv'}" if (out / "csv" / "nodes.csv").exists() else \
            "; give the csv folder of a run (OUT/csv)"
        raise InputError(f"no nodes.csv under {out}{hint}")


def output_plan_ids(out_csv: Path | str) -> list[str]:
    """The plan ids of an output folder's plans.csv."""
    return sorted({r["plan_id"] for r in _read(Path(out_csv), "plans") if r.get("plan_id")})


def resolve_plans(out_csv: Path | str, gold_dir: Path | str, plans) -> set[str] | None:
    """--plans as typed (`atsugi` for `atsugi-6` when unambiguous) → the plan ids to score."""
    from .names import resolve_plan_ids

    known = set(output_plan_ids(out_csv)) | {g["plan"]["plan_id"] for _, g in gold_files(gold_dir)}
    ids = resolve_plan_ids(plans, known)
    return set(ids) if ids else None


def unmatched(out_csv: Path | str, gold_dir: Path | str, plans: set[str] | None = None) -> list[str]:
    """What a score would silently leave out: a gold file whose plan is not in the output, a plan
    of the output without a gold file (within `plans` when given). One message each."""
    mine = set(output_plan_ids(out_csv))
    gold = {g["plan"]["plan_id"]: gp for gp, g in gold_files(gold_dir)}
    messages = [f"{gold[pid]}: plan {pid} is not in {Path(out_csv) / 'plans.csv'} (nothing to compare it with)"
                for pid in sorted(gold) if pid not in mine and (not plans or pid in plans)]
    messages += [f"plan {pid}: no gold file {pid}.json in {gold_dir} (not scored)"
                 for pid in sorted(mine) if pid not in gold and (not plans or pid in plans)]
    return messages


def score(out_csv: Path | str, gold_dir: Path | str, plans: set[str] | None = None) -> list[Line]:
    out, gold_dir = Path(out_csv), Path(gold_dir)
    check_output(out)
    tables = {n: _read(out, n) for n in ("plans", "nodes", "roles", "actions", "scores")}
    lines: list[Line] = []
    for gp, g in gold_files(gold_dir):
        pid = g["plan"]["plan_id"]
        if plans and pid not in plans:
            continue
        mine = {n: [r for r in rows if r.get("plan_id") == pid] for n, rows in tables.items()}
        tp = _match(g["nodes"], mine["nodes"], lambda r: (r["level"], r["code"]),
                    lambda r: [r["title"], *r.get("alt_titles", [])], lambda r: r["title"])
        lines.append(Line(pid, "nodes", len(g["nodes"]), len(mine["nodes"]), tp))
        if g["roles"]:
            tp = _match(g["roles"], mine["roles"], lambda r: (r.get("policy") or r.get("policy_code"), r["actor"]),
                        lambda r: [r["text"]], lambda r: r["text"])
            lines.append(Line(pid, "roles", len(g["roles"]), len(mine["roles"]), tp))
        if g["actions"]:
            tp = _match(g["actions"], mine["actions"], lambda r: (r.get("parent") or r.get("parent_code"), r["kind"]),
                        lambda r: [r["text"]], lambda r: r["text"])
            lines.append(Line(pid, "actions", len(g["actions"]), len(mine["actions"]), tp))
        if g["scores"]:
            gs = {(s["policy"], float(s["score"])) for s in g["scores"]}
            ps = set()
            for s in mine["scores"]:
                try:
                    ps.add((s["policy_code"], float(s["score"])))
                except (KeyError, ValueError):
                    pass
            lines.append(Line(pid, "scores", len(gs), len(mine["scores"]), len(gs & ps)))
        plan = next(iter(mine["plans"]), {})
        ok = 0
        for k in PLAN_FIELDS:
            gv, pv = g["plan"].get(k), plan.get(k)
            alts = [gv] + (g["plan"].get("alt_visions", []) if k == "vision" else [])
            if gv is None:
                ok += pv in (None, "", "NULL")
            else:
                ok += any(norm(str(a)) == norm(str(pv)) for a in alts)
        lines.append(Line(pid, "plan", len(PLAN_FIELDS), len(PLAN_FIELDS) if plan else 0, ok))
    return lines


def overall(lines: list[Line]) -> tuple[float, float, float]:
    return prf(sum(x.tp for x in lines), sum(x.gold for x in lines), sum(x.pred for x in lines))


def report(lines: list[Line]) -> str:
    out = [f"{'plan':18} {'table':8} {'gold':>5} {'pred':>5} {'tp':>5}  {'P':>5} {'R':>5} {'F1':>5}"]
    for x in lines:
        p, r, f = prf(x.tp, x.gold, x.pred)
        out.append(f"{x.plan:18} {x.table:8} {x.gold:5} {x.pred:5} {x.tp:5}  {p:5.2f} {r:5.2f} {f:5.2f}")
    p, r, f = overall(lines)
    out.append(f"overall P {p:.3f} R {r:.3f} F1 {f:.3f}")
    return "\n".join(out)


def rows(lines: list[Line]) -> list[dict]:
    """The lines of a score as plain rows (csv / json), the overall line last with plan 'overall'."""
    out = []
    for x in lines:
        p, r, f = prf(x.tp, x.gold, x.pred)
        out.append({"plan": x.plan, "table": x.table, "gold": x.gold, "pred": x.pred, "tp": x.tp,
                    "P": round(p, 4), "R": round(r, 4), "F1": round(f, 4)})
    p, r, f = overall(lines)
    out.append({"plan": "overall", "table": "", "gold": sum(x.gold for x in lines),
                "pred": sum(x.pred for x in lines), "tp": sum(x.tp for x in lines),
                "P": round(p, 4), "R": round(r, 4), "F1": round(f, 4)})
    return out
