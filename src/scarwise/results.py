"""The envelope every scarwise result shares: ``ok``, ``schema`` and ``scarwise_version``.

One pydantic result is the ``--json`` output, the ``/api/v1`` response and the HTML page's
context, so every public result model derives from :class:`Result`.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from scarwise._version import __version__

__all__ = ["Result", "StrictModel"]


class StrictModel(BaseModel):
    """Input models: unknown keys are errors, ``false`` is never silently ``0``."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class Result(BaseModel):
    """Base of every output object (``schema`` names the object and its major version)."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    ok: Literal[True] = True
    schema_: str = Field(alias="schema", serialization_alias="schema")
    scarwise_version: str = __version__

    def to_json_dict(self) -> dict[str, object]:
        """The object exactly as ``--json`` prints it."""
        return self.model_dump(mode="json", by_alias=True)
