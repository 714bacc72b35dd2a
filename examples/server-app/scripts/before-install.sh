#!/bin/bash
# BeforeInstall: make sure the instance can run the app before any file is copied.
set -euo pipefail

SERVICE=example-server-app

if ! command -v node > /dev/null; then
  echo "node is not installed on this instance; install Node.js 18 or later (for example in the instance user data)" >&2
  exit 1
fi

# The service runs as its own unprivileged user, not as root.
if ! id -u "$SERVICE" > /dev/null 2>&1; then
  useradd --system --no-create-home --shell "$(command -v nologin || echo /bin/false)" "$SERVICE"
  echo "created user $SERVICE"
fi
