#!/usr/bin/env bash
# Sets everything up (LibreOffice included, for the .doc test), then runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-office
export OMP_THREAD_LIMIT=1
.venv/bin/python -m pytest tests "$@"
