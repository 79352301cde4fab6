#!/bin/sh
# ValidateService: the server answers with the version just installed.
root="${SLIPWAY_HOST_ROOT:-}"
expected="hello from $(cat "$root/srv/hello/VERSION")"
body=""
i=0
while [ "$i" -lt 50 ]; do
    body=$(curl -fsS --max-time 2 "http://127.0.0.1:$PORT/" 2>/dev/null) && [ "$body" = "$expected" ] && break
    sleep 0.2
    i=$((i + 1))
done
if [ "$body" != "$expected" ]; then
    echo "http://127.0.0.1:$PORT/ answered \"$body\", expected \"$expected\"" >&2
    exit 1
fi
echo "127.0.0.1:$PORT says: $body"
