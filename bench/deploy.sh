#!/usr/bin/env bash
# Deploy benchmark: an in-place deploy of one small revision (copy, unpack, install, three hook
# scripts per host) by Slipway, by Ansible and by a plain shell script (the floor), side by side:
#   - 50 local hosts, all at once (Slipway AllAtOnce, Ansible serial 50 / forks 50, shell parallel)
#   - 50 local hosts, one at a time (Slipway OneAtATime, Ansible serial 1, shell sequential)
#   - 10 ssh hosts on loopback (aliases of a private sshd on 127.0.0.1), all at once (Slipway,
#     Ansible over ssh with ControlPersist, shell over ssh with ControlMaster)
#
#   bench/deploy.sh [--reps 3] [--hosts 50] [--ssh-hosts 10] [--no-ansible] [--work-root DIR]
#                   [--overhead-reps 5]
#   (--no-ansible: only Slipway and the shell floor, minutes instead of tens of minutes;
#    --work-root: where the run's hosts live, default the benchmark cache folder; e.g. /dev/shm
#    to measure without the disk's file system, see docs/benchmarks.md;
#    --overhead-reps: with Ansible, the repetitions of the first pass, Slipway and the floor
#    only, that the runner-overhead target is judged on)
#   SKIP_BUILD=1 bench/deploy.sh ...    # reuse .build-bench/release as is
#
# Needs: sshd (openssh-server), ssh, python3 with venv; ansible-core is installed here into
# $CACHE/ansible-venv (pip), not by scripts/lib/setup.sh. Results: printed, and written to
# bench/out/deploy.md (+ one JSON per comparison). What is measured and why: docs/benchmarks.md.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

REPS=3 HOSTS=50 SSH_HOSTS=10 NO_ANSIBLE=0 WORK_ROOT="" OVERHEAD_REPS=5
while (($#)); do
    case "$1" in
        --reps) REPS="$2"; shift 2 ;;
        --hosts) HOSTS="$2"; shift 2 ;;
        --ssh-hosts) SSH_HOSTS="$2"; shift 2 ;;
        --no-ansible) NO_ANSIBLE=1; shift ;;
        --work-root) WORK_ROOT="$2"; shift 2 ;;
        --overhead-reps) OVERHEAD_REPS="$2"; shift 2 ;;
        -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

# Slipway and its EC2 plugin (a dynamic library the runner finds next to the binary).
if [[ "${SKIP_BUILD:-0}" == 1 && -x "$SLIPWAY" && -f "$SCRATCH/release/libSlipwayEC2.so" ]]; then
    log "SKIP_BUILD=1: using the existing $SLIPWAY"
else
    log "building slipway and the SlipwayEC2 plugin (release) into $SCRATCH"
    (cd "$REPO" && swift build -c release --product slipway --scratch-path "$SCRATCH" 2>&1 | tail -2 \
                && swift build -c release --product SlipwayEC2 --scratch-path "$SCRATCH" 2>&1 | tail -2)
fi
[[ -x "$SLIPWAY" && -f "$SCRATCH/release/libSlipwayEC2.so" ]] || { echo "no slipway or plugin in $SCRATCH/release" >&2; exit 1; }

# Ansible from PyPI in its own virtualenv (only the benchmark needs it).
VENV="$CACHE/ansible-venv"
if [[ ! -x "$VENV/bin/ansible-playbook" ]]; then
    log "installing ansible-core into $VENV"
    mkdir -p "$CACHE"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q ansible-core
fi
ANSIBLE_VERSION="$("$VENV/bin/ansible-playbook" --version | head -1)"

mkdir -p "$CACHE" "$OUT"
WORK_ROOT="${WORK_ROOT:-$CACHE}"
mkdir -p "$WORK_ROOT"
WORK="$(mktemp -d "$WORK_ROOT/deploy-run.XXXXXX")"
SSHD_PID=""
cleanup() {
    [[ -n "$SSHD_PID" ]] && kill "$SSHD_PID" 2>/dev/null && wait "$SSHD_PID" 2>/dev/null
    rm -rf "$WORK"
}
trap cleanup EXIT

# ---------------------------------------------------------------- the revision
# 20 small files and three hooks, each of which appends its event to the host's events.log.
APP="$WORK/project/app"
mkdir -p "$APP/site" "$APP/hooks" "$WORK/project/pipelines"
for i in $(seq 1 20); do head -c 4096 /dev/urandom | base64 > "$APP/site/page-$i.txt"; done
for hook in before after start; do
    printf '#!/bin/sh\necho "$LIFECYCLE_EVENT" >> "${SLIPWAY_HOST_ROOT:-$HOST_ROOT}/events.log"\n' > "$APP/hooks/$hook.sh"
    chmod +x "$APP/hooks/$hook.sh"
