"""Start-up time of the command line against a bare interpreter.

Goal: ``scarwise --version`` and ``scarwise --help`` each at most 8x ``python -c pass`` (median
wall time of fresh processes). The commands are timed interleaved with the bare interpreter, round
after round, so that load from other processes hits all of them alike.

Run: ``python benchmarks/bench_cli_startup.py [--rounds N]``.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

GOAL = 8.0


def _once(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(args, capture_output=True, check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--quick", action="store_true", help="10 rounds")
    args = parser.parse_args()
    rounds = 10 if args.quick else args.rounds
    exe = shutil.which("scarwise") or sys.exit("scarwise is not on PATH")
    commands = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "scarwise --version": [exe, "--version"],
        "scarwise --help": [exe, "--help"],
        "scarwise score --help": [exe, "score", "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, command in commands.items():
            times[name].append(_once(command))
    bare = statistics.median(times["python -c pass"])
    print(f"{'command':24s} {'median ms':>10s} {'x bare':>8s}  goal <= {GOAL:.0f}x")
    for name, samples in times.items():
        median = statistics.median(samples)
        print(f"{name:24s} {median * 1000:10.1f} {median / bare:8.1f}")


if __name__ == "__main__":
    main()
