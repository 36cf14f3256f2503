"""Demo data of the shared layer: real agencies of both countries, one user per role, species.

Idempotent: records are created when missing and never overwritten, so a second run changes nothing.
"""

from django.contrib.auth import get_user_model

from core.models import Agency, Membership, Role, Species
from core.reference_data import install_species

AGENCIES = [
    # code, country, kind, zh-hans, en, ru
    (
        "SEC",
        "INT",
        "secretariat",
        "图们江下游虎豹跨境保护合作秘书处",
        "Secretariat of the Lower Tumen tiger and leopard cooperation",
        "Секретариат трансграничного сотрудничества по тигру и леопарду в низовьях Тумэньцзян",
    ),
    (
        "NECTLNP",
        "CN",
        "national_park",
        "东北虎豹国家公园管理局",
        "Northeast China Tiger and Leopard National Park Administration",
        "Администрация национального парка «Северо-Восточный Китай — тигр и леопард»",
    ),
    (
        "HUNCHUN",
        "CN",
        "nature_reserve",
        "吉林珲春东北虎国家级自然保护区管理局",
        "Jilin Hunchun Amur Tiger National Nature Reserve",
        "Государственный заповедник амурского тигра Хуньчунь (провинция Цзилинь)",
    ),
    (
        "JLFG",
        "CN",
        "forestry",
        "吉林省林业和草原局",
        "Jilin Provincial Forestry and Grassland Bureau",
        "Управление лесного хозяйства и пастбищ провинции Цзилинь",
    ),
    ("HCCUSTOMS", "CN", "customs", "珲春海关", "Hunchun Customs", "Таможня Хуньчуня"),
    (
        "WCSCN",
        "CN",
        "ngo",
        "国际野生生物保护学会中国项目",
        "Wildlife Conservation Society China",
        "Общество сохранения дикой природы (WCS), Китай",
    ),
    (
        "LOTL",
        "RU",
        "national_park",
        "“豹之乡”国家公园联合管理局",
        "Land of the Leopard National Park (United Directorate)",
        "Национальный парк «Земля леопарда» (Объединённая дирекция)",
    ),
    (
        "PRIMHUNT",
        "RU",
        "forestry",
        "滨海边疆区林业和狩猎管理部",
        "Ministry of Forestry and Hunting of Primorsky Krai",
        "Министерство лесного и охотничьего хозяйства Приморского края",
    ),
    (
        "FSBPRIM",
        "RU",
        "customs",
        "俄罗斯联邦安全局滨海边疆区边防局",
        "Border Directorate of the FSB of Russia for Primorsky Krai",
        "Пограничное управление ФСБ России по Приморскому краю",
    ),
    ("WWFAMUR", "RU", "ngo", "世界自然基金会俄罗斯阿穆尔分部", "WWF Russia, Amur branch", "Амурский филиал WWF России"),
]

USERS = [
    # username, agency, role, first name, last name
    ("secretariat", "SEC", Role.SECRETARIAT_COORDINATOR, "Mei", "Lin"),
    ("lotl_coordinator", "LOTL", Role.AGENCY_COORDINATOR, "Anna", "Petrova"),
    ("nectlnp_coordinator", "NECTLNP", Role.AGENCY_COORDINATOR, "Wei", "Zhang"),
    ("nectlnp_ranger", "NECTLNP", Role.AGENCY_STAFF, "Jun", "Li"),
    ("lotl_ranger", "LOTL", Role.AGENCY_STAFF, "Ivan", "Sokolov"),
    ("expert", "WWFAMUR", Role.EXPERT, "Olga", "Kuznetsova"),
    ("observer", "WCSCN", Role.OBSERVER, "Hui", "Wang"),
]
DEMO_PASSWORD = "tiger-leopard-2026"
ADMIN = ("admin", "admin-tumen-2026")


def seed(stdout=None):
    say = stdout.write if stdout else (lambda *_: None)
    agencies = {}
    for code, country, kind, zh, en, ru in AGENCIES:
        agency, created = Agency.objects.get_or_create(
            code=code,
            defaults={"country": country, "kind": kind, "name_zh_hans": zh, "name_en": en, "name_ru": ru},
        )
        agencies[code] = agency
        if created:
            say(f"  agency {code}")
    install_species(Species)
    User = get_user_model()
    for username, code, role, first, last in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User.objects.create_user(
                username, f"{username}@demo.tumen-cats.example", DEMO_PASSWORD, first_name=first, last_name=last
            )
            language = "ru" if agencies[code].country == "RU" else "zh-hans" if agencies[code].country == "CN" else "en"
            Membership.objects.create(user=user, agency=agencies[code], role=role, preferred_language=language)
    if not User.objects.filter(username=ADMIN[0]).exists():
        User.objects.create_superuser(ADMIN[0], "admin@demo.tumen-cats.example", ADMIN[1])
    return agencies


def demo_logins():
    rows = [(ADMIN[0], ADMIN[1], "Django superuser (admin)")]
    rows += [(username, DEMO_PASSWORD, f"{role.label} — {code}") for username, code, role, _f, _l in USERS]
    return rows
