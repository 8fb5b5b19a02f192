"""The final safety check is independent of the selection, agrees with it, and can fail.

``safety.enforce`` evaluates the knowledge base's ``exclude`` rules with code of its own; the
selection screens with ``rules.blocked_treatments``. Over random profiles both must block the same
treatments, every plan must pass the check, and a plan with an unsafe treatment injected must not.
"""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import scarwise
from scarwise.errors import SafetyViolation
from scarwise.knowledge.models import Rule
from scarwise.planner import Memo, Plan, parse_profile, safety
from scarwise.planner.candidates import consider
from scarwise.planner.index import build_index
from scarwise.planner.models import Recommendation
from scarwise.planner.rules import blocked_treatments, facts_for, fired_rules, present_targets
from scarwise.planner.safety import enforce, forbidden_treatments
from scarwise.testing.profiles import profiles, vignette

KB = scarwise.load_knowledge_base()
INDEX = build_index(KB)
OFF = Memo(enabled=False)
SETTINGS = settings(
    max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)


@SETTINGS
@given(profiles())
def test_selection_and_safety_check_block_the_same_treatments(profile: dict[str, Any]) -> None:
    person = parse_profile(profile)
    fired = fired_rules(INDEX, facts_for(person))
    screened = blocked_treatments(fired["exclude"], person.avoids)
    independent = forbidden_treatments(person, KB)
    assert {tid: block.kind for tid, block in screened.items()} == independent

    plan = scarwise.plan(person, memo=OFF)
    assert enforce(plan, person, KB) is plan
    # the plan lists exactly the blocked treatments it considered, with the same kind
    considered = consider(INDEX, present_targets(person))
    listed = {
        e.treatment: e.kind for e in plan.excluded if e.kind in ("contraindication", "avoided")
    }
    assert listed == {tid: why for tid, why in independent.items() if tid in considered}


def _with_extra(plan: Plan, treatment: str, *, as_alternative: bool) -> Plan:
    """``plan`` with ``treatment`` added to its first phase (as a new item or an alternative)."""
    phase = plan.phases[0]
    first = phase.recommendations[0]
    if as_alternative:
        changed = first.model_copy(update={"alternatives": [*first.alternatives, treatment]})
        recs = [changed, *phase.recommendations[1:]]
    else:
        extra = Recommendation.model_validate({**first.model_dump(), "treatment": treatment})
        recs = [*phase.recommendations, extra]
    return plan.model_copy(
        update={"phases": [phase.model_copy(update={"recommendations": recs}), *plan.phases[1:]]}
    )


@settings(max_examples=150, deadline=None, derandomize=True)
@given(profiles(), st.data(), st.booleans())
def test_enforce_refuses_a_plan_with_a_forbidden_treatment_injected(
    profile: dict[str, Any], data: st.DataObject, as_alternative: bool
) -> None:
    person = parse_profile(profile)
    forbidden = forbidden_treatments(person, KB)
    assume(forbidden)
    plan = scarwise.plan(person, memo=OFF)
    assume(plan.phases)
    tid = data.draw(st.sampled_from(sorted(forbidden)))
    unsafe = _with_extra(plan, tid, as_alternative=as_alternative)
    with pytest.raises(SafetyViolation) as info:
        enforce(unsafe, person, KB)
    assert info.value.exit_code == 1
    assert any(p.got == tid and forbidden[tid] in p.expected for p in info.value.problems)


def test_enforce_refuses_a_treatment_twice_and_a_blank_disclaimer() -> None:
    person = parse_profile(vignette(scars={"rolling": 5}))
    plan = scarwise.plan(person)
    again = plan.phases[0].recommendations[0].treatment
    with pytest.raises(SafetyViolation) as info:
        enforce(_with_extra(plan, again, as_alternative=False), person, KB)
    assert [p.expected for p in info.value.problems] == ["each treatment at most once"]
    with pytest.raises(SafetyViolation) as info:
        enforce(plan.model_copy(update={"disclaimer": "  "}), person, KB)
    assert [p.field for p in info.value.problems] == ["disclaimer"]


def test_a_new_exclude_rule_is_data_both_steps_follow() -> None:
    """Adding a contraindication to the knowledge base is enough: selection and check obey it."""
    rule = Rule(
        id="test-no-sunscreen-on-trunk",
        effect="exclude",
        when={"trunk": [True]},
        treatments=["sunscreen"],
        text="a test rule",
        references=["R1"],
        certainty="derived",
    )
    kb = KB.model_copy(update={"rules": (*KB.rules, rule)})
    trunk = parse_profile(vignette(scars={"rolling": 3}, regions=["back"]))
    assert forbidden_treatments(trunk, kb)["sunscreen"] == "contraindication"
    made = scarwise.plan(trunk, knowledge_base=kb, memo=OFF)
    offered = {r.treatment for ph in made.phases for r in ph.recommendations}
    assert "sunscreen" not in offered
    assert any(e.treatment == "sunscreen" and e.rules == [rule.id] for e in made.excluded)
    with pytest.raises(SafetyViolation):  # the plan for the packaged knowledge base breaks it
        enforce(scarwise.plan(trunk), trunk, kb)


def test_the_check_refuses_a_rule_it_cannot_evaluate() -> None:
    rule = Rule.model_construct(
        id="test-unknown-fact",
        effect="exclude",
        when={"a_fact_nobody_computes": [True]},
        treatments=["sunscreen"],
        text="a test rule",
        references=["R1"],
        certainty="derived",
    )
    kb = KB.model_copy(update={"rules": (*KB.rules, rule)})
    with pytest.raises(SafetyViolation) as info:
        forbidden_treatments(parse_profile(vignette()), kb)
    assert info.value.problems[0].got == "a_fact_nobody_computes"


def test_the_safety_check_shares_no_code_with_the_selection() -> None:
    """Only the error tree and the models: no planner helper, index, memo or cache."""
    tree = ast.parse(inspect.getsource(safety))
    imported = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    imported |= {
        a.name for node in ast.walk(tree) if isinstance(node, ast.Import) for a in node.names
    }
    assert imported == {
        "__future__",
        "scarwise.errors",
        "scarwise.knowledge.models",
        "scarwise.planner.models",
    }
