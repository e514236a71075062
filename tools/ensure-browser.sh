#!/usr/bin/env bash
# Installs what the page test needs: Debian's Chromium and playwright-core (no browser download of its own).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
if [ ! -d runtime/src/test/ui/node_modules/playwright-core ]; then
  (cd runtime/src/test/ui && npm install --no-audit --no-fund --silent)
fi
