"""Start-up time of the command line: ``scarwise --help`` and ``scarwise --version``.

Goal (issue 3): ``scarwise --help`` well under 0.3 s. Run: ``python benchmarks/bench_cli_startup.py``.
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def time_command(args: list[str], repeat: int = 20) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def main() -> None:
    exe = shutil.which("scarwise") or sys.exit("scarwise is not on PATH")
    for args in ([exe, "--help"], [exe, "--version"], [exe, "score", "--help"]):
        median, best = time_command(args)
        print(
            f"{' '.join(['scarwise', *args[1:]]):28s} median {median * 1000:6.1f} ms   best {best * 1000:6.1f} ms"
        )


if __name__ == "__main__":
    main()
