"""Factories for the shared layer; topic apps import these in their own tests."""

import factory
from django.contrib.auth import get_user_model

from core.models import Agency, AgencyAPIKey, Membership, Role, Species


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"AG{n}")
    name_en = factory.LazyAttribute(lambda o: f"Agency {o.code}")
    name_zh_hans = factory.LazyAttribute(lambda o: f"机构 {o.code}")
    name_ru = factory.LazyAttribute(lambda o: f"Ведомство {o.code}")
    country = "CN"
    kind = "national_park"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")

    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "pw-for-tests-1")
        if create:
            user.save(update_fields=["password"])


def make_member(agency, role=Role.AGENCY_STAFF, username=None, language="en"):
    """A user of `agency` with `role` (password: pw-for-tests-1)."""
    user = UserFactory(username=username or f"{agency.code.lower()}_{role}")
    Membership.objects.update_or_create(
        user=user, defaults={"agency": agency, "role": role, "preferred_language": language}
    )
    user.refresh_from_db()
    return user


def make_api_key(agency, read_only=False, **kwargs):
    key_obj, key = AgencyAPIKey.objects.create_key(name="test key", agency=agency, read_only=read_only, **kwargs)
    return key_obj, key


class SpeciesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Species
        django_get_or_create = ("scientific_name",)

    scientific_name = "Panthera pardus orientalis"
    common_name_en = "Amur leopard"
    common_name_zh_hans = "东北豹"
    common_name_ru = "Дальневосточный леопард"
    sensitivity_category = 2
    is_target = True
