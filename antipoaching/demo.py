"""Demo anti-poaching data: the shared vocabulary, a joint NECTLNP + LOTL plan, patrols with tracks inside
the demo park outlines, incidents (one restricted, with a suspect), an alert, a course and an exchange visit.

Idempotent: every record has a fixed UUID (or code) and is created only when missing.
"""

import datetime
import uuid
from decimal import Decimal

from django.contrib.auth import get_user_model

from core.access import Principal
from core.models import (
    Agency,
    ExchangeVisit,
    ExchangeVisitMember,
    Species,
    TrainingCourse,
    TrainingParticipant,
)
from core.workflow import perform

from . import services
from .models import (
    ActionPlan,
    Alert,
    Incident,
    IncidentLink,
    IncidentType,
    JointOperation,
    Patrol,
    PatrolLeg,
    PlanActivity,
    PlanTarget,
    Waypoint,
)
from .reference_data import install_incident_types

_NS = uuid.UUID("6a1f0c52-2b7e-4c61-9d0a-5e3b7f1c2d40")
UTC = datetime.UTC


def _id(key):
    return uuid.uuid5(_NS, key)


def seed_vocabulary():
    install_incident_types(IncidentType, Species)


def _user(username):
    return get_user_model().objects.filter(username=username).first()


def _principal(username, agency):
    user = _user(username)
    return Principal.for_user(user) if user else Principal(agency=agency, role="agency_coordinator", read_only=False)


def _line(*points):
    return {"type": "LineString", "coordinates": [list(p) for p in points]}


PATROLS = [
    # key, agency, leader, members, start, days, transport, track points (lon, lat) inside the agency's park
    (
        "lotl-1",
        "LOTL",
        "Ivan Sokolov",
        ["Pavel Orlov", "Dmitry Kim"],
        datetime.datetime(2026, 2, 3, 23, tzinfo=UTC),
        1,
        "foot",
        [(131.20, 43.10), (131.23, 43.12), (131.26, 43.13), (131.28, 43.16)],
    ),
    (
        "lotl-2",
        "LOTL",
        "Pavel Orlov",
        ["Sergey Lee"],
        datetime.datetime(2026, 2, 10, 22, tzinfo=UTC),
        2,
        "snowmobile",
        [(131.05, 43.30), (131.10, 43.33), (131.16, 43.35), (131.22, 43.38), (131.25, 43.42)],
    ),
    (
        "nectlnp-1",
        "NECTLNP",
        "Li Jun",
        ["Wang Lei", "Zhao Gang", "Chen Bo"],
        datetime.datetime(2026, 2, 4, 0, tzinfo=UTC),
        1,
        "foot",
        [(130.50, 43.45), (130.55, 43.48), (130.60, 43.50), (130.66, 43.52)],
    ),
    (
        "nectlnp-2",
        "NECTLNP",
        "Wang Lei",
        ["Li Jun"],
        datetime.datetime(2026, 2, 12, 0, tzinfo=UTC),
        1,
        "vehicle",
        [(130.80, 43.60), (130.85, 43.65), (130.92, 43.70)],
    ),
]


def seed(stdout=None):
    say = stdout.write if stdout else (lambda *_: None)
    seed_vocabulary()
    agencies = {a.code: a for a in Agency.objects.filter(code__in=["NECTLNP", "LOTL", "HUNCHUN", "HCCUSTOMS", "WCSCN"])}
    if not {"NECTLNP", "LOTL"} <= set(agencies):
        say("  antipoaching: demo agencies missing, skipped")
        return
    nectlnp, lotl = agencies["NECTLNP"], agencies["LOTL"]
    types = {t.code: t for t in IncidentType.objects.all()}
    plan = _plan(nectlnp, lotl, say)
    _patrols(agencies, plan, types, say)
    _incidents(agencies, types, say)
    _alert(nectlnp, lotl, say)
    _training(agencies, say)
    _exchange(nectlnp, lotl, say)


