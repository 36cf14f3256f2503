"""Dashboard, navigation, language prefixes and switcher, search, admin tabs — all served locally."""

import re

import pytest

from core.tests.factories import UserFactory
from reserves.models import ProtectedArea

EXTERNAL = re.compile(r"""(?:src|href)=["'](?:https?:)?//(?!127\.0\.0\.1|localhost|testserver)""")


@pytest.mark.django_db
def test_pages_redirect_to_login_with_language_prefix(client):
    assert client.get("/").status_code == 302
    response = client.get("/ru/")
    assert response.status_code == 302 and response["Location"].startswith("/ru/accounts/login/")


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en", "ru"])
def test_dashboard_in_each_language_with_figures_and_switcher(client, cn_staff, language):
    from django.utils import translation

    with translation.override(language):
        word = translation.gettext("Dashboard")
        figure_label = str(translation.gettext("Protected areas"))
    if language != "en":
        assert word != "Dashboard" and figure_label != "Protected areas", "the catalogue lacks the translation"
    ProtectedArea.objects.create(owner_agency=cn_staff.membership.agency, name_en="A park", country="CN")
    client.force_login(cn_staff)
    html = client.get(f"/{language}/").content.decode()
    assert f'<html lang="{language}">' in html
    assert word in html and figure_label in html
    assert 'data-figure="reserves">1<' in html
    for code, name in (("zh-hans", "中文"), ("en", "English"), ("ru", "Русский")):
        assert name in html
        if code != language:
            assert f'href="/{code}/"' in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html)


@pytest.mark.django_db
def test_default_language_is_a_setting(client, settings):
    settings.LANGUAGE_CODE = "ru"
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="")
    assert response["Location"].startswith("/ru/")


@pytest.mark.django_db
def test_search_page_finds_records_in_any_language_and_respects_access(client, cn_agency, ru_staff):
    ProtectedArea.objects.create(
        owner_agency=cn_agency, name_en="Wangqing", name_zh_hans="汪清", name_ru="Ванцин", country="CN"
    )
    ProtectedArea.objects.create(
        owner_agency=cn_agency, name_en="Wangqing secret", name_zh_hans="汪清秘密", country="CN", sensitivity="owner"
    )
    client.force_login(ru_staff)
    for term in ("汪清", "Ванцин", "wangqing"):
        html = client.get("/en/search/", {"q": term}).content.decode()
        assert "Wangqing" in html, term
        assert "secret" not in html


@pytest.mark.django_db
def test_admin_edits_three_languages_in_tabs_with_local_assets(client, cn_agency):
    admin = UserFactory(username="admin1", is_staff=True, is_superuser=True)
    client.force_login(admin)
    html = client.get("/en/admin/core/agency/add/").content.decode()
    for column in ("name_zh_hans", "name_en", "name_ru"):
        assert f'name="{column}"' in html
    assert "/static/core/vendor/jquery-ui/jquery-ui.min.js" in html
    assert "modeltranslation/js/tabbed_translation_fields.js" in html
    assert not EXTERNAL.search(html), EXTERNAL.search(html)
    assert client.get("/en/admin/reserves/protectedarea/add/").status_code == 200


@pytest.mark.django_db
def test_every_local_asset_the_pages_name_exists(client, cn_staff):
    from django.contrib.staticfiles import finders

    client.force_login(cn_staff)
    html = client.get("/en/").content.decode() + client.get("/en/reserves/").content.decode()
    assets = set(re.findall(r"""(?:src|href|data-basemap)=["']/static/([^"']+)""", html))
    assert {
        "bootstrap/css/bootstrap.min.css",
        "leaflet/leaflet.js",
        "core/map.js",
        "core/geo/basemap.geojson",
    } <= assets
    for asset in assets:
        assert finders.find(asset), asset


@pytest.mark.django_db
def test_agency_pages(client, cn_staff):
    client.force_login(cn_staff)
    assert "China park" in client.get("/en/agencies/").content.decode()
    assert "Китайский парк" in client.get("/ru/agencies/CNPARK/").content.decode()


# --- error pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ru", "zh-hans"])
def test_404_is_translated_and_keeps_the_header(client, cn_staff, language):
    from django.utils import translation

    with translation.override(language):
        expected = translation.gettext("This page or record does not exist, or your account may not see it.")
        menu = translation.gettext("Dashboard")
    client.force_login(cn_staff)
    response = client.get(f"/{language}/reserves/00000000-0000-0000-0000-000000000000/")
    html = response.content.decode()
    assert response.status_code == 404
    assert expected in html and menu in html and 'id="portal-nav"' in html
    assert f'<html lang="{language}">' in html and "Not Found" not in html


