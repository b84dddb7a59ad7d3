#!/bin/sh
# Makes sure redis-server is installed: the hosted-mode tests start their own throwaway instance.
set -eu
if command -v redis-server >/dev/null 2>&1; then
  redis-server --version
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "redis-server is missing and installing it needs root (apt-get install -y redis-server)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends redis-server
# The tests start their own instance; a service the package may have started is not needed.
if command -v service >/dev/null 2>&1; then service redis-server stop >/dev/null 2>&1 || true; fi
redis-server --version
