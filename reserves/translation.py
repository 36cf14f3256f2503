from modeltranslation.translator import TranslationOptions, register

from .models import ProtectedArea


@register(ProtectedArea)
class ProtectedAreaTranslation(TranslationOptions):
    fields = ("name", "designation", "description")
