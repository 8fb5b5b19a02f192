"""The web app as a person without training uses it, in Debian's Chromium against a real server:
the wizard with the keyboard, Back and Reload, results carried into a new person, errors next to
the field, plots at phone and desktop width, plain words, downloads, saved plans, deleting one
record, the 3-D input checks, and axe on every new page.

Screenshots of each page, at desktop and phone width, go to ``test-artifacts/web/``.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi import FastAPI
from PIL import Image

import scarwise
from scarwise.assess import demo_answers_path
from scarwise.config import Settings
from scarwise.intake import read_photo
from scarwise.web import create_app
from scarwise.workflows import analyze_upload, record_assessment, save_plan

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PROFILE_AVOIDING = {
    "age": 27,
    "fitzpatrick": 4,
    "scars": {"icepick": 12, "boxcar_shallow": 5, "rolling": 8},
    "marks": {"erythema": True},
    "avoids": ["punch-excision"],
}


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> FastAPI:
    settings = Settings(data_dir=tmp_path_factory.mktemp("lay-data"), database_url=None)
    return create_app(settings, debug=True)


@pytest.fixture(scope="module")
def base(app: FastAPI, serve_app: Any) -> str:
    url: str = serve_app(app)
    return url


class Browser:
    """A browser context on the server, recording console errors (CSP violations show there)."""

    def __init__(self, chromium: Any, base: str, viewport: dict[str, int]) -> None:
        self.context = chromium.new_context(base_url=base, viewport=viewport)
        self.errors: list[str] = []
        self.page = self.new_page()

    def new_page(self) -> Any:
        page = self.context.new_page()
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        return page

    def token(self) -> str:
        return next(c["value"] for c in self.context.cookies() if c["name"] == "scarwise_csrf")

    def csp_errors(self) -> list[str]:
        return [e for e in self.errors if "Content Security Policy" in e or "Refused" in e]


@pytest.fixture
def desk(chromium: Any, base: str) -> Iterator[Browser]:
    browser = Browser(chromium, base, DESKTOP)
    yield browser
    browser.context.close()
    assert not browser.csp_errors(), browser.csp_errors()


@pytest.fixture
def phone(chromium: Any, base: str) -> Iterator[Browser]:
    browser = Browser(chromium, base, PHONE)
    yield browser
    browser.context.close()
    assert not browser.csp_errors(), browser.csp_errors()


def shot(page: Any, name: str) -> None:
    """A full-page screenshot at the page's width and one at the other width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_size
    page.screenshot(path=str(ARTIFACTS / f"lay-{name}-{size['width']}.png"), full_page=True)
    other = PHONE if size["width"] > PHONE["width"] else DESKTOP
    page.set_viewport_size(other)
    page.screenshot(path=str(ARTIFACTS / f"lay-{name}-{other['width']}.png"), full_page=True)
    page.set_viewport_size(size)


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def _person(app: FastAPI, name: str) -> str:
    """A person with scores, a plan, a routine, sessions, photos and a colour analysis."""
    from scarwise.testing.skin_patches import render_skin_patch

    store = app.state.ctx.store
    pid: str = store.add_person(name).person.id
    for day, count in (("2026-01-05", 12), ("2026-03-01", 9)):
        result = scarwise.score("ecca", {"counts": {"icepick_v": count, "rolling_m": 6}})
        record_assessment(store, pid, "ecca", result.to_json_dict(), date=day)
    answers = {k: 2 for k in ["eye_colour", "hair_colour", "skin_colour", "freckles",
                              "sun_reaction", "tanning", "tan_depth", "face_sensitivity"]}  # fmt: skip
    skin = scarwise.score("fitzpatrick", {"answers": answers}).to_json_dict()
    record_assessment(store, pid, "fitzpatrick", skin, date="2026-01-05")
    store.add_session(pid, "subcision", date="2026-02-01", outcome_rating=4)
    item = store.add_regimen_item(pid, "sunscreen", "daily", start="2026-01-01").regimen
    for day in range(1, 20):
        store.log_dose(item.id, date=f"2026-02-{day:02d}")
    shade = zlib.crc32(name.encode()) % 200  # an image of this person's only
    store.add_photo_bytes(pid, _png((200, 150, shade)), date="2026-01-10")
    patch = render_skin_patch(7, size=(320, 240), ita=25.0)
    buf = io.BytesIO()
    Image.fromarray(patch.pixels).save(buf, "PNG")
    analyze_upload(read_photo(buf.getvalue()), region="full", store=store, person_id=pid)
    save_plan(store, pid, PROFILE_AVOIDING, date="2026-01-06")
    return pid


