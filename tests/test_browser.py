"""Staff pages in real headless Chromium (Debian's chromium driven by playwright).

A user of an agency logs in, switches to each language with the header switcher, opens the dashboard,
the reserve list and a reserve's page. No request may leave the portal's own host, the console
must stay free of errors, the maps must draw the reserves, and the pages must speak the language.

Set BROWSER_SCREENSHOT_DIR to keep a screenshot of each page (for a human look; never committed).
"""

import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
DEMO_USER, DEMO_PASSWORD = "nectlnp_ranger", "tiger-leopard-2026"
CJK = re.compile(r"[\u4e00-\u9fff]")
CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# What each language must show: the heading script, and one reserve's name as stored in that language.
LANGUAGES = {
    "zh-hans": {"switch": "中文", "script": CJK, "area": "“豹之乡”国家公园"},
    "en": {"switch": "English", "script": re.compile(r"^[\x00-\x7f]+$"), "area": "Land of the Leopard National Park"},
    "ru": {"switch": "Русский", "script": CYRILLIC, "area": "Национальный парк «Земля леопарда»"},
}


@pytest.fixture(scope="module")
def chromium():
    # playwright's sync API runs an event loop in this thread; Django's ORM calls from the test
    # thread are still synchronous and safe.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def demo_data():
    from core import demo as core_demo
    from core.audit import acting_as
    from reserves import demo as reserves_demo

    with acting_as(None):
        core_demo.seed()
        reserves_demo.seed()


class PageWatch:
    """Records every request, failed response, console error and uncaught page error."""

    def __init__(self, page, allowed_netloc):
        self.allowed_netloc = allowed_netloc
        self.requests, self.problems = [], []
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"console: {m.text} @ {m.location}"))
        page.on("pageerror", lambda e: self.problems.append(f"pageerror: {e}"))
        page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url} {r.failure}"))
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"HTTP {r.status}: {r.url}"))

    def fail_fast(self):
        """A server error makes the rest of the walk meaningless: stop with what the page got."""
        errors = [p for p in self.problems if p.startswith("HTTP 5")]
        assert errors == [], errors

    def foreign_requests(self):
        foreign = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in ("data", "blob", "about"):
                continue
            if parts.netloc != self.allowed_netloc:
                foreign.append(url)
        return foreign


def screenshot(page, name):
    directory = os.environ.get("BROWSER_SCREENSHOT_DIR")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def overflow(page):
    """How many CSS pixels the page is wider than the window (0 when nothing sticks out)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def wait_for_map(page, map_id, min_shapes):
    """The map's reserve outlines (interactive vector paths) and the offline base layer are drawn."""
    page.wait_for_function(
        "([id, n]) => document.querySelectorAll(`#${id} path.leaflet-interactive`).length >= n",
        arg=[map_id, min_shapes],
        timeout=15000,
    )
    # The base map (country outlines) is fetched from the portal and drawn as non-interactive paths.
    page.wait_for_function(
        "id => document.querySelectorAll(`#${id} path:not(.leaflet-interactive)`).length > 0",
        arg=map_id,
        timeout=15000,
    )
    page.wait_for_load_state("networkidle")


def test_staff_pages_in_every_language(chromium, live_server, demo_data):
    from reserves.models import ProtectedArea

    area_count = ProtectedArea.objects.count()
    assert area_count >= 5
    netloc = urlsplit(live_server.url).netloc
    assert netloc.startswith("127.0.0.1:")

    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15000)
    watch = PageWatch(page, netloc)
    untranslated = []  # interface strings (from the catalogues), reported together at the end
    too_wide = []  # pages wider than a 1280-pixel desktop window (e.g. a header that overflows)
    try:
        page.goto(f"{live_server.url}/en/accounts/login/")
        page.fill("#id_username", DEMO_USER)
        page.fill("#id_password", DEMO_PASSWORD)
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/en/")
        watch.fail_fast()
        assert DEMO_USER in page.inner_text("nav")

        for code, expect in LANGUAGES.items():
            # Switch with the header switcher, from the dashboard.
            page.goto(f"{live_server.url}/en/")
            watch.fail_fast()
            switch = page.locator(f".language-switcher [lang='{code}']")
            assert switch.inner_text().strip() == expect["switch"]
            if code != "en":
                switch.click()
                page.wait_for_url(f"{live_server.url}/{code}/")
                watch.fail_fast()
            assert page.get_attribute("html", "lang") == code
            assert page.locator(f".language-switcher [lang='{code}'][aria-current='true']").count() == 1

            # Dashboard: the heading is in the language, the map draws every reserve.
            heading = page.inner_text("main h1").strip()
            if not expect["script"].search(heading):
                untranslated.append(f"{code} dashboard heading: {heading!r}")
            wait_for_map(page, "dashboard-map", area_count)
            screenshot(page, f"dashboard-{code}")
            if overflow(page) > 0:
                too_wide.append(f"{code} dashboard: {overflow(page)}px")

            # Reserve list: names in the language, the map draws every reserve.
            page.click(f"a[href='/{code}/reserves/']")
            page.wait_for_url(f"{live_server.url}/{code}/reserves/")
            watch.fail_fast()
            assert expect["area"] in page.inner_text("#area-table")
            heading = page.inner_text("main h1").strip()
            if not expect["script"].search(heading):
                untranslated.append(f"{code} reserve list heading: {heading!r}")
            wait_for_map(page, "areas-map", area_count)
            screenshot(page, f"areas-{code}")
            if overflow(page) > 0:
                too_wide.append(f"{code} reserve list: {overflow(page)}px")

            # Reserve page: title in the language, its outline on the map.
            page.click(f"#area-table a:text-is('{expect['area']}')")
            page.wait_for_url(re.compile(rf"/{code}/reserves/[0-9a-f-]{{36}}/$"))
            watch.fail_fast()
            assert page.inner_text("main h1").strip() == expect["area"]
            assert page.inner_text("#area-km2").strip() not in ("", "—")
            wait_for_map(page, "area-map", 1)
            screenshot(page, f"area-{code}")
            if overflow(page) > 0:
                too_wide.append(f"{code} reserve page: {overflow(page)}px")

        assert watch.requests, "no request was recorded"
        assert any("/static/leaflet/leaflet.js" in url for url in watch.requests)
        assert any(url.endswith("/static/core/geo/basemap.geojson") for url in watch.requests)
        assert watch.foreign_requests() == []
        assert watch.problems == []
        assert untranslated == []
        assert too_wide == []
    finally:
        context.close()


def test_watch_catches_a_foreign_request_and_a_console_error(chromium, live_server):
    """The checks above can fail: a page that calls another host and logs an error is caught."""
    context = chromium.new_context()
    page = context.new_page()
    watch = PageWatch(page, urlsplit(live_server.url).netloc)
    try:
        page.goto(f"{live_server.url}/en/accounts/login/")
        page.evaluate("console.error('deliberate'); fetch('http://198.51.100.7/x').catch(() => {})")
        page.wait_for_timeout(300)
        assert "http://198.51.100.7/x" in watch.foreign_requests()
        assert any("deliberate" in p for p in watch.problems)
    finally:
        context.close()
