"""Reference data every installation needs (not demo data): installed by data migrations.

The functions take the model class so that migrations can pass their historical models.
"""

# scientific name, Chapman sensitivity category, target species, zh-hans, en, ru
SPECIES = [
    # scientific, category, target, zh-hans, en, ru
    ("Panthera tigris altaica", 2, True, "东北虎", "Amur tiger", "Амурский тигр"),
    ("Panthera pardus orientalis", 2, True, "东北豹", "Amur leopard", "Дальневосточный леопард"),
    ("Ursus thibetanus", 3, False, "亚洲黑熊", "Asiatic black bear", "Гималайский медведь"),
    ("Ursus arctos", 3, False, "棕熊", "Brown bear", "Бурый медведь"),
    ("Lynx lynx", 3, False, "猞猁", "Eurasian lynx", "Обыкновенная рысь"),
    ("Moschus moschiferus", 3, False, "原麝", "Siberian musk deer", "Сибирская кабарга"),
    ("Sus scrofa", 0, False, "野猪", "Wild boar", "Кабан"),
    ("Cervus nippon", 0, False, "梅花鹿", "Sika deer", "Пятнистый олень"),
    ("Capreolus pygargus", 0, False, "西伯利亚狍", "Siberian roe deer", "Сибирская косуля"),
    ("Cervus canadensis", 0, False, "马鹿", "Red deer (wapiti)", "Изюбрь"),
    ("Prionailurus bengalensis", 0, False, "豹猫", "Leopard cat", "Амурский лесной кот"),
    ("Meles leucurus", 0, False, "亚洲狗獾", "Asian badger", "Азиатский барсук"),
]


def install_species(species_model):
    """Create the region's species when missing; never overwrite what admins changed."""
    for scientific, category, target, zh, en, ru in SPECIES:
        species_model.objects.get_or_create(
            scientific_name=scientific,
            defaults={
                "common_name": en,
                "sensitivity_category": category,
                "is_target": target,
                "common_name_zh_hans": zh,
                "common_name_en": en,
                "common_name_ru": ru,
            },
        )
