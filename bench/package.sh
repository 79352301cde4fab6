#!/usr/bin/env bash
# Packaging benchmark: `slipway package` side by side with tar, pigz, zip and zstd, plus
# `slipway push` to a file:// store (first push vs re-push of the unchanged tree).
#
#   bench/package.sh [--size-mb 500] [--files N] [--reps 3] [--seed 1]
#   SKIP_BUILD=1 bench/package.sh ...    # reuse .build-bench/release/slipway as is
#
# --files: how many files the tree holds (default 40 per MB: 20,000 for 500 MB); many small
# files show whether memory stays flat as the tree grows.
# Results: printed, and written to bench/out/package-<size>mb[-<files>files].md (+ .json per comparison).
# What is measured and why: docs/benchmarks.md.
set -euo pipefail
source "$(dirname "$0")/lib/common.sh"

SIZE_MB=500 REPS=3 SEED=1 FILE_COUNT=""
while (($#)); do
    case "$1" in
        --size-mb) SIZE_MB="$2"; shift 2 ;;
        --files) FILE_COUNT="$2"; shift 2 ;;
        --reps) REPS="$2"; shift 2 ;;
        --seed) SEED="$2"; shift 2 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "unknown option $1" >&2; exit 2 ;;
    esac
done

build_slipway
TREE="$(ensure_tree "$SIZE_MB" "$SEED" "$FILE_COUNT")"
# Result files are named after the tree: package-500mb, or package-200mb-200000files.
NAME="${SIZE_MB}mb${FILE_COUNT:+-${FILE_COUNT}files}"
mkdir -p "$CACHE" "$OUT"
WORK="$(mktemp -d "$CACHE/package-run.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT
ARCH="$WORK/archives"
PROJECT="$WORK/project"
mkdir -p "$ARCH" "$PROJECT/pipelines"

for format in tgz zip tzst; do
    cat > "$PROJECT/pipelines/$format.yml" <<YAML
name: bench-$format
revision: {source: "$TREE", format: $format}
store: file://$WORK/store-$format
YAML
done
# push: its own project root, so its fingerprint cache and revisions folder are its own.
mkdir -p "$WORK/push/pipelines"
cat > "$WORK/push/pipelines/push.yml" <<YAML
name: bench-push
revision: {source: "$TREE", format: tgz}
store: file://$WORK/push-store
YAML
PUSH_YML="$WORK/push/pipelines/push.yml"

FILES=$(find "$TREE" -type f | wc -l)
BYTES=$(du -sb "$TREE" | cut -f1)
log "tree $TREE: $FILES files, $BYTES bytes; warming the page cache"
warm_cache "$TREE"

RESULTS="$OUT/package-${NAME}.md"
{
    echo "### Packaging: ${SIZE_MB} MB tree ($FILES files, $BYTES bytes, seed $SEED)"
    echo
    machine_note
    echo
} > "$RESULTS"

# Every tool writes a fresh file (removed before each run) and starts with no dirty pages
# left by the previous tool (sync, untimed), so one tool's write-back is not billed to another.
fresh() { printf 'rm -f %q && sync' "$1"; }

log "tgz"
"${HARNESS[@]}" --title "tgz (gzip level 6)" --reps "$REPS" --json "$OUT/package-${NAME}-tgz.json" \
    --tool "slipway package (tgz)" --cmd "$SLIPWAY package $PROJECT/pipelines/tgz.yml -o $ARCH/slipway.tgz" \
        --out "$ARCH/slipway.tgz" --before "$(fresh "$ARCH/slipway.tgz")" \
    --tool "tar czf" --cmd "tar czf $ARCH/tar.tgz -C $TREE ." \
        --out "$ARCH/tar.tgz" --before "$(fresh "$ARCH/tar.tgz")" \
    --tool "tar -I pigz -cf" --cmd "tar -I pigz -cf $ARCH/pigz.tgz -C $TREE ." \
        --out "$ARCH/pigz.tgz" --before "$(fresh "$ARCH/pigz.tgz")" \
    | tee -a "$RESULTS"

log "zip"
"${HARNESS[@]}" --title "zip (deflate level 6)" --reps "$REPS" --json "$OUT/package-${NAME}-zip.json" \
    --tool "slipway package (zip)" --cmd "$SLIPWAY package $PROJECT/pipelines/zip.yml -o $ARCH/slipway.zip" \
        --out "$ARCH/slipway.zip" --before "$(fresh "$ARCH/slipway.zip")" \
    --tool "zip -qr" --cmd "zip -qr $ARCH/zip.zip ." --cwd "$TREE" \
        --out "$ARCH/zip.zip" --before "$(fresh "$ARCH/zip.zip")" \
    | tee -a "$RESULTS"

