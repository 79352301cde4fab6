#!/usr/bin/env python3
"""Checks the project's performance targets against harness.py's JSON results and prints a
Markdown table: target, measured value, met / NOT met.

  targets.py RESULT.json... \
      --wall-ratio "LABEL" "TOOL A" "TOOL B" 1.0     # median wall of A / median wall of B <= 1.0
      --size-ratio "LABEL" "TOOL A" "TOOL B" 1.0     # output size of A / output size of B <= 1.0
      --cpu-ratio  "LABEL" "TOOL A" "TOOL B" 1.0     # median CPU (user+sys) of A / of B <= 1.0:
                                                     # steadier than wall time on a shared box
      --rss-max    "TOOL PREFIX" 64                  # peak RSS (MiB) of every tool whose name
                                                     # starts with the prefix <= 64
Tools are looked up by name across all the JSON files. Exit status 0 even when a target is
missed: the benchmark reports, it does not gate.
"""
import argparse
import json
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("results", nargs="+")
    parser.add_argument("--wall-ratio", nargs=4, action="append", default=[], metavar=("LABEL", "A", "B", "MAX"))
    parser.add_argument("--size-ratio", nargs=4, action="append", default=[], metavar=("LABEL", "A", "B", "MAX"))
    parser.add_argument("--cpu-ratio", nargs=4, action="append", default=[], metavar=("LABEL", "A", "B", "MAX"))
    parser.add_argument("--rss-max", nargs=2, action="append", default=[], metavar=("PREFIX", "MIB"))
    args = parser.parse_args()

    tools = {}
    for path in args.results:
        with open(path) as f:
            for tool in json.load(f)["tools"]:
                tools[tool["tool"]] = tool

    def get(name):
        if name not in tools:
            sys.exit(f"targets: no results for tool {name!r} (have: {', '.join(tools)})")
        return tools[name]

    rows = ["| target | measured | verdict |", "|---|---|---|"]
    for label, a, b, limit in args.wall_ratio:
        ta, tb = get(a), get(b)
        ratio = ta["wall_median"] / tb["wall_median"]
        verdict = "met" if ratio <= float(limit) else "**NOT met**"
        rows.append(f"| {label}: wall({a}) ≤ {limit}× wall({b}) | {ta['wall_median']:.2f} s / "
                    f"{tb['wall_median']:.2f} s = **{ratio:.2f}×** | {verdict} |")
    for label, a, b, limit in args.cpu_ratio:
        ta, tb = get(a), get(b)
        ratio = ta["cpu_median"] / tb["cpu_median"]
        verdict = "met" if ratio <= float(limit) else "**NOT met**"
        rows.append(f"| {label}: CPU({a}) ≤ {limit}× CPU({b}) | {ta['cpu_median']:.2f} s / "
                    f"{tb['cpu_median']:.2f} s = **{ratio:.2f}×** | {verdict} |")
    for label, a, b, limit in args.size_ratio:
        ta, tb = get(a), get(b)
        ratio = ta["out_size"] / tb["out_size"]
        verdict = "met" if ratio <= float(limit) else "**NOT met**"
        rows.append(f"| {label}: size({a}) ≤ {limit}× size({b}) | {ta['out_size']:,} B / "
                    f"{tb['out_size']:,} B = **{ratio:.4f}×** | {verdict} |")
    for prefix, limit in args.rss_max:
        for name, tool in tools.items():
            if name.startswith(prefix):
                verdict = "met" if tool["rss_max_mib"] <= float(limit) else "**NOT met**"
                rows.append(f"| peak RSS of {name} ≤ {limit} MiB | **{tool['rss_max_mib']:.1f} MiB** "
                            f"(max over runs) | {verdict} |")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
