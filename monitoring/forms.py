"""The monitoring app's forms (the pages build their model forms from these or from field lists)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.forms import SharedRecordForm
from core.models import Agency, Species

from .models import Crosswalk, ProtocolVersion, ResearchProject, SnowTrackTransect, Survey, location_dataset_choices

TRANSECT_FIELDS = [
    "owner_agency",
    "sensitivity",
    "shared_with",
    "survey",
    "name",
    "date",
    "route",
    "snow_age_days",
    "observers",
]


class TransectForm(SharedRecordForm):
    """A transect with its tracks per species, typed as 'scientific name = number' lines."""

    tracks_text = forms.CharField(
        label=gettext_lazy("Tracks per species"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One line per species: scientific name = number of tracks."),
    )

    class Meta:
        model = SnowTrackTransect
        fields = TRANSECT_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial.setdefault(
                "tracks_text",
                "\n".join(f"{t.species.scientific_name} = {t.tracks}" for t in self.instance.tracks.all()),
            )

    def clean_tracks_text(self):
        """[{"species": Species, "tracks": n}] for services.replace_transect_tracks."""
        parsed, seen = [], set()
        for line in self.cleaned_data["tracks_text"].splitlines():
            if not line.strip():
                continue
            name, _sep, number = line.partition("=")
            species = Species.objects.filter(scientific_name=name.strip()).first()
            if species is None or not number.strip().isdigit():
                raise ValidationError(_("Cannot read “%(line)s”.") % {"line": line})
            if species.pk in seen:
                raise ValidationError(_("“%(name)s” is listed twice.") % {"name": species.scientific_name})
            seen.add(species.pk)
            parsed.append({"species": species, "tracks": int(number)})
        return parsed


class PeriodForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=gettext_lazy("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    species = forms.ModelChoiceField(
        label=gettext_lazy("Species"), queryset=Species.objects.filter(is_target=True), required=False
    )


class ProtocolVersionForm(forms.ModelForm):
    """A new version of a protocol: trilingual title and summary, document, dates, adopting agencies."""

    class Meta:
        model = ProtocolVersion
        fields = [
            "version",
            "title_zh_hans",
            "title_en",
            "title_ru",
            "summary_zh_hans",
            "summary_en",
            "summary_ru",
            "document",
            "effective_from",
            "effective_until",
            "adopted_by",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_until": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(c) for c in ("title_zh_hans", "title_en", "title_ru")):
            self.add_error("title_en", _("Give this text in at least one language."))
        return cleaned


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Camtrap DP package (zip)"))
    survey = forms.ModelChoiceField(label=gettext_lazy("Survey"), queryset=Survey.objects.none(), required=False)


class RequestForm(forms.Form):
    requested_from = forms.ModelChoiceField(
        label=gettext_lazy("Agency asked"), queryset=Agency.objects.filter(is_active=True)
    )
    requested_dataset = forms.ChoiceField(label=gettext_lazy("Dataset"), choices=location_dataset_choices)
    project = forms.ModelChoiceField(
        label=gettext_lazy("Research project"), queryset=ResearchProject.objects.none(), required=False
    )
    purpose = forms.CharField(label=gettext_lazy("Purpose"), widget=forms.Textarea(attrs={"rows": 4}))
    needed_until = forms.DateField(label=gettext_lazy("Needed until"), widget=forms.DateInput(attrs={"type": "date"}))


class CrosswalkForm(forms.ModelForm):
    class Meta:
        model = Crosswalk
        fields = ("vocabulary", "local_code", "shared_key")

    def clean(self):
        cleaned = super().clean()
        # The agency is not a form field, so the unique constraint has to be checked here.
        duplicate = Crosswalk.objects.filter(
            agency=self.instance.agency, vocabulary=cleaned.get("vocabulary"), local_code=cleaned.get("local_code")
        )
        if duplicate.exists():
            raise forms.ValidationError(_("Your agency already maps this local code."))
        return cleaned
