# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-dev clean fuzz bench zoo themes-check themes-train bench-national

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"

run: install
	$(BIN)/planextract run --corpus corpus --out out
	$(BIN)/planextract align --out out

test: install-dev
	$(BIN)/pytest

clean:
	rm -rf out .pytest_cache

# The long fuzz run (≥ 1,000 mutated PDFs and text renditions, 5,000 plan.yaml files; zero uncaught exceptions).
fuzz: install-dev
	PLANEXTRACT_FUZZ_EXAMPLES=1000 $(BIN)/pytest tests/e2e/test_fuzz.py -p no:randomly

# Speed against the PDF floor and the usual converters (issue: speed). Installs pymupdf4llm for (c).
bench: install-dev
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python benchmarks/bench.py --checks

# The layout zoo (issue 9): fictional plans in the conventions of CONVENTIONS.md, rendered to PDF,
# run through the pipeline and scored per convention against their generated gold (temp dir).
ZOO_SEEDS ?= 200
zoo: install-dev
	$(BIN)/python tests/zoo/run_zoo.py --seeds $(ZOO_SEEDS)

# Theme tags against the hand-coded fictional samples (issue 14): precision / recall per theme, micro
# P / R / F1, topics per item, main-topic accuracy. The main-topic prior is trained on THEME_TRAIN;
# THEME_HELD_OUT are never trained on: their figures are the ones for wording nobody tuned on.
THEME_TRAIN = tests/themes/dev.yaml tests/themes/heldout.yaml tests/themes/heldout2.yaml \
	tests/themes/heldout3.yaml tests/themes/heldout4.yaml tests/themes/heldout5.yaml \
	tests/themes/heldout6.yaml tests/themes/heldout7.yaml tests/themes/heldout8.yaml \
	tests/themes/heldout9.yaml tests/themes/heldout10.yaml \
	tests/themes/plan_style1.yaml tests/themes/plan_style2.yaml
THEME_HELD_OUT = tests/themes/heldout11.yaml tests/themes/heldout12.yaml tests/themes/heldout13.yaml
themes-check: install
	$(BIN)/python -m planextract.compare.reliability $(THEME_TRAIN) $(THEME_HELD_OUT)

# Retrain the main-topic prior (rules/themes.lexical.json) on THEME_TRAIN; prints each training
# sample measured by a prior trained on the others first, and fits the tags' confidence on those
# tags (of items their prior had not seen).
themes-train: install
	$(BIN)/python -m planextract.compare.reliability train $(THEME_TRAIN)

# Every plan in Japan on one machine (issue 10): ~1,741 fictional plans from the layout zoo over
# the 47 prefectures, `run --jobs N` then `align`, timed at 10, 100 and all plans. Heavy: the
# corpus and outputs go to a temp dir (outside git); the corpus is reused by the next run.
NATIONAL_PLANS ?= 1741
NATIONAL_JOBS ?= 2
bench-national: install-dev
	$(BIN)/python benchmarks/bench_national.py --plans $(NATIONAL_PLANS) --jobs $(NATIONAL_JOBS)