log "tzst"
"${HARNESS[@]}" --title "tzst (zstd level 3)" --reps "$REPS" --json "$OUT/package-${NAME}-tzst.json" \
    --tool "slipway package (tzst)" --cmd "$SLIPWAY package $PROJECT/pipelines/tzst.yml -o $ARCH/slipway.tzst" \
        --out "$ARCH/slipway.tzst" --before "$(fresh "$ARCH/slipway.tzst")" \
    --tool "tar --zstd -cf" --cmd "tar --zstd -cf $ARCH/tar.tzst -C $TREE ." \
        --out "$ARCH/tar.tzst" --before "$(fresh "$ARCH/tar.tzst")" \
    --tool "tar -I 'zstd -T0' -cf" --cmd "tar -I 'zstd -T0' -cf $ARCH/zstdT0.tzst -C $TREE ." \
        --out "$ARCH/zstdT0.tzst" --before "$(fresh "$ARCH/zstdT0.tzst")" \
    | tee -a "$RESULTS"

# file:// push. "first push": empty store and no local state (cold fingerprint cache), so it
# packages and copies. "re-push": the previous push's state is kept (the before-command makes
# sure it exists, whatever order the harness runs the two in), so it fingerprints the tree,
# finds the archive in the store and uploads nothing.
log "push to a file:// store"
"${HARNESS[@]}" --title "slipway push, file:// store (tgz)" --reps "$REPS" --json "$OUT/package-${NAME}-push.json" \
    --tool "slipway push: first push (empty store, cold cache)" --cmd "$SLIPWAY push $PUSH_YML" \
        --before "rm -rf $WORK/push-store $WORK/push/.slipway && sync" \
    --tool "slipway push: re-push of the unchanged tree" --cmd "$SLIPWAY push $PUSH_YML" \
        --before "$SLIPWAY push $PUSH_YML >/dev/null && sync" \
    | tee -a "$RESULTS"

# The sizes compared above only mean something if the archives hold the whole tree.
log "checking that every archive holds all $FILES files"
count_tar() { tar "$1" -tvf "$2" | grep -c '^-' || true; }
declare -A COUNTS=(
    [slipway.tgz]="$(count_tar -z "$ARCH/slipway.tgz")" [tar.tgz]="$(count_tar -z "$ARCH/tar.tgz")"
    [slipway.tzst]="$(count_tar --zstd "$ARCH/slipway.tzst")" [tar.tzst]="$(count_tar --zstd "$ARCH/tar.tzst")"
    [slipway.zip]="$(python3 -c 'import sys,zipfile; print(sum(not n.endswith("/") for n in zipfile.ZipFile(sys.argv[1]).namelist()))' "$ARCH/slipway.zip")"
    [zip.zip]="$(python3 -c 'import sys,zipfile; print(sum(not n.endswith("/") for n in zipfile.ZipFile(sys.argv[1]).namelist()))' "$ARCH/zip.zip")"
)
CHECK="files per archive (tree: $FILES):"
for name in slipway.tgz tar.tgz slipway.zip zip.zip slipway.tzst tar.tzst; do
    CHECK+=" $name ${COUNTS[$name]};"
    [[ "${COUNTS[$name]}" == "$FILES" ]] || CHECK+=" (MISMATCH)"
done
STORED=$(find "$WORK/push-store" -type f -name '*.tar.gz' -printf '%s\n' | head -1)
{
    echo "_${CHECK}_"
    echo
    echo "_push store holds one archive of ${STORED:-?} bytes._"
    echo
    echo "**Targets**"
    echo
    python3 "$BENCH/lib/targets.py" "$OUT/package-${NAME}-tgz.json" "$OUT/package-${NAME}-tzst.json" \
        "$OUT/package-${NAME}-zip.json" "$OUT/package-${NAME}-push.json" \
        --wall-ratio "tgz speed" "slipway package (tgz)" "tar czf" 1.0 \
        --size-ratio "tgz size" "slipway package (tgz)" "tar czf" 1.0 \
        --wall-ratio "tzst speed" "slipway package (tzst)" "tar --zstd -cf" 1.0 \
        --cpu-ratio "tgz CPU (steadier)" "slipway package (tgz)" "tar czf" 1.0 \
        --cpu-ratio "tzst CPU (steadier)" "slipway package (tzst)" "tar --zstd -cf" 1.0 \
        --rss-max "slipway" 64
    echo
} | tee -a "$RESULTS"
log "results: $RESULTS"
