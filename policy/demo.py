"""Demo data exchange: agreements between the parks, a year of rounds, some delivered on time,
some late, some missing. Idempotent: creates only what is missing."""

import datetime

from django.utils import timezone

from core.datasets import dataset_choices
from core.models import Agency, Sensitivity

from . import services
from .models import MANUAL_DATASET, Cadence, ExchangeAgreement

AGREEMENTS = [
    {
        "title_en": "Quarterly exchange of camera-trap and patrol data (NECTLNP–LOTL)",
        "title_zh_hans": "东北虎豹国家公园与豹地国家公园红外相机和巡护数据季度交换",
        "title_ru": "Ежеквартальный обмен данными фотоловушек и патрулирования (НПТЛ КНР – «Земля леопарда»)",
        "notes_en": "Joint action plan of the 2019 MoU: data sharing between the two parks.",
        "notes_zh_hans": "2019年谅解备忘录联合行动计划：两个国家公园之间的数据共享。",
        "notes_ru": "Совместный план действий по меморандуму 2019 года: обмен данными между двумя парками.",
        "parties": ["NECTLNP", "LOTL"],
        "cadence": Cadence.QUARTERLY,
        "due_day": 15,
        "preferred": ("monitoring", "antipoaching"),
    },
    {
        "title_en": "Monthly wildlife-crime incident reports",
        "title_zh_hans": "野生动物犯罪事件月度报告",
        "title_ru": "Ежемесячные отчёты о преступлениях против дикой природы",
        "notes_en": "Parks, hunting supervision and border services report incidents to the secretariat.",
        "notes_zh_hans": "国家公园、狩猎监管和边境部门向秘书处报告事件。",
        "notes_ru": "Парки, охотнадзор и пограничные службы сообщают об инцидентах в секретариат.",
        "parties": ["NECTLNP", "LOTL", "HUNCHUN", "PRIMHUNT"],
        "cadence": Cadence.MONTHLY,
        "due_day": 10,
        "preferred": ("antipoaching",),
    },
]


def _dataset_types(preferred):
    keys = [key for key, _label in dataset_choices() if key.split(".")[0] in preferred]
    return keys[:2] or [MANUAL_DATASET]


def seed(stdout=None):
    say = stdout.write if stdout else (lambda *_: None)
    secretariat = Agency.objects.filter(code="SEC").first()
    if secretariat is None:
        return
    today = timezone.localdate()
    for spec in AGREEMENTS:
        agreement = ExchangeAgreement.objects.filter(title_en=spec["title_en"]).first()
        if agreement is None:
            parties = list(Agency.objects.filter(code__in=spec["parties"]))
            if not parties:
                continue
            agreement = ExchangeAgreement.objects.create(
                owner_agency=secretariat,
                sensitivity=Sensitivity.PARTNERS,
                title_en=spec["title_en"],
                title_zh_hans=spec["title_zh_hans"],
                title_ru=spec["title_ru"],
                notes_en=spec["notes_en"],
                notes_zh_hans=spec["notes_zh_hans"],
                notes_ru=spec["notes_ru"],
                dataset_types=_dataset_types(spec["preferred"]),
                cadence=spec["cadence"],
                due_day=spec["due_day"],
                lead_days=[7, 1],
                escalate_after_days=14,
                starts_on=datetime.date(today.year - 1, 1, 1),
            )
            agreement.parties.set(parties)
            say(f"  exchange agreement {spec['title_en']}")
        services.generate_rounds(agreement)
        _seed_submissions(agreement)


def _seed_submissions(agreement):
    """Deliver most past rounds: on time for NECTLNP, partly late for the others, some missing."""
    now = timezone.now()
    for index, round_ in enumerate(agreement.rounds.select_related("agency").order_by("period_start", "agency__code")):
        if round_.due_at > now or round_.submissions.exists():
            continue
        if index % 5 == 4:
            continue  # missing: the reminders and escalations chase it
        late = round_.agency.code != "NECTLNP" and index % 3 == 1
        submitted_at = (
            round_.due_at + datetime.timedelta(days=3) if late else round_.due_at - datetime.timedelta(days=2)
        )
        services.submit_manually(
            round_,
            by_agency=round_.agency,
            note="Delivered through the secure exchange folder." if not late else "Delivered late (staff on patrol).",
            submitted_at=submitted_at,
        )
