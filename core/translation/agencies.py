from modeltranslation.translator import TranslationOptions, register

from core.models import Agency, Species


@register(Agency)
class AgencyTranslation(TranslationOptions):
    fields = ("name", "address")
    fallback_undefined = ""


@register(Species)
class SpeciesTranslation(TranslationOptions):
    fields = ("common_name",)