done
cat > "$APP/appspec.yml" <<YAML
version: 0.0
os: linux
files:
  - source: site
    destination: /srv/site
file_exists_behavior: OVERWRITE
hooks:
  BeforeInstall: [{location: hooks/before.sh, timeout: 60}]
  AfterInstall: [{location: hooks/after.sh, timeout: 60}]
  ApplicationStart: [{location: hooks/start.sh, timeout: 60}]
YAML
BUNDLE="$WORK/bundle.tgz"
tar -czf "$BUNDLE" -C "$APP" .

# ---------------------------------------------------------------- ssh hosts
# A private sshd on 127.0.0.1 (as scripts/test starts one), one alias per host.
mkdir -p /run/sshd "$WORK/sshd/home"
SSH_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ssh-keygen -q -t ed25519 -N '' -f "$WORK/sshd/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$WORK/sshd/client_key"
cp "$WORK/sshd/client_key.pub" "$WORK/sshd/authorized_keys"; chmod 600 "$WORK/sshd/authorized_keys"
cat > "$WORK/sshd/sshd_config" <<CONFIG
ListenAddress 127.0.0.1
Port $SSH_PORT
HostKey $WORK/sshd/host_key
AuthorizedKeysFile $WORK/sshd/authorized_keys
PidFile $WORK/sshd/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
MaxStartups 100:30:200
MaxSessions 100
Subsystem sftp internal-sftp
SetEnv HOME=$WORK/sshd/home
CONFIG
/usr/sbin/sshd -D -e -f "$WORK/sshd/sshd_config" 2>"$WORK/sshd/sshd.log" &
SSHD_PID=$!
SSH_CONFIG="$WORK/ssh_config"
: > "$SSH_CONFIG"
for i in $(seq 1 "$SSH_HOSTS"); do
    cat >> "$SSH_CONFIG" <<CONFIG
Host bench-$i
  HostName 127.0.0.1
  Port $SSH_PORT
  User $(id -un)
  IdentityFile $WORK/sshd/client_key
  IdentitiesOnly yes
  StrictHostKeyChecking no
  UserKnownHostsFile /dev/null
  LogLevel ERROR

CONFIG
done
for _ in $(seq 1 100); do ssh -F "$SSH_CONFIG" -o ConnectTimeout=2 bench-1 true 2>/dev/null && break; sleep 0.1; done

# ---------------------------------------------------------------- Slipway
LOCAL_IDS=$(seq -f 'h%g' 1 "$HOSTS" | paste -sd, -)
SSH_ENTRIES=$(for i in $(seq 1 "$SSH_HOSTS"); do printf '{id: bench-%s, root: %s/ssh/slipway/bench-%s}, ' "$i" "$WORK" "$i"; done)
cat > "$WORK/project/pipelines/bench.yml" <<YAML
name: bench
revision: {source: app, format: tgz}
store: file://$WORK/store
stages:
  - name: all
    type: ec2
    strategy: CodeDeployDefault.AllAtOnce
    with: {transport: local, root: $WORK/local/slipway-all, hosts: [$LOCAL_IDS]}
  - name: one
    type: ec2
    strategy: CodeDeployDefault.OneAtATime
    with: {transport: local, root: $WORK/local/slipway-one, hosts: [$LOCAL_IDS]}
  - name: ssh
    type: ec2
    strategy: CodeDeployDefault.AllAtOnce
    with: {transport: ssh, sshConfig: $SSH_CONFIG, hosts: [${SSH_ENTRIES%, }]}
YAML
PIPELINE="$WORK/project/pipelines/bench.yml"
REVISION=$(cd "$WORK/project" && "$SLIPWAY" push "$PIPELINE" 2>/dev/null | grep -oE '[0-9a-f]{64}' | head -1)
[[ -n "$REVISION" ]] || { echo "slipway push printed no revision id" >&2; exit 1; }
slipway_deploy() { printf 'cd %q && %q deploy %q --stage %s --revision %s' "$WORK/project" "$SLIPWAY" "$PIPELINE" "$1" "$REVISION"; }

