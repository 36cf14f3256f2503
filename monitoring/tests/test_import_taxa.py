"""An import never changes the shared vocabulary: names are matched with care, or the package is refused.

Written against the rule, on every path a package comes in by (the importer, the page, the API,
the management command, the task), with the official Camtrap DP example and modified copies.
"""

import csv
import json
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.models import Species
from monitoring.camtrap.importer import PackageInvalid
from monitoring.models import Crosswalk, Deployment, ImportRun, Media, Observation
from monitoring.services.taxa import SpeciesMatcher, gbif_key, match_species, normalise_name
from monitoring.tests.conftest import CONFIRM, EXAMPLE, import_example

EXAMPLE_NAMES = {
    "Anas platyrhynchos",
    "Anas strepera",
    "Ardea",
    "Ardea cinerea",
    "Aves",
    "Homo sapiens",
    "Martes foina",
    "Mustela putorius",
    "Rattus norvegicus",
    "Vulpes vulpes",
}


def _taxa():
    return json.loads((EXAMPLE / "datapackage.json").read_text())["taxonomic"]


@pytest.fixture
def shared_example_species(db):
    """What an administrator adds so that the example package can come in."""
    from core.tests.factories import SpeciesFactory

    return [
        SpeciesFactory(
            scientific_name=t["scientificName"],
            taxon_rank=t["taxonRank"],
            common_name_en=t["vernacularNames"]["eng"],
            common_name_zh_hans="",
            common_name_ru="",
            sensitivity_category=0,
            is_target=False,
        )
        for t in _taxa()
    ]


def _copy(tmp_path, name="pkg"):
    target = tmp_path / name
    shutil.copytree(EXAMPLE, target)
    return target


def _rewrite_names(package, mapping):
    """Replace scientific names in observations.csv; returns the row numbers (1 = header) changed."""
    path = package / "observations.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    column = rows[0].index("scientificName")
    changed = []
    for number, row in enumerate(rows[1:], start=2):
        if row[column] in mapping:
            new = mapping[row[column]]
            row[column] = new(number) if callable(new) else new
            changed.append(number)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return changed


def _set_taxa(package, taxa):
    descriptor = json.loads((package / "datapackage.json").read_text())
    descriptor["taxonomic"] = taxa
    (package / "datapackage.json").write_text(json.dumps(descriptor))


def _nothing_written():
    return Deployment.objects.count() == Media.objects.count() == Observation.objects.count() == 0


# --- the matching itself ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "Panthera tigris altaica",
        "Panthera tigris  altaica",
        " Panthera\ttigris altaica ",
        "panthera_tigris_altaica",
        "PANTHERA TIGRIS ALTAICA",
        "Panthera\u00a0tigris\u3000altaica",
    ],
)
def test_spacing_case_and_underscores_find_the_tiger(tiger, written):
    match = match_species(written)
    assert match and match.pk == tiger.pk and match.scientific_name == "Panthera tigris altaica"


@pytest.mark.parametrize(
    "written",
    ["Panthera tigris", "Panthera tigris altaica Temminck, 1844", "Panthera tigris altaika", "Panthera", ""],
)
def test_other_spellings_are_not_guessed(tiger, written):
    assert not match_species(written)


def test_gbif_keys_are_read_from_the_forms_packages_use():
    assert gbif_key("https://www.gbif.org/species/5219416") == 5219416
    assert gbif_key("http://gbif.org/species/5219416/") == 5219416
    assert gbif_key("https://api.gbif.org/v1/species/5219416") == 5219416
    assert gbif_key("gbif:5219416") == gbif_key("5219416") == gbif_key(5219416) == 5219416
    assert gbif_key("https://www.checklistbank.org/dataset/COL2023/taxon/DGP6") is None
    assert gbif_key(None) is None and gbif_key(True) is None
    assert normalise_name("  Panthera_tigris \n altaica ") == "panthera tigris altaica"


def test_taxon_id_finds_a_species_under_another_name_and_refuses_a_disagreement(tiger, boar):
    tiger.gbif_key = 6162891
    tiger.save()
    taxa = [
        {"scientificName": "Panthera tigris ssp. altaica", "taxonID": "https://www.gbif.org/species/6162891"},
        {"scientificName": "Sus scrofa", "taxonID": "https://www.gbif.org/species/6162891"},
    ]
    matcher = SpeciesMatcher(taxa=taxa)
    assert matcher.match("Panthera tigris ssp. altaica").pk == tiger.pk
    refused = matcher.match("Sus scrofa")  # the name says boar, the key says tiger: neither is taken
    assert not refused and "6162891" in refused.problem


