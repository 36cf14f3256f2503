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
        assert any("deliberate" in p for p in watch.problems)
        # The portal's policy (connect-src 'self') refuses the call before it leaves the browser,
        # and Chromium says so on the console.
        assert any("198.51.100.7" in p for p in watch.problems), watch.problems
        # A page outside the portal's policy does make the request, and the watch records it.
        page.set_content('<img src="http://198.51.100.7/y.png" alt="">')
        page.wait_for_timeout(300)
        assert "http://198.51.100.7/y.png" in watch.foreign_requests()
    finally:
        context.close()


# --- Content-Security-Policy: no page breaks under the enforced policy -------------------------

CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', e => {
  window.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def csp_violations(page):
    return page.evaluate("window.__cspViolations || []")


@pytest.fixture
def full_demo():
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0, stdout=open(os.devnull, "w"))


def test_no_csp_violation_on_the_main_pages(chromium, live_server, full_demo):
    from django.contrib.auth import get_user_model

    from reserves.models import ProtectedArea

    get_user_model().objects.create_superuser("csp_admin", "csp@example.org", "csp-admin-pw-2026")
    netloc = urlsplit(live_server.url).netloc
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    page.set_default_timeout(15000)
    watch = PageWatch(page, netloc)
    violations = {}
    area = ProtectedArea.objects.exclude(boundary=None).filter(owner_agency__code="NECTLNP").first()
    try:
        page.goto(f"{live_server.url}/en/accounts/login/")
        page.fill("#id_username", "csp_admin")
        page.fill("#id_password", "csp-admin-pw-2026")
        page.click("#login-form button[type=submit]")
        page.wait_for_url(f"{live_server.url}/en/")
        paths = [
            "/en/",
            "/en/reserves/",
            f"/en/reserves/{area.pk}/",
            "/en/reserves/new/",
            f"/en/reserves/{area.pk}/edit/",
            "/en/antipoaching/plans/",
            "/en/antipoaching/plans/new/",
            "/en/antipoaching/patrols/",
            "/en/antipoaching/incidents/",
            "/en/antipoaching/map/",
            "/en/antipoaching/kpis/",
            "/en/monitoring/surveys/",
            "/en/monitoring/deployments/map/",
            "/en/monitoring/individuals/",
            "/en/policy/",
            "/en/policy/compliance/",
            "/en/exchange-visits/",
            "/en/admin/",
            "/en/admin/reserves/protectedarea/add/",
            "/api/v1/docs/",
        ]
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            watch.fail_fast()
            found = csp_violations(page)
            if found:
                violations[path] = found
            if path.endswith("/edit/"):
                # The map picker draws the stored boundary and folds the GeoJSON textarea away.
                page.wait_for_function(
                    "() => document.querySelectorAll('.portal-map-picker path.leaflet-interactive').length >= 1"
                )
                assert page.locator(".leaflet-draw-toolbar").count() >= 1
                assert not page.locator("textarea[name=boundary]").is_visible()
            if path == "/api/v1/docs/":
                page.wait_for_selector("#swagger-ui .information-container", timeout=20000)
        assert violations == {}
        assert watch.foreign_requests() == []
        assert [p for p in watch.problems if "favicon" not in p] == []
    finally:
        context.close()


def test_csp_violation_check_can_fail(chromium, live_server):
    context = chromium.new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/en/accounts/login/")
        page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
        page.wait_for_timeout(300)
        assert csp_violations(page), "an inline style attribute must be reported under the enforced policy"
    finally:
        context.close()
