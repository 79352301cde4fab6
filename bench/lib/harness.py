#!/usr/bin/env python3
"""Side-by-side benchmark harness for Slipway and its peers.

Runs every tool of one comparison N times, interleaved: repetition 1 runs each tool once,
then repetition 2 runs each tool once, and so on, with the tool order rotated every
repetition. Drift on a shared machine (other builds, thermal, page cache) then hits every tool
about equally instead of whichever tool happened to run last.

Per run it measures, for the child process and every descendant it waited for (os.wait4
reports RUSAGE_BOTH: the child plus its reaped children, e.g. tar + gzip, tar + pigz):
  - wall time (time.monotonic around fork/exec/wait),
  - CPU time = user + sys,
  - peak RSS = ru_maxrss (the largest single process in that tree, not a sum), read through
    GNU time (see measure()),
  - the size of an output file, when one is named.

Usage (options after each --tool apply to that tool):

  harness.py --title "tgz" --reps 3 --json out.json \
      --tool "slipway package (tgz)" --cmd "slipway package p.yml -o /tmp/a.tgz" \
             --out /tmp/a.tgz --before "rm -f /tmp/a.tgz" \
      --tool "tar czf" --cmd "tar czf /tmp/b.tgz -C tree ." --out /tmp/b.tgz

  --cmd     the command, run by /bin/sh -c (so it may use pipes/redirections)
  --before  an untimed shell command run right before every timed run of that tool (setup)
  --after   an untimed shell command run right after every timed run of that tool (cleanup)
  --out     a file whose size is reported (the size after the last run)
  --cwd     working directory for the tool's commands

Prints machine facts, then a Markdown table with one row per tool. With --json, writes every
sample and the facts to a file, for tools that check targets (bench/lib/targets.py).
A failing command (non-zero exit) stops the benchmark with its stderr: timing a failure would
publish a meaningless number.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time

# The repository this script belongs to (a clone or a git worktree), not a fixed path.
MAIN_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ---------------------------------------------------------------- machine facts

def git_commit(repo: str = MAIN_REPO) -> str:
    """HEAD's commit, read from .git's files (no git process: other agents use the repo).
    In a worktree `.git` is a file `gitdir: <dir>`: HEAD is there, shared refs in its commondir."""
    git = os.path.join(repo, ".git")
    try:
        common = git
        if os.path.isfile(git):
            with open(git) as f:
                git = f.read().strip().removeprefix("gitdir: ")
            common = git
            if os.path.exists(os.path.join(git, "commondir")):
                with open(os.path.join(git, "commondir")) as f:
                    common = os.path.normpath(os.path.join(git, f.read().strip()))
        with open(os.path.join(git, "HEAD")) as f:
            head = f.read().strip()
        if not head.startswith("ref: "):
            return head
        ref = head[5:]
        for base in (git, common):
            loose = os.path.join(base, ref)
            if os.path.exists(loose):
                with open(loose) as f:
                    return f.read().strip()
        with open(os.path.join(common, "packed-refs")) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2 and parts[1] == ref:
                    return parts[0]
    except OSError:
        pass
    return "unknown"


def cpu_jiffies() -> tuple[int, int]:
    """(busy, total) jiffies of all CPUs, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    total = sum(fields[:8])  # guest time is already included in user
    return total - idle, total


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def mem_total_gib() -> float:
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return 0.0


