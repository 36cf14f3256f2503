"""Form bases for the staff pages: translated fields edited in all three languages, ownership rules."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.access import can_create_for
from core.models import Agency, Sensitivity
from core.translated import localized_columns, translated_fields


def style_form(form):
    """Give widgets Bootstrap's classes unless a form chose its own."""
    for field in form.fields.values():
        widget = field.widget
        if widget.attrs.get("class"):
            continue
        if isinstance(widget, (forms.CheckboxInput, forms.CheckboxSelectMultiple, forms.RadioSelect)):
            css = "form-check-input" if isinstance(widget, forms.CheckboxInput) else ""
        elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
            css = "form-select"
        else:
            css = "form-control"
        if css:
            widget.attrs["class"] = css
    return form


def expand_translated(model, field_names):
    """Replace each translated field name by its three language columns, in order."""
    registered = translated_fields(model)
    expanded = []
    for name in field_names:
        if name in registered:
            expanded.extend(localized_columns(name).values())
        else:
            expanded.append(name)
    return expanded


class TranslatedModelForm(forms.ModelForm):
    """Shows e.g. name_zh_hans / name_en / name_ru with language labels; one of them is required."""

    def __init__(self, *args, principal=None, **kwargs):
        self.principal = principal
        super().__init__(*args, **kwargs)
        style_form(self)
        names = dict(settings.LANGUAGE_SELF_NAMES)
        model = self._meta.model
        for field_name in translated_fields(model):
            model_field = model._meta.get_field(field_name)
            for code, column in localized_columns(field_name).items():
                if column in self.fields:
                    self.fields[column].label = f"{model_field.verbose_name.capitalize()} ({names[code]})"
                    self.fields[column].required = False

    def clean(self):
        cleaned = super().clean()
        model = self._meta.model
        for field_name in translated_fields(model):
            model_field = model._meta.get_field(field_name)
            columns = [c for c in localized_columns(field_name).values() if c in self.fields]
            if columns and not model_field.blank and not any(cleaned.get(c) for c in columns):
                self.add_error(columns[0], _("Give this text in at least one language."))
        return cleaned


class SharedRecordForm(TranslatedModelForm):
    """Adds ownership: the owning agency is the user's own unless an admin chooses another."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "owner_agency" in self.fields:
            if self.principal and not self.principal.is_superuser:
                self.fields["owner_agency"].queryset = Agency.objects.filter(pk=self.principal.agency_id)
                self.fields["owner_agency"].initial = self.principal.agency_id
            if not self.instance._state.adding and not (self.principal and self.principal.is_superuser):
                self.fields["owner_agency"].disabled = True

    def clean_owner_agency(self):
        agency = self.cleaned_data.get("owner_agency")
        if self.instance._state.adding and self.principal and not can_create_for(self.principal, agency):
            raise ValidationError(_("You cannot create records for an agency you do not belong to."))
        return agency

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("sensitivity") == Sensitivity.RESTRICTED and "shared_with" in self.fields:
            if not cleaned.get("shared_with"):
                self.add_error("shared_with", _("A restricted record must list the agencies that may see it."))
        return cleaned
