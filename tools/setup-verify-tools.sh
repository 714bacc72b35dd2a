#!/usr/bin/env bash
# Installs the tools the proofs run: the Python ones (cfn-lint, checkov, moto_server, the AWS CLI)
# into a venv at .tmp/verify-tools, from the exact versions of tools/verify-tools/requirements.txt,
# and a second Node.js (below). Does nothing for a tool already installed at exactly those versions.
# `npm test` and `npm run verify` run it first (the verify:tools task).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tmp/verify-tools
requirements=tools/verify-tools/requirements.txt
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" != "$wanted" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$requirements"
  "$venv/bin/pip" check
  echo "$wanted" > "$venv/requirements.sha256"
fi

# The Node.js the build proof runs buildspecs with when they ask for another major version than this
# machine's (CodeBuild installs it for `runtime-versions`), from the npm registry at the version
# tools/verify-tools/node-runtime/package-lock.json pins.
runtime=.tmp/node-runtime
runtime_lock=tools/verify-tools/node-runtime/package-lock.json
runtime_wanted=$(sha256sum "$runtime_lock" | cut -d' ' -f1)
if [ "$(cat "$runtime/lock.sha256" 2>/dev/null)" != "$runtime_wanted" ]; then
  rm -rf "$runtime"
  mkdir -p "$runtime"
  cp tools/verify-tools/node-runtime/package.json "$runtime_lock" "$runtime/"
  npm ci --prefix "$runtime" --no-audit --no-fund --ignore-scripts --loglevel=error
  echo "$runtime_wanted" > "$runtime/lock.sha256"
fi
