"""Planner throughput: plans per second from the Python API (knowledge base loaded once) and
through the command line.

Goal (issue 4): >= 2,000 plans/s from the API on the 2-core machine.
Run: ``python benchmarks/bench_planner.py`` (``--quick`` for a short run).

The profile set is fixed (seed 4): the contract example plus 199 random valid profiles drawn
with ``random.Random(4)`` over every field of ``contracts/profile.md``, so runs are comparable.
Each API call validates the profile dict, plans, and builds the ``plan/1`` model (the work
``scarwise.plan(dict)`` always does); serialising to JSON is timed separately.
"""

from __future__ import annotations

import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import scarwise
from scarwise.knowledge.vocabulary import TREATMENT_IDS
from scarwise.testing.profiles import BASE_PROFILE

EXAMPLE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "contracts"
    / "examples"
    / "profile-example.json"
)


def random_profile(rng: random.Random) -> dict[str, Any]:
    profile = json.loads(json.dumps(BASE_PROFILE))
    profile["age"] = rng.randint(12, 80)
    profile["fitzpatrick"] = rng.randint(1, 6)
    for key in profile["scars"]:
        profile["scars"][key] = rng.choice([0, 0, rng.randint(1, 30)])
    for key in profile["marks"]:
        profile["marks"][key] = rng.random() < 0.3
    profile["active_acne"] = rng.choice(["none", "none", "mild", "moderate", "severe"])
    profile["isotretinoin"] = rng.choice(
        ["never", "never", "current", "stopped_within_6_months", "stopped_over_6_months"]
    )
    for key in (
        "pregnant_or_breastfeeding",
        "keloid_history",
        "herpes_labialis_history",
        "anticoagulants",
        "bdd_screen_positive",
    ):
        profile[key] = rng.random() < 0.15
    profile["budget_usd"] = rng.choice([None, 500, 3000, 10000])
    profile["max_downtime_days"] = rng.choice([None, 2, 7, 14])
    profile["prefers"] = rng.sample(TREATMENT_IDS, rng.randint(0, 2))
    profile["avoids"] = rng.sample(TREATMENT_IDS, rng.randint(0, 2))
    return profile


def profile_set() -> list[dict[str, Any]]:
    rng = random.Random(4)
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    return [example] + [random_profile(rng) for _ in range(199)]


def bench_api(profiles: list[dict[str, Any]], rounds: int) -> None:
    kb = scarwise.load_knowledge_base()
    for p in profiles:  # warm-up: derived rule tables, pydantic validators
        scarwise.plan(p, knowledge_base=kb)
    rates, cpu_rates = [], []
    for _ in range(rounds):
        start, cpu = time.perf_counter(), time.process_time()
        for p in profiles:
            scarwise.plan(p, knowledge_base=kb)
        rates.append(len(profiles) / (time.perf_counter() - start))
        cpu_rates.append(len(profiles) / (time.process_time() - cpu))
    print(
        f"API  scarwise.plan(dict)            median {statistics.median(rates):7.0f} plans/s   best {max(rates):7.0f}"
        f"   ({rounds} rounds x {len(profiles)} profiles, wall clock)"
    )
    print(
        f"API  scarwise.plan(dict), CPU time  median {statistics.median(cpu_rates):7.0f} plans/s"
        "   (one core's own work, whatever else the machine runs)"
    )
    plans = [scarwise.plan(p, knowledge_base=kb) for p in profiles]
    start = time.perf_counter()
    for _ in range(rounds):
        for plan in plans:
            json.dumps(plan.to_json_dict())
    rate = rounds * len(plans) / (time.perf_counter() - start)
    print(f"API  plan -> JSON text              median {rate:7.0f} plans/s")


def bench_cli(profiles: list[dict[str, Any]], n: int) -> None:
    exe = shutil.which("scarwise") or sys.exit("scarwise is not on PATH")
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for i, p in enumerate(profiles[:n]):
            path = Path(tmp) / f"p{i}.json"
            path.write_text(json.dumps(p), encoding="utf-8")
            paths.append(path)
        times = []
        for path in paths:
            start = time.perf_counter()
            subprocess.run(
                [exe, "plan", "--profile", str(path), "--json"], capture_output=True, check=True
            )
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(
        f"CLI  scarwise plan --json (process) median {median * 1000:7.0f} ms/plan = {1 / median:5.1f} plans/s"
        f"   ({n} runs)"
    )


def main() -> None:
    quick = "--quick" in sys.argv
    profiles = profile_set()
    bench_api(profiles, rounds=3 if quick else 10)
    bench_cli(profiles, n=5 if quick else 20)


if __name__ == "__main__":
    main()
