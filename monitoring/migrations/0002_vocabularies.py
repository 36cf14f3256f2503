from django.db import migrations


def seed(apps, schema_editor):
    from monitoring.vocabularies import EFFORT_UNITS, FEATURE_TYPES, OBSERVATION_TYPES

    ObservationType = apps.get_model("monitoring", "ObservationType")
    FeatureType = apps.get_model("monitoring", "FeatureType")
    EffortUnit = apps.get_model("monitoring", "EffortUnit")
    for key, zh, en, ru in OBSERVATION_TYPES:
        ObservationType.objects.get_or_create(key=key, defaults={"label": en, "label_en": en, "label_zh_hans": zh, "label_ru": ru})
    for key, zh, en, ru, crossing in FEATURE_TYPES:
        FeatureType.objects.get_or_create(
            key=key, defaults={"label": en, "label_en": en, "label_zh_hans": zh, "label_ru": ru, "is_crossing": crossing}
        )
    for key, zh, en, ru in EFFORT_UNITS:
        EffortUnit.objects.get_or_create(key=key, defaults={"label": en, "label_en": en, "label_zh_hans": zh, "label_ru": ru})


class Migration(migrations.Migration):
    dependencies = [("monitoring", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
