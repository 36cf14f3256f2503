"""Numbers, dates and coordinates follow the language; ambiguous short strings carry a context."""

import datetime
import pathlib
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.template import Context, Template
from django.utils import translation

from core.templatetags.portal_format import coordinate, coordinates, local_date, local_datetime, number

pytestmark = [pytest.mark.sqlite]

LANGUAGES = ("zh-hans", "en", "ru")


def render(source, language, **context):
    with translation.override(language):
        return Template("{% load portal_format %}" + source).render(Context(context))


@pytest.mark.parametrize("language", LANGUAGES)
def test_coordinates_read_the_same_in_every_language(language):
    point = {"latitude": 43.65, "longitude": Decimal("130.85")}
    assert render("{{ p|coordinates }}", language, p=point) == "43.6500, 130.8500"
    assert render("{% latlon 43.123456 130.1 %}", language) == "43.1235, 130.1000"
    assert render("{{ v|coordinate }}", language, v=43.6) == "43.6000"
    # Never the decimal comma ("43,65, 130,85" in Russian), even where the language uses one.
    assert "," not in render("{{ v|coordinate }}", language, v=43.65)


def test_coordinates_of_missing_or_bad_values_do_not_break():
    assert coordinate(None) == coordinate("nan") == coordinate("x") == "—"
    assert coordinates(None) == coordinates({"latitude": 1}) == "—"
    assert coordinates((43.65, 130.85)) == "43.6500, 130.8500"
    assert coordinate(43.65, "bad") == "43.6500"


@pytest.mark.parametrize(
    "language, value, expected",
    [
        ("en", 1000, "1,000"),
        ("ru", 1000, "1\xa0000"),
        ("zh-hans", 1000, "1000"),  # Django's zh-hans format: no separator below 10 000
        ("en", 1234567, "1,234,567"),
        # A quantity stored as 1.000 is one piece, not "1.000" read as one thousand.
        ("en", Decimal("1.000"), "1"),
        ("ru", Decimal("1.000"), "1"),
        ("ru", Decimal("2.500"), "2,5"),
        ("en", Decimal("12345.25"), "12,345.25"),
    ],
)
def test_numbers_follow_the_language(language, value, expected):
    with translation.override(language):
        assert number(value) == expected


def test_number_leaves_other_values_alone():
    assert number(None) == "—" and number("abc") == "abc"


@pytest.mark.parametrize(
    "language, expected_date, expected_time",
    [
        ("en", "1 Dec 2024", "1 Dec 2024, 09:05"),
        ("ru", "01.12.2024", "01.12.2024 09:05"),
        ("zh-hans", "2024-12-01", "2024-12-01 09:05"),
    ],
)
def test_dates_follow_the_language(settings, language, expected_date, expected_time):
    settings.TIME_ZONE = "UTC"
    moment = datetime.datetime(2024, 12, 1, 9, 5, tzinfo=datetime.UTC)
    with translation.override(language):
        assert local_date(datetime.date(2024, 12, 1)) == expected_date
        assert local_date(moment) == expected_date
        assert local_datetime(moment) == expected_time
        assert local_date(None) == "—"


# --- ambiguous strings -------------------------------------------------------------------------

TRANSLATE_WITHOUT_CONTEXT = re.compile(r"""\{%\s*(?:trans|translate)\s+(["'])(.+?)\1(?P<rest>[^%]*)%\}""")


def _choice_msgids():
    """Every choice label of every model (a status, a kind, an urgency): msgid -> fields."""
    labels = {}
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for _value, label in getattr(field, "choices", None) or ():
                if isinstance(label, (list, tuple)):
                    continue
                args = getattr(label, "_args", None) or getattr(label, "_proxy____args", None)
                msgid = args[0] if args else str(label)
                labels.setdefault(msgid, set()).add(f"{model._meta.label}.{field.name}")
    return labels


def test_core_templates_give_a_context_to_strings_shared_with_choice_labels():
    # "Open" as a button and "Open" as a status are different words in Chinese and Russian: a
    # template string that is also some field's choice label must say which one it is.
    labels = _choice_msgids()
    assert "Open" in labels  # the check sees the statuses (DatedObligation, Incident)
    root = pathlib.Path(apps.get_app_config("core").path) / "templates"
    clashes = []
    for path in root.rglob("*"):
        if path.suffix not in {".html", ".txt"}:
            continue
        for match in TRANSLATE_WITHOUT_CONTEXT.finditer(path.read_text()):
            if "context" not in match.group("rest") and match.group(2) in labels:
                clashes.append(f"{path.relative_to(root)}: {match.group(2)!r} is also {sorted(labels[match.group(2)])}")
    assert not clashes, "\n".join(clashes)


@pytest.mark.django_db
def test_notification_open_button_uses_its_own_msgid(client, cn_staff):
    from core.models import Notification

    Notification.objects.create(recipient=cn_staff, subject="s", body="b", url="/en/", kind="before_due")
    client.force_login(cn_staff)
    # A catalogue where the status "Open" reads "Открыто" must not change the button.
    from unittest import mock

    from django.utils.translation import trans_real

    with translation.override("ru"):
        top = trans_real.translation("ru")._catalog._catalogs[0]
        fake = {"Open": "Открыто", "button: open the notification's record\x04Open": "Открыть"}
        with mock.patch.dict(top, fake):
            body = client.get("/ru/notifications/").content.decode()
    assert "Открыть" in body and "Открыто</button>" not in body


@pytest.mark.parametrize(
    "language, value, name, expected",
    [
        ("ru", Decimal("1.000"), "quantity", "1"),
        ("ru", Decimal("1000.000"), "quantity", "1\xa0000"),
        ("ru", 43.65, "latitude", "43.6500"),
        ("ru", Decimal("130.85"), "point.longitude", "130.8500"),
        ("ru", 12.5, "distance_km", "12,5"),
        ("ru", datetime.date(2024, 12, 1), "started", "01.12.2024"),
        ("en", datetime.date(2024, 12, 1), "started", "1 Dec 2024"),
        ("ru", 2024, "year", "2024"),  # integers (years, ids) are not grouped
        ("ru", "text", "name", "text"),
    ],
)
def test_generic_page_cells_follow_the_language(language, value, name, expected):
    cell = {"value": value, "url": None, "name": name}
    with translation.override(language):
        rendered = Template('{% include "core/pages/_cell.html" %}').render(Context({"cell": cell}))
    assert rendered.strip() == expected


def test_number_rounds_to_at_most_the_decimals_asked():
    with translation.override("en"):
        assert number(33.333333, 2) == "33.33"
        assert number(2.0, 2) == "2"
    with translation.override("ru"):
        assert number(1234.5678, 1) == "1\xa0234,6"
