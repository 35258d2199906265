#!/usr/bin/env bash
# What `make demo` and `make test` need on this machine beside Python: installed where root can (Debian's
# packages), else named with the command that brings it, within seconds. Usage: launch/machine.sh demo|test
set -euo pipefail
purpose=${1:-test}
missing=()

apt_install() {  # root on Debian/Ubuntu: install the packages; elsewhere: false
  [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || return 1
  [ -n "${_apt_updated:-}" ] || { apt-get update -qq; _apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Chromium: MTA_CHROMIUM_PATH wins (empty: Playwright's own build); else Debian's package.
if [ "${MTA_CHROMIUM_PATH+set}" = set ]; then
  if [ -n "$MTA_CHROMIUM_PATH" ] && [ ! -x "$MTA_CHROMIUM_PATH" ]; then
    missing+=("Chromium: MTA_CHROMIUM_PATH=$MTA_CHROMIUM_PATH is not an executable")
  fi
elif [ ! -x /usr/lib/chromium/chromium ]; then
  apt_install chromium fonts-dejavu-core \
    || missing+=("Chromium: sudo apt-get install chromium, or .venv/bin/playwright install chromium and MTA_CHROMIUM_PATH= (empty)")
fi

command -v redis-server >/dev/null || apt_install redis-server \
  || missing+=("redis-server: sudo apt-get install redis-server")

if [ "$purpose" = test ]; then
  if command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >/dev/null
  fi
  if ! command -v pg_isready >/dev/null; then
    apt_install postgresql || missing+=("PostgreSQL on 127.0.0.1:5432 with trust auth: sudo apt-get install postgresql")
  fi
  if command -v pg_isready >/dev/null && ! pg_isready -h 127.0.0.1 -p 5432 -q; then
    if command -v pg_ctlcluster >/dev/null && [ "$(id -u)" = 0 ]; then
      pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
      for _ in $(seq 30); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
    fi
    pg_isready -h 127.0.0.1 -p 5432 -q || missing+=("PostgreSQL is not answering on 127.0.0.1:5432: start it")
  fi
fi

if [ ${#missing[@]} -gt 0 ]; then
  printf 'make %s needs:\n' "$purpose" >&2
  printf '  - %s\n' "${missing[@]}" >&2
  exit 1
fi
