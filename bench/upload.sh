#!/usr/bin/env bash
# Upload benchmark against a private moto_server on 127.0.0.1: `slipway push` to an s3://
# store side by side with `aws s3 cp`, boto3 `upload_file` and an unsigned `curl -T`.
#
#   bench/upload.sh [--size-mb 500] [--small-mb 40] [--reps 3] [--seed 1]
#   SKIP_BUILD=1 bench/upload.sh ...     # reuse .build-bench/release/slipway as is
#
# 1. the tgz archive of the big tree (default 500 MB of files), already packaged, uploaded;
# 2. a small revision (the tgz of a 40 MB tree, about 20 MB) pushed end to end, process
#    start included.
# Every timed upload goes to a freshly reset server with an empty bucket.
# Results: printed, and written to bench/out/upload-<size>mb.md. Method: docs/benchmarks.md.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

SIZE_MB=500 SMALL_MB=40 REPS=3 SEED=1
while (($#)); do
    case "$1" in
        --size-mb) SIZE_MB="$2"; shift 2 ;;
        --small-mb) SMALL_MB="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

build_slipway
BIG_TREE="$(ensure_tree "$SIZE_MB" "$SEED")"
SMALL_TREE="$(ensure_tree "$SMALL_MB" "$SEED")"
mkdir -p "$CACHE" "$OUT"
WORK="$(mktemp -d "$CACHE/upload-run.XXXXXX")"

# Only the dummy credentials below, never the caller's: clear every AWS_* and proxy variable.
while IFS='=' read -r name _; do
    case "$name" in AWS_*|http_proxy|https_proxy|HTTP_PROXY|HTTPS_PROXY|all_proxy|ALL_PROXY) unset "$name" ;; esac