def _demo_draft(app: FastAPI, browser: Browser) -> str:
    """A finished self-assessment of this browser (the demo answers), as the wizard leaves it."""
    browser.page.goto("/")
    drafts = app.state.ctx.drafts
    draft = drafts.new(browser.token())
    draft.answers = yaml.safe_load(demo_answers_path().read_text())
    drafts.save(draft)
    return str(draft.id)


def _step(page: Any) -> str:
    return str(page.locator("p.steps").inner_text())


# --- the wizard ---------------------------------------------------------------------------------


def test_wizard_by_keyboard_enter_goes_forward_back_keeps_what_was_typed(phone: Browser) -> None:
    page = phone.page
    page.goto("/assess")
    assert _step(page).startswith("Step 1 of")
    # keyboard only: type the age, Tab to each group, Space to choose, Enter to go on
    page.get_by_label("How old are you?").focus()
    page.keyboard.type("27")
    page.keyboard.press("Tab")  # the first "sex" radio
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the first region checkbox (face)
    page.keyboard.press("Space")
    page.get_by_label("How old are you?").focus()
    page.keyboard.press("Enter")  # what a phone's Go key does: the form's first submit button
    page.wait_for_url("**/assess/*/2")
    assert _step(page).startswith("Step 2 of")
    shot(page, "wizard-step2")
    # choose one answer, then Back: step 1 shows what was typed there
    page.locator("fieldset", has_text="eyes").locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Back").click()
    page.wait_for_url("**/assess/*/1")
    assert page.get_by_label("How old are you?").input_value() == "27"
    assert page.locator("input[name=regions][value=face]").is_checked()
    # forward again: the half-answered step kept its answer (nothing was lost going back)
    page.get_by_label("How old are you?").press("Enter")
    page.wait_for_url("**/assess/*/2")
    assert page.locator("fieldset", has_text="eyes").locator("input[type=radio]").first.is_checked()
    # Enter on step 2 with answers missing stays there, with the errors next to the fields
    page.locator("fieldset", has_text="eyes").locator("input[type=radio]").first.press("Enter")
    page.wait_for_url("**/assess/*/2")
    assert page.locator(".field-error").count() >= 1
    assert page.locator("fieldset", has_text="eyes").locator("input[type=radio]").first.is_checked()


def test_browser_back_and_reload_never_resubmit_a_form(desk: Browser) -> None:
    page = desk.page
    page.goto("/assess")
    page.get_by_label("How old are you?").fill("33")
    page.locator("input[name=sex][value=male]").check()
    page.locator("input[name=regions][value=back]").check()
    page.get_by_role("button", name="Next").click()
    page.wait_for_url("**/assess/*/2")
    methods: list[str] = []
    page.on(
        "request", lambda r: methods.append(r.method) if r.resource_type == "document" else None
    )
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.reload()
    assert _step(page).startswith("Step 2 of")
    page.go_back()
    page.wait_for_url("**/assess/*/1")
    assert page.get_by_label("How old are you?").input_value() == "33"
    page.go_forward()
    page.wait_for_url("**/assess/*/2")
    page.reload()
    assert methods == ["GET"] * 4 and not dialogs  # no "Confirm Form Resubmission"


def test_results_start_tracking_a_new_person_with_scores_and_plan(
    app: FastAPI, phone: Browser
) -> None:
    draft = _demo_draft(app, phone)
    page = phone.page
    app.state.ctx.store.add_person("Someone Else")  # the picker must not choose them
    page.goto(f"/assess/{draft}/result")
    assert page.get_by_role("heading", name="Your scores").is_visible()
    skin = page.locator(".score-card", has_text="Skin type")
    assert "Type IV" in skin.inner_text() and "tans easily" in skin.inner_text()
    gb = page.locator(".score-card", has_text="Goodman & Baron qualitative grade").inner_text()
    assert "of 4" in gb
    assert "out of 540" in page.locator(".score-card", has_text="ECCA").inner_text()
    picker = page.get_by_label("Save to")
    assert picker.input_value() == ""  # no preselection
    page.get_by_role("button", name="Save scores and plan").click()
    assert picker.evaluate("s => s.validity.valueMissing")  # a choice is required
    assert "/result" in page.url
    shot(page, "results")
    page.get_by_label("Name or nickname").fill("Phone Tester")
    page.get_by_role("button", name="Start tracking progress").click()
    page.wait_for_url("**/people/*")
    assert page.get_by_role("heading", name="Progress of Phone Tester").is_visible()
    assert page.get_by_role("status").filter(has_text="scores and plan were saved").is_visible()
    scores = page.locator("#scores").inner_text()
    assert (
        "Type IV" in scores and "ECCA acne scar score" in scores and "No scores yet" not in scores
    )
    assert "fitzpatrick:" not in page.content()
    page.get_by_role("link", name="Open the plan").click()
    assert page.get_by_role("heading", name="Saved treatment plan").is_visible()
    shot(page, "saved-plan")


