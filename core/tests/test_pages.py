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
