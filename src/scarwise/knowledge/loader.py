"""Read the knowledge base from its YAML files, always strictly, and cross-check it.

``yaml.safe_load`` semantics only (libyaml's ``CSafeLoader`` when available). A bad file is an :class:`~scarwise.errors.InvalidInput` whose problems
name the file, the entry and the field (``treatments.yaml: tca-cross.downtime_days.range``), and
every problem is listed, not only the first. The default knowledge base ships in the package
(``scarwise/knowledge/data``) and is loaded once per process.

The version recorded in every plan is the semantic version from ``kb.yaml`` plus a SHA-256 of
every data file, so two plans name the same knowledge only if the files were byte-identical.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Final

import yaml
from pydantic import BaseModel, ValidationError

from scarwise.errors import InvalidInput, Problem
from scarwise.knowledge.models import (
    FACT_VALUES,
    Expectations,
    KnowledgeBase,
    PhaseDef,
    PreventionTip,
    Reference,
    Rule,
    ScarType,
    Treatment,
)
from scarwise.knowledge.vocabulary import MARK_TYPES, PHASE_KEYS, SCAR_TYPES, TREATMENT_IDS

__all__ = ["DATA_FILES", "default_data_dir", "load_knowledge_base", "strict_safe_load"]

_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _DuplicateKey(yaml.YAMLError):
    def __init__(self, key: object, mark: Any) -> None:
        super().__init__(f"duplicate key {key!r}")
        self.problem_mark = mark
        self.key = key


class _StrictSafeLoader(_BASE_LOADER):  # type: ignore[misc]
    """The safe loader, refusing duplicate mapping keys (YAML would silently keep the last)."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[object] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise _DuplicateKey(key, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_SAFE_LOADER: Final = _StrictSafeLoader


def strict_safe_load(text: str) -> Any:
    """``yaml.safe_load`` that also refuses duplicate keys (raises ``yaml.YAMLError``)."""
    return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506


#: file -> its one top-level key (``kb.yaml`` holds several).
DATA_FILES: Final[tuple[str, ...]] = (
    "kb.yaml",
    "references.yaml",
    "treatments.yaml",
    "rules.yaml",
    "scar_types.yaml",
    "prevention.yaml",
)
_LIST_FILES: Final[dict[str, tuple[str, type[BaseModel]]]] = {
    "references.yaml": ("references", Reference),
    "treatments.yaml": ("treatments", Treatment),
    "rules.yaml": ("rules", Rule),
    "scar_types.yaml": ("scar_types", ScarType),
    "prevention.yaml": ("prevention", PreventionTip),
}
_KB_KEYS: Final = ("version", "disclaimer", "expectations", "phases")


def default_data_dir() -> Path:
    """The directory of the knowledge base shipped inside the package."""
    return Path(str(resources.files("scarwise.knowledge") / "data"))


def load_knowledge_base(directory: str | Path | None = None) -> KnowledgeBase:
    """Load and cross-check the knowledge base (the packaged one, cached, when ``directory`` is None).

    Raises
    ------
    InvalidInput
        A file is missing, malformed or breaks the schema or a cross-reference; every problem is
        listed with its file, entry and field.
    """
    if directory is None:
        return _load_default()
    return _load(Path(directory))


@lru_cache(maxsize=1)
def _load_default() -> KnowledgeBase:
    return _load(default_data_dir())


def _load(directory: Path) -> KnowledgeBase:
    problems: list[Problem] = []
    digest = hashlib.sha256()
    docs: dict[str, Any] = {}
    for name in DATA_FILES:
        path = directory / name
        try:
            raw = path.read_bytes()
        except OSError:
            problems.append(Problem(name, "a knowledge-base file", f"missing in {directory}"))
            continue
        digest.update(name.encode() + b"\0" + raw + b"\0")
        try:
            # libyaml's CSafeLoader when present: the same safe subset as yaml.safe_load, much faster
            docs[name] = yaml.load(raw.decode("utf-8"), Loader=_SAFE_LOADER)  # noqa: S506
        except UnicodeDecodeError:
            problems.append(Problem(name, "UTF-8 YAML", "undecodable bytes"))
        except _DuplicateKey as err:
            at = f"line {err.problem_mark.line + 1} column {err.problem_mark.column + 1}"
            problems.append(
                Problem(name, "each key once per entry", f"duplicate key {err.key!r} at {at}")
            )
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            at = f" at line {mark.line + 1} column {mark.column + 1}" if mark is not None else ""
            problems.append(Problem(name, "valid YAML", f"malformed YAML{at}"))
    if problems:
        raise _error(problems)

    parsed: dict[str, list[Any]] = {}
    for name, (key, model) in _LIST_FILES.items():
        parsed[key] = _parse_list(name, key, docs[name], model, problems)
    meta = _parse_meta(docs["kb.yaml"], problems)
    # Cross-check what did parse, so one run lists every problem (entries that failed to parse
    # are not reported again as missing).
    invalid = {p.field.split(": ", 1)[1].split(".", 1)[0] for p in problems if ": " in p.field}

    treatments = {t.id: t for t in parsed["treatments"]}
    references = {r.id: r for r in parsed["references"]}
    scar_types = {s.id: s for s in parsed["scar_types"]}
    _cross_check(parsed, references, treatments, scar_types, meta, docs, problems, invalid)
    if problems:
        raise _error(problems)
    version = f"{meta['version']}+sha256.{digest.hexdigest()[:12]}"
    return KnowledgeBase(
        version=version,
        disclaimer=meta["disclaimer"],
        expectations=meta["expectations"],
        phases=tuple(meta["phases"]),
        treatments={tid: treatments[tid] for tid in TREATMENT_IDS},
        references=references,
        rules=tuple(parsed["rules"]),
        scar_types=scar_types,
        prevention=tuple(parsed["prevention"]),
    )


