#!/usr/bin/env bash
# Sets everything up (LibreOffice for the .doc test, RapidOCR for the second OCR engine's tests,
# Chromium for the audit page test),
# then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-office --with-rapidocr --with-browser
export OMP_THREAD_LIMIT=1
.venv/bin/python -m pytest tests "$@"
