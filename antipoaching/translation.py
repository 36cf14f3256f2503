from modeltranslation.translator import TranslationOptions, register

from .models import ActionPlan, Alert, Incident, IncidentType, JointOperation, Patrol, PlanActivity


@register(IncidentType)
class IncidentTypeTranslation(TranslationOptions):
    fields = ("name",)


@register(ActionPlan)
class ActionPlanTranslation(TranslationOptions):
    fields = ("title", "objectives", "evaluation")


@register(PlanActivity)
class PlanActivityTranslation(TranslationOptions):
    fields = ("title",)


@register(JointOperation)
class JointOperationTranslation(TranslationOptions):
    fields = ("title", "description", "results")


@register(Patrol)
class PatrolTranslation(TranslationOptions):
    fields = ("title", "objective", "comments")


@register(Incident)
class IncidentTranslation(TranslationOptions):
    fields = ("place", "description")


@register(Alert)
class AlertTranslation(TranslationOptions):
    fields = ("title", "message", "place")
