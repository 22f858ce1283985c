#!/usr/bin/env python3
"""Time `bplint check` against its peers on one corpus, in one run, alternating.

Called by bench/compare.sh, which builds bplint, generates the corpus and
installs the peers; see bench/README.md. Each round runs every command once, in
turn, so a change of machine load hits them all alike. Wall time and peak memory
are measured around each process (which runs under /usr/bin/time, for its peak
memory). The table shows medians.
"""

import argparse
import os
import pathlib
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time


def machine():
    cpu = "?"
    try:
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = "?"
    try:
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return f"{os.cpu_count()} CPUs ({cpu}), {ram} RAM, {platform.system()} {platform.release()}"


def load():
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


class Command:
    def __init__(self, name, argv, runs, count_failed, scale=1.0, note=""):
        self.name = name
        self.argv = argv
        self.runs = runs
        self.count_failed = count_failed
        self.scale = scale
        self.note = note
        self.walls = []
        self.rss = []
        self.failed = None

    def run(self, workdir):
        out = pathlib.Path(workdir) / "out.txt"
        peak = pathlib.Path(workdir) / "peak.txt"
        # /usr/bin/time reports the peak memory (`%M`, KB) of the command alone; a
        # child forked from Python would count Python's pages before its exec.
        with open(out, "wb") as stdout:
            start = time.perf_counter()
            proc = subprocess.run(
                ["/usr/bin/time", "-f", "%M", "-o", str(peak), *self.argv],
                stdout=stdout,
                stderr=subprocess.STDOUT,
            )
            wall = time.perf_counter() - start
        text = out.read_text(errors="replace")
        if proc.returncode not in (0, 1):
            sys.exit(f"{self.name} failed ({proc.returncode}):\n{text[-2000:]}")
        self.walls.append(wall * self.scale)
        self.rss.append(int(peak.read_text().split()[-1]) / 1024)
        self.failed = self.count_failed(text)


def count(pattern):
    return lambda text: len(re.findall(pattern, text, re.MULTILINE))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--bplint", required=True)
    parser.add_argument("--bare", required=True)
    parser.add_argument("--venv", required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--single", required=True, help="one small blueprint")
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--peer-runs", type=int, default=3)
    parser.add_argument("--cj-subset", type=int, default=1000)
    args = parser.parse_args()

    here = pathlib.Path(__file__).resolve().parent
    corpus = pathlib.Path(args.corpus)
    files = sorted(str(p) for p in corpus.rglob("*") if p.suffix in (".yaml", ".yml"))
    total = len(files)
    size = sum(os.path.getsize(f) for f in files)
    venv = pathlib.Path(args.venv) / "bin"
    subset = files[:: max(1, total // args.cj_subset)][: args.cj_subset]
    yamllint_config = '{rules: {}}'

    commands = [
        Command("bplint check", [args.bplint, "check", str(corpus)], args.runs,
                count(r"^BP001\(yaml-syntax\)$")),
        Command("bare parse (saphyr-parser)", [args.bare, str(corpus)], args.runs,
                lambda t: int(re.search(r"(\d+) failed to parse", t).group(1))),
        Command("PyYAML load (SafeLoader + tags)", [str(venv / "python"), str(here / "pyyaml_load.py"), str(corpus)],
                args.peer_runs, lambda t: int(re.search(r"(\d+) failed to load", t).group(1))),
        Command("yamllint (no rules)", [str(venv / "yamllint"), "-f", "parsable", "-d", yamllint_config, str(corpus)],
                args.peer_runs, count(r"\(syntax\)$")),
    ]
    cj_scale = total / len(subset)
    cj_note = "" if len(subset) == total else f"timed on {len(subset)} files, x{cj_scale:.1f}"
    commands.append(Command(
        "check-jsonschema", [str(venv / "check-jsonschema"), "--schemafile", args.schema, *subset],
        args.peer_runs, count(r"^\s*Failed to parse "), scale=cj_scale, note=cj_note))
    single = Command("bplint check, one small file", [args.bplint, "check", args.single], args.runs,
                     lambda t: 0)

    print(f"machine: {machine()}")
    print(f"corpus: {total} files, {size / 1e6:.1f} MB in {corpus}")
    print(f"load average before: {load()}")
    with tempfile.TemporaryDirectory() as workdir:
        for round_ in range(max(args.runs, args.peer_runs)):
            for command in commands + [single]:
                if round_ < command.runs:
                    command.run(workdir)
            print(f"  round {round_ + 1} done, load {load()}", file=sys.stderr)
    print(f"load average after: {load()}")
    print()

    base = statistics.median(commands[0].walls)
    bare = statistics.median(commands[1].walls)
    header = ("command", "wall (median)", "bplint/this", "this/bplint", "peak RSS", "failed to parse", "runs")
    rows = []
    for c in commands:
        wall = statistics.median(c.walls)
        failed = c.failed
        if c.scale != 1.0 and failed is not None:
            failed = f"{failed} of {len(subset)}"
        rows.append((c.name + (f" ({c.note})" if c.note else ""), f"{wall:.3f} s", f"{base / wall:.3f}",
                     f"{wall / base:.1f}x", f"{statistics.median(c.rss):.0f} MB", str(failed), str(len(c.walls))))
    widths = [max(len(r[i]) for r in rows + [header]) for i in range(len(header))]
    line = lambda r: "| " + " | ".join(v.ljust(w) for v, w in zip(r, widths)) + " |"
    print(line(header))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(line(r))
    print()
    print(f"bplint/bare parse: {base / bare:.2f}")
    print(f"one small file ({args.single}): {statistics.median(single.walls) * 1000:.0f} ms median wall, "
          f"{statistics.median(single.rss):.0f} MB")


if __name__ == "__main__":
    main()