def test_saving_to_an_existing_person_needs_a_choice_on_the_server_too(
    app: FastAPI, desk: Browser
) -> None:
    draft = _demo_draft(app, desk)
    page = desk.page
    page.goto(f"/assess/{draft}/result")
    page.locator("form[action='/assess/save']").evaluate("f => { f.noValidate = true }")
    page.get_by_role("button", name="Save scores and plan").click()
    page.wait_for_load_state()
    assert page.locator("#save-person-err").inner_text() == "choose whose records to save to"
    assert page.get_by_role("heading", name="Your scores").is_visible()


# --- errors in place ----------------------------------------------------------------------------


def test_refused_forms_keep_the_dashboard_and_the_input(app: FastAPI, desk: Browser) -> None:
    pid = _person(app, "Form Tester")
    page = desk.page
    page.goto(f"/people/{pid}")
    # routine: a phrase that names no frequency, then a natural one
    page.get_by_label("How often").fill("whenever I remember")
    page.get_by_label("Start").fill("2026-03-01")
    page.get_by_role("button", name="Add step").click()
    page.wait_for_load_state()
    error = page.locator("#reg-frequency-err")
    assert "twice daily" in error.inner_text() and "whenever I remember" in error.inner_text()
    assert page.get_by_label("How often").input_value() == "whenever I remember"
    assert page.get_by_label("Start").input_value() == "2026-03-01"
    assert page.get_by_role("heading", name="Progress of Form Tester").is_visible()
    shot(page, "routine-error")
    for phrase, shown in [("twice daily", "twice a day"), ("3 times a week", "3 times a week")]:
        page.get_by_label("How often").fill(phrase)
        page.get_by_role("button", name="Add step").click()
        page.wait_for_load_state()
        assert page.locator("#reg-frequency-err").count() == 0
        assert shown in page.locator("#routine table").inner_text()
    # the help only suggests phrases that are accepted
    help_text = page.locator("#freq-help").inner_text()
    for phrase in help_text.split(":", 1)[1].rstrip(".").split(", "):
        scarwise.tracking.parse_frequency(phrase)
    # session: the browser's own check switched off, as a browser without it would send it
    page.locator("#session-form").evaluate("f => { f.noValidate = true }")
    page.locator("#ses-provider").fill("Dr Example")
    page.locator("#ses-notes").fill("left cheek")
    page.get_by_role("button", name="Log session").click()
    page.wait_for_load_state()
    assert "date" in page.locator("#ses-date-err").inner_text()
    assert page.locator("#ses-provider").input_value() == "Dr Example"
    assert page.locator("#ses-notes").input_value() == "left cheek"
    # photo: a file that is no image
    bad = Path(tempfile.mkdtemp()) / "notes.png"
    bad.write_bytes(b"this is not a photo" * 10)
    page.get_by_label("Photo", exact=True).set_input_files(str(bad))
    page.get_by_label("Date taken").fill("2026-04-01")
    page.get_by_role("button", name="Upload").click()
    page.wait_for_load_state()
    assert "not accepted" in page.locator("#photo-file-err").inner_text()
    assert page.get_by_label("Date taken").input_value() == "2026-04-01"
    assert page.get_by_role("heading", name="Progress of Form Tester").is_visible()


