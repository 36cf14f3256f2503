from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parent / "data" / "camtrap-dp-example"


@pytest.fixture
def example_species(db):
    """The example package's taxa in the shared list, as an admin would add them (an import never
    adds species)."""
    import json

    from core.tests.factories import SpeciesFactory

    taxa = json.loads((EXAMPLE / "datapackage.json").read_text())["taxonomic"]
    return [
        SpeciesFactory(
            scientific_name=taxon["scientificName"],
            taxon_rank=taxon["taxonRank"],
            common_name_en=taxon["vernacularNames"]["eng"],
            common_name_zh_hans="",
            common_name_ru="",
            sensitivity_category=0,
            is_target=False,
        )
        for taxon in taxa
    ]


@pytest.fixture
def example_dir(example_species):
    return EXAMPLE


@pytest.fixture
def leopard(db):
    from core.tests.factories import SpeciesFactory

    return SpeciesFactory()


@pytest.fixture
def tiger(db):
    from core.tests.factories import SpeciesFactory

    return SpeciesFactory(
        scientific_name="Panthera tigris altaica",
        common_name_en="Amur tiger",
        common_name_zh_hans="东北虎",
        common_name_ru="Амурский тигр",
    )


@pytest.fixture
def boar(db):
    from core.tests.factories import SpeciesFactory

    return SpeciesFactory(
        scientific_name="Sus scrofa",
        common_name_en="Wild boar",
        common_name_zh_hans="野猪",
        common_name_ru="Кабан",
        sensitivity_category=0,
        is_target=False,
    )


# The official example and the other real 1.0.x packages lie in Belgium, outside the portal's
# region (PORTAL_REGION_BBOX, kept on in tests): the tests that import them for other reasons
# confirm the points, as a user would; test_import_safety tests the refusal itself.
CONFIRM = {"confirm_outside_region": True}


def import_example(path, agency, **kwargs):
    """import_package with the points outside the region confirmed."""
    from monitoring.camtrap.importer import import_package

    kwargs.setdefault("confirm_outside_region", True)
    return import_package(path, agency, **kwargs)
