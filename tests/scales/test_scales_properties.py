"""Property tests: scores stay within [0, max] and never fall when a count rises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

import scarwise
from scarwise.scales.models import EccaCounts, GBQuantitativeCounts

counts = st.integers(min_value=0, max_value=200)
GB_ITEMS = list(GBQuantitativeCounts.model_fields)
ECCA_ITEMS = list(EccaCounts.model_fields)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries({k: counts for k in GB_ITEMS}),
    st.floats(0, 100),
    st.sampled_from(GB_ITEMS),
    st.integers(1, 30),
)
def test_gb_quantitative_in_range_and_monotone(
    c: dict[str, int], area: float, item: str, more: int
) -> None:
    base = scarwise.score("gb-quantitative", {"counts": c, "hypertrophic_area_cm2": area})
    bigger = scarwise.score(
        "gb-quantitative", {"counts": {**c, item: c[item] + more}, "hypertrophic_area_cm2": area}
    )
    larger_area = scarwise.score(
        "gb-quantitative", {"counts": c, "hypertrophic_area_cm2": area + 1}
    )
    assert 0 <= base.score <= 84
    assert bigger.score >= base.score
    assert larger_area.score >= base.score


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries({k: counts for k in ECCA_ITEMS}),
    st.sampled_from(ECCA_ITEMS),
    st.integers(1, 30),
)
def test_ecca_in_range_and_monotone(c: dict[str, int], item: str, more: int) -> None:
    base = scarwise.score("ecca", {"counts": c}).score
    bigger = scarwise.score("ecca", {"counts": {**c, item: c[item] + more}}).score
    assert 0 <= base <= 540
    assert bigger >= base


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 4), min_size=8, max_size=8))
def test_fitzpatrick_type_is_monotone_in_total(values: list[int]) -> None:
    names = [
        "eye_colour",
        "hair_colour",
        "skin_colour",
        "freckles",
        "sun_reaction",
        "tanning",
        "tan_depth",
        "face_sensitivity",
    ]
    result = scarwise.score(
        "fitzpatrick", {"answers": dict(zip(names, values, strict=True))}
    ).to_json_dict()
    assert result["score"] == sum(values)
    assert 1 <= result["type"] <= 6
    lower = [max(v - 1, 0) for v in values]
    lower_type = scarwise.score(
        "fitzpatrick", {"answers": dict(zip(names, lower, strict=True))}
    ).to_json_dict()["type"]
    assert lower_type <= result["type"]
