"""Build the PDF of a small fictional plan (さくら野市, a city that does not exist).

It is laid out unlike the four sample plans, in ways real plans are: goals numbered with Roman
numerals (基本目標Ⅱ), policies numbered 施策２－１ in full-width digits, a role table whose columns
are the actors (市民 | 地域 | 事業者 | 社会福祉協議会 | 市), and the headings 各主体の役割 and
具体的な取組. The tutorial in docs/tutorial-new-city.md and the tests use it.

    python docs/examples/fictional_plan.py corpus/sakurano/plan.pdf
"""

from __future__ import annotations

import sys
from pathlib import Path

import pymupdf

GOALS = [
    ("Ⅰ", "ともに学び合うまち", [
        ("１－１", "福祉を学ぶ機会づくり", ["福祉講座の開催", "小中学校での体験学習"],
         {"市民": ["講座に参加します。"], "地域": ["学びの場を提供します。"], "事業者": ["職員を講師として派遣します。"],
          "社会福祉協議会": ["体験学習を企画します。"], "市": ["講座の情報を発信します。"]}),
        ("１－２", "支え手の育成", ["ボランティア養成講座の実施"],
         {"市民": ["できる範囲で活動に参加します。"], "社会福祉協議会": ["活動先を紹介します。"],
          "市": ["活動団体を支援します。"]}),
    ]),
    ("Ⅱ", "安心して暮らせるまち", [
        ("２－１", "相談窓口の充実", ["総合相談窓口の設置", "出張相談の実施"],
         {"市民": ["困りごとを早めに相談します。"], "事業者": ["相談を関係機関へつなぎます。"],
          "市": ["相談窓口を周知します。", "関係機関の連携会議を開きます。"]}),
    ]),
]


def build(path: Path | str) -> Path:
    path = Path(path)
    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    y = 60.0

    def text(x: float, s: str, size: float = 10.5, gap: float = 8.0):
        nonlocal y, page
        if y > 780:
            page = doc.new_page(width=595, height=842)
            y = 60.0
        page.insert_text((x, y), s, fontname="japan", fontsize=size)
        y += size + gap

    text(60, "第３期さくら野市地域福祉計画", size=16)
    text(60, "計画期間：令和７年度～令和11年度")
    text(60, "基本理念", size=11)
    text(80, "ひとりひとりが主役のまち", size=13, gap=16)
    for g_label, g_title, policies in GOALS:
        text(60, f"基本目標{g_label}　{g_title}", size=14, gap=12)
        for p_label, p_title, actions, roles in policies:
            text(60, f"施策{p_label}　{p_title}", size=12)
            text(60, "この施策では、誰もが参加できるよう取り組みを進めます。", size=10.5, gap=10)
            text(60, "具体的な取組", size=11)
            for a in actions:
                text(72, f"○{a}")
            text(60, "各主体の役割", size=11, gap=6)
            actors = list(roles)
            widths = 475 / len(actors)
            wrapped = {a: [item[j:j + 8] for item in v for j in range(0, len(item), 8)] for a, v in roles.items()}
            n_lines = max(len(v) for v in wrapped.values())
            top, row_h = y, 20
            bottom = top + row_h + n_lines * 11 + 10
            if bottom > 800:
                page = doc.new_page(width=595, height=842)
                y = 60.0
                top = y
                bottom = top + row_h + n_lines * 11 + 10
            shape = page.new_shape()
            for i, actor in enumerate(actors):
                x0 = 60 + i * widths
                shape.draw_rect(pymupdf.Rect(x0, top, x0 + widths, top + row_h))
                shape.draw_rect(pymupdf.Rect(x0, top + row_h, x0 + widths, bottom))
                page.insert_text((x0 + 4, top + 14), actor, fontname="japan", fontsize=9)
                line = 0
                for item in roles[actor]:
                    # wrap each commitment to the column width, 8 characters a line
                    for j in range(0, len(item), 8):
                        mark = "・" if j == 0 else "　"
                        page.insert_text((x0 + 4, top + row_h + 14 + line * 11), mark + item[j:j + 8],
                                         fontname="japan", fontsize=8)
                        line += 1
            shape.finish(color=(0, 0, 0), width=0.8)
            shape.commit()
            y = bottom + 24
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))
    return path


if __name__ == "__main__":
    print(build(sys.argv[1] if len(sys.argv) > 1 else "corpus/sakurano/plan.pdf"))
