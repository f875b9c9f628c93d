#!/bin/sh
# Prometheus and promtool from Debian's `prometheus` package, for the rule tests and the
# load-test study (issue #15). Installed only where missing; needs root (as CI runs),
# otherwise says what to run and leaves the rest of the installation alone: the tests
# that need promtool then fail naming this script.
set -eu
if command -v promtool >/dev/null 2>&1 && command -v prometheus >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "zkwork: Prometheus is missing; install Debian's package as root: apt-get install prometheus" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q --no-install-recommends prometheus >/dev/null \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends prometheus >/dev/null; }
# The package enables a system service; zkwork starts its own servers on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet prometheus 2>/dev/null; then
    systemctl stop prometheus || true
fi
