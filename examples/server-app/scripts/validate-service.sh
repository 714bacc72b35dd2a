#!/bin/bash
# ValidateService: fail the deployment (and let CodeDeploy roll back) unless
# the new version answers its health check.
set -euo pipefail

SERVICE=example-server-app
URL="http://127.0.0.1:${PORT:-8080}/health"
# 20 attempts of at most 2 s + 2 s stay within the 120 s timeout in appspec.yml.
ATTEMPTS=20

# The service may need a few seconds to start listening, so retry.
for attempt in $(seq 1 "$ATTEMPTS"); do
  if curl --silent --show-error --fail --max-time 2 "$URL" > /dev/null; then
    echo "$SERVICE is healthy ($URL, attempt $attempt)"
    exit 0
  fi
  sleep 2
done

echo "$SERVICE did not answer $URL after $ATTEMPTS attempts" >&2
systemctl status "$SERVICE.service" --no-pager || true
journalctl -u "$SERVICE.service" -n 50 --no-pager || true
exit 1
