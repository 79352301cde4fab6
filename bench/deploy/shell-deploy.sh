#!/bin/sh
# The deploy benchmark's floor: the same work as Slipway's lifecycle (copy the bundle, unpack,
# install the files, three hooks) with nothing else around it.
#
#   shell-deploy.sh local sequential|parallel BUNDLE ROOT...      (each ROOT is one host's folder)
#   shell-deploy.sh ssh SSH_CONFIG BUNDLE ALIAS:ROOT...           (parallel, connection sharing)
set -eu
mode=$1; shift
pids=""

host_work() {   # ROOT: the work on one host, after the bundle is at ROOT/deploy/bundle.tgz
    r=$1
    printf '%s\n' "rm -rf '$r/deploy/archive' && mkdir -p '$r/deploy/archive' '$r/srv' &&"\
      "tar -xzf '$r/deploy/bundle.tgz' -C '$r/deploy/archive' && cp -R '$r/deploy/archive/site' '$r/srv/' &&"\
      "for e in BeforeInstall:before AfterInstall:after ApplicationStart:start; do"\
      "LIFECYCLE_EVENT=\${e%%:*} HOST_ROOT='$r' sh '$r/deploy/archive/hooks/'\${e#*:}.sh || exit 1; done"
}

case $mode in
local)
    how=$1 bundle=$2; shift 2
    for r in "$@"; do
        if [ "$how" = parallel ]; then
            (mkdir -p "$r/deploy" && cp "$bundle" "$r/deploy/bundle.tgz" && sh -c "$(host_work "$r")") &
            pids="$pids $!"
        else
            mkdir -p "$r/deploy" && cp "$bundle" "$r/deploy/bundle.tgz" && sh -c "$(host_work "$r")"
        fi
    done
    # Any failed host fails the run.
    status=0; for pid in $pids; do wait "$pid" || status=1; done; exit $status
    ;;
ssh)
    config=$1 bundle=$2; shift 2
    control=$(mktemp -d /tmp/shell-cm.XXXXXX)
    ssh_() { ssh -F "$config" -o ControlMaster=auto -o ControlPath="$control/%n" -o ControlPersist=30 "$@"; }
    for pair in "$@"; do
        alias=${pair%%:*} r=${pair#*:}
        ( ssh_ "$alias" "mkdir -p '$r/deploy' && cat > '$r/deploy/bundle.tgz'" < "$bundle" &&
          ssh_ "$alias" "$(host_work "$r")" ) &
        pids="$pids $!"
    done
    status=0; for pid in $pids; do wait "$pid" || status=1; done
    for pair in "$@"; do ssh_ -O exit "${pair%%:*}" 2>/dev/null || true; done
    rm -rf "$control"
    exit $status
    ;;
esac
