#!/usr/bin/env bash
# Sets everything up, then converts the bundled example reports into out/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --system-python
export OMP_THREAD_LIMIT=1
.venv/bin/xxgk convert examples -o out --overwrite --jobs 2
