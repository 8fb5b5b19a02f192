"""Pages through the in-process client: wizard logic, plan page and PDF, dashboard, learn."""

from __future__ import annotations

import html
import json
import re

import pytest
from fastapi.testclient import TestClient

import scarwise
from scarwise.knowledge import load_knowledge_base
from scarwise.workflows import record_assessment

PROFILE_JSON = json.dumps(
    {"age": 30, "fitzpatrick": 5, "scars": {"rolling": 6}, "marks": {"hyperpigmentation": True}}
)


def _hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert match, f"no hidden field {name}"
    return html.unescape(match.group(1))


def _wizard_post(
    client: TestClient, token: str, page: str, values: dict[str, object], nav: str = "next"
) -> str:
    """Submit a wizard step as a browser does: POST the form, follow the 303 to the next page."""
    action = re.search(r'<form method="post" action="([^"]+)" class="wizard"', page)
    assert action, "no wizard form"
    data: dict[str, object] = {"csrf_token": token, "nav": nav, **values}
    response = client.post(action[1], data=data, follow_redirects=False)
    assert response.status_code == 303, response.text[:400]  # post/redirect/get
    shown = client.get(response.headers["location"])
    assert shown.status_code == 200, shown.text[:400]
    return shown.text


def _draft(client: TestClient, token: str, answers: dict[str, object]) -> str:
    """A wizard draft of this visitor holding ``answers`` (as if the steps were gone through)."""
    drafts = client.app.state.ctx.drafts
    draft = drafts.new(token)
    draft.answers = answers
    drafts.save(draft)
    return draft.id


def _step_title(page: str) -> str:
    match = re.search(r'<p class="steps">Step (\d+) of (\d+): ([^<]*)</p>', page)
    assert match
    return html.unescape(match.group(3))


def test_wizard_asks_the_assess_questions_in_order(client: TestClient, token: str) -> None:
    from scarwise.assess import load_questions

    page = client.get("/assess").text
    first = load_questions()[0]
    assert _step_title(page) == first.title
    for question in first.questions:
        assert html.escape(question.text, quote=False) in html.unescape(
            page
        ) or question.text in html.unescape(page)


def test_wizard_shows_errors_and_keeps_the_step(client: TestClient, token: str) -> None:
    page = client.get("/assess").text
    page = _wizard_post(client, token, page, {"age": "5", "sex": "female"})
    assert _step_title(page) == "About you"
    errors = re.findall(r'class="field-error"[^>]*>([^<]*)<', page)
    assert errors == ["enter a whole number from 12 to 120", "choose at least one"]
    assert 'value="female" checked' in page  # what was chosen is kept


def test_wizard_back_returns_to_the_previous_step(client: TestClient, token: str) -> None:
    page = client.get("/assess").text
    page = _wizard_post(
        client, token, page, {"age": "40", "sex": "male", "regions": ["face", "back"]}
    )
    assert _step_title(page).startswith("Your skin type")
    page = _wizard_post(client, token, page, {}, nav="back")
    assert _step_title(page) == "About you"
    assert 'value="40"' in page and 'value="back" checked' in page


def test_wizard_cross_step_error_goes_back_to_the_step(client: TestClient, token: str) -> None:
    answers = {
        "age": 30, "sex": "female", "regions": ["face"],
        "fitzpatrick": {k: 2 for k in ["eye_colour", "hair_colour", "skin_colour", "freckles", "sun_reaction",
                                      "tanning", "tan_depth", "face_sensitivity"]},
        "scars": {"icepick": 0, "boxcar": 1, "boxcar_deep": 3, "rolling": 0, "hypertrophic": 0, "keloid": 0, "papular": 0},
    }  # fmt: skip
    draft = _draft(client, token, answers)
    response = client.post(
        f"/assess/{draft}/8",
        data={"csrf_token": token, "nav": "next", "budget_usd": "", "max_downtime_days": ""},
    )  # fmt: skip
    # the remaining steps' questions have defaults, so the end is reached and the rule fails there
    assert _step_title(response.text) == "Your scars"
    assert "boxcar_deep" in response.text


