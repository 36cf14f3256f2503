import datetime

from core.models import Sensitivity
from policy.models import MANUAL_DATASET, Cadence, ExchangeAgreement


def make_agreement(parties, owner=None, **kwargs):
    defaults = {
        "owner_agency": owner or parties[0],
        "sensitivity": Sensitivity.PARTNERS,
        "title_en": "Quarterly data exchange",
        "title_zh_hans": "季度数据交换",
        "title_ru": "Ежеквартальный обмен данными",
        "dataset_types": [MANUAL_DATASET],
        "cadence": Cadence.QUARTERLY,
        "due_day": 15,
        "lead_days": [7, 1],
        "escalate_after_days": 14,
        "starts_on": datetime.date(2026, 1, 1),
    }
    defaults.update(kwargs)
    agreement = ExchangeAgreement.objects.create(**defaults)
    agreement.parties.set(parties)
    return agreement
