"""Browser tests: Debian's Chromium (through Playwright) against a real uvicorn server.

Walks the wizard to a plan, uploads a photo, uses the dashboard and the learn page, and saves a
screenshot of each step (desktop and phone width) under ``test-artifacts/web/`` for a person to
look at.
"""

from __future__ import annotations

import io
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from PIL import Image

from scarwise.config import Settings
from scarwise.web import create_app

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "web"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, with its own SQLite store and data dir."""
    data_dir = tmp_path_factory.mktemp("web-data")
    app = create_app(Settings(data_dir=data_dir, database_url=None), debug=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", ws="none", lifespan="on", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture(scope="module")
def chromium_browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def web_page(chromium_browser, live_server: str):
    context = chromium_browser.new_context(base_url=live_server, viewport=DESKTOP)
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    context.close()
    assert not errors, f"browser console errors (CSP violations show here): {errors}"


def shot(page, name: str) -> None:
    """Save a full-page screenshot at desktop width and one at phone width."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    page.screenshot(path=str(ARTIFACTS / f"{name}-phone.png"), full_page=True)
    page.set_viewport_size(size)


def wait_until(condition, timeout: float = 10.0) -> None:
    """Poll ``condition`` (the CSP forbids Playwright's string-evaluating wait_for_function)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def _png(colour: tuple[int, int, int], size: tuple[int, int] = (320, 240)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, colour).save(buf, "PNG")
    return buf.getvalue()


def test_learn_page_search(web_page) -> None:
    page = web_page
    page.goto("/learn")
    assert page.locator("details.treatment").count() >= 20
    assert page.locator(".scar-types img").count() >= 7
    shot(page, "learn")
    page.get_by_label("Search scar types and treatments").fill("subcision")
    wait_until(lambda: page.locator("details.treatment").count() < 10)
    assert page.locator("#treatment-subcision").is_visible()
    shot(page, "learn-search")


def test_dashboard_tracks_a_person(web_page, tmp_path: Path) -> None:
    page = web_page
    page.goto("/people")
    page.get_by_label("Name or nickname").fill("Browser Tester")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url("**/people/*")
    assert page.get_by_role("heading", name="Progress of Browser Tester").is_visible()
    for i, colour in enumerate([(205, 150, 135), (200, 160, 150)]):
        photo = tmp_path / f"p{i}.png"
        photo.write_bytes(_png(colour))
        page.get_by_label("Photo", exact=True).set_input_files(str(photo))
        page.get_by_label("Date taken").fill(f"2026-0{i + 1}-15")
        page.get_by_role("button", name="Upload").click()
        page.wait_for_load_state()
    assert page.locator("[data-compare] img").count() == 2
    page.get_by_label("How often").fill("daily")
    page.get_by_role("button", name="Add step").click()
    page.wait_for_load_state()
    page.get_by_role("button", name="Done").first.click()  # htmx swaps the routine section in place
    wait_until(lambda: page.locator("#routine td").nth(3).inner_text() == "1")
    assert page.get_by_role("status").filter(has_text="Checked in: taken").is_visible()
    page.locator("#ses-treatment").select_option("subcision")
    page.locator("#ses-date").fill("2026-02-01")
    page.locator("#ses-outcome").select_option("4")
    page.get_by_role("button", name="Log session").click()
    page.wait_for_load_state()
    assert "Subcision" in page.locator("#sessions table").inner_text()  # the treatment's name
    slider = page.locator("#compare-range")
    slider.fill("20")
    split = page.locator("[data-compare]").evaluate("e => e.style.getPropertyValue('--split')")
    assert split == "20%"
    shot(page, "dashboard")


def _choose(page, legend: str, option: str) -> None:
    page.locator("fieldset", has=page.locator("legend", has_text=legend)).get_by_label(
        option, exact=True
    ).check()


def test_wizard_to_scores_to_plan(web_page) -> None:
    page = web_page
    page.goto("/assess")
    page.get_by_label("How old are you?").fill("27")
    _choose(page, "Sex", "female")
    _choose(page, "Where are your scars?", "face")
    shot(page, "wizard-1-about")
    page.get_by_role("button", name="Next").click()
    for legend, option in [
        ("eyes", "dark brown"),
        ("hair colour", "black"),
        ("skin colour", "olive or light brown"),
        ("freckles", "none"),
        ("stay in the sun", "burns rarely, if at all"),
        ("Does your skin tan", "often"),
        ("How deeply", "moderately"),
        ("face to the sun", "normal"),
    ]:
        _choose(page, legend, option)
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Narrow, deep pits").fill("12")
    page.get_by_label("Round or oval dents").fill("7")
    page.get_by_label("Broad, wavy dips").fill("8")
    page.get_by_role("button", name="Next").click()
    page.get_by_text("opened a follow-up question").wait_for()  # the same step, shown again
    page.get_by_label("Of those steep-edged dents").fill("2")
    shot(page, "wizard-3-scars")
    page.get_by_role("button", name="Next").click()
    _choose(page, "FLAT red or pink", "No")
    _choose(page, "FLAT brown", "Yes")
    _choose(page, "lighter than the skin", "No")
    page.get_by_role("button", name="Next").click()
    _choose(page, "arm's length", "Yes")
    _choose(page, "Stretch test", "No")
    page.get_by_role("button", name="Next").click()
    _choose(page, "Can make-up", "No")
    shot(page, "wizard-5-visibility")
    page.get_by_role("button", name="Next").click()
    _choose(page, "acne right now", "a few spots now and then")
    _choose(page, "isotretinoin", "never")
    for legend in ["pregnant", "keloids", "cold sores", "blood thinner"]:
        _choose(page, legend, "No")
    page.get_by_role("button", name="Next").click()
    _choose(page, "very worried", "No")
    page.get_by_role("button", name="Next").click()
    page.get_by_label("Total budget").fill("4000")
    page.get_by_label("Longest recovery time").fill("7")
    page.get_by_role("button", name="See my scores").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your scores").is_visible()
    cards = page.locator(".score-card")
    assert cards.count() == 3
    # Fitzpatrick answers sum 3+4+3+4+3+3+2+2 = 24 -> type IV; ECCA: icepick 15x2 + boxcar 20x2 + rolling 25x2 = 120
    assert "Type IV" in cards.nth(0).inner_text()
    assert "120" in page.locator(".score-card", has_text="ECCA").inner_text()
    shot(page, "wizard-scores")
    page.get_by_role("link", name="Make my plan").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Your treatment plan").is_visible()
    assert page.locator(".timeline > li").count() >= 2
    assert page.get_by_role("heading", name="Please read").is_visible()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download PDF").click()
    pdf = download.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    shot(page, "plan")
    page.emulate_media(media="print")
    shot(page, "plan-print")


def test_photo_analysis_pages(web_page, tmp_path: Path) -> None:
    import json

    from scarwise.testing.scar_scenes import render_scar_scene, scene_files
    from scarwise.testing.skin_patches import render_skin_patch

    page = web_page
    patch = render_skin_patch(7, size=(480, 360), ita=25.0)
    photo = tmp_path / "skin.png"
    Image.fromarray(patch.pixels).save(photo)
    page.goto("/analyze")
    shot(page, "analyze-form")
    page.get_by_label("Photo (JPEG, PNG, HEIC, TIFF or WebP)").set_input_files(str(photo))
    page.get_by_label("What to analyse").select_option("full")
    page.get_by_role("button", name="Analyse colour").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Colour analysis").is_visible()
    overlay = page.get_by_alt_text("The photo with the marks found outlined and numbered")
    assert overlay.evaluate("img => img.naturalWidth") == 480
    shot(page, "analyze-colour")

    scene = render_scar_scene(
        5, size_px=(256, 256), pixel_mm=0.1, n_lights=4, counts={"boxcar": 1, "rolling": 1}
    )
    paths = []
    for name, data in scene_files(scene, "png16"):
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    page.goto("/analyze")
    page.get_by_label("Photos (3 or more").set_input_files(paths)
    page.get_by_label("Light directions (JSON)").fill(json.dumps(scene.lights_document()))
    page.get_by_label("Size of one pixel on the skin, mm", exact=True).fill("0.1")
    page.get_by_role("button", name="Measure scars").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Scar measurements").is_visible()
    assert page.locator("#scars-h + .table-wrap tbody tr").count() >= 1
    shot(page, "analyze-depth")


AXE = Path(__file__).parent / "vendor" / "axe.min.js"


def test_pages_pass_an_axe_accessibility_audit(chromium_browser, live_server: str) -> None:
    """axe-core's WCAG 2 A/AA rules (labels, contrast, landmarks, ...) on each kind of page.

    The audit script is injected, so this context bypasses the CSP (tested elsewhere).
    """
    context = chromium_browser.new_context(base_url=live_server, viewport=PHONE, bypass_csp=True)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    try:
        for path in ["/", "/assess", "/learn?q=subcision", "/analyze", "/people", "/plan"]:
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
