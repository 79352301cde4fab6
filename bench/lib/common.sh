# Shared by bench/package.sh and bench/upload.sh (sourced, not run).
# Sets REPO, BENCH, CACHE, SLIPWAY, OUT and defines build_slipway, ensure_tree, warm_cache.

BENCH="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO="$(dirname "$BENCH")"
# Generated trees are kept here between runs (deterministic, so reusable); delete to reclaim.
CACHE="${SLIPWAY_BENCH_CACHE:-/tmp/slipway-benchmarks}"
SCRATCH="$REPO/.build-bench"          # our own release build: other agents use .build
SLIPWAY="$SCRATCH/release/slipway"
OUT="$BENCH/out"                      # results (gitignored)
HARNESS=(python3 "$BENCH/lib/harness.py")

log() { printf '== %s\n' "$*" >&2; }

# Builds the current code, so every run measures what is in the repo now.
build_slipway() {
    if [[ "${SKIP_BUILD:-0}" == 1 && -x "$SLIPWAY" ]]; then
        log "SKIP_BUILD=1: using the existing $SLIPWAY"
        return
    fi
    log "building slipway (release) into $SCRATCH"
    (cd "$REPO" && swift build -c release --product slipway --scratch-path "$SCRATCH" 2>&1 | tail -3)
    [[ -x "$SLIPWAY" ]] || { echo "no binary at $SLIPWAY" >&2; exit 1; }
}

# ensure_tree SIZE_MB SEED -> prints the tree's path; generates it once, then reuses it.
ensure_tree() {  # ensure_tree SIZE_MB SEED [FILES]
    local size="$1" seed="$2" files="${3:-}"
    local tree="$CACHE/tree-${size}mb-seed${seed}${files:+-${files}files}-v1"
    mkdir -p "$CACHE"
    if [[ ! -d "$tree" ]]; then
        log "generating $tree (once; cached for later runs)"
        python3 "$BENCH/gen_tree.py" "$tree" --size-mb "$size" --seed "$seed" ${files:+--files "$files"} >&2
    fi
    printf '%s\n' "$tree"
}

# Reads every file once so the first timed tool does not pay for a cold page cache alone.
warm_cache() {
    tar cf - -C "$1" . | cat > /dev/null
}

# machine_note: a line about the machine for the results file.
machine_note() {
    printf '_slipway binary sha256 %s…; %s; peers: %s, %s, %s, %s._\n' \
        "$(sha256sum "$SLIPWAY" | cut -c1-16)" "$(swift --version 2>/dev/null | head -1)" \
        "$(tar --version | head -1)" "$(pigz --version 2>&1 | head -1)" \
        "$(zstd --version | sed 's/\*\*\* //; s/,.*//')" "$(zip -v | sed -n 2p | sed 's/^This is //; s/ (.*//')"
}
