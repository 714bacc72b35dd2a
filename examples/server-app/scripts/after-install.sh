#!/bin/bash
# AfterInstall: install production dependencies and (re)write the systemd unit.
set -euo pipefail

SERVICE=example-server-app
APP_DIR=/opt/example-server-app
PORT="${PORT:-8080}"

cd "$APP_DIR"

# CodeDeploy only copies the revision; dependencies are installed here from the
# committed lock file. node_modules is not part of the revision, so it survives
# redeployments: reinstall when it is missing or was installed from another lock file.
LOCK_SUM="$(sha256sum package-lock.json | cut -d ' ' -f 1)"
if [ ! -d node_modules ] || [ "$(cat node_modules/.installed-lock-sha256 2> /dev/null)" != "$LOCK_SUM" ]; then
  if ! command -v npm > /dev/null; then
    echo "npm is not installed on this instance; install Node.js 18 or later, which includes npm" >&2
    exit 1
  fi
  npm ci --omit=dev --no-audit --no-fund
  mkdir -p node_modules
  echo "$LOCK_SUM" > node_modules/.installed-lock-sha256
fi

# systemd needs an absolute path to node, and it differs between distributions.
NODE_BIN="$(command -v node)"

cat > "/etc/systemd/system/$SERVICE.service" <<UNIT
[Unit]
Description=$SERVICE
After=network-online.target
Wants=network-online.target

[Service]
Type=simple
User=$SERVICE
WorkingDirectory=$APP_DIR
Environment=NODE_ENV=production
Environment=PORT=$PORT
ExecStart=$NODE_BIN $APP_DIR/server.js
Restart=on-failure
RestartSec=2

[Install]
WantedBy=multi-user.target
UNIT

systemctl daemon-reload
echo "installed $SERVICE.service"
