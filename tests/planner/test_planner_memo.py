"""The planner's memo: bounded, switchable, clearable, and it never changes a plan."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import scarwise
from scarwise.knowledge.loader import default_data_dir, load_knowledge_base
from scarwise.planner import MEMO, Memo
from scarwise.planner.index import build_index
from scarwise.testing.profiles import profiles

KB = scarwise.load_knowledge_base()
INDEX = build_index(KB)


def _counting() -> tuple[list[int], Any]:
    calls: list[int] = []

    def make() -> int:
        calls.append(1)
        return len(calls)

    return calls, make


def test_a_value_is_made_once_while_enabled() -> None:
    memo = Memo()
    calls, make = _counting()
    assert memo.get("t", INDEX, "k", make) == 1
    assert memo.get("t", INDEX, "k", make) == 1
    assert memo.get("other table", INDEX, "k", make) == 2
    assert len(calls) == 2 and len(memo) == 2


def test_disabled_makes_every_value_afresh_and_restores_the_switch() -> None:
    memo = Memo()
    _, make = _counting()
    memo.get("t", INDEX, "k", make)
    with memo.disabled():
        assert not memo.enabled
        assert memo.get("t", INDEX, "k", make) == 2
        assert memo.get("t", INDEX, "k", make) == 3
    assert memo.enabled
    assert memo.get("t", INDEX, "k", make) == 1
    off = Memo(enabled=False)
    off.get("t", INDEX, "k", make)
    assert len(off) == 0


def test_the_memo_is_bounded_and_clears() -> None:
    memo = Memo(limit=3)
    for key in range(10):
        memo.get("t", INDEX, key, lambda: 0)
        assert len(memo) <= 3
    first = memo.index(KB)
    memo.clear()
    assert len(memo) == 0
    assert memo.index(KB) is not first


def test_the_index_is_kept_per_knowledge_base_even_when_off() -> None:
    memo = Memo(enabled=False)
    assert memo.index(KB) is memo.index(KB)
    other = load_knowledge_base(default_data_dir())  # same version, another object
    assert memo.index(other).kb is other


@settings(
    max_examples=4, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(profiles(), min_size=50, max_size=50))
def test_memo_on_and_off_give_identical_plans(people: list[dict[str, Any]]) -> None:
    off = Memo(enabled=False)
    small = Memo(limit=40)  # fills and clears within the run
    plain = [scarwise.plan(p, memo=off).to_json_dict() for p in people]
    for _ in range(2):  # the second pass is answered from the memo where it can be
        assert [scarwise.plan(p, memo=small).to_json_dict() for p in people] == plain
    assert [scarwise.plan(p).to_json_dict() for p in people] == plain  # the shared MEMO
    assert MEMO.enabled