def _plan(nectlnp, lotl, say):
    pk = _id("plan-2026")
    plan = ActionPlan.objects.filter(pk=pk).first()
    if plan:
        return plan
    plan = ActionPlan.objects.create(
        id=pk,
        owner_agency=nectlnp,
        created_by=_user("nectlnp_coordinator"),
        title_zh_hans="2026年中俄跨境联合反盗猎行动计划",
        title_en="2026 joint cross-border anti-poaching plan",
        title_ru="Совместный план борьбы с браконьерством на 2026 год",
        objectives_en="Clear snares along the border strip; joint patrols each month; exchange incident data within 24 h.",
        objectives_zh_hans="清理边境地带的套子；每月联合巡护；24小时内交换案件信息。",
        objectives_ru="Снять петли в приграничной полосе; ежемесячные совместные патрули; обмен данными об инцидентах в течение 24 ч.",
        period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 12, 31),
    )
    plan.participating_agencies.set([nectlnp, lotl])
    PlanTarget.objects.create(plan=plan, metric="distance_km", value=Decimal("150"), per="month")
    PlanTarget.objects.create(plan=plan, metric="removed", value=Decimal("50"), per="total")
    PlanTarget.objects.create(plan=plan, metric="joint_operations", value=Decimal("4"), per="total")
    services.save_activity(
        PlanActivity(
            plan=plan,
            agency=lotl,
            due_date=datetime.date(2026, 3, 31),
            title_en="Joint snare sweep on the Tumen border strip",
            title_ru="Совместная очистка от петель приграничной полосы",
            title_zh_hans="图们江边境地带联合清套",
        )
    )
    services.save_activity(
        PlanActivity(
            plan=plan,
            agency=nectlnp,
            due_date=datetime.date(2026, 5, 15),
            title_en="SMART data model aligned on both sides",
            title_ru="Единая модель данных SMART",
            title_zh_hans="统一双方SMART数据模型",
        )
    )
    perform(plan, "submit", _principal("nectlnp_coordinator", nectlnp), note="Draft agreed at the February meeting")
    perform(plan, "approve", _principal("nectlnp_coordinator", nectlnp), revision=plan.revision)
    perform(plan, "approve", _principal("lotl_coordinator", lotl), revision=plan.revision)
    perform(plan, "activate", _principal("lotl_coordinator", lotl))
    JointOperation.objects.get_or_create(
        id=_id("operation-feb"),
        defaults={
            "owner_agency": lotl,
            "plan": plan,
            "kind": "joint_patrol",
            "start": datetime.datetime(2026, 2, 10, 22, tzinfo=UTC),
            "end": datetime.datetime(2026, 2, 12, 8, tzinfo=UTC),
            "title_en": "February joint border patrol",
            "title_ru": "Февральский совместный патруль",
            "title_zh_hans": "二月联合边境巡护",
        },
    )[0].agencies.set([nectlnp, lotl])
    say("  antipoaching: joint plan NECTLNP + LOTL (active)")
    return ActionPlan.objects.get(pk=pk)


