#!/usr/bin/env python3
"""Generates a deterministic source tree to package in benchmarks.

The same --seed, --size-mb and --files always give the same paths, bytes, modes and times
(Python's random.Random is stable across versions for these calls). The default is about
20,000 files and 500 MB, a mix meant to look like a real deployable tree:

  - text files (40% of the bytes, ~95% of the files): source-like lines of code, comments and
    config, sizes spread log-normally from a few hundred bytes to a few hundred kB;
    about 1 in 40 is executable (mode 0755);
  - compressible binary (30% of the bytes, ~5% of the files): low-entropy data, zero runs and
    repeated blocks, like images with flat areas, databases or object files;
  - random binary (30% of the bytes, ~0.25% of the files, at least 2): incompressible,
    a few MB each, like already-compressed media or archives;

spread over nested directories 1 to 5 levels deep.

  gen_tree.py DEST [--size-mb 500] [--files N] [--seed 1]

--files defaults to 40 per MB (20,000 for 500 MB). The tree is written to DEST.partial and
renamed to DEST when complete, so an interrupted run never leaves a tree that looks finished.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import shutil
import sys

FIXED_MTIME = 1_700_000_000  # same times every run: peers like tar then produce stable output

WORDS = """alpha beta gamma delta config server client request response handler router cache
queue worker deploy stage revision archive bucket store upload timeout retry backoff metric
alarm health target group listener rule weight canary linear blue green traffic shift
pipeline build step output error result value index count buffer stream reader writer
encode decode parse render token session user account region endpoint signer digest""".split()

KEYWORDS = ["let", "var", "func", "return", "if", "else", "for", "while", "guard", "struct",
            "class", "import", "def", "const", "switch", "case", "try", "await", "async"]


def identifier(rng: random.Random) -> str:
    parts = [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
    return parts[0] + "".join(p.capitalize() for p in parts[1:])


def code_line(rng: random.Random) -> str:
    indent = "    " * rng.choice([0, 1, 1, 2, 2, 2, 3, 4])
    kind = rng.random()
    if kind < 0.15:
        return f"{indent}// {' '.join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))}\n"
    if kind < 0.25:
        return "\n"
    if kind < 0.5:
        args = ", ".join(identifier(rng) for _ in range(rng.randint(0, 4)))
        return f"{indent}{rng.choice(KEYWORDS)} {identifier(rng)} = {identifier(rng)}({args})\n"
    if kind < 0.7:
        return f"{indent}{identifier(rng)}: {rng.randint(0, 100000)}  # {rng.choice(WORDS)}\n"
    if kind < 0.85:
        return f'{indent}"{identifier(rng)}": "{identifier(rng)}-{rng.getrandbits(32):08x}",\n'
    return f"{indent}{rng.choice(KEYWORDS)} {identifier(rng)} {{\n"


def log_normal_sizes(rng: random.Random, count: int, total: int, sigma: float) -> list[int]:
    """`count` sizes spread log-normally, scaled so they add up to `total` exactly."""
    if count == 0:
        return []
    raw = [math.exp(rng.gauss(0, sigma)) for _ in range(count)]
    scale = total / sum(raw)
    sizes = [max(1, int(r * scale)) for r in raw]
    sizes[-1] = max(1, sizes[-1] + total - sum(sizes))
    return sizes


def make_directories(rng: random.Random, count: int) -> list[str]:
    tops = ["src", "lib", "assets", "vendor", "docs", "config", "data", "public", "tools"]
    dirs = list(tops)
    while len(dirs) < count:
        parent = rng.choice(dirs)
        if parent.count("/") >= 4:  # at most 5 levels
            continue
        dirs.append(f"{parent}/{identifier(rng)}{len(dirs)}")
    return dirs


class TextSource:
    """Draws source-like text from a fixed pool of lines (fast: no per-byte Python work)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.lines = [code_line(rng) for _ in range(20000)]
        self.mean = sum(map(len, self.lines)) / len(self.lines)

    def text(self, size: int) -> bytes:
        count = int(size / self.mean) + 8
        data = "".join(self.rng.choices(self.lines, k=count)).encode()
        while len(data) < size:
            data += "".join(self.rng.choices(self.lines, k=64)).encode()
        return data[:size]


LOW_ENTROPY = bytes(b & 0x0F if b & 0x30 else 0 for b in range(256))  # 16 values, biased to 0


def compressible_binary(rng: random.Random, size: int) -> bytes:
    """Blocks of: zero runs, repeats of an earlier block, and low-entropy noise."""
    out = bytearray()
    previous = b""
    while len(out) < size:
        block = rng.choice([1024, 4096, 16384])
        kind = rng.random()
        if kind < 0.2:
            chunk = bytes(block)
        elif kind < 0.45 and previous:
            chunk = previous
        else:
            chunk = rng.randbytes(block).translate(LOW_ENTROPY)
        out += chunk
        previous = chunk
    return bytes(out[:size])


def random_binary(rng: random.Random, size: int) -> bytes:
    return rng.randbytes(size)


def generate(dest: str, size_mb: float, files: int, seed: int) -> None:
    rng = random.Random(seed)
    total = int(size_mb * 1_000_000)
    n_random = max(2, round(files * 0.0025))
    n_compressible = max(1, round(files * 0.05))
    n_text = max(1, files - n_random - n_compressible)
    sizes = ([("text", s) for s in log_normal_sizes(rng, n_text, int(total * 0.40), 1.2)]
             + [("compressible", s) for s in log_normal_sizes(rng, n_compressible, int(total * 0.30), 0.8)]
             + [("random", s) for s in log_normal_sizes(rng, n_random, total - int(total * 0.40) - int(total * 0.30), 0.5)])
    rng.shuffle(sizes)
    directories = make_directories(rng, max(10, files // 25))
    text_source = TextSource(rng)
    extensions = {"text": [".swift", ".py", ".js", ".ts", ".json", ".yml", ".md", ".html", ".css", ".sh"],
                  "compressible": [".png", ".db", ".o", ".wasm", ".bin"],
                  "random": [".jpg", ".mp4", ".gz", ".woff2"]}

    partial = dest + ".partial"
    shutil.rmtree(partial, ignore_errors=True)
    os.makedirs(partial)
    for index, (kind, size) in enumerate(sizes):
        folder = rng.choice(directories)
        name = f"{identifier(rng)}-{index}{rng.choice(extensions[kind])}"
        path = os.path.join(partial, folder, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if kind == "text":
            data = text_source.text(size)
        elif kind == "compressible":
            data = compressible_binary(rng, size)
        else:
            data = random_binary(rng, size)
        with open(path, "wb") as f:
            f.write(data)
        executable = kind == "text" and rng.random() < 0.025
        os.chmod(path, 0o755 if executable else 0o644)
        os.utime(path, (FIXED_MTIME + index, FIXED_MTIME + index))
    os.rename(partial, dest)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("dest")
    parser.add_argument("--size-mb", type=float, default=500)
    parser.add_argument("--files", type=int, help="number of files (default: 40 per MB, at least 50)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if os.path.exists(args.dest):
        print(f"gen_tree: {args.dest} exists; remove it first", file=sys.stderr)
        return 1
    if args.size_mb <= 0:
        parser.error("--size-mb must be positive")
    files = args.files if args.files else max(50, round(40 * args.size_mb))
    generate(args.dest, args.size_mb, files, args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
