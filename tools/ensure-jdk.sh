#!/usr/bin/env bash
# Makes sure a JDK 17+ is on PATH (installs Debian's openjdk-17 when it is not). Maven itself comes from ./mvnw.
set -euo pipefail
version() { java -version 2>&1 | awk -F'"' '/version/ {split($2, v, "."); print v[1]}'; }
if command -v java >/dev/null 2>&1 && command -v javac >/dev/null 2>&1 && [ "$(version)" -ge 17 ]; then
  exit 0
fi
echo "JDK 17+ not found: installing openjdk-17-jdk-headless" >&2
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq openjdk-17-jdk-headless >/dev/null
