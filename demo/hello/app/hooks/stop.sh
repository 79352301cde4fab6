#!/bin/sh
# ApplicationStop: stops the server started by start.sh, if it runs.
# SLIPWAY_HOST_ROOT is set for local hosts (a folder standing in for /) and empty on real ones.
root="${SLIPWAY_HOST_ROOT:-}"
pidfile="$root/var/run/hello.pid"
[ -f "$pidfile" ] || { echo "hello is not running"; exit 0; }
pid=$(cat "$pidfile")
# Only ever signal our own server, even if the pid was reused since.
if grep -q server.py "/proc/$pid/cmdline" 2>/dev/null; then
    kill "$pid"
    i=0
    # A zombie waiting to be reaped has an empty cmdline: it no longer holds the port.
    while grep -q server.py "/proc/$pid/cmdline" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    if grep -q server.py "/proc/$pid/cmdline" 2>/dev/null; then kill -9 "$pid"; fi
    echo "stopped hello (pid $pid)"
fi
rm -f "$pidfile"
