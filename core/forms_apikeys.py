"""The form a coordinator fills to issue an API key; the rules are in core.apikeys."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.apikeys import NAME_MAX_LENGTH
from core.models import Agency


class ApiKeyForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"),
        queryset=Agency.objects.none(),
        error_messages={
            "required": _("Choose the agency the key acts for."),
            "invalid_choice": _("Choose one of the agencies in the list."),
        },
    )
    name = forms.CharField(
        label=_("Label"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Which system or person uses the key, e.g. “SMART sync”."),
        error_messages={
            "required": _("Give the key a label, e.g. the system that will use it."),
            "max_length": _("The label may have at most %(limit_value)d characters."),
        },
    )
    read_only = forms.BooleanField(
        label=_("Read only"),
        required=False,
        help_text=_("A read-only key can fetch data but never change it."),
    )
    expires = forms.DateField(
        label=_("Expires on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The key stops working after this day (UTC). Leave empty for no expiry."),
        error_messages={"invalid": _("Enter the date as YYYY-MM-DD.")},
    )

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if agencies.count() == 1:
            # A coordinator issues keys for their own agency only: nothing to choose.
            self.fields["agency"].initial = agencies.first()
            self.fields["agency"].widget = forms.HiddenInput()
        for name, field in self.fields.items():
            if name != "read_only":
                field.widget.attrs.setdefault("class", "form-control")
            else:
                field.widget.attrs.setdefault("class", "form-check-input")


class RevokeForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that the key stops working at once and cannot be restored."),
        error_messages={"required": _("Tick the box to confirm the revocation.")},
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