# ---------------------------------------------------------------- Ansible
mkdir -p "$WORK/ansible"
PY="$VENV/bin/python"
{
    echo "[local]"
    for i in $(seq 1 "$HOSTS"); do echo "h$i ansible_connection=local ansible_python_interpreter=$PY root=$WORK/local/ansible/h$i"; done
    echo "[ssh]"
    for i in $(seq 1 "$SSH_HOSTS"); do echo "bench-$i ansible_connection=ssh ansible_python_interpreter=$PY root=$WORK/ssh/ansible/bench-$i"; done
} > "$WORK/ansible/inventory.ini"
cat > "$WORK/ansible/ansible.cfg" <<CFG
[defaults]
forks = 50
host_key_checking = False
interpreter_python = $PY
retry_files_enabled = False
stdout_callback = default
[ssh_connection]
ssh_args = -F $SSH_CONFIG -o ControlMaster=auto -o ControlPersist=60s
pipelining = True
CFG
# A fresh ControlPath folder per run: no run reuses an earlier run's ssh connections.
ansible_run() {   # GROUP BATCH
    printf 'cd %q && ANSIBLE_CONFIG=%q ANSIBLE_SSH_CONTROL_PATH_DIR=$(mktemp -d /tmp/ansible-cp.XXXXXX) %q -i inventory.ini -l %s -e batch=%s -e bundle=%q %q >/dev/null' \
        "$WORK/ansible" "$WORK/ansible/ansible.cfg" "$VENV/bin/ansible-playbook" "$1" "$2" "$BUNDLE" "$BENCH/deploy/playbook.yml"
}

# ---------------------------------------------------------------- shell
LOCAL_SHELL_ROOTS=$(for i in $(seq 1 "$HOSTS"); do printf '%s/local/shell/h%s ' "$WORK" "$i"; done)
SSH_SHELL_PAIRS=$(for i in $(seq 1 "$SSH_HOSTS"); do printf 'bench-%s:%s/ssh/shell/bench-%s ' "$i" "$WORK" "$i"; done)
shell_run() { printf 'sh %q %s' "$BENCH/deploy/shell-deploy.sh" "$*"; }
# The Ansible rows of each comparison (none with --no-ansible).
ANSIBLE_ALL=() ANSIBLE_ONE=() ANSIBLE_SSH=()
if [[ "$NO_ANSIBLE" == 0 ]]; then
    ANSIBLE_ALL=(--tool "ansible (serial $HOSTS, forks 50)" --cmd "$(ansible_run local "$HOSTS")")
    ANSIBLE_ONE=(--tool "ansible (serial 1)" --cmd "$(ansible_run local 1)")
    ANSIBLE_SSH=(--tool "ansible over ssh (serial $SSH_HOSTS)" --cmd "$(ansible_run ssh "$SSH_HOSTS")")
fi

RESULTS="$OUT/deploy.md"
{
    echo "### In-place deploy: $HOSTS local hosts and $SSH_HOSTS ssh hosts, one small revision"
    echo
    echo "_Revision: $(tar -tzf "$BUNDLE" | grep -vc '/$') files, $(wc -c < "$BUNDLE") bytes (tgz); per host: copy, unpack, install 20 files, 3 hooks._"
    echo "_slipway binary sha256 $(sha256sum "$SLIPWAY" | cut -c1-16)…; $(swift --version 2>/dev/null | head -1); $ANSIBLE_VERSION; $(ssh -V 2>&1)._"
    echo
} > "$RESULTS"

