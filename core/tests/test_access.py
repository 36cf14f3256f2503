"""The access policy applied in the queryset: sensitivity, listed agencies, grants, roles, keys."""

import datetime

import pytest
from django.utils import timezone

from core.access import Principal, can_edit, location_for
from core.models import DataSharingGrant, GrantScope, Role, Sensitivity
from core.tests.factories import AgencyFactory, make_api_key, make_member
from reserves.models import ProtectedArea


def _area(owner, sensitivity, shared_with=()):
    area = ProtectedArea.objects.create(
        owner_agency=owner, name_en=f"{sensitivity} area", country=owner.country, sensitivity=sensitivity
    )
    area.shared_with.set(shared_with)
    return area


@pytest.fixture
def records(cn_agency, ru_agency, ngo_agency):
    return {
        "public": _area(cn_agency, Sensitivity.PUBLIC),
        "partners": _area(cn_agency, Sensitivity.PARTNERS),
        "restricted": _area(cn_agency, Sensitivity.RESTRICTED, [ru_agency]),
        "owner": _area(cn_agency, Sensitivity.OWNER),
    }


def _visible(principal):
    return set(ProtectedArea.objects.visible_to(principal).values_list("name_en", flat=True))


@pytest.mark.django_db
@pytest.mark.sqlite
def test_visibility_matrix(records, cn_agency, ru_agency, ngo_agency):
    owner = Principal.for_user(make_member(cn_agency))
    listed = Principal.for_user(make_member(ru_agency))
    other = Principal.for_user(make_member(ngo_agency))
    assert _visible(owner) == {"public area", "partners area", "restricted area", "owner area"}
    assert _visible(listed) == {"public area", "partners area", "restricted area"}
    assert _visible(other) == {"public area", "partners area"}
    assert _visible(Principal.anonymous()) == {"public area"}


@pytest.mark.django_db
def test_superuser_sees_everything(records):
    from core.tests.factories import UserFactory

    admin = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert len(_visible(Principal.for_user(admin))) == 4


@pytest.mark.django_db
def test_api_key_principal_follows_its_agency(records, ru_agency):
    key_obj, _ = make_api_key(ru_agency)
    assert _visible(Principal.for_api_key(key_obj)) == {"public area", "partners area", "restricted area"}


@pytest.mark.django_db
def test_user_without_agency_sees_only_public(records):
    from core.tests.factories import UserFactory

    assert _visible(Principal.for_user(UserFactory(username="loner"))) == {"public area"}


@pytest.mark.django_db
def test_view_grant_opens_owner_only_records_within_its_dates(records, cn_agency, ngo_agency):
    today = timezone.localdate()
    grant = DataSharingGrant.objects.create(
        grantor=cn_agency,
        grantee=ngo_agency,
        scope=GrantScope.VIEW,
        dataset_type="reserves.protectedarea",
        valid_from=today - datetime.timedelta(days=1),
        valid_until=today + datetime.timedelta(days=1),
    )
    member = make_member(ngo_agency)
    assert "owner area" in _visible(Principal.for_user(member))
    grant.valid_until = today - datetime.timedelta(days=1)
    grant.valid_from = today - datetime.timedelta(days=5)
    grant.save()
    assert "owner area" not in _visible(Principal.for_user(member))


@pytest.mark.django_db
def test_grant_for_another_dataset_type_opens_nothing(records, cn_agency, ngo_agency):
    DataSharingGrant.objects.create(
        grantor=cn_agency, grantee=ngo_agency, scope=GrantScope.VIEW, dataset_type="core.nothing"
    )
    assert "owner area" not in _visible(Principal.for_user(make_member(ngo_agency)))


@pytest.mark.django_db
def test_revoked_grant_opens_nothing(records, cn_agency, ngo_agency):
    DataSharingGrant.objects.create(
        grantor=cn_agency, grantee=ngo_agency, scope=GrantScope.VIEW, revoked_at=timezone.now()
    )
    assert "owner area" not in _visible(Principal.for_user(make_member(ngo_agency)))


@pytest.mark.django_db
def test_edit_rights_by_role_and_owner(records, cn_agency, ru_agency):
    area = records["partners"]
    assert can_edit(Principal.for_user(make_member(cn_agency, Role.AGENCY_STAFF)), area)
    assert not can_edit(Principal.for_user(make_member(cn_agency, Role.OBSERVER, username="obs")), area)
    assert not can_edit(Principal.for_user(make_member(ru_agency, Role.AGENCY_COORDINATOR)), area)
    read_only_key, _ = make_api_key(cn_agency, read_only=True)
    assert not can_edit(Principal.for_api_key(read_only_key), area)
    assert ProtectedArea.objects.editable_by(Principal.for_user(make_member(ru_agency))).count() == 0


@pytest.mark.django_db
def test_sensitive_points_are_snapped_for_outsiders_and_hidden_from_the_public(records, cn_agency, ru_agency):
    area = records["partners"]
    inside = Principal.for_user(make_member(cn_agency))
    outside = Principal.for_user(make_member(ru_agency))
    exact = location_for(inside, area, 43.1234, 131.0567, category=2)
    assert (exact.latitude, exact.longitude, exact.generalized) == (43.1234, 131.0567, False)
    snapped = location_for(outside, area, 43.1234, 131.0567, category=2)
    assert (snapped.latitude, snapped.longitude) == (43.15, 131.05)
    assert snapped.grid_degrees == 0.1 and snapped.uncertainty_m > 7000
    assert location_for(Principal.anonymous(), area, 43.1234, 131.0567, category=2) is None
    # A precise-location grant lifts the snapping for that grantee only.
    DataSharingGrant.objects.create(grantor=cn_agency, grantee=ru_agency, scope=GrantScope.PRECISE_LOCATIONS)
    granted = Principal.for_user(make_member(ru_agency, username="ru2"))
    assert location_for(granted, area, 43.1234, 131.0567, category=2).generalized is False


@pytest.mark.django_db
def test_grant_validation_names_the_problem(cn_agency):
    from django.core.exceptions import ValidationError

    grant = DataSharingGrant(
        grantor=cn_agency,
        grantee=cn_agency,
        scope=GrantScope.VIEW,
        dataset_type="nope.nothing",
        valid_from=datetime.date(2026, 5, 1),
        valid_until=datetime.date(2026, 4, 1),
    )
    with pytest.raises(ValidationError) as caught:
        grant.full_clean()
    assert set(caught.value.message_dict) == {"grantee", "valid_until", "dataset_type"}


@pytest.mark.django_db
def test_second_agency_is_not_confused_with_first(cn_agency):
    """Listing in shared_with is per agency: another agency of the same country sees nothing more."""
    other_cn = AgencyFactory(code="CN2", country="CN")
    ru = AgencyFactory(code="RU2", country="RU")
    _area(cn_agency, Sensitivity.RESTRICTED, [ru])
    assert ProtectedArea.objects.visible_to(Principal.for_user(make_member(other_cn))).count() == 0
