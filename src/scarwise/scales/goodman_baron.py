"""Goodman & Baron acne-scar grading: the quantitative count score and the qualitative grade.

Quantitative
    Goodman GJ, Baron JA. Postacne scarring - a quantitative global scarring grading system.
    J Cosmet Dermatol 2006;5(1):48-52. doi:10.1111/j.1473-2165.2006.00222.x (research note R8).

    Certainty (``shared/research/clinical-facts.md`` §2.2): the paper, its reproducibility data and
    the count-by-type idea are verified [V]; the per-type point table and the count bands are from
    memory [M]; the maximum of 84 is derived from that table [D]. Hypertrophic/keloidal scars are
    scored by area (< 5 cm² 6, 5-20 cm² 12, > 20 cm² 18) [M]. No severity bands exist for the total.

Qualitative
    Goodman GJ, Baron JA. Postacne scarring: a qualitative global scarring grading system.
    Dermatol Surg 2006;32(12):1458-66. PMID 17199653 (research note R6).

    Certainty (§2.1): grade definitions [S] (reproduction of the published table); the 50 cm
    social-distance and concealment rules [S]; the manual-stretch rule [S]; "grade 0 = no
    scarring" is our convention, not part of the original scale [M].
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from scarwise.errors import InvalidInput, Problem
from scarwise.scales.models import (
    GBQualitativeInput,
    GBQualitativeResult,
    GBQualitativeStep,
    GBQuantitativeInput,
    GBQuantitativeItem,
    GBQuantitativeResult,
    HypertrophicItem,
    Provenance,
)

__all__ = [
    "QUALITATIVE_PROVENANCE",
    "QUANTITATIVE_PROVENANCE",
    "count_factor",
    "hypertrophic_area_score",
    "score_qualitative",
    "score_quantitative",
]

QUANTITATIVE_PROVENANCE: Final = Provenance(
    reference="Goodman GJ, Baron JA. J Cosmet Dermatol 2006;5:48-52",
    doi="10.1111/j.1473-2165.2006.00222.x",
    scoring_certainty="memory",
    note="Paper and reproducibility verified; point table and count bands from memory (clinical-facts §2.2 [M]); "
    "maximum 84 derived. Regions are scored separately and never added.",
)

QUALITATIVE_PROVENANCE: Final = Provenance(
    reference="Goodman GJ, Baron JA. Dermatol Surg 2006;32:1458-66",
    pmid="17199653",
    scoring_certainty="secondary",
    note="Grade definitions, 50 cm visibility and stretch rules from a reproduction of the published table "
    "(clinical-facts §2.1 [S]); grade 0 'no scarring' is a scarwise convention.",
)

#: Points per lesion type (clinical-facts §2.2, table, [M]).
QUANTITATIVE_POINTS: Final[Mapping[str, int]] = {
    "macular": 1,
    "mild_atrophic": 1,
    "moderate_atrophic": 2,
    "punched_out_shallow": 2,
    "broad_shallow": 2,
    "punched_out_deep_normal_base": 3,
    "punched_out_deep_abnormal_base": 3,
    "linear_troughed": 3,
    "broad_deep": 3,
    "papular": 2,
}

QUANTITATIVE_MAX: Final = 84


def count_factor(count: int) -> int:
    """Count band factor: 0 lesions 0, 1-10 1, 11-20 2, more than 20 3 (§2.2 [M])."""
    if count <= 0:
        return 0
    if count <= 10:
        return 1
    if count <= 20:
        return 2
    return 3


def hypertrophic_area_score(area_cm2: float) -> int:
    """Hypertrophic/keloidal area score: 0 0, (0, 5) 6, [5, 20] 12, > 20 18 cm² (§2.2 [M])."""
    if area_cm2 <= 0:
        return 0
    if area_cm2 < 5:
        return 6
    if area_cm2 <= 20:
        return 12
    return 18


def score_quantitative(data: GBQuantitativeInput) -> GBQuantitativeResult:
    """Goodman & Baron quantitative score (0-84) for one region, with per-item working."""
    items: list[GBQuantitativeItem | HypertrophicItem] = []
    counts = data.counts.model_dump()
    for name, points in QUANTITATIVE_POINTS.items():
        count = counts[name]
        factor = count_factor(count)
        items.append(
            GBQuantitativeItem(
                item=name, count=count, points=points, factor=factor, score=points * factor
            )
        )
    items.append(
        HypertrophicItem(
            area_cm2=data.hypertrophic_area_cm2,
            score=hypertrophic_area_score(data.hypertrophic_area_cm2),
        )
    )
    return GBQuantitativeResult(
        score=sum(item.score for item in items),
        max=QUANTITATIVE_MAX,
        region=data.region,
        items=items,
        reference=QUANTITATIVE_PROVENANCE.reference,
        provenance=QUANTITATIVE_PROVENANCE,
    )


_LABELS: Final = ("no scarring", "macular", "mild", "moderate", "severe")


def score_qualitative(data: GBQualitativeInput) -> GBQualitativeResult:
    """Goodman & Baron qualitative grade (0-4) following the contract's rules, step by step.

    A field that the rules need but the input lacks is an error naming it; when several are
    missing, every one that the rules could need on the way to a grade is listed.
    """
    steps: list[GBQualitativeStep] = [
        GBQualitativeStep(
            item="contour",
            value=data.contour,
            rule="type of contour (raised or depressed) scarring",
        )
    ]
    missing: list[str] = []

    def need(field: str) -> bool | None:
        value = getattr(data, field)
        if value is None:
            missing.append(field)
        return value  # type: ignore[no-any-return]

    grade: int | None = None
    if data.contour == "none":
        marks = need("colour_marks")
        if marks is not None:
            grade = 1 if marks else 0
            steps.append(
                GBQualitativeStep(
                    item="colour_marks",
                    value=marks,
                    grade=grade,
                    rule="no contour scars: flat red, brown or white marks give grade 1 (macular), none grade 0",
                )
            )
    else:
        obvious = need("obvious_at_50cm")
        concealed = need("easily_concealed") if obvious is not False else None
        if obvious is False:
            grade = 2
            steps.append(
                GBQualitativeStep(
                    item="obvious_at_50cm",
                    value=False,
                    grade=2,
                    rule="contour scars not obvious at a social distance of 50 cm: grade 2 (mild)",
                )
            )
        elif concealed is True:
            steps.append(
                GBQualitativeStep(item="obvious_at_50cm", value=True, rule="obvious at 50 cm")
            )
            grade = 2
            steps.append(
                GBQualitativeStep(
                    item="easily_concealed",
                    value=True,
                    grade=2,
                    rule="easily concealed by make-up, beard shadow or body hair: grade 2 (mild)",
                )
            )
        else:
            if obvious is True:
                steps.append(
                    GBQualitativeStep(item="obvious_at_50cm", value=True, rule="obvious at 50 cm")
                )
            if concealed is False:
                steps.append(
                    GBQualitativeStep(
                        item="easily_concealed", value=False, rule="not easily concealed"
                    )
                )
            grades: list[int] = []
            if data.contour in ("atrophic", "both"):
                flatten = need("atrophic_flatten_on_stretch")
                if flatten is not None:
                    g = 3 if flatten else 4
                    grades.append(g)
                    steps.append(
                        GBQualitativeStep(
                            item="atrophic_flatten_on_stretch",
                            value=flatten,
                            grade=g,
                            rule="atrophic scars that flatten when the skin is stretched: grade 3 (moderate); "
                            "that do not: grade 4 (severe)",
                        )
                    )
            if data.contour in ("hypertrophic", "both"):
                significant = need("hypertrophy_significant")
                if significant is not None:
                    g = 4 if significant else 3
                    grades.append(g)
                    steps.append(
                        GBQualitativeStep(
                            item="hypertrophy_significant",
                            value=significant,
                            grade=g,
                            rule="significant hypertrophy or keloid: grade 4 (severe); otherwise grade 3 (moderate)",
                        )
                    )
            if not missing and grades:
                grade = max(grades)
                if len(grades) > 1:
                    steps.append(
                        GBQualitativeStep(
                            item="both",
                            value=True,
                            grade=grade,
                            rule="atrophic and hypertrophic scars: the higher grade counts",
                        )
                    )
    if missing or grade is None:
        raise InvalidInput(
            problems=[
                Problem(
                    f, f"true or false (needed because contour is {data.contour!r})", "(missing)"
                )
                for f in dict.fromkeys(missing)
            ],
            prefix="input",
        )
    return GBQualitativeResult(
        score=grade,
        max=4,
        label=_LABELS[grade],
        items=steps,
        reference=QUALITATIVE_PROVENANCE.reference,
        provenance=QUALITATIVE_PROVENANCE,
    )
