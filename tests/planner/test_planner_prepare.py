"""``prepare_considered``: the tables ``scarwise serve`` builds at start cover every profile and
change no plan."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

import scarwise
from scarwise.knowledge.loader import default_data_dir, load_knowledge_base
from scarwise.knowledge.vocabulary import TARGETS
from scarwise.planner import parse_profile
from scarwise.planner.rules import every_target_set, index_for, prepare_considered, present_targets
from scarwise.testing.profiles import profiles

EVERY_SET = list(every_target_set())


def test_every_target_set_is_each_subset_once_in_vocabulary_order() -> None:
    assert len(EVERY_SET) == 2 ** (len(TARGETS) - 1) == 2048
    assert len(set(EVERY_SET)) == len(EVERY_SET)
    position = {t: i for i, t in enumerate(TARGETS)}
    for targets in EVERY_SET:
        assert targets[-1] == "all"
        assert [position[t] for t in targets] == sorted(position[t] for t in targets)
    assert ("all",) in EVERY_SET
    assert TARGETS in EVERY_SET


@settings(max_examples=200, deadline=None, derandomize=True)
@given(profiles())
def test_every_profile_has_a_prepared_target_set(profile: dict[str, Any]) -> None:
    assert present_targets(parse_profile(profile)) in set(EVERY_SET)


@settings(max_examples=3, deadline=None, derandomize=True)
@given(st.lists(profiles(), min_size=40, max_size=40))
def test_preparing_changes_no_plan(people: list[dict[str, Any]]) -> None:
    kb = load_knowledge_base(default_data_dir())  # a knowledge base of its own: empty memos
    before = [scarwise.plan(p, knowledge_base=kb).to_json_dict() for p in people]
    index = index_for(kb)
    assert prepare_considered(index) == 2048
    assert len(index.considered) == 2048
    assert all(set(c.rankings) == {False, True} for c in index.considered.values())
    after = [scarwise.plan(p, knowledge_base=kb).to_json_dict() for p in people]
    assert after == before
