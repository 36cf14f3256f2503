import gettext
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parent.parent / "locale"


@pytest.mark.parametrize("language", ["zh_Hans", "ru"])
def test_every_entry_is_translated(language):
    folder = LOCALE / language / "LC_MESSAGES"
    po = (folder / "django.po").read_text(encoding="utf-8")
    assert "#, fuzzy" not in po
    entries = sum(1 for line in po.splitlines() if line.startswith("msgid "))  # includes the header
    assert entries > 300
    with open(folder / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    # The compiled catalogue holds every translated entry (and the header): none is missing or stale.
    # A plural entry is one key per plural form of the language.
    plural_entries = sum(1 for line in po.splitlines() if line.startswith("msgid_plural "))
    forms = int(re.search(r"nplurals=(\d+)", po).group(1))
    assert len(compiled._catalog) == entries + plural_entries * (forms - 1)


@pytest.mark.django_db
def test_pages_in_chinese_and_russian(client, cn_staff):
    client.force_login(cn_staff)
    assert "相机布设" in client.get("/zh-hans/monitoring/deployments/").content.decode()
    assert "Отмеченные по обе стороны" not in client.get("/ru/monitoring/reports/cross-border/").content.decode()
    assert "Только в Китае" in client.get("/ru/monitoring/reports/cross-border/").content.decode()


@pytest.mark.django_db
def test_import_errors_follow_the_language(cn_agency, example_dir, tmp_path):
    import shutil

    from django.utils import translation

    from monitoring.camtrap.importer import PackageInvalid, format_error
    from monitoring.tests.conftest import import_example

    from .test_camtrap_import import _edit_csv

    package = tmp_path / "pkg"
    shutil.copytree(example_dir, package)
    _edit_csv(package / "deployments.csv", 1, "latitude", "north")
    with translation.override("ru"), pytest.raises(PackageInvalid) as caught:
        import_example(package, cn_agency)
    with translation.override("ru"):
        assert "не число" in format_error(caught.value.errors[0]) and "строка 2" in format_error(caught.value.errors[0])
