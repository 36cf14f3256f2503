from modeltranslation.translator import TranslationOptions, register

from .models import ExchangeAgreement


@register(ExchangeAgreement)
class ExchangeAgreementTranslation(TranslationOptions):
    fields = ("title", "notes")
    fallback_undefined = ""
