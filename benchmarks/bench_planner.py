"""Planner throughput: plans per second from the Python API, with the memo off and on.

Run: ``python benchmarks/bench_planner.py [--profiles N] [--rounds R]``.

The profiles are random and valid, drawn with ``random.Random(4)`` over every field of
``contracts/profile.md`` (the newer ones too: pregnancy, the health yes/no fields, scar sites,
scar age, the stretch test), so runs are comparable. Each call is ``scarwise.planner.plan(dict)``:
validate the profile, plan, check safety, build the ``plan/1`` model. The knowledge base is loaded
before timing. Each round plans every profile once; the median round is reported, as wall-clock
and as this process's CPU time (steadier on a shared machine). With the memo on, a first untimed
round fills it.
"""

from __future__ import annotations

import argparse
import platform
import random
import statistics
import time
from typing import Any

from scarwise.knowledge.loader import load_knowledge_base
from scarwise.knowledge.vocabulary import TREATMENT_IDS
from scarwise.planner import Memo, plan
from scarwise.planner.models import HEALTH_FLAGS

_SCAR_TYPES = (
    "icepick",
    "boxcar_shallow",
    "boxcar_deep",
    "rolling",
    "hypertrophic",
    "keloid",
    "papular",
)


def random_profile(rng: random.Random) -> dict[str, Any]:
    """A random valid profile: counts often zero, safety factors sometimes set."""
    regions = rng.sample(["face", "chest", "back", "other"], rng.randint(1, 4))
    scars = {kind: rng.choice([0, 0, rng.randint(1, 30)]) for kind in _SCAR_TYPES}
    prefers = rng.sample(TREATMENT_IDS, rng.randint(0, 2))
    profile: dict[str, Any] = {
        "age": rng.randint(12, 90),
        "sex": rng.choice(["female", "male", "other", "unknown"]),
        "fitzpatrick": rng.randint(1, 6),
        "scars": scars,
        "marks": {
            m: rng.random() < 0.3 for m in ("erythema", "hyperpigmentation", "hypopigmentation")
        },
        "regions": regions,
        "active_acne": rng.choice(["none", "none", "mild", "moderate", "severe"]),
        "isotretinoin": rng.choice(
            ["never", "never", "current", "stopped_within_6_months", "stopped_over_6_months"]
        ),
        "pregnancy": rng.choices(
            ["none", "pregnant", "breastfeeding", "trying_to_conceive"], [85, 5, 5, 5]
        )[0],
        "keloid_history": rng.random() < 0.15,
        "herpes_labialis_history": rng.random() < 0.15,
        "anticoagulants": rng.random() < 0.15,
        "bdd_screen_positive": rng.random() < 0.15,
        "budget_usd": rng.choice([None, 500, 3000, 10000]),
        "max_downtime_days": rng.choice([None, 2, 7, 14]),
        "prefers": prefers,
        "avoids": [t for t in rng.sample(TREATMENT_IDS, rng.randint(0, 2)) if t not in prefers],
        "scar_age_months": rng.choice([None, 3, 12, 48]),
        "distensible": rng.choice(["yes", "no", "unknown"]),
    }
    for flag in HEALTH_FLAGS:
        profile[flag] = rng.random() < 0.1
    if rng.random() < 0.3:
        profile["scar_sites"] = {
            kind: rng.sample(regions, rng.randint(1, len(regions)))
            for kind, count in scars.items()
            if count > 0
        }
    return profile


def measure(profiles: list[dict[str, Any]], memo: Memo, rounds: int) -> tuple[float, float]:
    """Median (wall-clock, CPU-time) plans per second over ``rounds`` rounds."""
    kb = load_knowledge_base()
    for p in profiles:  # untimed: fills the memo when it is on, warms the interpreter
        plan(p, knowledge_base=kb, memo=memo)
    wall, cpu = [], []
    for _ in range(rounds):
        start, start_cpu = time.perf_counter(), time.process_time()
        for p in profiles:
            plan(p, knowledge_base=kb, memo=memo)
        wall.append(len(profiles) / (time.perf_counter() - start))
        cpu.append(len(profiles) / (time.process_time() - start_cpu))
    return statistics.median(wall), statistics.median(cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profiles", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    rng = random.Random(4)
    profiles = [random_profile(rng) for _ in range(args.profiles)]
    print(f"{platform.python_implementation()} {platform.python_version()}, {platform.machine()}")
    print(f"{args.profiles} random profiles, median of {args.rounds} rounds")
    for label, memo in (("memo off", Memo(enabled=False)), ("memo on", Memo())):
        wall, cpu = measure(profiles, memo, args.rounds)
        print(
            f"plan(dict), {label:8}  {wall:6.0f} plans/s wall clock   {cpu:6.0f} plans/s CPU time"
        )


if __name__ == "__main__":
    main()
