from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.documents import AttachmentField
from core.figures import Period, PeriodError
from core.forms import SharedRecordForm, expand_translated
from core.models import Country
from core.widgets import DateInput, ListInput

from .models import AGREEMENT_FIELDS, ATTACHMENT_ROLE, ExchangeAgreement, dataset_label, dataset_type_choices


class ExchangeAgreementForm(SharedRecordForm):
    # Which keys and lead times are allowed is the model's rule (ExchangeAgreement.clean).
    dataset_types = forms.MultipleChoiceField(
        label=_("Dataset types"), choices=dataset_type_choices, widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = ExchangeAgreement
        fields = expand_translated(ExchangeAgreement, ["owner_agency", "sensitivity", *AGREEMENT_FIELDS])
        widgets = {
            "parties": forms.CheckboxSelectMultiple,
            "lead_days": ListInput(item_type="int"),
            "starts_on": DateInput(),
            "ends_on": DateInput(),
        }
        help_texts = {"lead_days": _("Days before the due date, one per row, for example 7 and 1.")}


class ManualSubmissionForm(forms.Form):
    """The inputs of a delivery by hand; services.submit_manually applies the model's rules."""

    dataset = forms.ChoiceField(label=_("Dataset type"), required=False)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    attachments = AttachmentField(role=ATTACHMENT_ROLE, label=_("Attachments"))

    def __init__(self, *args, round_=None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("All dataset types of the round"))]
        if round_ is not None:
            choices += [(key, dataset_label(key)) for key in round_.agreement.dataset_types or []]
        self.fields["dataset"].choices = choices

    def add_model_errors(self, error: ValidationError):
        """Show the errors the service raised on the fields they are about."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for key, messages in error.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)


class ComplianceFilterForm(forms.Form):
    """The compliance page's question: which period (by due date) and which agencies."""

    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2999)
    due_after = forms.DateField(label=_("Due on or after"), required=False, widget=DateInput())
    due_before = forms.DateField(label=_("Due on or before"), required=False, widget=DateInput())
    country = forms.ChoiceField(label=_("Country"), required=False, choices=[("", "---------"), *Country.choices])
    agency = forms.CharField(label=_("Agency"), required=False, max_length=32)

    def period(self):
        data = self.cleaned_data
        try:
            return Period.parse(year=data.get("year"), start=data.get("due_after"), end=data.get("due_before"))
        except PeriodError as error:
            self.add_error(None, str(error))
            return None