# With Ansible, the runner-overhead target gets its own pass first: Slipway and the floor only,
# OVERHEAD_REPS interleaved repetitions (the overhead is a difference of two CPU figures that
# swing between runs, so one repetition cannot decide it), before Ansible's runs have created
# and deleted their hundred thousand files on this disk (see docs/benchmarks.md: creating files
# right after such churn costs more, and Slipway creates more files per host than the floor).
OVERHEAD_JSONS=()
if [[ "$NO_ANSIBLE" == 0 ]]; then
    log "runner overhead: $OVERHEAD_REPS repetitions of Slipway and the floor"
    "${HARNESS[@]}" --title "$HOSTS local hosts, all at once (overhead pass)" --reps "$OVERHEAD_REPS" --json "$OUT/deploy-local-all-overhead.json" \
        --tool "slipway (AllAtOnce)" --cmd "$(slipway_deploy all) >/dev/null" \
        --tool "shell (parallel)" --cmd "$(shell_run local parallel "$BUNDLE" "$LOCAL_SHELL_ROOTS")" | tee -a "$RESULTS"
    "${HARNESS[@]}" --title "$HOSTS local hosts, one at a time (overhead pass)" --reps "$OVERHEAD_REPS" --json "$OUT/deploy-local-one-overhead.json" \
        --tool "slipway (OneAtATime)" --cmd "$(slipway_deploy one) >/dev/null" \
        --tool "shell (sequential)" --cmd "$(shell_run local sequential "$BUNDLE" "$LOCAL_SHELL_ROOTS")" | tee -a "$RESULTS"
    "${HARNESS[@]}" --title "$SSH_HOSTS ssh hosts on loopback, all at once (overhead pass)" --reps "$OVERHEAD_REPS" --json "$OUT/deploy-ssh-overhead.json" \
        --tool "slipway over ssh (AllAtOnce)" --cmd "$(slipway_deploy ssh) >/dev/null" \
        --tool "shell over ssh (parallel, ControlMaster)" --cmd "$(shell_run ssh "$SSH_CONFIG" "$BUNDLE" "$SSH_SHELL_PAIRS")" | tee -a "$RESULTS"
    OVERHEAD_JSONS=("$OUT/deploy-local-all-overhead.json" "$OUT/deploy-local-one-overhead.json" "$OUT/deploy-ssh-overhead.json")
fi

log "$HOSTS local hosts, all at once"
"${HARNESS[@]}" --title "$HOSTS local hosts, all at once" --reps "$REPS" --json "$OUT/deploy-local-all.json" \
    --tool "slipway (AllAtOnce)" --cmd "$(slipway_deploy all) >/dev/null" \
    "${ANSIBLE_ALL[@]}" \
    --tool "shell (parallel)" --cmd "$(shell_run local parallel "$BUNDLE" "$LOCAL_SHELL_ROOTS")" \
    | tee -a "$RESULTS"

log "$HOSTS local hosts, one at a time"
"${HARNESS[@]}" --title "$HOSTS local hosts, one at a time" --reps "$REPS" --json "$OUT/deploy-local-one.json" \
    --tool "slipway (OneAtATime)" --cmd "$(slipway_deploy one) >/dev/null" \
    "${ANSIBLE_ONE[@]}" \
    --tool "shell (sequential)" --cmd "$(shell_run local sequential "$BUNDLE" "$LOCAL_SHELL_ROOTS")" \
    | tee -a "$RESULTS"

log "$SSH_HOSTS ssh hosts, all at once"
"${HARNESS[@]}" --title "$SSH_HOSTS ssh hosts on loopback, all at once" --reps "$REPS" --json "$OUT/deploy-ssh.json" \
    --tool "slipway over ssh (AllAtOnce)" --cmd "$(slipway_deploy ssh) >/dev/null" \
    "${ANSIBLE_SSH[@]}" \
    --tool "shell over ssh (parallel, ControlMaster)" --cmd "$(shell_run ssh "$SSH_CONFIG" "$BUNDLE" "$SSH_SHELL_PAIRS")" \
    | tee -a "$RESULTS"

# Every tool must really have done the work: 3 hook lines per host per run.
log "checking every host ran its hooks"
CHECK=""
PATTERNS=("local/slipway-all/h*" "local/slipway-one/h*" "local/shell/h*" "ssh/slipway/*" "ssh/shell/*")
[[ "$NO_ANSIBLE" == 1 ]] || PATTERNS+=("local/ansible/h*" "ssh/ansible/*")
for pattern in "${PATTERNS[@]}"; do
    # shellcheck disable=SC2086
    set -- $WORK/$pattern
    short=0
    for host in "$@"; do
        lines=$(wc -l < "$host/events.log" 2>/dev/null || echo 0)
        [[ "$lines" -ge 3 && -f "$host/srv/site/page-1.txt" ]] || short=$((short + 1))
    done
    CHECK+=" ${pattern%/*}: $# hosts, $short incomplete;"
done
{
    echo "_Check:${CHECK}_"
    echo
    echo "**Per host** (median wall and CPU divided by the number of hosts) **and targets**"
    echo
    python3 "$BENCH/lib/deploy_targets.py" "$HOSTS" "$SSH_HOSTS" "$OUT/deploy-local-all.json" "$OUT/deploy-local-one.json" "$OUT/deploy-ssh.json" \
        "${OVERHEAD_JSONS[@]}"
    echo
} | tee -a "$RESULTS"
log "results: $RESULTS"
