"""A fresh installation has the reference data it needs, without the demo."""

import pytest

from antipoaching.models import IncidentType
from core.models import Species


@pytest.mark.django_db
def test_migrations_install_the_species_with_their_sensitivity():
    tiger = Species.objects.get(scientific_name="Panthera tigris altaica")
    leopard = Species.objects.get(scientific_name="Panthera pardus orientalis")
    assert (tiger.sensitivity_category, leopard.sensitivity_category) == (2, 2)
    assert tiger.is_target and leopard.is_target
    assert (leopard.common_name_zh_hans, leopard.common_name_ru) == ("东北豹", "Дальневосточный леопард")


@pytest.mark.django_db
def test_migrations_install_the_incident_vocabulary_linked_to_species():
    codes = set(IncidentType.objects.values_list("code", flat=True))
    assert {"snare", "trap", "poaching_camp", "carcass", "tiger_sign", "leopard_sign"} <= codes
    assert IncidentType.objects.get(code="leopard_sign").species.scientific_name == "Panthera pardus orientalis"
    assert IncidentType.objects.get(code="snare").removable
