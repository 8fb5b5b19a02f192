"""The plan endpoint's fast paths give exactly what the slow, obvious paths give.

``plan_bytes`` pastes cached JSON of shared sub-objects into the plan; ``plan_json`` validates a
body with pydantic's JSON parser first. Both must be invisible: same bytes, same errors.
"""

from __future__ import annotations

import gc
import json
import random
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scarwise.errors import ProfileError, ScarwiseError, to_payload
from scarwise.knowledge.vocabulary import TREATMENT_IDS
from scarwise.planner import plan
from scarwise.testing.profiles import profiles, vignette
from scarwise.web.api import plan_json
from scarwise.web.plan_bytes import plan_bytes
from scarwise.web.server import GC_THRESHOLDS, tune_garbage_collector


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles())
def test_plan_bytes_equal_pydantic_json(profile: dict) -> None:
    made = plan(profile)
    assert plan_bytes(made) == made.model_dump_json(by_alias=True).encode()


@pytest.mark.parametrize("budget", [None, 0, 0.5, 99.99, 1234.0, 3000.0001, 1e9, 5e-324])
def test_plan_bytes_write_budgets_as_pydantic_does(budget: float | None) -> None:
    made = plan(vignette(scars={"rolling": 5}, budget_usd=budget))
    assert plan_bytes(made) == made.model_dump_json(by_alias=True).encode()
    assert json.loads(plan_bytes(made))["budget"]["budget_usd"] == budget


def _slow(body: bytes) -> dict:
    """What the endpoint answered before the fast path: json.loads, then the planner on a dict."""
    try:
        data = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return {"error": "malformed"}
    if not isinstance(data, dict):
        return {"error": "not an object"}
    try:
        return json.loads(plan(data).model_dump_json(by_alias=True))
    except ProfileError as err:
        return to_payload(err, request_id=None)


def _fast(body: bytes) -> dict:
    try:
        return json.loads(plan_json.__wrapped__(body))
    except ProfileError as err:
        return to_payload(err, request_id=None)
    except ScarwiseError as err:
        problems = to_payload(err, request_id=None)["error"]["errors"]
        return {
            "error": "malformed"
            if problems[0]["expected"] == "well-formed JSON"
            else "not an object"
        }


_odd_values = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=False), st.text(max_size=5),
    st.lists(st.sampled_from(["face", "back", "nope"]), max_size=3),
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(profiles(), st.dictionaries(st.sampled_from(["age", "fitzpatrick", "budget_usd", "regions", "sex", "max_downtime_days", "extra"]), _odd_values, max_size=3))  # fmt: skip
def test_fast_validation_answers_as_the_slow_path(profile: dict, changes: dict) -> None:
    body = json.dumps({**profile, **changes}).encode()
    assert _fast(body) == _slow(body)


@pytest.mark.parametrize(
    "body",
    [b'{"age": 30, "fitzpatrick": 2, "age": 40}', b'{"age": 1e2, "fitzpatrick": 2}',
     b'{"age": 30.0, "fitzpatrick": 2}', b'{"age": "30", "fitzpatrick": 2}',
     b'{"age": 30, "fitzpatrick": 2, "budget_usd": 1e400}', b'{"age": 30, "fitzpatrick": 2} x',
     b'{"age": 30, "fitzpatrick": 2, "budget_usd": NaN}', b"[1]", b"\xff"],
)  # fmt: skip
def test_edge_bodies_answer_as_the_slow_path(body: bytes) -> None:
    assert _fast(body) == _slow(body)


def test_server_collects_garbage_less_often_and_freezes_start_up_objects() -> None:
    before = gc.get_threshold()
    try:
        tune_garbage_collector()
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.get_freeze_count() > 10_000  # modules, the loaded app code, pydantic schemas
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def _varied_profiles(n: int, seed: int = 5) -> list[dict]:
    """``n`` profiles differing in scars, marks, skin type, safety factors, budget and avoids."""
    rng = random.Random(seed)
    kinds = ["icepick", "boxcar_shallow", "boxcar_deep", "rolling", "hypertrophic", "papular"]
    return [
        vignette(
            fitzpatrick=rng.randint(1, 6),
            scars={k: rng.choice([0, 0, rng.randint(1, 30)]) for k in kinds},
            marks={m: rng.random() < 0.4 for m in ("erythema", "hyperpigmentation")},
            isotretinoin=rng.choice(["never", "current"]),
            keloid_history=rng.random() < 0.2,
            budget_usd=rng.choice([None, rng.randint(0, 9000)]),
            avoids=rng.sample(TREATMENT_IDS, rng.randint(0, 2)),
        )
        for _ in range(n)
    ]


def test_a_full_fragment_cache_drops_its_oldest_quarter_and_stays_exact() -> None:
    from scarwise.web import plan_bytes as module

    saved = module._FRAGMENT_LIMIT
    module._FRAGMENT_LIMIT = 40
    module._FRAGMENTS.clear()  # (a cache: emptying it changes no answer)
    module._KEPT.clear()
    try:
        sizes = []
        for profile in _varied_profiles(80):
            made = plan(profile)
            assert plan_bytes(made) == made.model_dump_json(by_alias=True).encode()
            sizes.append(len(module._FRAGMENTS))
            assert module._FRAGMENTS.keys() == module._KEPT.keys()
            # every cached id belongs to the object kept under it (no id reused by another)
            assert all(id(model) == ident for ident, model in module._KEPT.items())
        assert max(sizes) <= 40
        assert sum(b < a for a, b in pairwise(sizes)) >= 3  # it dropped the oldest, again and again
    finally:
        module._FRAGMENT_LIMIT = saved
