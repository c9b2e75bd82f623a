#!/usr/bin/env bash
# Regenerate docs/inspect/: `planextract inspect --explain` on each sample document.
set -euo pipefail
cd "$(dirname "$0")/.."
for f in corpus/*/*.pdf corpus/*/*.txt; do
  name=$(echo "${f#corpus/}" | tr / _)
  if [[ $f == *meeting*.pdf ]]; then  # 24 A3 pages: two representative ones
    for pg in 4 13; do COLUMNS=150 .venv/bin/planextract inspect "$f" --explain --page $pg > "docs/inspect/$name.page$pg.txt"; done
  else
    COLUMNS=150 .venv/bin/planextract inspect "$f" --explain > "docs/inspect/$name.txt"
  fi
done
