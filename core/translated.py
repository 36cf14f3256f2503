"""Helpers around django-modeltranslation: the per-language columns of a translated field."""

import re

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
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


CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# Longest first: the ending stripped is the longest that leaves a stem of STEM_MIN letters.
_RUSSIAN_ENDINGS = sorted(
    """иями ями ами иях ях ах ов ев ей ий ый ой ая яя ое ее ые ие ую юю ом ем ам ям ою ею
    ого его ому ему ыми ими а я ы и у ю е о ь й""".split(),
    key=len,
    reverse=True,
)
STEM_MIN = 4


def russian_stem(word):
    """A light stem of one Russian word (леопардов, леопарда → леопард); other words unchanged.

    Used where the database has no Russian full-text search (SQLite): the stem is then matched as
    a substring, which finds the other forms of the word.
    """
    lowered = word.lower()
    if not CYRILLIC.search(lowered):
        return word
    for ending in _RUSSIAN_ENDINGS:
        if lowered.endswith(ending) and len(lowered) - len(ending) >= STEM_MIN:
            return lowered[: -len(ending)]
    return lowered


def _is_text_path(model, path):
    """Whether `path` (e.g. "aliases__local_id") ends on a CharField/TextField."""
    from django.core.exceptions import FieldDoesNotExist
    from django.db import models

    current = model
    parts = path.split("__")
    for index, part in enumerate(parts):
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if index < len(parts) - 1:
            if field.related_model is None:
                return False
            current = field.related_model
        else:
            return isinstance(field, (models.CharField, models.TextField))
    return False


def _russian_forms_q(column, term):
    """`column` contains a form of the Russian words of `term`.

    PostgreSQL: full-text search with the 'russian' configuration (Snowball stems: леопардов
    matches "леопард" and "леопарда"). Elsewhere: each word's light stem as a substring.
    """
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorExact

        # The expression is built by hand: django.contrib.postgres need not be installed for it.
        return Q(
            SearchVectorExact(
                SearchVector(F(column), config="russian"), SearchQuery(term, config="russian", search_type="plain")
            )
        )
    condition = Q()
    for word in term.split():
        stem = russian_stem(word)
        # SQLite folds the case of ASCII letters only: spell the usual cases of a Cyrillic stem.
        condition &= (
            Q(**{f"{column}__icontains": stem})
            | Q(**{f"{column}__contains": stem.capitalize()})
            | Q(**{f"{column}__contains": stem.upper()})
        )
    return condition


def multilingual_q(model, fields, term, lookup="icontains"):
    """Match `term` in any language of the translated `fields` (plain fields are matched as is).

    Querysets see only the active language's column, so the search spells out every column.
    With the default icontains, a term with Russian words also finds their other forms
    (леопард / леопарда / леопардов); Chinese is matched by substring, so one character finds.
    """
    condition = Q()
    registered = translated_fields(model)
    word_forms = lookup == "icontains" and bool(CYRILLIC.search(term))
    for field_name in fields:
        if field_name in registered:
            columns = localized_columns(field_name)
            for column in columns.values():
                condition |= Q(**{f"{column}__{lookup}": term})
            if word_forms and "ru" in columns:
                condition |= _russian_forms_q(columns["ru"], term)
        else:
            condition |= Q(**{f"{field_name}__{lookup}": term})
            if word_forms and _is_text_path(model, field_name):
                condition |= _russian_forms_q(field_name, term)
    return condition