def _patrols(agencies, plan, types, say):
    from reserves.models import ProtectedArea

    areas = {
        a.owner_agency.code: a
        for a in ProtectedArea.objects.select_related("owner_agency").filter(
            name_en__in=["Land of the Leopard National Park", "Northeast China Tiger and Leopard National Park"]
        )
    }
    operation = JointOperation.objects.filter(pk=_id("operation-feb")).first()
    for key, code, leader, members, start, days, transport, points in PATROLS:
        pk = _id(f"patrol-{key}")
        if Patrol.objects.filter(pk=pk).exists():
            continue
        end = start + datetime.timedelta(days=days - 1, hours=9)
        patrol = services.save_patrol(
            Patrol(
                id=pk,
                owner_agency=agencies[code],
                leader=leader,
                members=members,
                start=start,
                end=end,
                transport=transport,
                plan=plan,
                protected_area=areas.get(code),
                operation=operation if key == "lotl-2" else None,
                title_en=f"Patrol {key}",
                title_ru=f"Патруль {key}",
                title_zh_hans=f"巡护 {key}",
            )
        )
        services.save_leg(
            PatrolLeg(
                id=_id(f"leg-{key}"), patrol=patrol, start=start, end=end, transport=transport, track=_line(*points)
            )
        )
        mid = points[len(points) // 2]
        services.save_waypoint(
            Waypoint(
                id=_id(f"wp-{key}-snare"),
                patrol=patrol,
                time=start + datetime.timedelta(hours=2),
                latitude=Decimal(str(mid[1])),
                longitude=Decimal(str(mid[0])),
                incident_type=types["snare"],
                count=3,
                removed=3,
                actions=["removed", "photographed"],
            )
        )
        sign = "leopard_sign" if code == "LOTL" else "tiger_sign"
        last = points[-1]
        services.save_waypoint(
            Waypoint(
                id=_id(f"wp-{key}-sign"),
                patrol=patrol,
                time=start + datetime.timedelta(hours=5),
                latitude=Decimal(str(last[1] - 0.004)),
                longitude=Decimal(str(last[0] - 0.003)),
                incident_type=types[sign],
                count=1,
                actions=["photographed"],
            )
        )
        say(f"  antipoaching: patrol {key}")


def _incidents(agencies, types, say):
    nectlnp, lotl = agencies["NECTLNP"], agencies["LOTL"]
    if not Incident.objects.filter(pk=_id("incident-camp")).exists():
        Incident.objects.create(
            id=_id("incident-camp"),
            owner_agency=lotl,
            incident_type=types["poaching_camp"],
            occurred_on=datetime.date(2026, 2, 11),
            reference="LOTL-2026-004",
            place_en="Upper Barabashevka valley",
            place_ru="Верховья долины Барабашевки",
            place_zh_hans="巴拉巴舍夫卡河谷上游",
            latitude=Decimal("43.21"),
            longitude=Decimal("131.18"),
            patrol_id=_id("patrol-lotl-2"),
            description_en="Abandoned camp with 12 snares, destroyed.",
            description_ru="Брошенный лагерь, 12 петель, уничтожен.",
            description_zh_hans="废弃营地，12个套子，已销毁。",
        )
    if not Incident.objects.filter(pk=_id("incident-seizure")).exists():
        seizure = Incident.objects.create(
            id=_id("incident-seizure"),
            owner_agency=nectlnp,
            sensitivity="restricted",
            incident_type=types["carcass"],
            species=Species.objects.filter(scientific_name="Panthera pardus orientalis").first(),
            occurred_on=datetime.date(2026, 2, 20),
            reference="CN-HC-2026-0113",
            is_seizure=True,
            commodity="skin",
            quantity=Decimal("1"),
            unit="pieces",
            estimated_value=Decimal("40000"),
            currency="USD",
            country_of_origin="RU",
            country_of_destination="CN",
            point_of_seizure="import",
            place_en="Hunchun road checkpoint",
            place_zh_hans="珲春公路口岸",
            place_ru="Автомобильный пункт пропуска Хуньчунь",
            latitude=Decimal("42.87"),
            longitude=Decimal("130.36"),
            suspects_count=1,
            arrests=1,
            status="investigation",
            suspects=[{"name": "Demo Suspect", "nationality": "RU", "year_of_birth": 1980}],
            description_en="Leopard skin hidden in a truck; case opened with customs.",
        )
        seizure.shared_with.set([lotl] + ([agencies["HCCUSTOMS"]] if "HCCUSTOMS" in agencies else []))
        seizure.agencies_involved.set([nectlnp] + ([agencies["HCCUSTOMS"]] if "HCCUSTOMS" in agencies else []))
        IncidentLink.objects.get_or_create(
            from_incident_id=_id("incident-camp"),
            to_incident=seizure,
            defaults={"note": "Same group suspected", "created_by_agency": lotl},
        )
        say("  antipoaching: incidents (one restricted seizure, linked)")


def _alert(nectlnp, lotl, say):
    pk = _id("alert-crossing")
    if Alert.objects.filter(pk=pk).exists():
        return
    alert = Alert.objects.create(
        id=pk,
        owner_agency=lotl,
        urgency="urgent",
        sensitivity="restricted",
        title_en="Poaching group seen moving towards the border near post 14",
        title_ru="Группа браконьеров движется к границе у поста 14",
        title_zh_hans="一伙盗猎者在14号界碑附近向边境移动",
        message_en="Three people with a sledge, fresh tracks heading south-west. Please alert your patrol teams.",
        message_ru="Три человека с нартами, свежие следы на юго-запад. Просим предупредить ваши группы.",
        message_zh_hans="三人携雪橇，新鲜足迹向西南方向。请通知贵方巡护队。",
        place_en="Border post 14",
    )
    alert.shared_with.set([nectlnp])
    services.set_recipients(alert, [nectlnp])
    say("  antipoaching: urgent alert LOTL → NECTLNP")


def _training(agencies, say):
    pk = _id("course-smart")
    if TrainingCourse.objects.filter(pk=pk).exists():
        return
    owner = agencies.get("WCSCN") or agencies["NECTLNP"]
    course = TrainingCourse.objects.create(
        id=pk,
        owner_agency=owner,
        topic="smart",
        start_date=datetime.date(2026, 3, 16),
        end_date=datetime.date(2026, 3, 18),
        hours=20,
        trainers="WCS China SMART team",
        title_en="SMART patrol data for cross-border teams",
        title_zh_hans="跨境巡护队SMART数据培训",
        title_ru="SMART для трансграничных патрульных групп",
        place_en="Hunchun",
        place_zh_hans="珲春",
        place_ru="Хуньчунь",
    )
    for i, (name, code, position) in enumerate(
        [
            ("Li Jun", "NECTLNP", "Ranger"),
            ("Wang Lei", "NECTLNP", "Ranger"),
            ("Ivan Sokolov", "LOTL", "State inspector"),
            ("Pavel Orlov", "LOTL", "State inspector"),
        ]
    ):
        TrainingParticipant.objects.create(
            course=course,
            name=name,
            agency=agencies[code],
            position=position,
            certificate_number=f"SMART-2026-{i + 1:03d}",
            certificate_issued=datetime.date(2026, 3, 18),
        )
    say("  training: SMART course")


def _exchange(nectlnp, lotl, say):
    pk = _id("visit-lotl-nectlnp")
    if ExchangeVisit.objects.filter(pk=pk).exists():
        return
    visit = ExchangeVisit.objects.create(
        id=pk,
        owner_agency=lotl,
        topic="antipoaching",
        delegation_agency=lotl,
        host_agency=nectlnp,
        start_date=datetime.date(2026, 4, 7),
        end_date=datetime.date(2026, 4, 10),
        title_en="LOTL inspectors visit NECTLNP patrol stations",
        title_ru="Визит инспекторов «Земли леопарда» в NECTLNP",
        title_zh_hans="“豹之乡”巡护员访问东北虎豹国家公园巡护站",
        purpose_en="Compare anti-snare methods and agree joint patrol signals.",
        purpose_ru="Сравнить методы снятия петель и согласовать сигналы совместных патрулей.",
        purpose_zh_hans="比较清套方法，商定联合巡护信号。",
        lessons_learned_en="Shared SMART keys make patrol km comparable across the border.",
    )
    ExchangeVisitMember.objects.create(
        visit=visit, name="Anna Petrova", agency=lotl, position="Coordinator", is_leader=True
    )
    ExchangeVisitMember.objects.create(visit=visit, name="Ivan Sokolov", agency=lotl, position="State inspector")
    say("  exchange visit LOTL → NECTLNP")
