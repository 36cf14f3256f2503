"""Demo protected areas: real parks of the region with simplified, approximate outlines."""

import uuid

from core.models import Agency, Sensitivity

from .models import ProtectedArea

_NS = uuid.UUID("3f0c1d2e-7a55-4b1e-9c39-1b2a5d4e6f70")


def _ring(*points):
    return {"type": "Polygon", "coordinates": [[list(p) for p in points] + [list(points[0])]]}


AREAS = [
    {
        "key": "land-of-the-leopard",
        "agency": "LOTL",
        "country": "RU",
        "iucn": "II",
        "established": 2012,
        "name": ("“豹之乡”国家公园", "Land of the Leopard National Park", "Национальный парк «Земля леопарда»"),
        "designation": ("国家公园", "National park", "Национальный парк"),
        "boundary": _ring(
            (130.67, 42.47),
            (130.75, 42.52),
            (130.85, 42.68),
            (131.2, 42.9),
            (131.45, 43.1),
            (131.6, 43.35),
            (131.45, 43.65),
            (131.24, 43.75),
            (131.26, 43.45),
            (131.14, 43.25),
            (130.99, 43.05),
            (130.84, 42.88),
            (130.69, 42.7),
            (130.64, 42.56),
        ),
    },
    {
        "key": "kedrovaya-pad",
        "agency": "LOTL",
        "country": "RU",
        "iucn": "Ia",
        "established": 1916,
        "name": ("雪松谷国家级自然保护区", "Kedrovaya Pad Nature Reserve", "Заповедник «Кедровая падь»"),
        "designation": (
            "国家级自然保护区（禁伐区）",
            "State nature reserve (zapovednik)",
            "Государственный природный заповедник",
        ),
        "boundary": _ring((131.3, 43.05), (131.48, 43.06), (131.5, 43.17), (131.32, 43.17)),
    },
    {
        "key": "nectlnp",
        "agency": "NECTLNP",
        "country": "CN",
        "iucn": "II",
        "established": 2021,
        "name": (
            "东北虎豹国家公园",
            "Northeast China Tiger and Leopard National Park",
            "Национальный парк «Северо-Восточный Китай — тигр и леопард»",
        ),
        "designation": ("国家公园", "National park", "Национальный парк"),
        "boundary": _ring(
            (130.15, 42.75),
            (130.45, 42.75),
            (130.58, 42.62),
            (130.63, 42.71),
            (130.78, 42.89),
            (130.93, 43.06),
            (131.08, 43.26),
            (131.18, 43.45),
            (131.15, 43.8),
            (131.0, 44.15),
            (130.5, 44.1),
            (130.0, 43.9),
            (129.9, 43.4),
        ),
    },
    {
        "key": "hunchun",
        "agency": "HUNCHUN",
        "country": "CN",
        "iucn": "IV",
        "established": 2001,
        "name": (
            "吉林珲春东北虎国家级自然保护区",
            "Hunchun Amur Tiger National Nature Reserve",
            "Заповедник амурского тигра Хуньчунь",
        ),
        "designation": ("国家级自然保护区", "National nature reserve", "Национальный природный заповедник"),
        "boundary": _ring(
            (130.45, 42.72), (130.6, 42.66), (130.76, 42.9), (130.9, 43.07), (130.7, 43.15), (130.5, 42.95)
        ),
    },
    {
        "key": "wangqing",
        "agency": "NECTLNP",
        "country": "CN",
        "iucn": "IV",
        "established": 2002,
        "name": (
            "吉林汪清国家级自然保护区",
            "Wangqing National Nature Reserve",
            "Национальный природный заповедник Ванцин",
        ),
        "designation": ("国家级自然保护区", "National nature reserve", "Национальный природный заповедник"),
        "boundary": _ring((130.35, 43.3), (130.85, 43.32), (130.9, 43.6), (130.4, 43.62)),
    },
]


def seed(stdout=None):
    for spec in AREAS:
        pk = uuid.uuid5(_NS, spec["key"])
        if ProtectedArea.objects.filter(pk=pk).exists():
            continue
        zh, en, ru = spec["name"]
        dzh, den, dru = spec["designation"]
        ProtectedArea.objects.create(
            id=pk,
            owner_agency=Agency.objects.get(code=spec["agency"]),
            sensitivity=Sensitivity.PUBLIC,
            country=spec["country"],
            iucn_category=spec["iucn"],
            established=spec["established"],
            name_zh_hans=zh,
            name_en=en,
            name_ru=ru,
            designation_zh_hans=dzh,
            designation_en=den,
            designation_ru=dru,
            description_en="Outline simplified for the demo; approximate.",
            description_zh_hans="演示用简化边界，仅为近似。",
            description_ru="Контур упрощён для демонстрации, приблизительный.",
            boundary=spec["boundary"],
            boundary_is_approximate=True,
        )
        if stdout:
            stdout.write(f"  protected area {en}")