def _error(problems: list[Problem]) -> InvalidInput:
    count = len(problems)
    first = problems[0].sentence()
    more = f" (and {count - 1} more)" if count > 1 else ""
    return InvalidInput(
        f"knowledge base: {first}{more}",
        problems=problems,
        hint="run 'scarwise kb check' to list every problem",
    )


def _label(entry: Any, index: int) -> str:
    if isinstance(entry, Mapping) and isinstance(entry.get("id"), str | int):
        return str(entry["id"])
    if isinstance(entry, Mapping) and isinstance(entry.get("key"), str):
        return str(entry["key"])
    return f"[{index}]"


def _validation_problems(err: ValidationError, where: str) -> Iterator[Problem]:
    from scarwise.errors import from_validation_error

    for p in from_validation_error(err).problems:
        field = f"{where}.{p.field}" if p.field else where
        yield Problem(field, p.expected, p.got)


def _parse_list(
    name: str, key: str, doc: Any, model: type[BaseModel], problems: list[Problem]
) -> list[Any]:
    if not isinstance(doc, Mapping) or set(doc) != {key}:
        got = sorted(doc) if isinstance(doc, Mapping) else type(doc).__name__
        problems.append(Problem(name, f"a mapping with the one key {key!r}", got))
        return []
    entries = doc[key]
    if not isinstance(entries, list):
        problems.append(Problem(f"{name}: {key}", "a list of entries", type(entries).__name__))
        return []
    out = []
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        label = _label(entry, index)
        if label in seen:
            problems.append(Problem(f"{name}: {label}.id", "a unique id", label))
        seen.add(label)
        try:
            out.append(model.model_validate(entry))
        except ValidationError as err:
            problems.extend(_validation_problems(err, f"{name}: {label}"))
    return out


def _parse_meta(doc: Any, problems: list[Problem]) -> dict[str, Any]:
    name = "kb.yaml"
    if not isinstance(doc, Mapping) or set(doc) != set(_KB_KEYS):
        got = sorted(doc) if isinstance(doc, Mapping) else type(doc).__name__
        problems.append(Problem(name, f"a mapping with the keys {', '.join(_KB_KEYS)}", got))
        return {}
    meta: dict[str, Any] = {}
    for key in ("version", "disclaimer"):
        value = doc[key]
        if not isinstance(value, str) or not value.strip():
            problems.append(Problem(f"{name}: {key}", "a non-empty string", value))
        meta[key] = value
    try:
        meta["expectations"] = Expectations.model_validate(doc["expectations"])
    except ValidationError as err:
        problems.extend(_validation_problems(err, f"{name}: expectations"))
    phases = doc["phases"]
    meta["phases"] = []
    if not isinstance(phases, list):
        problems.append(Problem(f"{name}: phases", "a list of phases", type(phases).__name__))
        return meta
    for index, entry in enumerate(phases):
        try:
            meta["phases"].append(PhaseDef.model_validate(entry))
        except ValidationError as err:
            problems.extend(_validation_problems(err, f"{name}: phases.{_label(entry, index)}"))
    return meta