def test_a_too_large_upload_is_a_page_in_words(
    chromium: Any, serve_app: Any, tmp_path: Path
) -> None:
    small = create_app(Settings(data_dir=tmp_path, database_url=None, max_upload_bytes=50_000))
    url = serve_app(small)
    pid = small.state.ctx.store.add_person("Big Photo").person.id
    browser = Browser(chromium, url, PHONE)
    try:
        page = browser.page
        page.goto(f"/people/{pid}")
        big = tmp_path / "big.png"
        big.write_bytes(_png((10, 20, 30), (1200, 900))[:100] + bytes(400_000))
        page.get_by_label("Photo", exact=True).set_input_files(str(big))
        page.get_by_role("button", name="Upload").click()
        page.wait_for_load_state()
        text = page.locator("main").inner_text()
        assert page.get_by_role("heading", name="That photo is too large").is_visible()
        assert "at most 49 KB per photo" in text  # 50 000 bytes, in words a person reads
        assert "SCARWISE_" not in page.content() and '"error"' not in page.content()
        shot(page, "too-large")
    finally:
        browser.context.close()


# --- plots --------------------------------------------------------------------------------------


def _dark_share(png: bytes) -> float:
    import numpy as np

    with Image.open(io.BytesIO(png)) as im:
        grey = np.asarray(im.convert("L"))
    return float((grey < 60).mean())


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_plots_fit_the_screen_and_open_full_size(
    app: FastAPI, chromium: Any, base: str, viewport: dict[str, int]
) -> None:
    pid = _person(app, f"Plot Tester {viewport['width']}")
    browser = Browser(chromium, base, viewport)
    try:
        page = browser.page
        page.goto(f"/people/{pid}")
        plot = page.locator("#plot-scores img")
        plot.scroll_into_view_if_needed()
        for _ in range(50):  # polled: the CSP forbids Playwright's string-evaluating waits
            if plot.evaluate("i => i.complete && i.naturalWidth > 0"):
                break
            page.wait_for_timeout(100)
        narrow = "layout=narrow" in plot.evaluate("i => i.currentSrc")
        assert narrow == (viewport is PHONE)
        shown = plot.bounding_box()
        assert shown and shown["width"] >= viewport["width"] * (0.75 if narrow else 0.6)
        # drawn for the width it is shown at: a phone gets a narrow figure with big text
        natural = plot.evaluate("i => i.naturalWidth")
        assert natural <= 1.5 * shown["width"]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= viewport["width"]
        shot(page, f"plots-{'phone' if narrow else 'desktop'}")
        with browser.context.expect_page() as opened:
            page.locator("#plot-scores").get_by_role("link", name="Open full size").click()
        tab = opened.value
        tab.wait_for_load_state()
        assert tab.url.endswith("/plots/scores.svg")
        picture = tab.screenshot()
        assert _dark_share(picture) < 0.2  # drawn whole, not a black box
        assert not browser.csp_errors(), browser.csp_errors()
    finally:
        browser.context.close()


# --- words --------------------------------------------------------------------------------------


def test_plain_words_on_dashboard_plan_and_analysis(app: FastAPI, desk: Browser) -> None:
    pid = _person(app, "Words Tester")
    page = desk.page
    page.goto(f"/people/{pid}")
    text = page.locator("main").inner_text()
    assert "Skin type (Fitzpatrick): Type III" in text
    assert "16 / 32" not in text and "gb-qualitative" not in text and "ecca:" not in text
    latest = scarwise.score("ecca", {"counts": {"icepick_v": 9, "rolling_m": 6}}).score
    assert f"ECCA acne scar score: {latest} out of 540" in text
    assert "Redness (mean a*)" in text
    assert "Subcision" in page.locator("#sessions").inner_text()
    assert "Daily broad-spectrum sunscreen" in page.locator("#routine table").inner_text()
    assert "once a day" in page.locator("#routine table").inner_text()
    page.locator("#scores").get_by_role("link", name="What this means").first.click()
    page.wait_for_url("**/learn#term-*")
    assert page.locator("#terms").is_visible()
    # the saved plan: treatment names, not ids
    page.goto(f"/people/{pid}")
    page.get_by_role("link", name="Open the plan").click()
    avoided = page.locator("section", has=page.get_by_role("heading", name="Not in this plan"))
    assert "Punch excision" in avoided.inner_text() and "punch-excision" not in avoided.inner_text()
    # the colour analysis: terms explained and linked, L* a* b* as written
    page.goto(f"/people/{pid}")
    page.get_by_role("link", name="Colour analysis of").first.click()
    lab = page.locator("dt", has_text="L* a* b*")
    assert lab.evaluate("e => getComputedStyle(e).textTransform") == "none"
    assert lab.inner_text().startswith("L* a* b*")
    assert page.get_by_role("link", name="ITA°").get_attribute("href") == "/learn#term-ita"
    heading = page.locator("#spots-h").inner_text()
    count = len(app.state.ctx.store.records(pid).analyses[0].result["spots"])
    assert page.locator("main").get_by_role("link", name="ΔE").count() == (1 if count else 0)
    assert page.get_by_role("link", name="what these are").count() == (1 if count else 0)
    assert heading == (f"{count} mark found" if count == 1 else f"{count} marks found")
    shot(page, "colour-saved")


