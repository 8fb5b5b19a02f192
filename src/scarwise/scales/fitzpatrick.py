"""Fitzpatrick skin phototype from the Skin Cancer Foundation 8-item questionnaire (0-32).

Background: "Fitzpatrick skin type", StatPearls, PMID 32491558 (research note R62); the original
is Fitzpatrick TB, Arch Dermatol 1988;124:869-71 (citation from memory [M]). Questionnaire: the
Skin Cancer Foundation skin-type quiz, read in independent reproductions (R65).

Certainty (``shared/research/clinical-facts.md`` §6.1): the eight items, their 0-4 answers and the
bands 0-6 I, 7-12 II, 13-18 III, 19-24 IV, 25-30 V, 31-32 VI were read in independent
reproductions of the SCF quiz [V]. Other circulating versions band differently; the version is
stored with every result (``questionnaire_version``) so they are never mixed.
"""

from __future__ import annotations

from typing import Final

from scarwise.scales.models import FitzpatrickInput, FitzpatrickItem, FitzpatrickResult, Provenance

__all__ = [
    "FITZPATRICK_BANDS",
    "FITZPATRICK_PROVENANCE",
    "phototype_for_total",
    "score_fitzpatrick",
]

FITZPATRICK_PROVENANCE: Final = Provenance(
    reference="Skin Cancer Foundation 8-item skin-type quiz; Fitzpatrick skin type, StatPearls (PMID 32491558)",
    pmid="32491558",
    scoring_certainty="verified",
    note="SCF 8-item quiz items and bands read in independent reproductions (clinical-facts §6.1 [V]).",
)

#: (highest total of the band, type) for the SCF 8-item quiz (§6.1 [V]).
FITZPATRICK_BANDS: Final = ((6, 1), (12, 2), (18, 3), (24, 4), (30, 5), (32, 6))
_ROMAN: Final = ("I", "II", "III", "IV", "V", "VI")


def phototype_for_total(total: int) -> int:
    """Phototype 1-6 for a questionnaire total 0-32."""
    for upper, phototype in FITZPATRICK_BANDS:
        if total <= upper:
            return phototype
    raise ValueError(f"total out of range 0-32: {total}")


def score_fitzpatrick(data: FitzpatrickInput) -> FitzpatrickResult:
    """Sum the eight answers and band the total into a phototype."""
    answers = data.answers.model_dump()
    total = sum(answers.values())
    phototype = phototype_for_total(total)
    return FitzpatrickResult(
        score=total,
        max=32,
        items=[FitzpatrickItem(item=k, score=v) for k, v in answers.items()],
        type=phototype,
        type_roman=_ROMAN[phototype - 1],
        questionnaire_version=data.questionnaire_version,
        reference=FITZPATRICK_PROVENANCE.reference,
        provenance=FITZPATRICK_PROVENANCE,
    )
