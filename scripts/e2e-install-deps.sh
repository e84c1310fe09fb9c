#!/usr/bin/env bash
# Installs the Debian packages the end-to-end suite needs (npm run test:e2e).
# Idempotent: does nothing, not even `apt-get update`, when every tool is there.
# The packages start no daemons; e2e/run.sh runs them by hand on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=../e2e/lib/tools.sh
source e2e/lib/tools.sh

missing=$(e2e_missing_tools | tr '\n' ' ')
if [[ -z $missing ]]; then
  echo "e2e-install-deps: all tools present"
  exit 0
fi
echo "e2e-install-deps: missing: $missing"

if ! command -v apt-get >/dev/null 2>&1; then
  echo "e2e-install-deps: no apt-get here; install these Debian packages by hand: ${E2E_PACKAGES[*]}" >&2
  exit 1
fi
as_root=()
if [[ $(id -u) -ne 0 ]]; then
  if command -v sudo >/dev/null 2>&1; then
    as_root=(sudo -n)
  else
    echo "e2e-install-deps: not root and no sudo; run as root: apt-get install ${E2E_PACKAGES[*]}" >&2
    exit 1
  fi
fi

export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update
"${as_root[@]}" apt-get install -y --no-install-recommends "${E2E_PACKAGES[@]}"

missing=$(e2e_missing_tools | tr '\n' ' ')
if [[ -n $missing ]]; then
  echo "e2e-install-deps: still missing after install: $missing" >&2
  exit 1
fi
echo "e2e-install-deps: installed ${E2E_PACKAGES[*]}"
