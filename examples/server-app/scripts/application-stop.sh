#!/bin/bash
# ApplicationStop: stop the running service so the new files can replace it.
set -euo pipefail

SERVICE=example-server-app

# after-install.sh writes the unit, so it does not exist before the first deployment.
if [ -f "/etc/systemd/system/$SERVICE.service" ]; then
  systemctl stop "$SERVICE.service"
  echo "stopped $SERVICE"
else
  echo "$SERVICE is not installed yet; nothing to stop"
fi
