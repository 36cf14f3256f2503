from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import SharedRecordForm, expand_translated

from .models import ExchangeAgreement, dataset_type_choices


class ExchangeAgreementForm(SharedRecordForm):
    dataset_types = forms.MultipleChoiceField(
        label=_("Dataset types"), choices=dataset_type_choices, widget=forms.CheckboxSelectMultiple
    )
    lead_days = forms.CharField(
        label=_("Reminder lead times (days)"),
        initial="7, 1",
        required=False,
        help_text=_("Days before the due date, separated by commas."),
    )

    class Meta:
        model = ExchangeAgreement
        fields = expand_translated(
            ExchangeAgreement,
            [
                "owner_agency",
                "sensitivity",
                "title",
                "notes",
                "parties",
                "dataset_types",
                "cadence",
                "cron",
                "due_day",
                "lead_days",
                "escalate_after_days",
                "starts_on",
                "ends_on",
                "is_active",
            ],
        )
        widgets = {
            "parties": forms.CheckboxSelectMultiple,
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.lead_days, list):
            self.initial["lead_days"] = ", ".join(str(d) for d in self.instance.lead_days)

    def clean_lead_days(self):
        raw = self.cleaned_data.get("lead_days") or ""
        try:
            return sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()}, reverse=True)
        except ValueError:
            raise forms.ValidationError(_("Lead times are whole days, separated by commas."))


class ManualSubmissionForm(forms.Form):
    dataset = forms.ChoiceField(label=_("Dataset type"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attachment = forms.FileField(label=_("Attachment"), required=False)

    def __init__(self, *args, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        from .models import dataset_label

        choices = [("", _("All dataset types of the round"))]
        if round_ is not None:
            choices += [(key, dataset_label(key)) for key in round_.agreement.dataset_types or []]
        self.fields["dataset"].choices = choices

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("note") and not cleaned.get("attachment"):
            raise forms.ValidationError(_("Give a note or attach a file."))
        return cleaned
