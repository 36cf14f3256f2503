"""The generic record page set (core.pages), proven on a test-only declaration over ExchangeVisit.

This module is also the test urlconf: the portal's urls plus the declared pages under /<lang>/pagetest/.
"""

import datetime

import pytest
from django.conf.urls.i18n import i18n_patterns
from django.urls import include, path
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from core.api.training import ExchangeVisitFilterSet
from core.models import ExchangeVisit, ExchangeVisitMember
from core.pages import ChildSection, Column, RecordPages
from core.tests.factories import make_member
from reserves.models import ProtectedArea
from tumen_portal.urls import urlpatterns as portal_urlpatterns


class VisitPages(RecordPages):
    model = ExchangeVisit
    prefix = "visit"
    filterset_class = ExchangeVisitFilterSet
    columns = [Column("title", link=True), "topic", "host_agency", "start_date"]
    fields = ["owner_agency", "sensitivity", "shared_with", "title", "topic", "delegation_agency", "host_agency"]
    fields += ["start_date", "end_date", "purpose"]
    detail_fields = ["topic", "delegation_agency", "host_agency", "start_date", "end_date", "purpose"]
    children = [ChildSection("members", ["name", "agency", "is_leader"], title=_("Members of the delegation"))]
    actions = ("list", "detail", "create", "edit", "delete")
    select_related_fields = ("owner_agency", "host_agency")


class AreaPages(RecordPages):
    model = ProtectedArea
    prefix = "area"
    columns = ["name", "wdpa_id"]
    actions = ("list", "detail")
    reference_field = "wdpa_id"


urlpatterns = [
    *i18n_patterns(path("pagetest/", include(([*VisitPages().urls, *AreaPages().urls], "pagetest")))),
    *portal_urlpatterns,
]
pytestmark = [pytest.mark.urls(__name__), pytest.mark.django_db]


def _visit(owner, host, title="Study tour", **extra):
    values = dict(
        owner_agency=owner,
        title_en=title,
        topic="monitoring",
        delegation_agency=owner,
        host_agency=host,
        start_date=datetime.date(2026, 6, 10),
        end_date=datetime.date(2026, 6, 12),
        purpose_en="Learn camera trapping",
    )
    values.update(extra)
    return ExchangeVisit.objects.create(**values)


def _form(owner, host, **extra):
    data = {
        "owner_agency": owner.pk,
        "sensitivity": "partners",
        "title_en": "Visit to Hunchun",
        "topic": "monitoring",
        "delegation_agency": owner.pk,
        "host_agency": host.pk,
        "start_date": "2026-06-10",
        "end_date": "2026-06-12",
        "purpose_en": "Exchange",
    }
    data.update(extra)
    return data


def test_urls_and_names():
    names = [p.name for p in VisitPages().urls]
    assert names == ["visit-list", "visit-create", "visit-detail", "visit-edit", "visit-delete"]
    assert [p.name for p in VisitPages(actions=("list", "detail")).urls] == ["visit-list", "visit-detail"]
    with pytest.raises(TypeError):
        VisitPages(no_such_option=1)


def test_list_shows_only_visible_records_with_columns_links_and_filter(client, ru_staff, ru_agency, cn_agency):
    mine = _visit(ru_agency, cn_agency)
    _visit(cn_agency, ru_agency, title="Secret visit", sensitivity="owner")
    client.force_login(ru_staff)
    html = client.get("/en/pagetest/visits/").content.decode()
    assert f'href="/en/pagetest/visits/{mine.pk}/"' in html and "Study tour" in html
    assert "Secret visit" not in html
    # Translated headers from verbose_name, choice labels, related names.
    assert ">Title<" in html and "Host agency" in html and "China park" in html
    assert 'href="/en/pagetest/visits/new/"' in html and "New exchange visit" in html
    assert 'name="q"' in html  # the app's FilterSet
    html = client.get("/en/pagetest/visits/", {"q": "nothing like it"}).content.decode()
    assert "Study tour" not in html and "No exchange visits match." in html
    with translation.override("ru"):
        header = str(ExchangeVisit._meta.get_field("title").verbose_name).capitalize()
    assert header in client.get("/ru/pagetest/visits/").content.decode()


def test_list_sorts_by_allowed_columns_only(client, ru_staff, ru_agency, cn_agency):
    _visit(
        ru_agency, cn_agency, title="Alpha", start_date=datetime.date(2026, 1, 1), end_date=datetime.date(2026, 1, 2)
    )
    _visit(ru_agency, cn_agency, title="Beta", start_date=datetime.date(2026, 3, 1), end_date=datetime.date(2026, 3, 2))
    client.force_login(ru_staff)
    html = client.get("/en/pagetest/visits/", {"ordering": "start_date"}).content.decode()
    assert html.index("Alpha") < html.index("Beta")
    assert 'aria-sort="ascending"' in html and "ordering=-start_date" in html
    html = client.get("/en/pagetest/visits/", {"ordering": "-start_date"}).content.decode()
    assert html.index("Beta") < html.index("Alpha")
    # A key that is not a declared column is ignored (no error, default order).
    assert client.get("/en/pagetest/visits/", {"ordering": "owner_agency__users"}).status_code == 200


