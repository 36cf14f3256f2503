import pytest

from core.access import Principal
from core.models import DataSharingGrant, Role
from core.tests.factories import make_member
from reserves.models import ProtectedArea


@pytest.mark.django_db
def test_coordinator_grants_and_revokes_and_access_follows(api_client, cn_agency, ru_agency):
    hidden = ProtectedArea.objects.create(
        owner_agency=cn_agency, name_en="Owner only", country="CN", sensitivity="owner"
    )
    ru_member = make_member(ru_agency)
    assert not ProtectedArea.objects.visible_to(Principal.for_user(ru_member)).filter(pk=hidden.pk).exists()

    api_client.force_authenticate(make_member(cn_agency, Role.AGENCY_COORDINATOR, username="cn_coord"))
    response = api_client.post(
        "/api/v1/grants/",
        {"grantee": "RUPARK", "scope": "view", "dataset_type": "reserves.protectedarea"},
        format="json",
    )
    assert response.status_code == 201, response.data
    assert response.data["grantor"] == "CNPARK" and response.data["is_active"]
    assert ProtectedArea.objects.visible_to(Principal.for_user(ru_member)).filter(pk=hidden.pk).exists()

    revoked = api_client.post(f"/api/v1/grants/{response.data['id']}/revoke/")
    assert revoked.status_code == 200 and not revoked.data["is_active"]
    assert not ProtectedArea.objects.visible_to(Principal.for_user(ru_member)).filter(pk=hidden.pk).exists()


@pytest.mark.django_db
def test_staff_cannot_grant_and_bad_grants_are_refused(api_client, cn_agency, ru_agency):
    api_client.force_authenticate(make_member(cn_agency, Role.AGENCY_STAFF))
    assert api_client.post("/api/v1/grants/", {"grantee": "RUPARK", "scope": "view"}, format="json").status_code == 403
    api_client.force_authenticate(make_member(cn_agency, Role.AGENCY_COORDINATOR, username="c2"))
    bad = api_client.post(
        "/api/v1/grants/",
        {
            "grantee": "CNPARK",
            "scope": "view",
            "dataset_type": "x.y",
            "valid_from": "2026-05-01",
            "valid_until": "2026-04-01",
        },
        format="json",
    )
    assert bad.status_code == 400 and "dataset_type" in bad.data
    assert DataSharingGrant.objects.count() == 0


@pytest.mark.django_db
def test_grants_are_listed_only_to_the_two_agencies(api_client, cn_agency, ru_agency, ngo_agency):
    DataSharingGrant.objects.create(grantor=cn_agency, grantee=ru_agency, scope="precise_locations")
    api_client.force_authenticate(make_member(ngo_agency))
    assert api_client.get("/api/v1/grants/").data["results"] == []
    api_client.force_authenticate(make_member(ru_agency))
    assert len(api_client.get("/api/v1/grants/").data["results"]) == 1


@pytest.mark.django_db
def test_grant_page_gives_validates_and_revokes(client, cn_agency, ru_agency):
    client.force_login(make_member(cn_agency, Role.AGENCY_COORDINATOR, username="page_coord"))
    bad = client.post(
        "/en/grants/",
        {"grantee": ru_agency.pk, "scope": "view", "valid_from": "2026-05-01", "valid_until": "2026-04-01"},
    )
    assert bad.status_code == 200 and "The end date is before the start date." in bad.content.decode()
    assert DataSharingGrant.objects.count() == 0
    good = client.post(
        "/en/grants/",
        {
            "grantee": ru_agency.pk,
            "scope": "precise_locations",
            "dataset_type": "reserves.protectedarea",
            "valid_from": "2026-01-01",
        },
    )
    assert good.status_code == 302
    grant = DataSharingGrant.objects.get()
    assert grant.grantor == cn_agency and grant.grantee == ru_agency
    client.post("/en/grants/", {"revoke": grant.pk})
    grant.refresh_from_db()
    assert grant.revoked_at is not None


@pytest.mark.django_db
def test_grant_page_is_read_only_for_staff(client, cn_agency, ru_agency):
    client.force_login(make_member(cn_agency, Role.AGENCY_STAFF))
    page = client.get("/en/grants/")
    assert page.status_code == 200 and page.context["form"] is None
    assert (
        client.post("/en/grants/", {"grantee": ru_agency.pk, "scope": "view", "valid_from": "2026-01-01"}).status_code
        == 403
    )
