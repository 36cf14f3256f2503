from modeltranslation.translator import TranslationOptions, register

from core.models import ExchangeVisit


@register(ExchangeVisit)
class ExchangeVisitTranslation(TranslationOptions):
    fields = ("title", "purpose", "programme", "report", "lessons_learned")
