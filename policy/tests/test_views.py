"""Pages: calendar, compliance (with an inline SVG chart), rounds, manual submission, agreements."""

import datetime

import pytest
from django.utils import timezone

from core.tests.factories import make_member
from policy import services
from policy.models import ExchangeRound

from .factories import make_agreement

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def live_rounds(cn_agency, ru_agency):
    today = timezone.localdate()
    agreement = make_agreement(
        [cn_agency, ru_agency],
        cadence="monthly",
        due_day=10,
        starts_on=today.replace(day=1) - datetime.timedelta(days=120),
    )
    services.generate_rounds(agreement, today=today)
    return agreement


def test_calendar_shows_overdue_and_upcoming_for_my_agency(client, live_rounds, cn_agency):
    client.force_login(make_member(cn_agency, "agency_coordinator"))
    response = client.get("/en/policy/")
    assert response.status_code == 200
    overdue = response.context["overdue"]
    assert overdue and {r.agency for r, _days in overdue} == {cn_agency}
    assert response.context["months"]  # something is coming up
    assert b"overdue-rounds" in response.content


def test_secretariat_calendar_chooses_an_agency(client, live_rounds, secretariat_agency, ru_agency):
    client.force_login(make_member(secretariat_agency, "secretariat_coordinator"))
    everyone = client.get("/en/policy/").context["overdue"]
    assert {r.agency.code for r, _d in everyone} == {"CNPARK", "RUPARK"}
    one = client.get("/en/policy/?agency=RUPARK").context["overdue"]
    assert {r.agency.code for r, _d in one} == {"RUPARK"}


def test_compliance_table_and_svg_chart(client, live_rounds, cn_agency, secretariat_agency):
    first = ExchangeRound.objects.filter(agency=cn_agency).order_by("period_start").first()
    services.submit_manually(
        first, by_agency=cn_agency, note="x", submitted_at=first.due_at - datetime.timedelta(days=1)
    )
    client.force_login(make_member(secretariat_agency, "secretariat_coordinator"))
    response = client.get("/zh-hans/policy/compliance/")
    assert response.status_code == 200
    html = response.content.decode()
    # core.charts draws it (classes, no inline style); the table is the figure policy.compliance.
    assert 'id="compliance-chart"' in html and "on_time" in html and "missing" in html
    assert "cdn" not in html.lower() and "style=" not in html.split('id="compliance-chart"')[1].split("</svg>")[0]
    rows = {row["agency"]: row for row in response.context["totals"].rows}
    assert rows["CNPARK"]["on_time"] == 1
    assert rows["RUPARK"]["on_time"] == 0 and rows["RUPARK"]["missing"] >= 1
    only_ru = client.get("/en/policy/compliance/?agency=RUPARK").context["totals"].rows
    assert [row["agency"] for row in only_ru] == ["RUPARK"]
    assert client.get("/en/policy/compliance/?due_after=2026-05-01&due_before=2026-01-01").status_code == 400


def test_obliged_agency_submits_by_hand_on_the_round_page(
    client, live_rounds, cn_agency, ru_agency, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    round_ = ExchangeRound.objects.filter(agency=cn_agency).order_by("period_start").first()
    client.force_login(make_member(ru_agency, "agency_coordinator"))
    assert client.post(f"/en/policy/rounds/{round_.pk}/", {"note": "not ours"}).status_code == 403
    client.force_login(make_member(cn_agency, "agency_coordinator"))
    page = client.get(f"/en/policy/rounds/{round_.pk}/")
    assert page.status_code == 200 and page.context["can_submit"]
    response = client.post(
        f"/en/policy/rounds/{round_.pk}/",
        {"note": "Sent by courier", "attachments": SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")},
    )
    assert response.status_code == 302
    round_.refresh_from_db()
    from core.documents import attachments_for

    assert round_.fulfilled_at is not None and attachments_for(round_.submissions.get()).count() == 1


def test_agreement_pages(client, live_rounds, secretariat_agency, cn_agency):
    client.force_login(make_member(secretariat_agency, "secretariat_coordinator"))
    assert client.get("/ru/policy/agreements/").status_code == 200
    detail = client.get(f"/ru/policy/agreements/{live_rounds.pk}/")
    assert detail.status_code == 200 and "Ежеквартальный обмен данными" in detail.content.decode()
    form = client.get("/en/policy/agreements/new/")
    assert form.status_code == 200
    response = client.post(
        "/en/policy/agreements/new/",
        {
            "owner_agency": secretariat_agency.pk,
            "sensitivity": "partners",
            "title_en": "Yearly catalogue update",
            "parties": [cn_agency.pk],
            "dataset_types": ["manual"],
            "cadence": "yearly",
            "due_day": 31,
            "lead_days": "14\n3",
            "escalate_after_days": 10,
            "starts_on": "2025-01-01",
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    from policy.models import ExchangeAgreement

    created = ExchangeAgreement.objects.get(title_en="Yearly catalogue update")
    assert created.lead_days == [14, 3] and created.rounds.exists()


def test_menu_and_dashboard_figure(client, live_rounds, cn_agency):
    client.force_login(make_member(cn_agency, "agency_coordinator"))
    response = client.get("/en/")
    html = response.content.decode()
    assert "/en/policy/compliance/" in html
    from core.access import Principal
    from core.figures import dashboard_items

    principal = Principal.for_user(cn_agency.memberships.first().user)
    item = next(i for i in dashboard_items(principal) if i.app_label == "policy")
    assert item.key == "policy.overdue_rounds" and item.value >= 1


@pytest.mark.parametrize(
    ("lang", "text"), [("zh-hans", "数据交换履约情况"), ("ru", "Соблюдение сроков обмена данными")]
)
def test_pages_speak_the_language(client, live_rounds, cn_agency, lang, text):
    client.force_login(make_member(cn_agency, "agency_coordinator"))
    assert text in client.get(f"/{lang}/policy/compliance/").content.decode()


def test_catalogues_are_complete():
    from pathlib import Path

    for lang in ("zh_Hans", "ru"):
        po = (Path(__file__).resolve().parents[1] / "locale" / lang / "LC_MESSAGES" / "django.po").read_text()
        entries = po.split("\n\n")[1:]
        untranslated = [e for e in entries if e.rstrip().endswith('msgstr ""') or "#, fuzzy" in e]
        assert untranslated == [], lang
