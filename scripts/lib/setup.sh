# Installs what Slipway's scripts need on Debian 12, only what is missing, so every script that
# sources this stays idempotent and quick on a machine that already has everything.
# Sourced by scripts/demo, scripts/test and the benchmarks.

slipway_log() { printf '==> %s\n' "$*" >&2; }

slipway_require_swift() {
    if ! command -v swift >/dev/null 2>&1; then
        for candidate in /opt/swift/usr/bin /usr/share/swift/usr/bin; do
            [ -x "$candidate/swift" ] && export PATH="$candidate:$PATH" && break
        done
    fi
    command -v swift >/dev/null 2>&1 || {
        echo "error: the Swift 6.3 toolchain is required (swift not found on PATH)" >&2
        exit 1
    }
}

# apt packages: build-time C libraries, the OpenSSH server the ssh tests talk to, tools.
slipway_install_apt() {
    local wanted=(libyaml-dev libarchive-dev zlib1g-dev libcurl4-openssl-dev libzstd-dev make gcc openssh-server openssh-client zstd pigz zip unzip curl procps)
    local missing=()
    for package in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    slipway_log "installing Debian packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The AWS emulator the tests use, from PyPI.
slipway_install_pip() {
    if command -v moto_server >/dev/null 2>&1 && python3 -c "import moto.server, flask_cors" >/dev/null 2>&1; then
        return 0
    fi
    slipway_log "installing moto[server] from PyPI"
    python3 -m pip install --quiet --disable-pip-version-check 'moto[server]'
    hash -r
    command -v pyenv >/dev/null 2>&1 && pyenv rehash || true
}

slipway_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Waits until something accepts connections on 127.0.0.1:$1.
slipway_wait_port() {
    local port=$1 name=$2
    for _ in $(seq 1 200); do
        if python3 -c "import socket,sys; s=socket.socket(); s.settimeout(0.2); sys.exit(s.connect_ex(('127.0.0.1', $port)))" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "error: $name did not start listening on 127.0.0.1:$port" >&2
    return 1
}