# --- the rule on the importer -----------------------------------------------------------------


@pytest.mark.django_db
def test_the_official_example_is_refused_whole_when_its_species_are_not_shared(cn_agency, tmp_path):
    species_before = set(Species.objects.values_list("scientific_name", flat=True))
    with pytest.raises(PackageInvalid) as caught:
        import_example(EXAMPLE, cn_agency)
    error = caught.value.errors[0]
    assert (error["resource"], error["field"]) == ("observations", "scientificName")
    assert set(error["unknown_species"]) == EXAMPLE_NAMES
    for name in EXAMPLE_NAMES:
        assert f"“{name}”" in error["message"]
    assert "administrator" in error["message"]
    assert set(Species.objects.values_list("scientific_name", flat=True)) == species_before
    assert _nothing_written() and not ImportRun.objects.exists()


@pytest.mark.django_db
def test_one_unknown_name_late_in_the_package_refuses_it_all(cn_agency, shared_example_species, tmp_path):
    package = _copy(tmp_path)
    _rewrite_names(package, {"Vulpes vulpes": "Vulpes  lagopus"})
    count = Species.objects.count()
    with pytest.raises(PackageInvalid) as caught:
        import_example(package, cn_agency, batch_size=50)  # earlier batches were written, then rolled back
    assert caught.value.errors[0]["unknown_species"] == ["Vulpes  lagopus"]
    assert Species.objects.count() == count
    assert _nothing_written()


@pytest.mark.django_db
def test_badly_spaced_tiger_names_are_the_tiger_and_add_nothing(cn_agency, shared_example_species, tiger, tmp_path):
    package = _copy(tmp_path)
    spellings = ["Panthera tigris  altaica", "panthera_tigris_altaica", "PANTHERA TIGRIS ALTAICA"]
    changed = _rewrite_names(package, {"Anas platyrhynchos": lambda n: spellings[n % 3]})
    _set_taxa(package, [*_taxa(), {"scientificName": "Panthera tigris  altaica", "taxonRank": "subspecies"}])
    count = Species.objects.count()
    import_example(package, cn_agency)
    assert Species.objects.count() == count
    tigers = Observation.objects.filter(owner_agency=cn_agency, species=tiger)
    assert tigers.count() == len(changed) == 222
    assert set(tigers.values_list("scientific_name", flat=True)) == {"Panthera tigris altaica"}


@pytest.mark.django_db
def test_a_gbif_key_in_the_package_matches_and_a_contradicting_one_refuses(
    cn_agency, shared_example_species, tiger, tmp_path
):
    tiger.gbif_key = 6162891
    tiger.save()
    package = _copy(tmp_path)
    _rewrite_names(package, {"Anas platyrhynchos": "Panthera tigris ssp. altaica"})
    gbif = {"scientificName": "Panthera tigris ssp. altaica", "taxonID": "https://www.gbif.org/species/6162891"}
    _set_taxa(package, [*_taxa(), gbif])
    import_example(package, cn_agency)
    assert Observation.objects.filter(species=tiger).count() == 222

    wrong = _copy(tmp_path, "wrong")
    # The name is a shared species (mallard), but the package's key for it is the tiger's.
    _set_taxa(wrong, [{**t, "taxonID": "https://www.gbif.org/species/6162891"} for t in _taxa()])
    with pytest.raises(PackageInvalid) as caught:
        import_example(wrong, cn_agency)
    assert "6162891" in caught.value.errors[0]["message"]


@pytest.mark.django_db
def test_the_agencys_crosswalk_maps_its_own_names(cn_agency, shared_example_species, tiger, tmp_path):
    package = _copy(tmp_path)
    _rewrite_names(package, {"Anas platyrhynchos": "Амурский  тигр"})
    Crosswalk.objects.create(
        agency=cn_agency, vocabulary="species", local_code="амурский тигр", shared_key="Panthera tigris altaica"
    )
    import_example(package, cn_agency)
    assert Observation.objects.filter(species=tiger).count() == 222


# --- the rule on every path a package comes in by ----------------------------------------------


def _zip(package, tmp_path):
    return shutil.make_archive(str(tmp_path / "upload"), "zip", package)


