"""Form bases for the staff pages: translated fields edited in all three languages, ownership rules."""

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from core.access import (
    can_create_for,
    can_link,
    link_refused_message,
    link_rules_for,
    shared_dataset_types,
    visible_choices,
)
from core.models import Agency, DataSharingGrant, Sensitivity
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


def _current_pks(form, name, field):
    """The pks the edited instance links to through `name` today (kept choosable)."""
    instance = getattr(form, "instance", None)
    if instance is None or instance._state.adding or instance.pk is None:
        return []
    try:
        model_field = instance._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a form field that is not a model field
        return []
    if model_field.many_to_many:
        return list(getattr(instance, name).values_list("pk", flat=True))
    if model_field.concrete and (model_field.many_to_one or model_field.one_to_one):
        return [getattr(instance, model_field.attname)]
    return []


def restrict_form_fields(form, principal):
    """Narrow every ModelChoiceField / ModelMultipleChoiceField of `form` whose model has
    `visible_to()` to what `principal` may see (the current values of an edited record stay).

    A choice the principal may not see is then refused like one that does not exist.
    """
    if principal is None:
        return form
    for name, field in form.fields.items():
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            field.queryset = visible_choices(field.queryset, principal, _current_pks(form, name, field))
    return form


def check_form_links(form, principal, rules):
    """Add an error to each field of `rules` whose newly chosen target `principal` may not link."""
    if principal is None:
        return
    for name, rule in rules.items():
        if name not in form.fields or not form.cleaned_data.get(name):
            continue
        value = form.cleaned_data[name]
        targets = [value] if hasattr(value, "_meta") else list(value)
        already = set(_current_pks(form, name, form.fields[name]))
        for target in targets:
            if target.pk not in already and not can_link(principal, target, rule):
                form.add_error(name, link_refused_message(target))


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
    """Shows e.g. name_zh_hans / name_en / name_ru with language labels; one of them is required.

    Related choices are narrowed to what the principal may see (restrict_form_fields), declared
    link rules are checked, and the model's errors on a translated field land on its columns.
    """

    def __init__(self, *args, principal=None, **kwargs):
        self.principal = principal
        super().__init__(*args, **kwargs)
        style_form(self)
        from core.widgets import apply_portal_widgets

        apply_portal_widgets(self)
        restrict_form_fields(self, principal)
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
        check_form_links(self, self.principal, link_rules_for(model, self.declared_link_rules()))
        return cleaned

    @classmethod
    def declared_link_rules(cls):
        """The form's own link rules: `link_rules` on the class or on its Meta (ModelForm's
        options drop unknown Meta attributes, so they are read here)."""
        meta = getattr(cls, "Meta", None)
        return {**(getattr(meta, "link_rules", None) or {}), **(getattr(cls, "link_rules", None) or {})}

    def _form_field_for(self, key):
        """The form field a model error key belongs to: a translated field's error goes to the
        column of the active language (or the first column shown); an unknown key is non-field."""
        if key == NON_FIELD_ERRORS or key in self.fields:
            return key
        if key in translated_fields(self._meta.model):
            columns = localized_columns(key)
            shown = [column for column in columns.values() if column in self.fields]
            current = columns.get(get_language())
            if shown:
                return current if current in shown else shown[0]
        return NON_FIELD_ERRORS

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            remapped = {}
            for key, messages in errors.error_dict.items():
                remapped.setdefault(self._form_field_for(key), []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)


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


class GrantForm(forms.ModelForm):
    """A coordinator gives a data-sharing grant from its agency to another."""

    class Meta:
        model = DataSharingGrant
        fields = ("grantee", "scope", "dataset_type", "valid_from", "valid_until", "note")

    def __init__(self, *args, grantor=None, **kwargs):
        super().__init__(*args, **kwargs)
        from core.widgets import apply_portal_widgets

        apply_portal_widgets(style_form(self))
        self.instance.grantor = grantor
        self.fields["grantee"].queryset = Agency.objects.filter(is_active=True).exclude(pk=getattr(grantor, "pk", None))
        self.fields["dataset_type"] = forms.ChoiceField(
            label=_("Dataset type"),
            required=False,
            choices=[("", _("Every dataset type"))] + [(key, key) for key in shared_dataset_types()],
        )
