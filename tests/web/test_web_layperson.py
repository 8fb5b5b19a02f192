"""The layperson pages through the in-process client: wizard drafts, results carried, errors in
place, the too-large page, downloads, saved records, deleting one record, and the plain words."""

from __future__ import annotations

import io
import json
import re
import tempfile
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from PIL import Image

import scarwise
from scarwise.assess import assess, demo_answers_path
from scarwise.config import Settings
from scarwise.web import create_app
from scarwise.web.drafts import Drafts
from scarwise.web.words import plan_terms, plural, score_band, score_text, terms_in
from scarwise.workflows import record_assessment, save_plan, start_tracking


def _person(client: TestClient, token: str, name: str = "Ann") -> str:
    response = client.post("/people", data={"name": name, "csrf_token": token})
    return str(response.url).rsplit("/", 1)[1]


def _png(colour: tuple[int, int, int] = (190, 140, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(buf, "PNG")
    return buf.getvalue()


def _demo() -> dict[str, object]:
    answers: dict[str, object] = yaml.safe_load(demo_answers_path().read_text())
    return answers


# --- drafts and the wizard ----------------------------------------------------------------------


def test_drafts_belong_to_their_visitor_expire_and_are_bounded() -> None:
    now = [0.0]
    drafts = Drafts(max_drafts=3, ttl_s=100, clock=lambda: now[0])
    first = drafts.new("token-a")
    first.answers["age"] = 30
    drafts.save(first)
    assert drafts.get(first.id, "token-a").answers == {"age": 30}
    assert drafts.get(first.id, "token-b") is None  # someone else's browser
    copy = drafts.get(first.id, "token-a")
    copy.answers["age"] = 99  # a copy: changing it changes nothing kept
    assert drafts.get(first.id, "token-a").answers == {"age": 30}
    for _ in range(3):
        drafts.new("token-a")
    assert len(drafts) == 3 and drafts.get(first.id, "token-a") is None  # the oldest went
    kept = drafts.new("token-a")
    now[0] = 99.0
    assert drafts.get(kept.id, "token-a") is not None  # use keeps it alive
    now[0] = 198.0
    assert drafts.get(kept.id, "token-a") is not None
    now[0] = 299.0
    assert drafts.get(kept.id, "token-a") is None and len(drafts) == 0


def test_every_wizard_answer_is_posted_and_redirected(client: TestClient, token: str) -> None:
    start = client.get("/assess", follow_redirects=False)
    assert start.status_code == 303
    step1 = start.headers["location"]
    assert re.fullmatch(r"/assess/[A-Za-z0-9_-]{20,}/1", step1)
    page = client.get(step1).text
    assert 'name="answers"' not in page  # the answers are not in the form ...
    answered = client.post(
        step1,
        data={"csrf_token": token, "nav": "next", "age": "40", "sex": "male", "regions": "face"},
        follow_redirects=False,
    )
    assert answered.status_code == 303 and answered.headers["location"].endswith("/2")
    assert "40" not in answered.headers["location"]  # ... nor in any address
    # Next comes before Back in the form, so Enter (the first submit button) goes forward
    buttons = re.findall(
        r'<button type="submit" name="nav" value="(\w+)"',
        client.get(answered.headers["location"]).text,
    )
    assert buttons == ["next", "back"]


def test_back_keeps_what_was_typed_even_if_not_valid(client: TestClient, token: str) -> None:
    step1 = client.get("/assess", follow_redirects=False).headers["location"]
    client.post(step1, data={"csrf_token": token, "age": "40", "sex": "male", "regions": "face"})
    step3 = step1[:-1] + "3"
    typed = {"csrf_token": token, "nav": "back", "scars.icepick": "12", "scars.boxcar": "lots"}
    back = client.post(step3, data=typed, follow_redirects=False)
    assert back.status_code == 303 and back.headers["location"].endswith("/2")
    again = client.get(step3).text
    assert re.search(r'name="scars.icepick"[^>]*value="12"', again, re.S)
    assert re.search(r'name="scars.boxcar"[^>]*value="lots"', again, re.S)
    assert 'class="field-error"' not in again  # Back never shows errors


def test_an_unknown_or_foreign_draft_is_a_page_in_words(
    client: TestClient, token: str, base_url: str
) -> None:
    response = client.get("/assess/no-such-draft/2")
    assert response.status_code == 404 and "no longer here" in response.text
    step1 = client.get("/assess", follow_redirects=False).headers["location"]
    with TestClient(client.app, base_url=base_url) as other:  # another browser, its own cookie
        assert other.get(step1).status_code == 404


def test_results_before_the_end_go_back_to_the_unanswered_step(
    client: TestClient, token: str
) -> None:
    step1 = client.get("/assess", follow_redirects=False).headers["location"]
    result = client.get(step1[: -len("1")] + "result", follow_redirects=False)
    assert result.status_code == 303 and result.headers["location"] == step1
    assert "field-error" in client.get(step1).text


def test_start_tracking_keeps_scores_and_plan(client: TestClient, token: str) -> None:
    answers = _demo()
    response = client.post(
        "/assess/track",
        data={"csrf_token": token, "answers": json.dumps(answers), "name": "Bea"},
        follow_redirects=False,
    )
    assert response.status_code == 303
    person_id = response.headers["location"].split("/")[2].split("?")[0]
    records = client.app.state.ctx.store.records(person_id)
    expected = assess(answers)
    assert {a.scale: a.score for a in records.assessments} == {
        k: v.score for k, v in expected.scores.items()
    }
    assert len(records.plans) == 1 and records.plans[0].status == "active"
    assert records.plans[0].profile["fitzpatrick"] == expected.profile.fitzpatrick
    page = client.get(response.headers["location"]).text
    assert "scores and plan were saved" in page and "No scores yet" not in page


def test_refused_answers_add_nobody(tmp_path: Path) -> None:
    store = create_app(Settings(data_dir=tmp_path, database_url=None)).state.ctx.store
    with pytest.raises(scarwise.InvalidInput):
        start_tracking(store, "Nobody", {"age": 5})
    assert store.list_people().people == []


def test_saving_needs_a_chosen_person_and_a_name(client: TestClient, token: str) -> None:
    answers = json.dumps(_demo())
    other = _person(client, token, "Other")
    unsaved = client.post("/assess/save", data={"csrf_token": token, "answers": answers})
    assert unsaved.status_code == 422
    assert "choose whose records to save to" in unsaved.text
    assert client.app.state.ctx.store.records(other).assessments == []
    nameless = client.post("/assess/track", data={"csrf_token": token, "answers": answers})
    assert nameless.status_code == 422 and "enter a name or nickname" in nameless.text
    assert len(client.app.state.ctx.store.list_people().people) == 1
    for page in (unsaved.text, nameless.text):  # the choice is required, nothing preselected
        assert '<option value="" selected disabled>Choose a person</option>' in page
        assert re.search(rf'<option value="{other}"\s*>', page)


def test_plan_save_without_a_person_keeps_the_plan_page(client: TestClient, token: str) -> None:
    _person(client, token)
    profile = json.dumps({"age": 30, "fitzpatrick": 3, "scars": {"rolling": 4}})
    response = client.post("/plan/save", data={"csrf_token": token, "profile": profile})
    assert response.status_code == 422
    assert "Your treatment plan" in response.text and "choose whose history" in response.text


# --- errors in place ----------------------------------------------------------------------------


def test_refused_forms_show_the_dashboard_with_errors_and_input(
    client: TestClient, token: str
) -> None:
    pid = _person(client, token)
    routine = client.post(
        f"/people/{pid}/regimen",
        data={"csrf_token": token, "treatment": "no-such", "frequency": "hourly", "start": "x"},
    )
    assert routine.status_code == 422 and "Progress of Ann" in routine.text
    errors = dict(
        re.findall(r'<p class="field-error" id="reg-([a-z]+)-err">([^<]*)<', routine.text)
    )
    assert set(errors) == {"treatment", "frequency"}  # both reported at once
    assert 'value="hourly"' in routine.text
    session = client.post(
        f"/people/{pid}/sessions",
        data={"csrf_token": token, "treatment": "subcision", "date": "2026-02-30",
              "notes": "left <cheek>", "downtime_days": "2"},
    )  # fmt: skip
    assert session.status_code == 422
    assert re.search(r'id="ses-date-err">Please enter an ISO 8601 date', session.text)
    assert "left &lt;cheek&gt;</textarea>" in session.text and 'value="2"' in session.text
    photo = client.post(
        f"/people/{pid}/photos",
        files={"photo": ("x.png", b"not an image", "image/png")},
        data={"csrf_token": token, "date": "2026-03-01"},
    )
    assert photo.status_code == 422
    assert re.search(r'id="photo-file-err">This file was not accepted: ', photo.text)
    assert 'value="2026-03-01"' in photo.text
    records = client.app.state.ctx.store.records(pid)
    assert not records.regimen and not records.sessions and not records.photos


def test_natural_frequencies_are_kept_in_their_short_form(client: TestClient, token: str) -> None:
    pid = _person(client, token)
    for phrase in ("twice daily", "every other day", "3 times a week", "once a day", "nightly"):
        response = client.post(
            f"/people/{pid}/regimen",
            data={"csrf_token": token, "treatment": "sunscreen", "frequency": phrase},
            follow_redirects=False,
        )
        assert response.status_code == 303, phrase
    kept = [r.frequency for r in client.app.state.ctx.store.list_regimen(pid).regimen]
    assert sorted(kept) == sorted(
        ["twice-daily", "every-other-day", "three-times-weekly", "daily", "daily"]
    )
    page = client.get(f"/people/{pid}").text
    assert '<td data-label="How often">twice a day</td>' in page


def test_too_large_upload_is_a_page_for_pages_and_json_for_the_api(
    tmp_path: Path, base_url: str
) -> None:
    app = create_app(Settings(data_dir=tmp_path, database_url=None, max_upload_bytes=100_000))
    with TestClient(app, base_url=base_url) as c:
        c.get("/")
        token = c.cookies.get("scarwise_csrf")
        pid = c.post("/people", data={"name": "Big", "csrf_token": token}).url.path.split("/")[2]
        body = {"photo": ("big.png", b"\x89PNG" + bytes(400_000), "image/png")}
        page = c.post(f"/people/{pid}/photos", files=body, data={"csrf_token": token})
        api = c.post("/api/v1/analyze", files=body)
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert "That photo is too large" in page.text and "at most 98 KB per photo" in page.text
    assert "SCARWISE_" not in page.text and "bytes" not in page.text
    assert page.headers["connection"] == "close"
    assert api.status_code == 413 and api.json()["error"]["code"] == "invalid_input"


# --- saved records, downloads, deleting one -----------------------------------------------------


def _filled(client: TestClient, token: str) -> str:
    pid = _person(client, token, "Full")
    store = client.app.state.ctx.store
    record_assessment(store, pid, "ecca", {"counts": {"icepick_v": 3}}, date="2026-01-01")
    save_plan(store, pid, {"age": 30, "fitzpatrick": 3, "scars": {"icepick": 12, "rolling": 4},
                           "avoids": ["punch-excision"]}, date="2026-01-02")  # fmt: skip
    store.add_session(pid, "subcision", date="2026-02-01")
    item = store.add_regimen_item(pid, "sunscreen", "daily", start="2026-01-01").regimen
    store.log_dose(item.id, date="2026-01-02")
    store.add_photo_bytes(pid, _png(), date="2026-01-03")
    return pid


def test_a_saved_plan_reopens_as_it_was_saved(client: TestClient, token: str) -> None:
    pid = _filled(client, token)
    saved = client.app.state.ctx.store.records(pid).plans[0]
    page = client.get(f"/people/{pid}/plans/{saved.id}")
    assert page.status_code == 200 and "Saved treatment plan" in page.text
    assert "Punch excision" in page.text and "<strong>punch-excision</strong>" not in page.text
    pdf = client.get(f"/people/{pid}/plans/{saved.id}.pdf")
    assert pdf.content.startswith(b"%PDF-") and "attachment" in pdf.headers["content-disposition"]
    other = _person(client, token, "Other")
    assert client.get(f"/people/{other}/plans/{saved.id}").status_code == 404


def test_downloads_are_attachments_and_leave_no_file(client: TestClient, token: str) -> None:
    pid = _filled(client, token)
    before = set(Path(tempfile.gettempdir()).glob("scarwise-download-*"))
    html = client.get(f"/people/{pid}/downloads/report.html")
    zipped = client.get(f"/people/{pid}/downloads/export.zip")
    everyone = client.get("/downloads/export.zip")
    for response in (html, zipped, everyone):
        assert response.status_code == 200
        assert response.headers["content-disposition"].startswith('attachment; filename="scarwise-')
        assert response.headers["cache-control"] == "no-store"
        assert int(response.headers["content-length"]) == len(response.content)
    assert "<html" in html.text and "Full" in html.text
    assert zipped.content[:2] == b"PK" and everyone.content[:2] == b"PK"
    assert client.get(f"/people/{pid}/downloads/report.doc").status_code == 404
    assert client.get("/people/nobody/downloads/export.zip").status_code == 404
    assert set(Path(tempfile.gettempdir()).glob("scarwise-download-*")) == before


def test_delete_one_record_asks_first_and_needs_the_token(client: TestClient, token: str) -> None:
    pid = _filled(client, token)
    store = client.app.state.ctx.store
    records = store.records(pid)
    targets = {
        "sessions": records.sessions[0].id,
        "regimen": records.regimen[0].id,
        "photos": records.photos[0].id,
    }
    other = _person(client, token, "Other")
    for kind, record_id in targets.items():
        confirm = client.get(f"/people/{pid}/{kind}/{record_id}/delete")
        assert confirm.status_code == 200 and "This cannot be undone" in confirm.text
        assert f'action="/people/{pid}/{kind}/{record_id}/delete"' in confirm.text
        assert client.post(f"/people/{pid}/{kind}/{record_id}/delete").status_code == 403
        foreign = client.post(
            f"/people/{other}/{kind}/{record_id}/delete", data={"csrf_token": token}
        )
        assert foreign.status_code == 404  # someone else's record is not found
    assert store.records(pid).sessions and store.records(pid).regimen and store.records(pid).photos
    for kind, record_id in targets.items():
        done = client.post(
            f"/people/{pid}/{kind}/{record_id}/delete",
            data={"csrf_token": token},
            follow_redirects=False,
        )
        assert done.status_code == 303 and "?done=" in done.headers["location"]
    left = store.records(pid)
    assert not left.sessions and not left.regimen and not left.doses and not left.photos
    assert left.plans and left.assessments  # nothing else went


def test_history_items_link_to_what_they_are(client: TestClient, token: str) -> None:
    pid = _filled(client, token)
    page = client.get(f"/people/{pid}").text
    history = page[
        page.index('<ol class="history">') : page.index("</ol>", page.index('<ol class="history">'))
    ]
    items = re.findall(r"<li>(.*?)</li>", history, re.S)
    assert items and all("<a href=" in item for item in items)
    links = re.findall(r'<a href="([^"]+)">', history)
    for link in links:
        assert client.get(link.split("#")[0]).status_code == 200, link
    assert any("/plans/" in link for link in links)
    assert "Routine step started: Daily broad-spectrum sunscreen" in history
    assert "1 dose taken" in history


# --- plots and words ----------------------------------------------------------------------------


def test_plot_svgs_have_no_inline_styles_and_two_layouts(client: TestClient, token: str) -> None:
    pid = _filled(client, token)
    wide = client.get(f"/people/{pid}/plots/scores.svg")
    narrow = client.get(f"/people/{pid}/plots/scores.svg?layout=narrow")
    for svg in (wide, narrow):
        assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
        assert b"style=" not in svg.content and b"<style" not in svg.content
    assert wide.content != narrow.content
    page = client.get(f"/people/{pid}").text
    assert f'srcset="/people/{pid}/plots/scores.svg?layout=narrow"' in page
    assert client.get(f"/people/{pid}/plots/scores.svg?layout=huge").status_code == 422


def test_words() -> None:
    assert plural(1, "scar") == "1 scar" and plural(0, "scar") == "0 scars"
    assert plural(2.0, "day") == "2 days" and plural(1, "analysis", "analyses") == "1 analysis"
    skin = scarwise.score("fitzpatrick", {"answers": dict.fromkeys(
        ["eye_colour", "hair_colour", "skin_colour", "freckles", "sun_reaction", "tanning",
         "tan_depth", "face_sensitivity"], 2)}).to_json_dict()  # fmt: skip
    assert score_text("fitzpatrick", skin) == "Type III"
    assert "sometimes burns, tans gradually" in score_band("fitzpatrick", skin)
    ecca = scarwise.score("ecca", {"counts": {"icepick_v": 3}}).to_json_dict()
    assert score_text("ecca", ecca) == "15 out of 540"
    assert "No official severity bands" in score_band("ecca", ecca)
    assert [t.id for t in terms_in(["a piece of pie", "PIH after peels"])] == ["pih", "pie"]
    assert terms_in(["a piece of cake"]) == []
    plan = scarwise.plan({"age": 30, "fitzpatrick": 5, "scars": {"rolling": 4},
                          "marks": {"hyperpigmentation": True}})  # fmt: skip
    assert "pih" in [t.id for t in plan_terms(plan)]
    assert "gb-grade" not in [t.id for t in plan_terms(plan)]  # a citation's author is no term


def test_learn_explains_the_terms_the_pages_link_to(client: TestClient) -> None:
    import scarwise.web

    page = client.get("/learn").text
    templates = Path(scarwise.web.__file__).parent / "templates"
    linked = {
        link
        for template in templates.glob("*.html")
        for link in re.findall(r"/learn#(term-[a-z-]+)", template.read_text())
    }
    assert {"term-ita", "term-delta-e", "term-redness"} <= linked
    for term in ("skin-type", "ecca", "gb-grade", "ita", "lab", "redness", "erythema-index",
                 "melanin-index", "delta-e", "pih", "pie"):  # fmt: skip
        assert f'id="term-{term}"' in page
    assert not linked - set(re.findall(r'id="(term-[a-z-]+)"', page))


def test_history_groups_runs_and_says_scores_in_words() -> None:
    from datetime import UTC, datetime, timedelta

    from scarwise.tracking.models import HistoryEvent
    from scarwise.web.dashboard import history_items

    t = datetime(2026, 3, 1, tzinfo=UTC)

    def event(kind: str, id_: str, minutes: int, **extra: object) -> HistoryEvent:
        return HistoryEvent(kind=kind, id=id_, date=t + timedelta(minutes=minutes), **extra)

    events = [
        event("regimen", "r1", 0, treatment="sunscreen", frequency="daily"),
        event("dose", "d1", 1, regimen_id="r1", status="taken"),
        event("dose", "d2", 2, regimen_id="r1", status="skipped"),
        event("dose", "d3", 3, regimen_id="r1", status="taken"),
        event("assessment", "a1", 4, scale="fitzpatrick", score=16, max=32),
        event("photo", "p1", 5),
        event("photo", "p2", 5),
        event("photo", "p3", 5),
        event("analysis", "x1", 6, analysis="analyze3d"),
        event("photo", "p4", 7),
        event("session", "s1", 8, treatment="punch-excision"),
    ]
    items = [(i.text, i.url) for i in history_items("P", events, {"r1": "sunscreen"})]
    assert items == [
        ("Treatment session: Punch excision", "/people/P#session-s1"),
        ("Photo added", "/people/P/photos/p4.png"),
        ("3-D scar measurement", "/people/P/analyses/x1"),
        ("3 photos added", "/people/P#photos"),
        ("Skin type (Fitzpatrick): Type III", "/people/P#scores"),
        ("Daily broad-spectrum sunscreen: 2 doses taken, 1 skipped", "/people/P#routine"),
        ("Routine step started: Daily broad-spectrum sunscreen", "/people/P#routine-r1"),
    ]