def process_cpu(pid: int) -> float:
    """CPU seconds (user+sys) a running process has used so far, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def process_peak_rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def machine_facts() -> dict:
    return {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "nproc": os.cpu_count(),
        "cpu": cpu_model(),
        "mem_gib": round(mem_total_gib(), 1),
        "kernel": platform.release(),
        "loadavg_start": os.getloadavg(),
        "git_commit": git_commit(),
    }


# ---------------------------------------------------------------- measuring

class CommandFailed(Exception):
    pass


def run_shell(cmd: str, cwd: str | None) -> None:
    """An untimed setup/cleanup command; it must succeed."""
    done = subprocess.run(["/bin/sh", "-c", cmd], cwd=cwd, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    if done.returncode != 0:
        raise CommandFailed(f"setup command failed ({done.returncode}): {cmd}\n{done.stderr[-2000:]}")


# ru_maxrss is a high-water mark that exec does not reset: a child forked from this ~16 MiB
# Python process reports at least ~16 MiB whatever it really uses. GNU time is small, so its
# child's ru_maxrss (what %M prints) starts from ~1.5 MiB: peak RSS is taken from it.
GNU_TIME = "/usr/bin/time"


def measure(cmd: str, cwd: str | None) -> dict:
    """One timed run: wall seconds, CPU seconds (user+sys) and peak RSS of the child's tree."""
    err_path = f"/tmp/harness-stderr-{os.getpid()}"
    rss_path = f"/tmp/harness-rss-{os.getpid()}"
    argv = ["/bin/sh", "-c", cmd]
    if os.access(GNU_TIME, os.X_OK):
        argv = [GNU_TIME, "-q", "-f", "%M", "-o", rss_path] + argv
    with open(err_path, "w+b") as err:
        start = time.monotonic()
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=err)
        # wait4, not Popen.wait: we need this child's own rusage, not the harness's total.
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting again
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    os.unlink(err_path)
    rss_kib = usage.ru_maxrss
    if os.path.exists(rss_path):
        with open(rss_path) as f:
            lines = [l for l in f.read().split() if l.isdigit()]
        os.unlink(rss_path)
        if lines:
            rss_kib = int(lines[-1])
    if proc.returncode != 0:
        raise CommandFailed(f"command failed ({proc.returncode}): {cmd}\n{stderr[-2000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kib": rss_kib}


class Tool:
    def __init__(self, name: str):
        self.name = name
        self.cmd: str | None = None
        self.before: str | None = None
        self.after: str | None = None
        self.out: str | None = None
        self.cwd: str | None = None
        self.samples: list[dict] = []
        self.out_size: int | None = None

    def run_once(self) -> None:
        if self.before:
            run_shell(self.before, self.cwd)
        sample = measure(self.cmd, self.cwd)
        if self.out:
            self.out_size = os.path.getsize(self.out)
            sample["out_size"] = self.out_size
        self.samples.append(sample)
        if self.after:
            run_shell(self.after, self.cwd)

    def summary(self) -> dict:
        walls = [s["wall"] for s in self.samples]
        cpus = [s["cpu"] for s in self.samples]
        rss = [s["rss_kib"] for s in self.samples]
        return {
            "tool": self.name,
            "cmd": self.cmd,
            "runs": len(self.samples),
            "wall_median": statistics.median(walls),
            "wall_min": min(walls),
            "wall_max": max(walls),
            "cpu_median": statistics.median(cpus),
            "rss_max_mib": max(rss) / 1024,
            "out_size": self.out_size,
            "samples": self.samples,
        }


def parse(argv: list[str]) -> tuple[argparse.Namespace, list[Tool]]:
    """Global options first, then groups that each start with --tool NAME."""
    if "--tool" in argv:
        split = argv.index("--tool")
        head, rest = argv[:split], argv[split:]
    else:
        head, rest = argv, []
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--title", default="benchmark")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--json", help="write samples and facts here")
    parser.add_argument("--no-rotate", action="store_true", help="keep the tool order fixed")
    parser.add_argument("--server-pid", type=int,
                        help="a server the tools talk to (e.g. moto_server): its CPU is reported "
                             "separately instead of being counted as other processes' load")
    parser.add_argument("--throughput-bytes", type=int,
                        help="add a MB/s column: this many bytes divided by the median wall time")
    args = parser.parse_args(head)

    tools: list[Tool] = []
    i = 0
    options = {"--cmd": "cmd", "--before": "before", "--after": "after", "--out": "out", "--cwd": "cwd"}
    while i < len(rest):
        flag = rest[i]
        if i + 1 >= len(rest):
            parser.error(f"{flag} needs a value")
        value = rest[i + 1]
        if flag == "--tool":
            tools.append(Tool(value))
        elif flag in options:
            setattr(tools[-1], options[flag], value)
        else:
            parser.error(f"unknown tool option {flag}")
        i += 2
    if not tools:
        parser.error("give at least one --tool")
    for tool in tools:
        if not tool.cmd:
            parser.error(f"tool {tool.name!r} has no --cmd")
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    return args, tools


