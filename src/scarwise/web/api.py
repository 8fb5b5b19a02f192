"""The JSON API under ``/api/v1`` (``contracts/cli.md``, HTTP API): the CLI's objects over HTTP.

Each route parses the request, calls one library function and returns the result's
``to_json_dict()`` object, byte for byte what ``--json`` prints. Errors are raised as
:class:`~scarwise.errors.ScarwiseError` and rendered by the app's handlers.

The API keeps no state and sets no cookies: every endpoint is a pure computation on the body it
receives, so it needs no CSRF token (a cross-site page can neither read the answer, CORS being
off, nor change anything).
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Coroutine
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, File, Form, Request, UploadFile
from fastapi.responses import Response
from fastapi.routing import APIRoute
from pydantic import ValidationError

from scarwise._version import __version__
from scarwise.errors import InvalidInput, Problem
from scarwise.planner import plan as make_plan
from scarwise.planner.models import Profile
from scarwise.results import Result
from scarwise.web.app import WebContext
from scarwise.web.plan_bytes import plan_bytes

__all__ = ["plan_json", "router"]

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
    422: _error("invalid input: every problem is listed"),
    500: _error("internal error (a bug): a generic message and a request id"),
}
_UPLOAD_ERRORS: dict[int | str, dict[str, Any]] = {**_ERRORS, 413: _error("upload too large")}


def _result(model: Result) -> Response:
    """The result object as the CLI's ``--json`` prints it."""
    return Response(model.model_dump_json(by_alias=True), media_type="application/json")


def _ctx(request: Request) -> WebContext:
    ctx: WebContext = request.app.state.ctx
    return ctx


@router.get(
    "/health",
    summary="Is the server up, which version, which store",
    responses={200: {"description": "`{ok, scarwise_version, store}`"}},
)
async def health(request: Request) -> dict[str, Any]:
    return {"ok": True, "scarwise_version": __version__, "store": _ctx(request).store_kind}


@router.post(
    "/score/{scale}",
    summary="Score one validated scale (score/1)",
    responses={**_ERRORS, 404: _error("unknown scale")},
)
async def score(
    scale: str,
    body: Annotated[dict[str, Any], Body(description="the scale's input (contracts/scales.md)")],
) -> Response:
    from scarwise.scales import score as score_scale

    return _result(score_scale(scale, body))


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


def _profile_schema() -> dict[str, Any]:
    return _inline_refs(Profile.model_json_schema())


class _RequestOnlyRoute(APIRoute):
    """A route whose endpoint takes the :class:`Request` and returns its :class:`Response`.

    FastAPI's per-request parameter solving has nothing to do for such an endpoint but still costs
    ~10 us; the plan endpoint is the hot path of the throughput goal (issue 8), so it is called
    directly. The route is still documented in the OpenAPI document like any other.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            response: Response = await endpoint(request)
            return response

        return handler


async def plan(request: Request) -> Response:
    """A cited treatment plan for a profile (plan/1)."""
    # The body is read here rather than by FastAPI so a repeated profile costs one dict lookup.
    return Response(plan_json(await request.body()), media_type="application/json")


router.add_api_route(
    "/plan",
    plan,
    methods=["POST"],
    summary="A cited treatment plan for a profile (plan/1)",
    responses=_ERRORS,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "a profile (contracts/profile.md)",
            "content": {"application/json": {"schema": _profile_schema()}},
        }
    },
    route_class_override=_RequestOnlyRoute,
)


@functools.lru_cache(maxsize=256)
def plan_json(body: bytes) -> bytes:
    """The ``plan/1`` JSON for a request body holding a profile, from a cache of recent bodies.

    ``scarwise.plan`` is a pure function of the profile and the knowledge base (loaded once per
    process), so the same body always gives the same bytes: the plan page, its PDF and its save
    button, or a client retrying, reuse the first answer. Errors are raised, never cached.

    A valid body is parsed and validated in one step by pydantic's JSON parser; anything it
    refuses takes the slow path below, which names the problem exactly as the CLI does.
    """
    try:
        valid = Profile.model_validate_json(body)
    except ValidationError:
        pass
    else:
        return plan_bytes(make_plan(valid))
    if not body.strip():
        raise InvalidInput(problems=[Problem("body", "a profile (a JSON object)", "an empty body")])
    try:
        profile = json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        got = (
            f"{err.msg} at character {err.pos}"
            if isinstance(err, json.JSONDecodeError)
            else "bytes that are not UTF-8"
        )
        raise InvalidInput(problems=[Problem("body", "well-formed JSON", got)]) from err
    if not isinstance(profile, dict):
        raise InvalidInput(problems=[Problem("body", "an object", profile)])
    return plan_bytes(make_plan(profile))


@router.post(
    "/analyze",
    summary="Colour analysis of one photo (analyze/1)",
    responses=_UPLOAD_ERRORS,
)
def analyze(
    request: Request,
    photo: Annotated[UploadFile, File(description="JPEG, PNG, TIFF or HEIC")],
    region: Annotated[Literal["auto", "face", "full"], Form()] = "auto",
    pixel_mm: Annotated[float | None, Form(gt=0, le=100)] = None,
) -> Response:
    from scarwise.imaging import analyze_photo
    from scarwise.intake import IntakeLimits, read_photo

    limits = IntakeLimits.from_settings(_ctx(request).settings)
    image = read_photo(_read_upload(photo), limits=limits, name=photo.filename or "photo")
    return _result(analyze_photo(image, region=region, pixel_mm=pixel_mm))


@router.post(
    "/analyze3d",
    summary="Measure atrophic scars from one area under 3 or more lights (analyze3d/1)",
    responses=_UPLOAD_ERRORS,
)
def analyze3d(
    request: Request,
    images: Annotated[list[UploadFile], File(description="3 or more images of one skin area")],
    lights: Annotated[str, Form(description='JSON: a list of [x, y, z] or {"lights": [...]}')],
    pixel_mm: Annotated[float, Form(gt=0, le=100, description="size of one pixel on the skin")],
) -> Response:
    from scarwise.imaging import analyze_scars_3d, parse_lights
    from scarwise.intake import IntakeLimits, read_photo

    if len(images) < 3:
        raise InvalidInput(problems=[Problem("images", "3 or more images", len(images))])
    names = [f.filename or f"image{i}" for i, f in enumerate(images)]
    document = _parse_json_field("lights", lights)
    limits = IntakeLimits.from_settings(_ctx(request).settings)
    photos = [
        read_photo(_read_upload(f), limits=limits, name=name)
        for f, name in zip(images, names, strict=True)
    ]
    light_set = parse_lights(document, names)
    return _result(analyze_scars_3d(photos, light_set, pixel_mm))


def _read_upload(upload: UploadFile) -> bytes:
    """The uploaded bytes; the body limit middleware has already bounded their size."""
    upload.file.seek(0)
    return upload.file.read()


def _parse_json_field(field: str, text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InvalidInput(
            problems=[
                Problem(
                    field, "JSON text", f"malformed JSON at line {err.lineno}, column {err.colno}"
                )
            ]
        ) from err
