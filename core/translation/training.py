from modeltranslation.translator import TranslationOptions, register

from core.models import TrainingCourse


@register(TrainingCourse)
class TrainingCourseTranslation(TranslationOptions):
    fields = ("title", "description", "place")
