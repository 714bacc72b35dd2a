#!/bin/bash
# ApplicationStart: start the service, and have it start again after a reboot.
set -euo pipefail

SERVICE=example-server-app

systemctl enable "$SERVICE.service"
systemctl restart "$SERVICE.service"
echo "started $SERVICE"
