"""Translations for core/models/notifications.py: an obligation's title in every language."""

from modeltranslation.translator import TranslationOptions, register

from core.models.notifications import DatedObligation


@register(DatedObligation)
class DatedObligationTranslation(TranslationOptions):
    fields = ("title",)
    fallback_undefined = ""