def test_plan_page_pdf_and_save(client: TestClient, token: str) -> None:
    person = client.post(
        "/people", data={"name": "Planner", "csrf_token": token}, follow_redirects=False
    )
    person_id = person.headers["location"].rsplit("/", 1)[1]
    page = client.post("/plan", data={"csrf_token": token, "profile": PROFILE_JSON})
    assert page.status_code == 200
    plan = scarwise.plan(json.loads(PROFILE_JSON))
    for phase in plan.phases:
        assert html.escape(phase.name) in page.text
    assert html.escape(plan.disclaimer) in page.text
    pdf = client.post("/plan/pdf", data={"csrf_token": token, "profile": PROFILE_JSON})
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert (
        pdf.content.startswith(b"%PDF-")
        and b"attachment" in pdf.headers["content-disposition"].encode()
    )
    saved = client.post(
        "/plan/save",
        data={"csrf_token": token, "profile": PROFILE_JSON, "person_id": person_id},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    dashboard = client.get(f"/people/{person_id}").text
    assert "plan" in dashboard


def test_plan_from_yaml_text(client: TestClient, token: str) -> None:
    response = client.post(
        "/plan", data={"csrf_token": token, "profile": "age: 45\nfitzpatrick: 2\n"}
    )
    assert response.status_code == 200
    assert "Your treatment plan" in response.text


def test_plan_page_invalid_profile_is_a_422_page(client: TestClient, token: str) -> None:
    response = client.post("/plan", data={"csrf_token": token, "profile": '{"age": 5}'})
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "age" in response.text


def test_upload_page_without_csrf_is_refused(client: TestClient) -> None:
    client.get("/")
    response = client.post("/analyze", files={"photo": ("a.png", b"\x89PNG", "image/png")})
    assert response.status_code == 403


def test_learn_covers_every_treatment_and_scar_type(client: TestClient) -> None:
    kb = load_knowledge_base()
    page = client.get("/learn").text
    for treatment_id in kb.treatments:
        assert f'id="treatment-{treatment_id}"' in page
    for scar_id in kb.scar_types:
        assert f'id="type-{scar_id}"' in page
    cited = set(re.findall(r'href="#ref-([^"]+)"', page))
    listed = set(re.findall(r'id="ref-([^"]+)"', page))
    assert cited and cited <= listed  # every claim's reference is in the list


def test_learn_lists_who_should_not_have_a_treatment(client: TestClient) -> None:
    kb = load_knowledge_base()
    rule = next(r for r in kb.rules if r.effect == "exclude")
    page = client.get("/learn/results", params={"q": kb.treatments[rule.treatments[0]].name}).text
    assert html.escape(rule.text, quote=False) in page.replace("&#39;", "'")


@pytest.mark.parametrize(
    ("query", "low", "high"),
    [("", 1.0, 1.0), ("subcision", 0.0, 0.2), ("laser pregnan", 0.05, 0.9)],
)
def test_learn_search(client: TestClient, query: str, low: float, high: float) -> None:
    total = len(load_knowledge_base().treatments)
    page = client.get("/learn/results", params={"q": query}).text
    count = page.count('<details class="treatment"')
    assert count >= 1 and low * total <= count <= high * total


def test_dashboard_scores_plot_is_svg(client: TestClient, token: str) -> None:
    person = client.post(
        "/people", data={"name": "Plotted", "csrf_token": token}, follow_redirects=False
    )
    person_id = person.headers["location"].rsplit("/", 1)[1]
    assessment = scarwise.score("ecca", {"counts": {"icepick_v": 5}}).to_json_dict()
    store = client.app.state.ctx.store
    record_assessment(store, person_id, "ecca", assessment, date="2026-01-01")
    page = client.get(f"/people/{person_id}").text
    assert f"/people/{person_id}/plots/scores.svg" in page
    svg = client.get(f"/people/{person_id}/plots/scores.svg")
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert client.get(f"/people/{person_id}/plots/nonsense.svg").status_code == 404


def test_unknown_person_is_a_404_page(client: TestClient) -> None:
    response = client.get("/people/does-not-exist")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")


def test_pdf_rendering_leaves_the_intake_gate_strict(client: TestClient, token: str) -> None:
    """WeasyPrint sets Pillow's LOAD_TRUNCATED_IMAGES on import; photos must still be checked."""
    import io

    from PIL import Image, ImageFile

    assert (
        client.post("/plan/pdf", data={"csrf_token": token, "profile": PROFILE_JSON}).status_code
        == 200
    )
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (190, 140, 120)).save(buf, "JPEG")
    whole = client.post(
        "/api/v1/analyze",
        files={"photo": ("a.jpg", buf.getvalue(), "image/jpeg")},
        data={"region": "full"},
    )
    assert whole.status_code == 200, whole.text
    truncated = client.post(
        "/api/v1/analyze",
        files={"photo": ("t.jpg", buf.getvalue()[:-200], "image/jpeg")},
        data={"region": "full"},
    )
    assert truncated.status_code == 422