@pytest.mark.django_db
def test_403_says_why_in_the_users_language(client, cn_agency):
    from django.utils import translation

    from core.tests.factories import make_member

    observer = make_member(cn_agency, "observer")
    client.force_login(observer)
    response = client.get("/en/reserves/new/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Your account is read-only." in html and 'id="portal-nav"' in html and "403 Forbidden" not in html
    with translation.override("ru"):
        reason = translation.gettext("Your account is read-only.")
    assert reason in client.get("/ru/reserves/new/").content.decode()


def test_500_page_needs_no_database_and_no_user(rf):
    # No django_db mark: any query would fail this test.
    from django.utils import translation

    from core.views_errors import server_error

    with translation.override("ru"):
        response = server_error(rf.get("/ru/"))
        expected = translation.gettext("Something went wrong")
    html = response.content.decode()
    assert response.status_code == 500 and expected in html and '<html lang="ru">' in html


def test_handlers_are_installed():
    from tumen_portal import urls

    assert urls.handler403 == "core.views_errors.permission_denied"
    assert urls.handler404 == "core.views_errors.page_not_found"
    assert urls.handler500 == "core.views_errors.server_error"


@pytest.mark.django_db
def test_csrf_failure_page_explains_and_saves_nothing(settings, cn_staff):
    from django.test import Client

    settings.CSRF_FAILURE_VIEW = "core.views_errors.csrf_failure"
    client = Client(enforce_csrf_checks=True)
    client.force_login(cn_staff)
    response = client.post("/en/reserves/new/", {"name_en": "Forged", "country": "CN"})
    html = response.content.decode()
    assert response.status_code == 403 and "nothing was saved" in html and 'id="portal-nav"' in html
    assert not ProtectedArea.objects.filter(name_en="Forged").exists()


# --- menus by role -------------------------------------------------------------------------------


@pytest.fixture
def test_menu():
    from core import navigation
    from core.navigation import MenuItem, register_menu

    register_menu(
        "zz_test",
        "Test section",
        [
            ("Everyone's list", "core:agency-list"),
            MenuItem("New thing", "core:grant-list", write=True),
            MenuItem("Coordinators only", "core:search", roles=("agency_coordinator",)),
            MenuItem("Admins only", "admin:index", superuser=True),
            ("By predicate", "core:dashboard", lambda p: p.agency is not None and p.agency.code == "CNPARK"),
        ],
        order=999,
    )
    yield
    navigation._menu.pop("zz_test", None)


@pytest.mark.django_db
def test_menu_items_follow_the_role(test_menu, cn_agency, ru_agency):
    from core.access import Principal
    from core.navigation import menu_sections
    from core.tests.factories import make_member

    def labels(user):
        sections = [s for s in menu_sections(Principal.for_user(user)) if s.app_label == "zz_test"]
        return [label for label, _url in sections[0].items] if sections else []

    staff = make_member(cn_agency, "agency_staff")
    coordinator = make_member(ru_agency, "agency_coordinator")
    observer = make_member(ru_agency, "observer")
    admin = UserFactory(username="menu_admin", is_superuser=True, is_staff=True)
    assert labels(staff) == ["Everyone's list", "New thing", "By predicate"]
    assert labels(coordinator) == ["Everyone's list", "New thing", "Coordinators only"]
    assert labels(observer) == ["Everyone's list"]
    assert labels(admin) == ["Everyone's list", "New thing", "Coordinators only", "Admins only"]
    # Backward compatible: without a principal every item, each still a (label, url_name) pair.
    section = [s for s in menu_sections() if s.app_label == "zz_test"][0]
    assert len(section.items) == 5 and section.items[0] == ("Everyone's list", "core:agency-list")


@pytest.mark.django_db
def test_rendered_menu_hides_what_an_observer_may_not_do(client, test_menu, cn_agency):
    from core.tests.factories import make_member

    client.force_login(make_member(cn_agency, "observer"))
    html = client.get("/en/").content.decode()
    assert "Everyone&#x27;s list" in html and "New thing" not in html and "Admins only" not in html
