"""Accessibility basics checked on every page's HTML: each control has a name, ids are unique,
headings start at h1, images have alt text, the page has a language and a skip link."""

from __future__ import annotations

import json
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str | None]] = []
        self.images: list[dict[str, str | None]] = []
        self.headings: list[int] = []
        self.lang: str | None = None
        self._label_depth = 0
        self._legend_fieldsets = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag == "html":
            self.lang = a.get("lang")
        elif tag == "label":
            self._label_depth += 1
            if a.get("for"):
                self.label_for.add(str(a["for"]))
        elif tag in {"input", "select", "textarea"} and a.get("type") not in {"hidden", "submit"}:
            self.controls.append({**a, "_wrapped": "yes" if self._label_depth else None})
        elif tag == "img":
            self.images.append(a)
        elif tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self._label_depth -= 1


def _check(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    assert page.lang == "en"
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    for control in page.controls:
        named = (
            control["_wrapped"]
            or (control.get("id") and control["id"] in page.label_for)
            or control.get("aria-label")
        )
        assert named, f"control without a label: {control}"
    for image in page.images:
        assert image.get("alt"), f"image without alt text: {image}"
    assert page.headings and page.headings[0] == 1 and page.headings.count(1) == 1
    for before, after in zip(page.headings, page.headings[1:], strict=False):
        assert after <= before + 1, f"heading level jumps from h{before} to h{after}"
    assert 'href="#main"' in html
    return page


@pytest.mark.parametrize(
    "path", ["/", "/assess", "/plan", "/analyze", "/people", "/learn", "/no-such-page"]
)
def test_page_basics(client: TestClient, path: str) -> None:
    _check(client.get(path).text)


def test_plan_and_dashboard_basics(client: TestClient, token: str) -> None:
    profile = json.dumps({"age": 30, "fitzpatrick": 3, "scars": {"boxcar_deep": 2, "rolling": 4}})
    _check(client.post("/plan", data={"csrf_token": token, "profile": profile}).text)
    person = client.post(
        "/people", data={"name": "A11y", "csrf_token": token}, follow_redirects=False
    )
    person_id = person.headers["location"].rsplit("/", 1)[1]
    client.post(
        f"/people/{person_id}/regimen",
        data={"csrf_token": token, "treatment": "sunscreen", "frequency": "daily"},
    )
    _check(client.get(f"/people/{person_id}").text)


def test_every_wizard_step_basics(client: TestClient, token: str) -> None:
    from scarwise.assess import load_questions

    answers: dict[str, object] = {"scars": {"icepick": 3, "boxcar": 2, "rolling": 1, "hypertrophic": 1}, "visibility": {"obvious_at_50cm": True}, "body_image": {"worried": True, "preoccupied": True}}  # fmt: skip
    drafts = client.app.state.ctx.drafts
    draft = drafts.new(token)
    draft.answers = answers
    drafts.save(draft)
    for index in range(len(load_questions())):
        page = client.get(f"/assess/{draft.id}/{index + 1}")
        assert page.status_code == 200
        _check(page.text)