def human_size(n: int | None) -> str:
    if n is None:
        return "–"
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} B"


def table(title: str, summaries: list[dict], throughput_bytes: int | None) -> str:
    with_output = any(s["out_size"] is not None for s in summaries)
    header = "| tool | wall median (s) | wall min–max (s) | CPU user+sys median (s) | peak RSS (MiB) |"
    rule = "|---|---:|---:|---:|---:|"
    if with_output:
        header += " output |"
        rule += "---:|"
    if throughput_bytes:
        header += " MB/s (median) |"
        rule += "---:|"
    lines = [f"**{title}**", "", header, rule]
    for s in summaries:
        row = (f"| {s['tool']} | {s['wall_median']:.2f} | {s['wall_min']:.2f}–{s['wall_max']:.2f} | "
               f"{s['cpu_median']:.2f} | {s['rss_max_mib']:.1f} |")
        if with_output:
            row += f" {human_size(s['out_size'])} |"
        if throughput_bytes:
            row += f" {throughput_bytes / 1e6 / s['wall_median']:.0f} |"
        lines.append(row)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    args, tools = parse(argv)
    facts = machine_facts()
    busy0, total0 = cpu_jiffies()
    self0 = resource.getrusage(resource.RUSAGE_SELF)
    server0 = process_cpu(args.server_pid) if args.server_pid else 0.0
    started = time.monotonic()
    print(f"# {args.title}: {len(tools)} tools × {args.reps} repetitions, interleaved", file=sys.stderr)
    try:
        for rep in range(args.reps):
            shift = 0 if args.no_rotate else rep % len(tools)
            order = tools[shift:] + tools[:shift]
            for tool in order:
                tool.run_once()
                last = tool.samples[-1]
                print(f"  rep {rep + 1}/{args.reps} {tool.name}: {last['wall']:.2f} s wall, "
                      f"{last['cpu']:.2f} s CPU, {last['rss_kib'] / 1024:.1f} MiB", file=sys.stderr)
    except CommandFailed as failure:
        print(f"harness: {args.title}: {failure}", file=sys.stderr)
        return 1
    elapsed = time.monotonic() - started
    busy1, total1 = cpu_jiffies()
    self1 = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # every tool + setup command we waited for

    # How much CPU did OTHER processes use meanwhile? All CPUs' busy time minus ours.
    hz = os.sysconf("SC_CLK_TCK")
    machine_busy = (busy1 - busy0) / hz
    ours = (children.ru_utime + children.ru_stime
            + self1.ru_utime - self0.ru_utime + self1.ru_stime - self0.ru_stime)
    if args.server_pid:
        server_cpu = process_cpu(args.server_pid) - server0
        ours += server_cpu
        facts["server_cpu_s"] = round(server_cpu, 1)
        facts["server_peak_rss_mib"] = round(process_peak_rss_mib(args.server_pid), 1)
    facts["loadavg_end"] = os.getloadavg()
    facts["elapsed_s"] = round(elapsed, 1)
    facts["foreign_cpu_cores"] = round(max(0.0, machine_busy - ours) / elapsed, 2) if elapsed > 0 else 0.0

    summaries = [t.summary() for t in tools]
    la0 = " ".join(f"{x:.2f}" for x in facts["loadavg_start"])
    la1 = " ".join(f"{x:.2f}" for x in facts["loadavg_end"])
    print(table(args.title, summaries, args.throughput_bytes))
    print()
    print(f"_{args.reps} interleaved repetitions; {facts['date']}; {facts['nproc']} cores ({facts['cpu']}), "
          f"{facts['mem_gib']} GiB; kernel {facts['kernel']}; commit {facts['git_commit'][:12]}; "
          f"load average {la0} at start, {la1} at end; other processes used "
          f"≈{facts['foreign_cpu_cores']} cores on average during the {facts['elapsed_s']} s run"
          + (f"; the server used {facts['server_cpu_s']} CPU-s in all (peak RSS {facts['server_peak_rss_mib']} MiB)"
             if args.server_pid else "") + "._")
    print()
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"title": args.title, "reps": args.reps, "facts": facts, "tools": summaries,
                       "throughput_bytes": args.throughput_bytes}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