@pytest.mark.django_db
def test_no_path_adds_a_species(client, api_client, cn_agency, cn_staff, tiger, tmp_path):
    package = _copy(tmp_path)
    _rewrite_names(package, {"Anas platyrhynchos": "Panthera tigris  altaica (captive)"})
    # Listed in the package's taxonomic coverage too: that list once created species.
    _set_taxa(package, [*_taxa(), {"scientificName": "Panthera tigris  altaica (captive)", "taxonRank": "subspecies"}])
    archive = _zip(package, tmp_path)
    before = set(Species.objects.values_list("scientific_name", flat=True))

    def page():
        client.force_login(cn_staff)
        with open(archive, "rb") as handle:
            response = client.post(reverse("monitoring:camtrap-import"), {"file": handle, **CONFIRM})
        assert response.status_code == 200
        return response.content.decode()

    def api():
        api_client.force_authenticate(cn_staff)
        with open(archive, "rb") as handle:
            response = api_client.post(
                "/api/v1/monitoring/camtrap-dp/imports/", {"file": handle, **CONFIRM}, format="multipart"
            )
        assert response.status_code == 400, response.content
        return json.dumps(response.json(), ensure_ascii=False)

    def command():
        with pytest.raises(CommandError):
            call_command("import_camtrap_dp", str(package), agency=cn_agency.code, confirm_outside_region=True)
        return "“Panthera tigris  altaica (captive)”"

    def task():
        from monitoring.tasks import import_camtrap_dp_task

        result = import_camtrap_dp_task.apply(args=[archive, cn_agency.code]).get()
        assert result["ok"] is False
        return result["errors"][0]["message"]

    for path in (page, api, command, task):
        text = path()
        assert "Panthera tigris  altaica (captive)" in text, (path.__name__, text[text.find("import-errors") :][:1500])
        assert set(Species.objects.values_list("scientific_name", flat=True)) == before, path.__name__
        assert _nothing_written(), path.__name__


@pytest.mark.django_db
def test_the_transect_form_matches_names_the_same_way(tiger):
    from monitoring.forms import TransectForm

    form = TransectForm()
    form.cleaned_data = {"tracks": [{"species": "Panthera tigris  altaica", "tracks": "3"}]}
    assert form.clean_tracks() == [{"species": tiger, "tracks": 3}]
    form.cleaned_data = {"tracks": [{"species": "Panthera tigris altaika", "tracks": "3"}]}
    with pytest.raises(Exception, match="Unknown species"):
        form.clean_tracks()
    assert not Species.objects.filter(scientific_name__icontains="altaika").exists()


@pytest.mark.django_db
def test_the_export_commands_match_species_names_the_same_way(cn_agency, tiger, tmp_path):
    call_command(
        "export_camtrap_dp",
        as_agency=cn_agency.code,
        output=str(tmp_path / "tigers.zip"),
        species="panthera_tigris  altaica",
    )
    assert (tmp_path / "tigers.zip").exists()
    with pytest.raises(CommandError, match="Unknown species"):
        call_command("export_camtrap_dp", as_agency=cn_agency.code, output=str(tmp_path / "x.zip"), species="Tigris")
    with pytest.raises(CommandError, match="Unknown survey"):
        call_command("export_camtrap_dp", as_agency=cn_agency.code, output=str(tmp_path / "x.zip"), survey="not-an-id")


@pytest.mark.django_db
def test_unknown_names_go_to_the_secretariat_for_review(cn_agency, secretariat_agency, tmp_path):
    from core.models import Notification
    from core.tests.factories import make_member

    keeper = make_member(secretariat_agency, "secretariat_coordinator")
    bystander = make_member(cn_agency, "agency_staff")
    with pytest.raises(PackageInvalid):
        import_example(EXAMPLE, cn_agency)
    told = Notification.objects.get(recipient=keeper, event="monitoring.unknown_species")
    for name in EXAMPLE_NAMES:
        assert name in told.subject or name in told.body
    assert cn_agency.code in told.body
    assert not Notification.objects.filter(recipient=bystander, event="monitoring.unknown_species").exists()
    # A preview refuses the same way but asks nobody.
    Notification.objects.all().delete()
    with pytest.raises(PackageInvalid):
        import_example(EXAMPLE, cn_agency, dry_run=True)
    assert not Notification.objects.filter(event="monitoring.unknown_species").exists()