def test_urgent_comes_first_on_the_plan_page(desk: Browser) -> None:
    page = desk.page
    page.goto("/plan")
    profile = {"age": 25, "fitzpatrick": 3, "scars": {"rolling": 4},
               "pregnancy": "pregnant", "isotretinoin": "current"}  # fmt: skip
    page.get_by_label("Profile").fill(json.dumps(profile))
    page.get_by_role("button", name="Make the plan").click()
    page.wait_for_load_state()
    urgent = page.get_by_role("alert").filter(has_text="Act now")
    assert "Stop taking isotretinoin" in urgent.inner_text()
    first = page.locator("main > *").nth(1)  # right after the page's heading
    assert "Act now" in first.inner_text()
    shot(page, "plan-urgent")


def test_learn_lists_when_to_wait(desk: Browser) -> None:
    from scarwise.knowledge import load_knowledge_base

    rule = next(r for r in load_knowledge_base().rules if r.effect == "defer")
    page = desk.page
    page.goto(f"/learn?q={rule.treatments[0]}")
    entry = page.locator(f"#treatment-{rule.treatments[0]}")
    assert "When to wait" in entry.inner_text()
    assert f"Not before week {rule.weeks}" in entry.inner_text()


# --- downloads, saved records, deleting one ---------------------------------------------------


def test_downloads_leave_no_file_behind(app: FastAPI, desk: Browser) -> None:
    pid = _person(app, "Download Tester")
    before = set(Path(tempfile.gettempdir()).glob("scarwise-download-*"))
    page = desk.page
    page.goto(f"/people/{pid}")
    got: dict[str, bytes] = {}
    for name in ["Progress report (web page)", "Progress report (PDF)", "records (zip)"]:
        with page.expect_download() as download:
            page.get_by_role("link", name=name).click()
        got[name] = Path(download.value.path()).read_bytes()
        assert download.value.suggested_filename.startswith("scarwise-")
    assert b"Download Tester" in got["Progress report (web page)"]
    assert got["Progress report (PDF)"].startswith(b"%PDF-")
    with zipfile.ZipFile(io.BytesIO(got["records (zip)"])) as archive:
        names = archive.namelist()
        document = json.loads(archive.read("scarwise-export.json"))
    assert [p["person"]["id"] for p in document["people"]] == [pid]
    assert any(n.endswith(".png") for n in names)
    assert set(Path(tempfile.gettempdir()).glob("scarwise-download-*")) == before


def test_history_links_to_what_each_item_is(app: FastAPI, desk: Browser) -> None:
    pid = _person(app, "History Tester")
    page = desk.page
    page.goto(f"/people/{pid}")
    history = page.locator("ol.history")
    assert history.get_by_role("link").count() == history.locator("li").count()
    history.get_by_role("link", name="Plan saved").click()
    assert page.get_by_role("heading", name="Saved treatment plan").is_visible()
    page.go_back()
    history.get_by_role("link", name="Colour analysis").click()
    assert page.get_by_role("heading", name="Colour analysis").is_visible()
    page.go_back()
    history.get_by_role("link", name="Treatment session: Subcision").click()
    assert page.url.endswith("#session-" + app.state.ctx.store.records(pid).sessions[0].id)


