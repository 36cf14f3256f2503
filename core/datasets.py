"""Dataset sources: how the portal counts an agency's submissions of a kind of data in a period.

Topic apps register each kind of data they hold (camera-trap observations, patrol summaries,
incident reports, …) from their AppConfig.ready(). The data-exchange rounds use the registry to
close themselves when matching records arrive, without the shared layer importing topic apps.

    register_dataset_source(
        "monitoring.observations", _("Camera-trap observations"),
        lambda agency, start, end: Observation.objects.filter(owner_agency=agency,
                                                              created_at__gte=start,
                                                              created_at__lt=end).count(),
    )
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class DatasetSource:
    key: str
    label: object
    # count_records(agency, start, end) -> int: records of this kind the agency submitted for the
    # period [start, end) (aware datetimes). "Submitted for" is the source's own definition.
    count_records: object


_sources: dict[str, DatasetSource] = {}


def register_dataset_source(key, label, count_records):
    _sources[key] = DatasetSource(key, label, count_records)


def dataset_sources():
    return dict(_sources)


def dataset_source(key):
    return _sources.get(key)


def dataset_choices():
    return [(key, source.label) for key, source in sorted(_sources.items())]
