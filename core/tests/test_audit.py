"""Every create, update and delete, by a user or a key, and every read of a restricted record."""

import uuid

import pytest

from core.models import ObjectChange
from core.tests.factories import UserFactory, make_api_key, make_member
from reserves.models import ProtectedArea

URL = "/api/v1/reserves/protected-areas/"


def _entries(area):
    return list(ObjectChange.objects.filter(object_id=str(area.pk)).order_by("time", "id"))


@pytest.mark.django_db
def test_user_changes_are_audited_with_before_after_and_request_id(client, cn_agency):
    user = make_member(cn_agency)
    client.force_login(user)
    request_id = str(uuid.uuid4())
    created = client.post(
        URL, {"name": {"en": "Audited"}, "country": "CN"}, content_type="application/json", HTTP_X_REQUEST_ID=request_id
    )
    assert created.status_code == 201
    assert created["X-Request-ID"] == request_id
    area = ProtectedArea.objects.get(pk=created.json()["id"])
    client.patch(f"{URL}{area.pk}/", {"name": {"en": "Audited twice"}}, content_type="application/json")
    client.delete(f"{URL}{area.pk}/")

    create, update, delete = _entries(area)
    assert (create.action, update.action, delete.action) == ("create", "update", "delete")
    assert create.user == user and create.agency == cn_agency and str(create.request_id) == request_id
    assert update.changed_fields == ["name_en"]
    assert update.before == {"name_en": "Audited"} and update.after == {"name_en": "Audited twice"}
    assert update.request_id != create.request_id
    assert delete.before["name_en"] == "Audited twice"


@pytest.mark.django_db
def test_key_changes_are_audited_with_the_key_and_its_agency(client, ru_agency):
    key, raw = make_api_key(ru_agency)
    response = client.post(
        URL,
        {"name": {"en": "By key"}, "country": "RU"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Api-Key {raw}",
    )
    assert response.status_code == 201
    entry = ObjectChange.objects.get(object_id=response.json()["id"], action="create")
    assert entry.api_key == key and entry.agency == ru_agency and entry.user is None


@pytest.mark.django_db
def test_reading_a_restricted_record_is_audited_but_a_partners_record_is_not(client, cn_agency, ru_agency):
    restricted = ProtectedArea.objects.create(
        owner_agency=cn_agency, name_en="R", country="CN", sensitivity="restricted"
    )
    restricted.shared_with.set([ru_agency])
    open_area = ProtectedArea.objects.create(owner_agency=cn_agency, name_en="P", country="CN", sensitivity="partners")
    reader = make_member(ru_agency)
    client.force_login(reader)
    assert client.get(f"{URL}{restricted.pk}/").status_code == 200
    assert client.get(f"{URL}{open_area.pk}/").status_code == 200
    # The staff page of the record is audited in the same way.
    assert client.get(f"/en/reserves/{restricted.pk}/").status_code == 200
    reads = ObjectChange.objects.filter(action="read")
    assert [(r.object_id, r.user_id) for r in reads] == [(str(restricted.pk), reader.pk)] * 2


@pytest.mark.django_db
def test_admin_reads_the_audit_log(client, cn_agency):
    ProtectedArea.objects.create(owner_agency=cn_agency, name_en="Logged", country="CN")
    admin = UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/en/admin/core/objectchange/")
    assert page.status_code == 200
    assert "Logged" in page.content.decode()
    entry = ObjectChange.objects.first()
    assert client.get(f"/en/admin/core/objectchange/{entry.pk}/change/").status_code == 200
    assert client.post(f"/en/admin/core/objectchange/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
