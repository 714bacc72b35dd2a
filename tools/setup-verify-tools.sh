#!/usr/bin/env bash
# Installs the Python tools the proofs run (cfn-lint, checkov, moto_server, the AWS CLI) into a venv
# at .tmp/verify-tools, from the exact versions of tools/verify-tools/requirements.txt. Does nothing
# when that venv already holds exactly those versions. `npm test` and `npm run verify` run it first
# (the verify:tools task).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tmp/verify-tools
requirements=tools/verify-tools/requirements.txt
wanted=$(sha256sum "$requirements" | cut -d' ' -f1)
if [ "$(cat "$venv/requirements.sha256" 2>/dev/null)" = "$wanted" ]; then
  exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r "$requirements"
"$venv/bin/pip" check
echo "$wanted" > "$venv/requirements.sha256"
