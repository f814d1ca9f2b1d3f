#!/usr/bin/env bash
# The whole test suite: `npm test`. Installs what it needs from the project's own files first.
set -euo pipefail
cd "$(dirname "$0")/.."

# Node dependencies (npm ci when node_modules is missing or older than the lock file).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
bash scripts/ensure-system-deps.sh
export VK_ICD_FILENAMES="${VK_ICD_FILENAMES:-/usr/lib/chromium/vk_swiftshader_icd.json}"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"

node scripts/build.mjs --tests
npx tsc -p . --noEmit
echo "typecheck: ok"

suites=(out/test/unit out/test/gpu)
if [ -f scripts/e2e-setup.sh ] && [ -d out/test/e2e ] && [ "${CONVLAB_SKIP_E2E:-}" != 1 ]; then
  bash scripts/e2e-setup.sh
  suites+=(out/test/e2e)
fi
log=$(mktemp)
set +e
npx mocha --config .mocharc.json --recursive "${suites[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
set -e
passed=$(grep -Eo '^ *[0-9]+ passing' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
failed=$(grep -Eo '^ *[0-9]+ failing' "$log" | grep -Eo '[0-9]+' | tail -1 || true)
rm -f "$log"
echo "tests: ${passed:-0} passed, ${failed:-0} failed"
exit $rc