done < <(env)
export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_REGION=us-east-1 AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true NO_PROXY=127.0.0.1 no_proxy=127.0.0.1

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
ENDPOINT="http://127.0.0.1:$PORT"
BUCKET=bench
# The real binary, not the pyenv shim, so the PID we hold is moto's own.
MOTO="$(pyenv which moto_server 2>/dev/null || command -v moto_server)"
"$MOTO" -H 127.0.0.1 -p "$PORT" > "$WORK/moto.log" 2>&1 &
MOTO_PID=$!
cleanup() {
    kill -TERM "$MOTO_PID" 2>/dev/null && wait "$MOTO_PID" 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
# Peers run as their real programs, not through pyenv's shims (≈0.1–0.2 s of bash per call).
AWS="$(pyenv which aws 2>/dev/null || command -v aws)"
PY="$(pyenv which python3 2>/dev/null || command -v python3)"
S3UTIL=("$PY" "$BENCH/lib/s3_util.py" --endpoint "$ENDPOINT")
"${S3UTIL[@]}" wait
log "moto_server pid $MOTO_PID on $ENDPOINT"

# Three pipelines per tree in one project root, with the same name and revision, so they share
# the fingerprint cache: pack.yml (file:// store) packages, push.yml (s3://, default transfer
# settings: multipart above 8 MiB) uploads, and push-one-put.yml uploads with
# multipartThreshold raised to S3's single-PUT limit, so the archive goes up in one PUT.
make_project() {  # make_project DIR TREE
    mkdir -p "$1/pipelines"
    cat > "$1/pipelines/pack.yml" <<YAML
name: bench-upload
revision: {source: "$2", format: tgz}
store: file://$1/unused-store
YAML
    cat > "$1/pipelines/push.yml" <<YAML
name: bench-upload
revision: {source: "$2", format: tgz}
store: {url: "s3://$BUCKET/slipway", endpoint: "$ENDPOINT", region: us-east-1}
YAML
    cat > "$1/pipelines/push-one-put.yml" <<YAML
name: bench-upload
revision: {source: "$2", format: tgz}
store: {url: "s3://$BUCKET/slipway", endpoint: "$ENDPOINT", region: us-east-1, multipartThreshold: 5GiB}
YAML
}
BIG="$WORK/big" SMALL="$WORK/small"
make_project "$BIG" "$BIG_TREE"
make_project "$SMALL" "$SMALL_TREE"

# Package both trees once (untimed): this warms the fingerprint cache, and gives the archive
# that the peers upload. Peers get a copy, since one slipway variant below deletes .slipway.
mkdir -p "$WORK/archives"
package() {  # package PROJECT DEST -> prints the size
    local path
    path="$("$SLIPWAY" package "$1/pipelines/pack.yml" | tail -n 1 | awk '{print $2}')"
    cp "$path" "$2"
    stat -c %s "$2"
}
log "packaging the trees (untimed)"
BIG_SIZE="$(package "$BIG" "$WORK/archives/big.tgz")"
SMALL_SIZE="$(package "$SMALL" "$WORK/archives/small.tgz")"
warm_cache "$BIG_TREE"; warm_cache "$SMALL_TREE"
log "archives: big $BIG_SIZE bytes, small $SMALL_SIZE bytes"

# Does this build's slipway talk to S3 yet?
"${S3UTIL[@]}" reset --bucket "$BUCKET"
SLIPWAY_S3=1 SLIPWAY_S3_NOTE=""
if ! probe="$("$SLIPWAY" push "$SMALL/pipelines/push.yml" 2>&1)"; then
    SLIPWAY_S3=0
    SLIPWAY_S3_NOTE="$(printf '%s' "$probe" | tail -3 | tr '\n' ' ')"
    log "slipway push to s3:// failed, running the peers only: $SLIPWAY_S3_NOTE"
fi

RESULTS="$OUT/upload-${SIZE_MB}mb.md"
{
    echo "### Upload to moto_server (127.0.0.1): ${SIZE_MB} MB tree's tgz ($BIG_SIZE bytes), small revision $SMALL_SIZE bytes"
    echo
    machine_note
    echo
    echo "_$("$AWS" --version 2>&1 | head -1); moto $("$PY" -c 'import moto; print(moto.__version__)'); $(curl --version | head -1 | cut -d' ' -f1-2)._"
    echo
    if [[ $SLIPWAY_S3 == 0 ]]; then
        echo "_slipway rows missing: \`slipway push\` to the s3:// store failed with: ${SLIPWAY_S3_NOTE}_"
        echo
    fi
} > "$RESULTS"

RESET="${S3UTIL[*]} reset --bucket $BUCKET"
check() { printf '%s check --bucket %s --size %s' "${S3UTIL[*]}" "$BUCKET" "$1"; }

# --- 1. the big archive --------------------------------------------------------------------
BIG_TOOLS=()
if [[ $SLIPWAY_S3 == 1 ]]; then
    BIG_TOOLS+=(
        --tool "slipway push (archive already packaged)" --cmd "$SLIPWAY push $BIG/pipelines/push.yml"
            --before "$RESET" --after "$(check "$BIG_SIZE")"
        --tool "slipway push, one PUT (multipartThreshold: 5GiB)" --cmd "$SLIPWAY push $BIG/pipelines/push-one-put.yml"
            --before "$RESET" --after "$(check "$BIG_SIZE")"
        --tool "slipway push (already in bucket: no upload)" --cmd "$SLIPWAY push $BIG/pipelines/push.yml"
            --before "$RESET && $SLIPWAY push $BIG/pipelines/push.yml >/dev/null"
    )
fi
BIG_TOOLS+=(
    --tool "aws s3 cp" --cmd "$AWS s3 cp $WORK/archives/big.tgz s3://$BUCKET/peer/big.tgz --endpoint-url $ENDPOINT --only-show-errors"
        --before "$RESET" --after "$(check "$BIG_SIZE")"
    --tool "boto3 upload_file" --cmd "$PY $BENCH/lib/boto3_upload.py $WORK/archives/big.tgz $BUCKET peer/big.tgz $ENDPOINT"
        --before "$RESET" --after "$(check "$BIG_SIZE")"
    --tool "curl -T (unsigned PUT)" --cmd "curl -sS -f -o /dev/null -T $WORK/archives/big.tgz $ENDPOINT/$BUCKET/peer/big.tgz"
        --before "$RESET" --after "$(check "$BIG_SIZE")"
)
log "big archive"
"${HARNESS[@]}" --title "upload of a $BIG_SIZE-byte tgz (${SIZE_MB} MB tree)" --reps "$REPS" \
    --json "$OUT/upload-${SIZE_MB}mb-big.json" --server-pid "$MOTO_PID" --throughput-bytes "$BIG_SIZE" \
    "${BIG_TOOLS[@]}" | tee -a "$RESULTS"

# --- 2. small revision, end to end ---------------------------------------------------------
SMALL_TOOLS=()
if [[ $SLIPWAY_S3 == 1 ]]; then
    SMALL_TOOLS+=(
        --tool "slipway push, cold (packages + uploads)" --cmd "$SLIPWAY push $SMALL/pipelines/push.yml"
            --before "$RESET && rm -rf $SMALL/.slipway" --after "$(check "$SMALL_SIZE")"
        --tool "slipway push (archive already packaged)" --cmd "$SLIPWAY push $SMALL/pipelines/push.yml"
            --before "$RESET && $SLIPWAY package $SMALL/pipelines/pack.yml >/dev/null" --after "$(check "$SMALL_SIZE")"
    )
fi
SMALL_TOOLS+=(
    --tool "aws s3 cp" --cmd "$AWS s3 cp $WORK/archives/small.tgz s3://$BUCKET/peer/small.tgz --endpoint-url $ENDPOINT --only-show-errors"
        --before "$RESET" --after "$(check "$SMALL_SIZE")"
    --tool "boto3 upload_file" --cmd "$PY $BENCH/lib/boto3_upload.py $WORK/archives/small.tgz $BUCKET peer/small.tgz $ENDPOINT"
        --before "$RESET" --after "$(check "$SMALL_SIZE")"
    --tool "curl -T (unsigned PUT)" --cmd "curl -sS -f -o /dev/null -T $WORK/archives/small.tgz $ENDPOINT/$BUCKET/peer/small.tgz"
        --before "$RESET" --after "$(check "$SMALL_SIZE")"
)
log "small revision"
"${HARNESS[@]}" --title "small revision ($SMALL_SIZE bytes, ${SMALL_MB} MB tree), process start included" \
    --reps "$REPS" --json "$OUT/upload-${SIZE_MB}mb-small.json" --server-pid "$MOTO_PID" --throughput-bytes "$SMALL_SIZE" \
    "${SMALL_TOOLS[@]}" | tee -a "$RESULTS"

if [[ $SLIPWAY_S3 == 1 ]]; then
    {
        echo "**Targets**"
        echo
        # One call per comparison: both hold tools of the same names (targets.py looks names
        # up across all the files it is given). 0.9× curl's throughput = at most 1/0.9 of its time.
        python3 "$BENCH/lib/targets.py" "$OUT/upload-${SIZE_MB}mb-big.json" --rss-max "slipway" 64 \
            --wall-ratio "big upload" "slipway push (archive already packaged)" "curl -T (unsigned PUT)" 1.111 \
            --wall-ratio "big upload" "slipway push (archive already packaged)" "aws s3 cp" 1.0 \
            --wall-ratio "big upload, one PUT" "slipway push, one PUT (multipartThreshold: 5GiB)" "curl -T (unsigned PUT)" 1.111 \
            --wall-ratio "big upload, one PUT" "slipway push, one PUT (multipartThreshold: 5GiB)" "aws s3 cp" 1.0
        echo
        python3 "$BENCH/lib/targets.py" "$OUT/upload-${SIZE_MB}mb-small.json" --rss-max "slipway" 64 \
            --wall-ratio "small revision" "slipway push (archive already packaged)" "aws s3 cp" 0.5
        echo
    } | tee -a "$RESULTS"
fi
log "results: $RESULTS"
