#!/bin/sh
# ApplicationStart: starts the server in the background, fully detached: its own session, no
# terminal, and stdin/stdout/stderr away from the hook's pipes, so the hook ends at once.
set -e
root="${SLIPWAY_HOST_ROOT:-}"
: "${PORT:?PORT is not set for this host (with.hosts[].env.PORT)}"
mkdir -p "$root/var/run" "$root/var/log"
cd "$root/srv/hello"
setsid python3 server.py "$PORT" >>"$root/var/log/hello.log" 2>&1 </dev/null &
echo $! > "$root/var/run/hello.pid"
echo "started hello $(cat VERSION) on 127.0.0.1:$PORT (pid $!)"
