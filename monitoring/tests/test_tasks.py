import pytest

from monitoring.tests.conftest import CONFIRM


@pytest.mark.django_db
def test_import_task_reports_counts_and_refusals(cn_agency, example_dir, tmp_path):
    import shutil

    from monitoring.tasks import import_camtrap_dp_task, refresh_location_categories_task

    result = import_camtrap_dp_task.apply(args=[str(example_dir), cn_agency.code], kwargs=CONFIRM).get()
    assert result["ok"] and result["observations"] == 549
    bad = tmp_path / "bad"
    shutil.copytree(example_dir, bad)
    (bad / "media.csv").write_text("mediaID\n")
    result = import_camtrap_dp_task.apply(args=[str(bad), cn_agency.code], kwargs=CONFIRM).get()
    assert not result["ok"] and result["errors"][0]["resource"] == "media"
    assert refresh_location_categories_task.apply().get() is True
