"""Helpers around django-modeltranslation: the per-language columns of a translated field."""

from django.conf import settings
from django.db.models import Q
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def translated_fields(model):
    """Names of the fields of `model` registered for translation."""
    try:
        return set(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return set()


def localized_columns(field_name):
    """{"zh-hans": "name_zh_hans", "en": "name_en", "ru": "name_ru"}"""
    return {code: build_localized_fieldname(field_name, code) for code in language_codes()}


def multilingual_q(model, fields, term, lookup="icontains"):
    """Match `term` in any language of the translated `fields` (plain fields are matched as is).

    Querysets see only the active language's column, so the search spells out every column.
    """
    condition = Q()
    registered = translated_fields(model)
    for field_name in fields:
        if field_name in registered:
            for column in localized_columns(field_name).values():
                condition |= Q(**{f"{column}__{lookup}": term})
        else:
            condition |= Q(**{f"{field_name}__{lookup}": term})
    return condition