def test_detail_shows_fields_child_rows_and_audits_reads(client, ru_staff, ru_agency, cn_agency):
    from core.models import ObjectChange

    visit = _visit(ru_agency, cn_agency, sensitivity="owner")
    ExchangeVisitMember.objects.create(visit=visit, name="Ivan Petrov", agency=ru_agency, is_leader=True)
    client.force_login(ru_staff)
    html = client.get(f"/en/pagetest/visits/{visit.pk}/").content.decode()
    assert "Learn camera trapping" in html and "China park" in html
    assert "Members of the delegation" in html and "Ivan Petrov" in html and ">Yes<" in html
    assert f'href="/en/pagetest/visits/{visit.pk}/edit/"' in html
    assert f'href="/en/pagetest/visits/{visit.pk}/delete/"' in html
    assert ObjectChange.objects.filter(object_id=str(visit.pk), action="read").exists()


def test_detail_of_invisible_record_is_404(client, ru_staff, ru_agency, cn_agency):
    secret = _visit(cn_agency, ru_agency, sensitivity="owner")
    client.force_login(ru_staff)
    response = client.get(f"/en/pagetest/visits/{secret.pk}/")
    assert response.status_code == 404
    assert "does not exist, or your account may not see it" in response.content.decode()


@pytest.mark.parametrize("language", ["en", "ru", "zh-hans"])
def test_create_title_says_what_is_created(client, ru_staff, language):
    client.force_login(ru_staff)
    with translation.override(language):
        expected = VisitPages().create_title()
        model_name = str(ExchangeVisit._meta.verbose_name)
    html = client.get(f"/{language}/pagetest/visits/new/").content.decode()
    assert f'<h1 class="h3">{expected}</h1>' in html
    assert model_name.lower() in expected.lower() and "New record" not in html
    # Date fields get the browser's date picker.
    assert 'type="date" name="start_date"' in html


def test_create_edit_and_delete_round_trip(client, ru_staff, ru_agency, cn_agency):
    client.force_login(ru_staff)
    response = client.post("/en/pagetest/visits/new/", _form(ru_agency, cn_agency))
    visit = ExchangeVisit.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/en/pagetest/visits/{visit.pk}/"
    assert visit.created_by == ru_staff
    html = client.get(f"/en/pagetest/visits/{visit.pk}/edit/").content.decode()
    assert "Edit exchange visit Visit to Hunchun (2026-06-10)" in html
    assert 'value="2026-06-10"' in html
    response = client.post(f"/en/pagetest/visits/{visit.pk}/edit/", _form(ru_agency, cn_agency, title_en="Renamed"))
    assert response.status_code == 302
    visit.refresh_from_db()
    assert visit.title_en == "Renamed"
    assert "Delete exchange visit" in client.get(f"/en/pagetest/visits/{visit.pk}/delete/").content.decode()
    response = client.post(f"/en/pagetest/visits/{visit.pk}/delete/")
    assert response.status_code == 302 and response["Location"] == "/en/pagetest/visits/"
    assert not ExchangeVisit.objects.exists()


def test_model_validation_is_a_form_error_and_nothing_is_saved(client, ru_staff, ru_agency, cn_agency):
    client.force_login(ru_staff)
    response = client.post("/en/pagetest/visits/new/", _form(ru_agency, cn_agency, end_date="2026-06-01"))
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert not ExchangeVisit.objects.exists()


def test_other_agency_cannot_edit_or_delete(client, cn_staff, ru_agency, cn_agency):
    visit = _visit(ru_agency, cn_agency)
    client.force_login(cn_staff)
    html = client.get(f"/en/pagetest/visits/{visit.pk}/").content.decode()
    assert "/edit/" not in html and "/delete/" not in html
    response = client.post(f"/en/pagetest/visits/{visit.pk}/edit/", _form(ru_agency, cn_agency, title_en="Hijacked"))
    assert response.status_code == 403
    assert "Only the owning agency may change this record." in response.content.decode()
    assert client.post(f"/en/pagetest/visits/{visit.pk}/delete/").status_code == 403
    visit.refresh_from_db()
    assert visit.title_en == "Study tour"


def test_read_only_account_sees_no_new_button_and_is_refused(client, ru_agency, cn_agency):
    observer = make_member(ru_agency, "observer")
    visit = _visit(ru_agency, cn_agency)
    client.force_login(observer)
    html = client.get("/en/pagetest/visits/").content.decode()
    assert "Study tour" in html and "/pagetest/visits/new/" not in html
    assert "/edit/" not in client.get(f"/en/pagetest/visits/{visit.pk}/").content.decode()
    response = client.get("/en/pagetest/visits/new/")
    assert response.status_code == 403 and "read-only" in response.content.decode()
    assert client.post("/en/pagetest/visits/new/", _form(ru_agency, cn_agency)).status_code == 403
    assert client.post(f"/en/pagetest/visits/{visit.pk}/delete/").status_code == 403
    assert ExchangeVisit.objects.count() == 1


def test_pages_require_login(client, ru_agency, cn_agency):
    response = client.get("/en/pagetest/visits/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_reference_lookup_lists_only_visible_records(client, ru_staff, ru_agency, cn_agency):
    ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Hunchun", country="CN", wdpa_id=770001)
    ProtectedArea.objects.create(
        owner_agency=cn_agency, name_en="Hidden", country="CN", wdpa_id=770002, sensitivity="owner"
    )
    assert client.get("/en/pagetest/areas/lookup/", {"q": "7700"}).status_code == 403
    client.force_login(ru_staff)
    response = client.get("/en/pagetest/areas/lookup/", {"q": "7700"})
    assert response.status_code == 200
    assert response.json() == {"results": [{"value": 770001, "label": "Hunchun"}]}
    assert client.get("/en/pagetest/areas/lookup/", {"q": "nothing"}).json() == {"results": []}
