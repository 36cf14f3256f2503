import pytest

from core.tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db


def test_the_admin_is_for_superusers_only(client, cn_agency):
    staff = make_member(cn_agency, "agency_coordinator", username="staff_admin")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    # Even a coordinator flagged as staff is sent to the admin login, and sees no record.
    index = client.get("/en/admin/")
    assert index.status_code == 302 and "/admin/login/" in index["Location"]
    assert client.get("/en/admin/core/objectchange/").status_code == 302

    root = UserFactory(username="root_admin", is_staff=True, is_superuser=True)
    client.force_login(root)
    assert client.get("/en/admin/").status_code == 200
