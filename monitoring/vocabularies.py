"""The shared vocabularies' seed terms (Camtrap DP 1.0.2 values first), used by a data migration."""

# key, zh-hans, en, ru
OBSERVATION_TYPES = [
    ("animal", "动物", "Animal", "Животное"),
    ("human", "人", "Human", "Человек"),
    ("vehicle", "车辆", "Vehicle", "Транспорт"),
    ("blank", "空拍", "Blank", "Пустой кадр"),
    ("unknown", "未知", "Unknown", "Неизвестно"),
    ("unclassified", "未分类", "Unclassified", "Не классифицировано"),
]

# key, zh-hans, en, ru, is a corridor crossing
FEATURE_TYPES = [
    ("roadPaved", "铺装道路", "Paved road", "Дорога с покрытием", False),
    ("roadDirt", "土路", "Dirt road", "Грунтовая дорога", False),
    ("trailHiking", "步道", "Hiking trail", "Пешеходная тропа", False),
    ("trailGame", "兽径", "Game trail", "Звериная тропа", False),
    ("roadUnderpass", "道路下穿通道", "Road underpass", "Проход под дорогой", True),
    ("roadOverpass", "道路上跨通道", "Road overpass", "Переход над дорогой", True),
    ("roadBridge", "桥梁", "Road bridge", "Мост", True),
    ("culvert", "涵洞", "Culvert", "Водопропускная труба", True),
    ("burrow", "洞穴", "Burrow", "Нора", False),
    ("nestSite", "巢址", "Nest site", "Гнездо", False),
    ("carcass", "动物尸体", "Carcass", "Туша", False),
    ("waterSource", "水源", "Water source", "Водопой", False),
    ("fruitingTree", "结果树", "Fruiting tree", "Плодоносящее дерево", False),
    ("scentMark", "气味标记点", "Scent-marking tree", "Маркировочное дерево", False),
    ("ridge", "山脊", "Ridge", "Хребет", False),
]

EFFORT_UNITS = [
    ("trap_night", "相机工作日", "Camera-trap night", "Фотоловушко-сутки"),
    ("km", "公里（样线）", "Kilometre of transect", "Километр маршрута"),
    ("patrol_day", "巡护日", "Patrol day", "Патрульный день"),
    ("person_day", "人日", "Person-day", "Человеко-день"),
    ("hour", "小时", "Hour", "Час"),
]

# Camtrap DP feature types that are not in the standard's enum are exported as empty.
CAMTRAP_FEATURE_TYPES = {
    "roadPaved",
    "roadDirt",
    "trailHiking",
    "trailGame",
    "roadUnderpass",
    "roadOverpass",
    "roadBridge",
    "culvert",
    "burrow",
    "nestSite",
    "carcass",
    "waterSource",
    "fruitingTree",
}


def seed_vocabularies(observation_type, feature_type, effort_unit):
    """Create the seed terms that are missing; takes the model classes (real or historical).

    Used by the demo: a test database flushed after migrating has lost the migration's rows.
    """

    def labels(zh, en, ru):
        return {"label": en, "label_en": en, "label_zh_hans": zh, "label_ru": ru}

    for key, zh, en, ru in OBSERVATION_TYPES:
        observation_type.objects.get_or_create(key=key, defaults=labels(zh, en, ru))
    for key, zh, en, ru, crossing in FEATURE_TYPES:
        feature_type.objects.get_or_create(key=key, defaults={**labels(zh, en, ru), "is_crossing": crossing})
    for key, zh, en, ru in EFFORT_UNITS:
        effort_unit.objects.get_or_create(key=key, defaults=labels(zh, en, ru))
