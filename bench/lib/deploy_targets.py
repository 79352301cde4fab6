#!/usr/bin/env python3
"""Per-host figures and the deploy targets of issue 5 from bench/deploy.sh's three JSON results.

  deploy_targets.py HOSTS SSH_HOSTS local-all.json local-one.json ssh.json [overhead: local-all.json local-one.json ssh.json]

Each JSON holds the tools slipway, ansible (absent with deploy.sh --no-ansible) and shell, found
by the start of their names. Targets: Slipway at least 20x
faster than Ansible locally and 10x over ssh (median wall), within 3x of the shell floor, and
runner overhead (Slipway's CPU minus the shell floor's, per host) at most 20 ms.

The overhead's verdict uses the median of the per-repetition differences: repetitions are
interleaved (Slipway's run i and the floor's run i are back to back), and over ssh most of both
tools' CPU is the ssh key exchange, whose cost swings by about 30 ms per host from one run to
the next; pairing cancels what the two runs of a repetition share. The difference of the two
medians is printed beside it. With the three optional overhead files (deploy.sh's first pass
when Ansible runs: Slipway and the floor only, several repetitions), the overhead is taken from
them instead.
"""
import json
import statistics
import sys


def main() -> int:
    hosts, ssh_hosts = int(sys.argv[1]), int(sys.argv[2])
    overhead_files = sys.argv[6:9] if len(sys.argv) >= 9 else [None, None, None]
    comparisons = [(sys.argv[3], hosts, 20.0, overhead_files[0]), (sys.argv[4], hosts, 20.0, overhead_files[1]),
                   (sys.argv[5], ssh_hosts, 10.0, overhead_files[2])]
    per_host = ["| comparison | tool | wall per host (ms) | CPU per host (ms, children included) |", "|---|---|---:|---:|"]
    targets = ["| target | measured | verdict |", "|---|---|---|"]
    for path, count, speedup, overhead_path in comparisons:
        with open(path) as f:
            result = json.load(f)
        def named(prefix: str, source=result):
            return next((tool for tool in source["tools"] if tool["tool"].startswith(prefix)), None)

        slipway, ansible, shell = named("slipway"), named("ansible"), named("shell")
        for tool in (t for t in (slipway, ansible, shell) if t is not None):
            per_host.append(f"| {result['title']} | {tool['tool']} | {1000 * tool['wall_median'] / count:.1f} | "
                            f"{1000 * tool['cpu_median'] / count:.1f} |")

        def verdict(ok: bool) -> str:
            return "met" if ok else "**NOT met**"

        if ansible is None:
            targets.append(f"| {result['title']}: ≥ {speedup:.0f}× faster than Ansible | not measured (--no-ansible) | — |")
        else:
            faster = ansible["wall_median"] / slipway["wall_median"]
            targets.append(f"| {result['title']}: ≥ {speedup:.0f}× faster than Ansible | {faster:.1f}× | {verdict(faster >= speedup)} |")
        floor = slipway["wall_median"] / shell["wall_median"]
        targets.append(f"| {result['title']}: within 3× of the shell floor | {floor:.2f}× | {verdict(floor <= 3.0)} |")
        ours_run, floor_run, source = slipway, shell, "this comparison"
        if overhead_path is not None:
            with open(overhead_path) as f:
                separate = json.load(f)
            ours_run, floor_run, source = named("slipway", separate), named("shell", separate), "the overhead pass"
        of_medians = 1000 * (ours_run["cpu_median"] - floor_run["cpu_median"]) / count
        pairs = [1000 * (ours["cpu"] - theirs["cpu"]) / count for ours, theirs in zip(ours_run["samples"], floor_run["samples"])]
        overhead = statistics.median(pairs)
        targets.append(f"| {result['title']}: runner CPU overhead ≤ 20 ms per host | {overhead:.1f} ms (median of "
                       f"{len(pairs)} paired differences in {source}; difference of medians {of_medians:.1f} ms) | {verdict(overhead <= 20.0)} |")
    print("\n".join(per_host))
    print()
    print("\n".join(targets))
    return 0


if __name__ == "__main__":
    sys.exit(main())
