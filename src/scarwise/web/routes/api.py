"""The JSON API under ``/api/v1`` (``contracts/cli.md``, HTTP API): the CLI's objects over HTTP.

Each route parses the request, calls one library function and returns the result's JSON
object, what ``--json`` prints. Errors are raised as :class:`~scarwise.errors.ScarwiseError`
and answered by the handlers of ``scarwise.web.errors``.

The API keeps no state and sets no cookies: every endpoint is a pure computation on the body it
receives, so it needs no CSRF token (a cross-site page can neither read the answer, CORS being
off, nor change anything). The guard still refuses a POST a browser says comes from another
site or origin (``scarwise.web.guard``): the photo analyses are heavy, and no other page has
business starting them.

JSON bodies pass the JSON gate (:func:`scarwise.intake.read_json`): ``NaN``, ``1e400`` and
arrays nested thousands deep are invalid input (422 with the contract's error object), not
server errors. The photo analyses run one at a time (429 while one runs), and the 3-D analysis
takes at most ``SCARWISE_MAX_ANALYSIS_PIXELS`` pixels in all its photos together (413, known
from the headers before any photo is decoded).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import Response

from scarwise import scales
from scarwise._version import __version__
from scarwise.errors import InvalidInput, Problem
from scarwise.intake import IntakeLimits, JsonLimits, read_json, read_photo
from scarwise.planner import Profile
from scarwise.planner import plan as make_plan
from scarwise.results import Result
from scarwise.web.context import Context, check_pixel_budget
from scarwise.web.forms import read_upload
from scarwise.web.guard import FORM_LIMIT
from scarwise.workflows import analyze_upload, analyze_uploads_3d

__all__ = ["router"]

router = APIRouter(prefix="/api/v1", tags=["api"])

_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ok", "error"],
    "properties": {
        "ok": {"const": False},
        "error": {
            "type": "object",
            "required": ["code", "message", "errors"],
            "properties": {
                "code": {"enum": ["usage", "invalid_input", "not_found", "internal"]},
                "message": {"type": "string"},
                "errors": {"type": "array", "items": {"type": "object"}},
                "hint": {"type": "string"},
                "request_id": {"type": "string"},
            },
        },
    },
}


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ERROR_SCHEMA}}}


_ERRORS: dict[int | str, dict[str, Any]] = {
    400: _error("usage error"),
    403: _error("a browser request from another site or origin"),
    422: _error("invalid input: every problem is listed"),
    500: _error("internal error (a bug): a generic message and a request id"),
}
_UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    413: _error("upload too large, or too many pixels for one analysis"),
    429: _error("another analysis is running: try again when it is done"),
}
#: JSON bodies: the guard's byte limit, 64 levels, far more values than a profile has.
_BODY_LIMITS = JsonLimits(max_bytes=FORM_LIMIT, max_depth=64, max_values=100_000)
_SCALE_INPUT_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "the scale's input (contracts/scales.md)",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


def _result(model: Result) -> Response:
    """The result object as the CLI's ``--json`` prints it."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")


@router.get(
    "/health",
    summary="Is the server up, which version, which store",
    responses={200: {"description": "`{ok, scarwise_version, store}`"}},
)
async def health(ctx: Context) -> dict[str, Any]:
    return {"ok": True, "scarwise_version": __version__, "store": ctx.store_kind}


@router.post(
    "/score/{scale}",
    summary="Score one validated scale (score/1)",
    responses={**_ERRORS, 404: _error("unknown scale")},
    openapi_extra=_SCALE_INPUT_BODY,
)
async def score(scale: str, request: Request) -> Response:
    body = _json_object(await request.body(), what="a scale input (a JSON object)")
    return _result(scales.score(scale, body))


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema with its ``$defs`` references written out (OpenAPI resolves ``$ref`` from the
    document's root, not from the schema that holds ``$defs``)."""
    defs = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {k: walk(v) for k, v in node.items() if k != "$defs"}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


@router.post(
    "/plan",
    summary="A cited treatment plan for a profile (plan/1)",
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "a profile (contracts/profile.md)",
            "content": {"application/json": {"schema": _inline_refs(Profile.model_json_schema())}},
        }
    },
)
async def plan(request: Request) -> Response:
    """A cited treatment plan for a profile (plan/1).

    The body is read as it comes and handed to the planner as a dict, as ``scarwise plan``
    does with a profile file, so an invalid profile gets the CLI's errors, every problem listed.
    """
    return _result(make_plan(_json_object(await request.body(), what="a profile (a JSON object)")))


def _json_object(body: bytes, *, what: str) -> dict[str, Any]:
    """A request body holding a JSON object, parsed by the JSON gate."""
    if not body.strip():
        raise InvalidInput(problems=[Problem("body", what, "an empty body")])
    data = read_json(body, limits=_BODY_LIMITS, field="body")
    if not isinstance(data, dict):
        raise InvalidInput(problems=[Problem("body", "an object", data)])
    return data


@router.post(
    "/analyze",
    summary="Colour analysis of one photo (analyze/1)",
    responses=_UPLOAD_ERRORS,
)
def analyze(
    ctx: Context,
    photo: Annotated[UploadFile, File(description="JPEG, PNG, TIFF or HEIC")],
    region: Annotated[Literal["auto", "face", "full"], Form()] = "auto",
    pixel_mm: Annotated[float | None, Form(gt=0, le=100)] = None,
) -> Response:
    limits = IntakeLimits.from_settings(ctx.settings)
    with ctx.heavy_analysis():
        image = read_photo(read_upload(photo), limits=limits, name=photo.filename or "photo")
        return _result(analyze_upload(image, region=region, pixel_mm=pixel_mm).result)


@router.post(
    "/analyze3d",
    summary="Measure atrophic scars from one area under 3 or more lights (analyze3d/1)",
    responses=_UPLOAD_ERRORS,
)
def analyze3d(
    ctx: Context,
    images: Annotated[list[UploadFile], File(description="3 or more images of one skin area")],
    lights: Annotated[str, Form(description='JSON: a list of [x, y, z] or {"lights": [...]}')],
    pixel_mm: Annotated[float, Form(gt=0, le=100, description="size of one pixel on the skin")],
) -> Response:
    names = [f.filename or f"image{i}" for i, f in enumerate(images)]
    document = read_json(lights, limits=_BODY_LIMITS, field="lights")
    limits = IntakeLimits.from_settings(ctx.settings)
    with ctx.heavy_analysis():
        blobs = [read_upload(f) for f in images]
        check_pixel_budget(blobs, ctx.settings)
        photos = [
            read_photo(blob, limits=limits, name=name)
            for blob, name in zip(blobs, names, strict=True)
        ]
        del blobs
        return _result(analyze_uploads_3d(photos, names, document, pixel_mm).result)
