"""The shared incident vocabulary every installation starts with (installed by a data migration).

The function takes the model classes so that migrations can pass their historical models.
"""

VOCABULARY = [
    # code, category, removable, species, zh-hans, en, ru
    ("snare", "threat", True, None, "套子", "Snare", "Петля"),
    ("trap", "threat", True, None, "夹子（陷阱）", "Leg-hold trap", "Капкан"),
    ("poaching_camp", "threat", False, None, "盗猎营地", "Poaching camp", "Браконьерский лагерь"),
    ("gunshot", "threat", False, None, "枪声", "Gunshot heard", "Выстрел"),
    ("carcass", "threat", False, None, "动物尸体", "Carcass", "Туша животного"),
    ("illegal_logging", "threat", False, None, "非法采伐", "Illegal logging", "Незаконная рубка"),
    ("fire", "threat", False, None, "火情", "Fire", "Пожар"),
    ("people", "threat", False, None, "可疑人员", "Suspicious people", "Подозрительные лица"),
    ("tiger_sign", "wildlife", False, "Panthera tigris altaica", "东北虎痕迹", "Tiger sign", "Следы тигра"),
    ("leopard_sign", "wildlife", False, "Panthera pardus orientalis", "东北豹痕迹", "Leopard sign", "Следы леопарда"),
    ("prey_sign", "wildlife", False, None, "猎物痕迹", "Prey sign (ungulates)", "Следы копытных"),
]


def install_incident_types(incident_type_model, species_model):
    """Create the vocabulary's entries when missing; admins may rename or add entries later."""
    for order, (code, category, removable, species, zh, en, ru) in enumerate(VOCABULARY, start=1):
        incident_type_model.objects.get_or_create(
            code=code,
            defaults={
                "name": en,
                "category": category,
                "removable": removable,
                "order": order * 10,
                "species": species_model.objects.filter(scientific_name=species).first() if species else None,
                "name_zh_hans": zh,
                "name_en": en,
                "name_ru": ru,
            },
        )
