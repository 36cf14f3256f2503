from modeltranslation.translator import TranslationOptions, register

from .models import (
    EffortUnit,
    FeatureType,
    Individual,
    ObservationType,
    Protocol,
    ProtocolVersion,
    ResearchProject,
    Survey,
)


@register(Protocol)
class ProtocolTranslation(TranslationOptions):
    fields = ("title",)


@register(ProtocolVersion)
class ProtocolVersionTranslation(TranslationOptions):
    fields = ("title", "summary")


@register(ObservationType)
class ObservationTypeTranslation(TranslationOptions):
    fields = ("label", "description")


@register(FeatureType)
class FeatureTypeTranslation(TranslationOptions):
    fields = ("label", "description")


@register(EffortUnit)
class EffortUnitTranslation(TranslationOptions):
    fields = ("label", "description")


@register(Survey)
class SurveyTranslation(TranslationOptions):
    fields = ("name", "description")


@register(Individual)
class IndividualTranslation(TranslationOptions):
    fields = ("notes",)


@register(ResearchProject)
class ResearchProjectTranslation(TranslationOptions):
    fields = ("title", "summary")
