"""From answers to a profile and the scores the answers allow: a pure function.

* ``fitzpatrick``: the Skin Cancer Foundation 8-item questionnaire, scored by
  ``scarwise.score("fitzpatrick", ...)``; its phototype becomes ``profile.fitzpatrick``.
* ``gb-qualitative``: contour from the counts, colour marks, visibility at 50 cm, concealment and
  the stretch test (Goodman & Baron 2006, R6), when the answers include what it needs.
* ``ecca``: counts mapped onto the ECCA items (Dréno 2007, R9); superficial elastolysis is not
  asked (a person cannot judge it), so that item is 0 and a note says so.
* ``bdd_screen_positive``: worried AND preoccupied (about an hour a day) AND distress or
  interference - the BDDQ's logic (clinical-facts §4.7, R60), in our own words; not validated.
* ``distensible``: the stretch test answer (do most dents flatten when the skin is stretched;
  Goodman-Baron's grade 3 versus 4), ``unknown`` when it was not asked.
* the health checklist (``conditions``) sets the profile's yes/no fields of the same names, and
  ``scar_sites`` (counted boxcar scars: shallow and deep) becomes the profile's ``scar_sites``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from scarwise.assess.models import Answers, Assessment
from scarwise.errors import InvalidInput, Problem, from_validation_error
from scarwise.planner.models import Profile, ProfileScars, profile_problems
from scarwise.scales import ScoreResult, score

__all__ = ["assess", "parse_answers"]


def parse_answers(data: Mapping[str, Any] | Answers) -> Answers:
    """Validate an answers mapping; :class:`InvalidInput` lists every problem."""
    if isinstance(data, Answers):
        return data
    if not isinstance(data, Mapping):
        raise InvalidInput(
            problems=[Problem("", "a JSON or YAML object of answers", type(data).__name__)],
            prefix="answers",
        )
    try:
        answers = Answers.model_validate(dict(data))
    except ValidationError as err:
        raise from_validation_error(err, prefix="answers") from err
    problems = profile_problems(
        {
            **answers.model_dump(include=answers.model_fields_set - {"scar_sites", "scars"}),
            "scar_sites": answers.scar_sites,
            "regions": answers.regions,
        }
    )
    if problems:
        raise InvalidInput(problems=problems, prefix="answers")
    return answers


def assess(answers: Mapping[str, Any] | Answers) -> Assessment:
    """Turn questionnaire answers into a :class:`Profile` plus the scores they allow."""
    a = parse_answers(answers)
    notes: list[str] = []
    scores: dict[str, ScoreResult] = {}
    fitz = score("fitzpatrick", {"answers": a.fitzpatrick.model_dump()})
    scores["fitzpatrick"] = fitz
    phototype = int(fitz.model_dump()["type"])

    s = a.scars
    scars = ProfileScars(
        icepick=s.icepick,
        boxcar_shallow=s.boxcar - s.boxcar_deep,
        boxcar_deep=s.boxcar_deep,
        rolling=s.rolling,
        hypertrophic=s.hypertrophic,
        keloid=s.keloid,
        papular=s.papular,
    )
    bdd = a.body_image.worried and a.body_image.preoccupied and a.body_image.distress
    stretch = a.visibility.flatten_on_stretch
    sites = None
    if a.scar_sites is not None:
        sites = {
            kind: list(where)
            for name, where in a.scar_sites.items()
            for kind in (("boxcar_shallow", "boxcar_deep") if name == "boxcar" else (name,))
        }
    pregnancy = a.pregnancy or ("pregnant" if a.pregnant_or_breastfeeding else "none")
    conditions = {c: True for c in a.conditions}
    profile = Profile(
        age=a.age,
        sex=a.sex,
        fitzpatrick=phototype,
        scars=scars,
        marks=a.marks,
        regions=list(a.regions),
        active_acne=a.active_acne,
        isotretinoin=a.isotretinoin,
        isotretinoin_months_since_stop=a.isotretinoin_months_since_stop,
        pregnancy=pregnancy,
        keloid_history=a.keloid_history,
        herpes_labialis_history=a.herpes_labialis_history,
        anticoagulants=a.anticoagulants,
        bdd_screen_positive=bdd,
        budget_usd=a.budget_usd,
        max_downtime_days=a.max_downtime_days,
        prefers=list(a.prefers),
        avoids=list(a.avoids),
        scar_sites=sites,  # type: ignore[arg-type]
        scar_age_months=a.scar_age_months,
        distensible="unknown" if stretch is None else ("yes" if stretch else "no"),
        **conditions,
    )

    atrophic = s.icepick + s.boxcar + s.rolling > 0
    raised = s.hypertrophic + s.keloid + s.papular > 0
    contour = (
        "both"
        if atrophic and raised
        else "atrophic"
        if atrophic
        else "hypertrophic"
        if raised
        else "none"
    )
    v = a.visibility
    gb_input = {
        "contour": contour,
        "colour_marks": any(a.marks.model_dump().values()),
        "obvious_at_50cm": v.obvious_at_50cm,
        "easily_concealed": v.easily_concealed,
        "atrophic_flatten_on_stretch": v.flatten_on_stretch,
        "hypertrophy_significant": v.hypertrophy_significant,
    }
    try:
        scores["gb-qualitative"] = score("gb-qualitative", gb_input)
    except InvalidInput as err:
        fields = ", ".join(sorted({p.field for p in err.problems}))
        notes.append(f"Goodman-Baron qualitative grade not scored: the answers lack {fields}.")

    recent = bool(a.raised_scars_recent)
    scores["ecca"] = score(
        "ecca",
        {
            "counts": {
                "icepick_v": s.icepick,
                "boxcar_u": s.boxcar,
                "rolling_m": s.rolling,
                "elastolysis": 0,
                "hypertrophic_recent": s.hypertrophic if recent else 0,
                "keloid_or_old_hypertrophic": s.keloid + (0 if recent else s.hypertrophic),
            }
        },
    )
    notes.append(
        "ECCA: superficial elastolysis is not self-assessed and counts as 0; papular scars are not an ECCA item."
    )
    if bdd:
        notes.append(
            "The body-image screen was positive; the plan adds a referral. It is not a diagnosis."
        )
    return Assessment(profile=profile, scores=scores, notes=notes)