def test_delete_one_photo_session_and_routine_step(app: FastAPI, phone: Browser) -> None:
    pid = _person(app, "Delete Tester")
    store = app.state.ctx.store
    page = phone.page
    page.goto(f"/people/{pid}")
    # cancel keeps it
    page.locator("#sessions").get_by_role("link", name="Delete").first.click()
    assert page.get_by_role("heading", name="Delete this treatment session?").is_visible()
    shot(page, "confirm-delete")
    page.get_by_role("link", name="Cancel, keep it").click()
    assert len(store.records(pid).sessions) == 1
    for section, button, notice in [
        ("#sessions", "Delete session", "treatment session was deleted"),
        ("#routine", "Delete routine step", "routine step and its check-ins were deleted"),
    ]:
        page.locator(section).get_by_role("link", name="Delete").first.click()
        page.get_by_role("button", name=button).press("Enter")  # keyboard works too
        page.wait_for_url(f"**/people/{pid}?done=*")
        assert page.get_by_role("status").filter(has_text=notice).is_visible()
    photos = store.records(pid).photos
    page.locator("#photos summary").click()
    page.locator("#photos").get_by_role("link", name="Delete").first.click()
    assert page.get_by_alt_text("The photo to delete").is_visible()
    page.get_by_role("button", name="Delete photo").click()
    page.wait_for_url(f"**/people/{pid}?done=photo-deleted*")
    records = store.records(pid)
    assert not records.sessions and not records.regimen and not records.doses
    assert len(records.photos) == len(photos) - 1
    assert not store.photos.path_for(photos[0].sha256).exists()  # its own image, gone


def test_deleting_needs_the_csrf_token(app: FastAPI, base: str) -> None:
    import httpx

    pid = _person(app, "Token Tester")
    session_id = app.state.ctx.store.records(pid).sessions[0].id
    with httpx.Client(base_url=base) as client:
        client.get("/")
        response = client.post(f"/people/{pid}/sessions/{session_id}/delete")
    assert response.status_code == 403
    assert len(app.state.ctx.store.records(pid).sessions) == 1


# --- 3-D input checks -------------------------------------------------------------------------


def test_3d_warnings_come_before_the_numbers(desk: Browser, tmp_path: Path) -> None:
    from scarwise.testing.skin_patches import render_skin_patch

    page = desk.page
    paths = []
    for i in range(3):  # three unrelated photos of different skin
        patch = render_skin_patch(20 + i, size=(200, 200), ita=5.0 + 20 * i)
        path = tmp_path / f"light{i}.png"
        Image.fromarray(patch.pixels).save(path)
        paths.append(str(path))
    page.goto("/analyze")
    page.get_by_label("Photos (3 or more").set_input_files(paths)
    page.get_by_label("Light directions (JSON)").fill(
        "[[0.5, 0, 0.87], [-0.25, 0.43, 0.87], [-0.25, -0.43, 0.87]]"
    )
    page.get_by_label("Size of one pixel on the skin, mm", exact=True).fill("0.1")
    page.get_by_role("button", name="Measure scars").click()
    page.wait_for_load_state()
    warning = page.get_by_role("alert").filter(has_text="Check this before trusting the numbers")
    assert warning.is_visible() and warning.locator("li").count() >= 1
    summary = page.get_by_role("heading", name="Summary")
    warning_box, summary_box = warning.bounding_box(), summary.bounding_box()
    assert warning_box and summary_box and warning_box["y"] < summary_box["y"]
    shot(page, "3d-warnings")


# --- accessibility ----------------------------------------------------------------------------


def test_new_pages_pass_an_axe_audit(app: FastAPI, chromium: Any, base: str) -> None:
    """axe-core's WCAG 2 A/AA rules on the pages added or reworded here."""
    pid = _person(app, "Axe Tester")
    records = app.state.ctx.store.records(pid)
    context = chromium.new_context(base_url=base, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    page.goto("/")
    token = next(c["value"] for c in context.cookies() if c["name"] == "scarwise_csrf")
    drafts = app.state.ctx.drafts
    draft = drafts.new(token)
    draft.answers = yaml.safe_load(demo_answers_path().read_text())
    drafts.save(draft)
    paths = [
        f"/assess/{draft.id}/3",
        f"/assess/{draft.id}/result",
        f"/assess/{draft.id}/plan",
        f"/people/{pid}",
        f"/people/{pid}/plans/{records.plans[0].id}",
        f"/people/{pid}/analyses/{records.analyses[0].id}",
        f"/people/{pid}/sessions/{records.sessions[0].id}/delete",
        "/learn",
        "/assess/no-such-draft/1",
    ]
    found: dict[str, list[str]] = {}
    try:
        for path in paths:
            page.goto(path)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(
                """async () => (await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa']}}))
                      .violations.map(v => `${v.id} (${v.nodes.length}): ${v.nodes[0].target}`)"""
            )
            if violations:
                found[path] = violations
    finally:
        context.close()
    assert not found, found