def _cross_check(
    parsed: dict[str, list[Any]],
    references: dict[str, Reference],
    treatments: dict[str, Treatment],
    scar_types: dict[str, ScarType],
    meta: dict[str, Any],
    docs: dict[str, Any],
    problems: list[Problem],
    invalid: set[str],
) -> None:
    vocab = set(TREATMENT_IDS)
    for tid in TREATMENT_IDS:
        if tid not in treatments and tid not in invalid:
            problems.append(
                Problem(
                    f"treatments.yaml: {tid}", "an entry for every id in treatments.txt", "missing"
                )
            )
    for tid in treatments:
        if tid not in vocab:
            problems.append(Problem(f"treatments.yaml: {tid}.id", "an id from treatments.txt", tid))

    # every reference id used anywhere exists
    for name, doc in docs.items():
        for where, ref in _reference_uses(doc, name):
            if ref not in references:
                problems.append(Problem(where, "a reference id from references.yaml", ref))

    groups: dict[str, str] = {}
    for t in treatments.values():
        if t.group is not None:
            phase = groups.setdefault(t.group, t.phase)
            if phase != t.phase:
                problems.append(
                    Problem(
                        f"treatments.yaml: {t.id}.group",
                        f"members of group {t.group!r} in one phase ({phase})",
                        t.phase,
                    )
                )
        targets = [i.target for i in t.indications]
        if len(targets) != len(set(targets)):
            problems.append(
                Problem(f"treatments.yaml: {t.id}.indications", "each target at most once", targets)
            )

    for rule in parsed["rules"]:
        for tid in rule.treatments:
            if tid not in vocab:
                problems.append(
                    Problem(
                        f"rules.yaml: {rule.id}.treatments",
                        "treatment ids from treatments.txt",
                        tid,
                    )
                )
        _check_when(f"rules.yaml: {rule.id}.when", rule.when, problems)
    for t in treatments.values():
        if t.requires is not None:
            _check_when(f"treatments.yaml: {t.id}.requires.when", t.requires.when, problems)

    expected_types = set(SCAR_TYPES) | set(MARK_TYPES)
    for missing in sorted(expected_types - set(scar_types) - invalid):
        problems.append(
            Problem(
                f"scar_types.yaml: {missing}", "an entry for every scar type and mark", "missing"
            )
        )
    for st in scar_types.values():
        if st.id not in expected_types:
            problems.append(Problem(f"scar_types.yaml: {st.id}.id", "a scar type or mark", st.id))
            continue
        indicated = {
            t.id for t in treatments.values() for i in t.indications if i.target in (st.id, "all")
        }
        first = {
            t.id
            for t in treatments.values()
            for i in t.indications
            if i.target == st.id and i.line == "first"
        }
        for tid in st.fits:
            if tid not in indicated and tid not in invalid:
                problems.append(
                    Problem(
                        f"scar_types.yaml: {st.id}.fits",
                        f"treatments with an indication for {st.id}",
                        tid,
                    )
                )
        for tid in sorted(first - set(st.fits)):
            problems.append(
                Problem(
                    f"scar_types.yaml: {st.id}.fits",
                    f"every first-line treatment for {st.id}",
                    f"{tid} missing",
                )
            )

    keys = tuple(p.key for p in meta.get("phases", ()))
    if (
        "phases" in meta
        and keys != PHASE_KEYS
        and not any(p.field.startswith("kb.yaml") for p in problems)
    ):
        problems.append(
            Problem(
                "kb.yaml: phases",
                "the phases " + ", ".join(PHASE_KEYS) + " in this order",
                list(keys),
            )
        )


def _check_when(where: str, when: Mapping[str, Any], problems: list[Problem]) -> None:
    """Every fact a ``when`` tests is known, and every value is one the fact can take."""
    for fact, values in when.items():
        allowed = FACT_VALUES.get(fact)
        if allowed is None:
            problems.append(
                Problem(f"{where}.{fact}", "a known fact (" + ", ".join(FACT_VALUES) + ")", fact)
            )
            continue
        for value in values:
            if not any(value == a and type(value) is type(a) for a in allowed):
                problems.append(
                    Problem(f"{where}.{fact}", "one of " + ", ".join(map(str, allowed)), value)
                )


def _reference_uses(node: Any, where: str, path: str = "") -> Iterator[tuple[str, str]]:
    """(``file: entry.field``, reference id) for every ``references`` list of ids in a document."""
    if isinstance(node, Mapping):
        label = node.get("id", node.get("key"))
        if isinstance(label, str) and not path.startswith("@"):
            path = "@" + label
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if (
                key == "references"
                and isinstance(value, list)
                and all(isinstance(v, str) for v in value)
            ):
                for ref in value:
                    yield (f"{where}: {here.lstrip('@')}", ref)
            else:
                yield from _reference_uses(value, where, here)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _reference_uses(
                item,
                where,
                path if isinstance(item, Mapping) and "id" in item else f"{path}[{index}]",
            )
