"""The knowledge base loads strictly, covers the vocabulary, cites every number, and a broken file
is an error naming file, entry and field."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

import scarwise
from scarwise.cli.main import run
from scarwise.errors import InvalidInput
from scarwise.knowledge import default_data_dir, load_knowledge_base
from scarwise.knowledge.models import CitedRange
from scarwise.knowledge.vocabulary import TREATMENT_IDS

CONTRACTS = Path(__file__).resolve().parents[3] / "shared" / "contracts"


def _vocabulary_file() -> list[str]:
    lines = (CONTRACTS / "treatments.txt").read_text(encoding="utf-8").splitlines()
    return [line.split()[0] for line in lines if line.strip() and not line.startswith("#")]


def test_vocabulary_matches_the_contract_line_for_line() -> None:
    assert list(TREATMENT_IDS) == _vocabulary_file()


def test_default_kb_loads_once_with_a_versioned_hash() -> None:
    kb = scarwise.load_knowledge_base()
    assert kb is scarwise.load_knowledge_base()
    assert re.fullmatch(r"\d+\.\d+\.\d+\+sha256\.[0-9a-f]{12}", kb.version)
    assert list(kb.treatments) == list(TREATMENT_IDS)
    assert len(kb.treatments) == 35


def _cited_ranges(node: Any, path: str = "") -> list[tuple[str, CitedRange]]:
    found = []
    if isinstance(node, CitedRange):
        return [(path, node)]
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            found += _cited_ranges(getattr(node, name), f"{path}.{name}")
    elif isinstance(node, list | tuple):
        for i, item in enumerate(node):
            found += _cited_ranges(item, f"{path}[{i}]")
    return found


def test_every_clinical_number_cites_existing_references_with_certainty() -> None:
    kb = load_knowledge_base()
    ranges = [r for t in kb.treatments.values() for r in _cited_ranges(t, t.id)]
    assert len(ranges) > 80
    for path, cited in ranges:
        assert cited.references, path
        assert set(cited.references) <= set(kb.references), path
        assert cited.certainty in {"verified", "secondary", "memory", "derived"}
    for t in kb.treatments.values():
        assert 2000 <= t.cost.year <= 2026, t.id
        assert set(t.cost.references) <= set(kb.references)
        for ind in t.indications:
            assert set(ind.references) <= set(kb.references)


def test_references_carry_doi_or_pmid_where_the_note_has_them() -> None:
    refs = load_knowledge_base().references
    assert refs["R53"].doi == "10.1001/jamadermatol.2017.2077"
    assert refs["R52"].doi == "10.1097/DSS.0000000000001166"
    assert refs["R20"].pmid == "12460296"
    assert refs["R57"].pmid == "10632686"
    assert refs["R26"].pmcid == "PMC2921758"


def test_isotretinoin_rule_blocks_exactly_full_dermabrasion_and_full_ablation() -> None:
    kb = load_knowledge_base()
    excl = [r for r in kb.rules if r.effect == "exclude" and "isotretinoin" in r.when]
    assert len(excl) == 1
    assert set(excl[0].treatments) == {"dermabrasion", "fully-ablative-laser"}
    assert set(excl[0].when["isotretinoin"]) == {"current", "stopped_within_6_months"}
    assert set(excl[0].references) == {"R52", "R53"} and excl[0].certainty == "verified"


def test_scar_types_and_prevention_are_data() -> None:
    kb = load_knowledge_base()
    assert set(kb.scar_types) == {
        "icepick",
        "boxcar_shallow",
        "boxcar_deep",
        "rolling",
        "hypertrophic",
        "keloid",
        "papular",
        "erythema",
        "hyperpigmentation",
        "hypopigmentation",
    }
    assert "pen" in kb.scar_types["icepick"].recognise
    assert kb.scar_types["icepick"].fits == ["tca-cross", "punch-excision"]
    assert {p.id for p in kb.prevention} >= {"treat-acne-early", "dont-pick", "sun-protection"}


# --- broken copies ----------------------------------------------------------------------------


@pytest.fixture
def kb_copy(tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(default_data_dir(), target)
    return target


def _edit(directory: Path, name: str, change: Any) -> None:
    path = directory / name
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")


def _problems(directory: Path) -> list[str]:
    with pytest.raises(InvalidInput) as info:
        load_knowledge_base(directory)
    return [p.field for p in info.value.problems]


def test_copy_of_the_kb_loads_and_has_the_same_version(kb_copy: Path) -> None:
    assert load_knowledge_base(kb_copy).version == load_knowledge_base().version


def test_unknown_field_names_file_entry_and_field(kb_copy: Path) -> None:
    _edit(kb_copy, "treatments.yaml", lambda d: d["treatments"][11].update(colour="red"))
    assert _problems(kb_copy) == ["treatments.yaml: tca-cross.colour"]


def test_every_problem_is_listed(kb_copy: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["treatments"][0]["downtime_days"]["range"] = [0, "x"]
        doc["treatments"][1]["sessions"] = {"range": [1, 2], "references": [], "certainty": "sure"}
        del doc["treatments"][5]

    _edit(kb_copy, "treatments.yaml", change)
    fields = _problems(kb_copy)
    assert "treatments.yaml: sunscreen.downtime_days.range.1" in fields
    assert "treatments.yaml: treat-active-acne.sessions.references" in fields
    assert "treatments.yaml: treat-active-acne.sessions.certainty" in fields
    assert len(fields) >= 3


def test_missing_treatment_and_unknown_reference(kb_copy: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["treatments"] = [t for t in doc["treatments"] if t["id"] != "subcision"]
        doc["treatments"][0]["evidence"]["references"] = ["R999"]

    _edit(kb_copy, "treatments.yaml", change)
    fields = _problems(kb_copy)
    assert "treatments.yaml: subcision" in fields
    assert "treatments.yaml: sunscreen.evidence.references" in fields


def test_rule_with_unknown_fact_or_value_or_treatment(kb_copy: Path) -> None:
    def change(doc: dict[str, Any]) -> None:
        doc["rules"][0]["when"] = {"zodiac": ["leo"], "fitzpatrick": [7]}
        doc["rules"][1]["treatments"] = ["laser-magic"]

    _edit(kb_copy, "rules.yaml", change)
    fields = _problems(kb_copy)
    assert "rules.yaml: isotretinoin-no-full-resurfacing.when.zodiac" in fields
    assert "rules.yaml: isotretinoin-no-full-resurfacing.when.fitzpatrick" in fields
    assert "rules.yaml: isotretinoin-peels-clinician-decision.treatments" in fields


def test_scar_type_fits_must_agree_with_indications(kb_copy: Path) -> None:
    _edit(kb_copy, "scar_types.yaml", lambda d: d["scar_types"][0].update(fits=["subcision"]))
    fields = _problems(kb_copy)
    assert (
        fields.count("scar_types.yaml: icepick.fits") == 3
    )  # subcision wrong; 2 first-line missing


def test_malformed_yaml_names_file_and_line(kb_copy: Path) -> None:
    (kb_copy / "prevention.yaml").write_text("prevention:\n  - id: [unclosed\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as info:
        load_knowledge_base(kb_copy)
    problem = info.value.problems[0]
    assert problem.field == "prevention.yaml"
    assert "line" in str(problem.got)


def test_changed_content_changes_the_version(kb_copy: Path) -> None:
    path = kb_copy / "prevention.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
    assert load_knowledge_base(kb_copy).version != load_knowledge_base().version


# --- the kb command -----------------------------------------------------------------------------


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, Any]:
    code = run(list(args))
    out = capsys.readouterr().out
    try:
        return code, json.loads(out)
    except ValueError:
        return code, out


def test_kb_check_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code, obj = _run(capsys, "kb", "check", "--json")
    assert code == 0 and obj["ok"] is True and obj["schema"] == "kb-check/1"
    assert obj["counts"]["treatments"] == 35
    assert obj["knowledge_base_version"] == load_knowledge_base().version


def test_kb_check_catches_a_broken_copy(capsys: pytest.CaptureFixture[str], kb_copy: Path) -> None:
    _edit(kb_copy, "treatments.yaml", lambda d: d["treatments"][11].update(colour="red"))
    _edit(kb_copy, "rules.yaml", lambda d: d["rules"][0].update(when={"zodiac": ["leo"]}))
    code, obj = _run(capsys, "kb", "check", "--dir", str(kb_copy), "--json")
    assert code == 3 and obj["ok"] is False and obj["error"]["code"] == "invalid_input"
    fields = {e["field"] for e in obj["error"]["errors"]}
    assert fields == {
        "treatments.yaml: tca-cross.colour",
        "rules.yaml: isotretinoin-no-full-resurfacing.when.zodiac",
    }


def test_kb_show_treatment(capsys: pytest.CaptureFixture[str]) -> None:
    code, obj = _run(capsys, "kb", "show", "tca-cross", "--json")
    assert code == 0 and obj["schema"] == "kb-treatment/1"
    assert obj["treatment"]["id"] == "tca-cross"
    assert "R20" in {r["id"] for r in obj["references"]}
    code, text = _run(capsys, "kb", "show", "tca-cross")
    assert code == 0 and "TCA CROSS" in text and "12460296" in text


def test_kb_show_scar_type_and_unknown(capsys: pytest.CaptureFixture[str]) -> None:
    code, obj = _run(capsys, "kb", "show", "rolling", "--json")
    assert code == 0 and obj["scar_type"]["id"] == "rolling"
    code, obj = _run(capsys, "kb", "show", "laser-magic", "--json")
    assert code == 4 and obj["error"]["code"] == "not_found"


def test_duplicate_keys_are_refused(kb_copy: Path) -> None:
    path = kb_copy / "prevention.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "    certainty: verified\n", "    certainty: verified\n    certainty: memory\n", 1
        ),
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput) as info:
        load_knowledge_base(kb_copy)
    problem = info.value.problems[0]
    assert problem.field == "prevention.yaml"
    assert problem.got.startswith("duplicate key 'certainty' at line 7")
