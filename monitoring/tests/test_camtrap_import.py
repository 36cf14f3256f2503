import pytest

from monitoring.camtrap.importer import import_package
from monitoring.models import Deployment, Media, Observation


@pytest.mark.django_db
def test_official_example_imports(cn_agency, example_dir):
    run = import_package(example_dir, cn_agency)
    assert (run.deployments, run.media, run.observations) == (4, 423, 549)
    assert Deployment.objects.count() == 4
    assert Media.objects.count() == 423
    assert Observation.objects.count() == 549