def test_check_in_with_htmx_returns_the_routine_section(client: TestClient, token: str) -> None:
    person = client.post(
        "/people", data={"name": "Routine", "csrf_token": token}, follow_redirects=False
    )
    person_id = person.headers["location"].rsplit("/", 1)[1]
    client.post(
        f"/people/{person_id}/regimen",
        data={"csrf_token": token, "treatment": "sunscreen", "frequency": "daily"},
    )
    regimen_id = _hidden(client.get(f"/people/{person_id}").text, "regimen_id")
    partial = client.post(
        f"/people/{person_id}/checkins",
        data={"regimen_id": regimen_id, "status": "taken"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert partial.status_code == 200
    assert partial.text.lstrip().startswith("<section") and "<html" not in partial.text
    assert "Checked in: taken" in partial.text
    plain = client.post(
        f"/people/{person_id}/checkins",
        data={"csrf_token": token, "regimen_id": regimen_id, "status": "skipped"},
        follow_redirects=False,
    )
    assert plain.status_code == 303
    doses = [e for e in client.app.state.ctx.store.history(person_id).events if e.kind == "dose"]
    assert len(doses) == 2


def test_check_in_for_someone_elses_routine_is_not_found(client: TestClient, token: str) -> None:
    ids = []
    for name in ("One", "Two"):
        person = client.post(
            "/people", data={"name": name, "csrf_token": token}, follow_redirects=False
        )
        ids.append(person.headers["location"].rsplit("/", 1)[1])
    client.post(
        f"/people/{ids[0]}/regimen",
        data={"csrf_token": token, "treatment": "sunscreen", "frequency": "daily"},
    )
    regimen_id = _hidden(client.get(f"/people/{ids[0]}").text, "regimen_id")
    response = client.post(
        f"/people/{ids[1]}/checkins", data={"csrf_token": token, "regimen_id": regimen_id}
    )
    assert response.status_code == 404


def test_wizard_scores_are_saved_to_a_person(client: TestClient, token: str) -> None:
    import yaml

    from scarwise.assess import assess, demo_answers_path

    answers = yaml.safe_load(demo_answers_path().read_text())
    person = client.post(
        "/people", data={"name": "Scored", "csrf_token": token}, follow_redirects=False
    )
    person_id = person.headers["location"].rsplit("/", 1)[1]
    saved = client.post(
        "/assess/save",
        data={"csrf_token": token, "answers": json.dumps(answers), "person_id": person_id},
        follow_redirects=False,
    )
    assert saved.status_code == 303
    expected = assess(answers).scores
    stored = client.app.state.ctx.store.records(person_id).assessments
    assert {a.scale: a.score for a in stored} == {name: s.score for name, s in expected.items()}
    page = client.get(f"/people/{person_id}").text
    # the scale in words, the score out of its maximum (not "ecca: 120 / 540")
    assert f"<strong>ECCA acne scar score</strong>: {expected['ecca'].score} out of 540" in page
    assert "<strong>Skin type (Fitzpatrick)</strong>: Type IV" in page
