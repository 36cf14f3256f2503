"""The portal's serializer bases: translated fields as one object, shared-record ownership."""

import copy
import json

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ObjectDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.settings import api_settings

from core.access import can_create_for, link_rules_for, principal_for
from core.models import Agency, Sensitivity, Species
from core.translated import language_codes, localized_columns, translated_fields

from .exceptions import django_error_detail
from .fields import link_errors, restrict_related_fields


def _json_object(text):
    if not text.lstrip().startswith("{"):
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class TranslatedField(serializers.Field):
    """Reads and writes `{"zh-hans": "…", "en": "…", "ru": "…"}` for a modeltranslation field.

    A plain string is accepted too and stored in the request's language.
    """

    default_error_messages = {
        "invalid": _("Expected an object with the keys zh-hans, en and ru, or a string."),
        "unknown_language": _("Unknown language “%(code)s”; use zh-hans, en or ru."),
        "not_text": _("Each translation must be text."),
        "required_one": _("Give this text in at least one language."),
        "max_length": _("Ensure the %(code)s text has no more than %(max)s characters."),
    }

    def __init__(self, field_name, *, allow_blank=False, max_length=None, **kwargs):
        self.translated_name = field_name
        self.allow_blank_all = allow_blank
        self.max_length = max_length
        kwargs["source"] = "*"
        super().__init__(**kwargs)

    def to_representation(self, instance):
        columns = localized_columns(self.translated_name)
        return {code: getattr(instance, column) or "" for code, column in columns.items()}

    def to_internal_value(self, data):
        from django.utils.translation import get_language

        if isinstance(data, str):
            # A form-encoded request carries the object as JSON text; a plain string is one language.
            parsed = _json_object(data)
            data = (
                parsed if parsed is not None else {get_language() if get_language() in language_codes() else "en": data}
            )
        if not isinstance(data, dict):
            self.fail("invalid")
        columns = localized_columns(self.translated_name)
        values = {}
        for code, text in data.items():
            if code not in columns:
                self.fail("unknown_language", code=code)
            if text is None:
                text = ""
            if not isinstance(text, str):
                self.fail("not_text")
            text = text.strip()
            if self.max_length and len(text) > self.max_length:
                self.fail("max_length", code=code, max=self.max_length)
            values[columns[code]] = text
        return values

    def validate_complete(self, merged):
        """On create (or when all languages are replaced), at least one language must remain."""
        if self.allow_blank_all:
            return
        columns = localized_columns(self.translated_name).values()
        if not any(merged.get(column) for column in columns):
            raise serializers.ValidationError({self.field_name: [self.error_messages["required_one"]]})


class PortalModelSerializer(serializers.ModelSerializer):
    """The base of every model serializer of the portal.

    - Turns every translated model field listed in Meta.fields into a TranslatedField.
    - Runs the model's own validation (`full_clean` on the merged instance) in validate(), so a
      rule lives once, in `Model.clean()` or a service; its errors come back as field errors.
    - Narrows every related field whose model has `visible_to()` to what the caller may see, and
      checks the declared link rules (`Model.link_rules` / `Meta.link_rules`, see core.access).
    """

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        for name in translated_fields(model):
            if name in fields and not isinstance(fields[name], TranslatedField):
                model_field = model._meta.get_field(name)
                fields[name] = TranslatedField(
                    name,
                    allow_blank=model_field.blank,
                    max_length=getattr(model_field, "max_length", None),
                    read_only=fields[name].read_only,
                    required=not model_field.blank and self.instance is None and not fields[name].read_only,
                    help_text=str(model_field.verbose_name).capitalize() + ' — {"zh-hans": …, "en": …, "ru": …}',
                )
        return restrict_related_fields(fields, self._request_principal(), self.instance)

    def get_validators(self):
        # DRF's own unique-together validators would demand every field of the group in the body
        # (owner_agency, which the base fills in from the caller); the model's constraints are
        # checked in validate_model once the record is complete.
        return []

    def _request_principal(self):
        request = self.context.get("request")
        return principal_for(request) if request is not None else self.context.get("principal")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs = self.complete_attrs(attrs)
        for field in self.fields.values():
            if isinstance(field, TranslatedField) and not field.read_only:
                merged = {
                    column: getattr(self.instance, column, "") if self.instance else ""
                    for column in localized_columns(field.translated_name).values()
                }
                merged.update({k: v for k, v in attrs.items() if k in merged})
                if self.instance is None or any(k in attrs for k in merged):
                    field.validate_complete(merged)
        errors = link_errors(
            self,
            attrs,
            link_rules_for(
                self.Meta.model,
                {**(getattr(self.Meta, "link_rules", None) or {}), **(getattr(self, "link_rules", None) or {})},
            ),
            self._request_principal(),
        )
        if errors:
            raise serializers.ValidationError(errors)
        self.validate_model(attrs)
        return attrs

    def complete_attrs(self, attrs):
        """Hook: fill server-side values (e.g. the owning agency) before the model is validated."""
        return attrs

    # --- the model's validation ---------------------------------------------------------------

    def _model_error_name(self, key):
        """The serializer field a model error key belongs to (`name_ru` → `name`)."""
        if key == NON_FIELD_ERRORS:
            return api_settings.NON_FIELD_ERRORS_KEY
        model = self.Meta.model
        for name in translated_fields(model):
            if key == name or key in localized_columns(name).values():
                key = name
                break
        for field_name, field in self.fields.items():
            if field.source == key or (field.source == "*" and getattr(field, "translated_name", None) == key):
                return field_name
        return key

    def _model_instance(self, values):
        """A copy of the instance (or a new one) with `values` applied; many-to-many left out."""
        model = self.Meta.model
        instance = copy.copy(self.instance) if self._single_instance() is not None else model()
        for key, value in values.items():
            try:
                model_field = model._meta.get_field(key)
            except FieldDoesNotExist:
                continue
            if model_field.many_to_many or not model_field.concrete:
                continue
            setattr(instance, key, value)
        return instance

    def _single_instance(self):
        instance = self.instance
        return instance if instance is not None and hasattr(instance, "_meta") else None

    def _excluded(self, attrs):
        """Model fields full_clean leaves alone: those this request does not set (on create they
        are set by perform_create/save or keep their default; on update they are unchanged)."""
        present = {key for key in attrs}
        for name in translated_fields(self.Meta.model):
            if any(column in present for column in localized_columns(name).values()):
                present.discard(name)  # the columns carry the values; the completeness rule covers it
        model = self.Meta.model
        names = set()
        for model_field in model._meta.get_fields():
            if not model_field.concrete:
                continue
            if model_field.name not in present and model_field.attname not in present:
                names.add(model_field.name)
        names.update(translated_fields(model))
        return names

    def _unique_excluded(self, excluded):
        """On update, a uniqueness group touched by the request is checked with all its fields
        (the untouched ones hold the stored values)."""
        if self._single_instance() is None:
            return excluded
        model = self.Meta.model
        groups = [tuple(group) for group in model._meta.unique_together]
        groups += [tuple(c.fields) for c in model._meta.constraints if getattr(c, "fields", None)]
        excluded = set(excluded)
        for group in groups:
            if any(name not in excluded for name in group):
                excluded.difference_update(group)
        return excluded

    def _model_errors(self, instance, excluded):
        """Run the model's validation; returns (DjangoValidationError or None, deferred)."""
        errors = {}
        deferred = False
        try:
            instance.clean_fields(exclude=excluded)
        except DjangoValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            instance.clean()
        except DjangoValidationError as exc:
            errors = exc.update_error_dict(errors)
        except ObjectDoesNotExist:
            # clean() needs a relation the view sets on save (e.g. the parent): checked in save().
            deferred = True
        unique_excluded = self._unique_excluded(excluded) | set(errors)
        try:
            instance.validate_unique(exclude=unique_excluded)
        except DjangoValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            instance.validate_constraints(exclude=unique_excluded | set(errors))
        except DjangoValidationError as exc:
            errors = exc.update_error_dict(errors)
        return (DjangoValidationError(errors) if errors else None), deferred

    def validate_model(self, attrs):
        """`full_clean` of the merged instance; Django's errors become this serializer's."""
        instance = self._model_instance(attrs)
        error, self._clean_deferred = self._model_errors(instance, self._excluded(attrs))
        if error is not None:
            raise serializers.ValidationError(django_error_detail(error, self._model_error_name))

    # Values a view passes to save() that no model rule depends on: no second clean() for them.
    save_only_fields = ("created_by",)

    def save(self, **kwargs):
        data = self.validated_data
        extra = {
            key for key in kwargs if key not in self.save_only_fields and (key not in data or data[key] != kwargs[key])
        }
        if getattr(self, "_clean_deferred", False) or extra:
            # The values the view passes to save() complete the record: run clean() with them.
            instance = self._model_instance({**self.validated_data, **kwargs})
            try:
                instance.clean()
            except DjangoValidationError as exc:
                raise serializers.ValidationError(django_error_detail(exc, self._model_error_name)) from exc
            except ObjectDoesNotExist:
                pass  # still incomplete: the database constraints have the last word
        return super().save(**kwargs)


class AgencyCodeField(serializers.SlugRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "code")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Agency.objects.all())
        super().__init__(**kwargs)


class SpeciesNameField(serializers.SlugRelatedField):
    """A species referenced by its scientific name (the shared vocabulary of both countries)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "scientific_name")
        if not kwargs.get("read_only"):
            kwargs.setdefault("queryset", Species.objects.all())
        super().__init__(**kwargs)


class SharedRecordSerializer(PortalModelSerializer):
    """Base for every shared record: id (client-suppliable), owner, sensitivity, sharing, revision."""

    id = serializers.UUIDField(required=False)
    owner_agency = AgencyCodeField(required=False, help_text=_("Code of the owning agency"))
    shared_with = AgencyCodeField(many=True, required=False)
    revision = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    shared_fields = ("id", "owner_agency", "sensitivity", "shared_with", "revision", "created_at", "updated_at")

    @property
    def principal(self):
        return principal_for(self.context["request"])

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            fields["id"].read_only = True
        return fields

    def validate_owner_agency(self, agency):
        if self.instance is not None and agency != self.instance.owner_agency and not self.principal.is_superuser:
            raise serializers.ValidationError(_("The owning agency of a record cannot be changed."))
        if self.instance is None and not can_create_for(self.principal, agency):
            raise serializers.ValidationError(_("You cannot create records for an agency you do not belong to."))
        return agency

    def complete_attrs(self, attrs):
        attrs = super().complete_attrs(attrs)
        if self.instance is None and "owner_agency" not in attrs:
            if self.principal.agency is None:
                raise serializers.ValidationError({"owner_agency": [_("This field is required.")]})
            attrs["owner_agency"] = self.principal.agency
        return attrs

    def validate(self, attrs):
        attrs = super().validate(attrs)
        sensitivity = attrs.get("sensitivity", getattr(self.instance, "sensitivity", None))
        shared = attrs.get("shared_with")
        if sensitivity == Sensitivity.RESTRICTED and self.instance is None and not shared:
            raise serializers.ValidationError(
                {"shared_with": [_("A restricted record must list the agencies that may see it.")]}
            )
        return attrs


class AgencySerializer(PortalModelSerializer):
    class Meta:
        model = Agency
        fields = ("code", "name", "country", "kind", "address", "email", "phone", "website", "timezone", "is_active")


class SpeciesSerializer(PortalModelSerializer):
    class Meta:
        model = Species
        fields = ("id", "scientific_name", "common_name", "taxon_rank", "gbif_key", "sensitivity_category", "is_target")


class MeSerializer(serializers.Serializer):
    username = serializers.CharField(allow_null=True)
    agency = AgencySerializer(allow_null=True)
    role = serializers.CharField(allow_null=True)
    is_superuser = serializers.BooleanField()
    read_only = serializers.BooleanField()
    authenticated_by = serializers.ChoiceField(choices=["session", "api_key"])
    language = serializers.CharField()


class TranslatedFieldSchema(OpenApiSerializerFieldExtension):
    """Documents a TranslatedField as the object it is: one string per language."""

    target_class = TranslatedField

    def map_serializer_field(self, auto_schema, direction):
        return {
            "type": "object",
            "properties": {code: {"type": "string"} for code in language_codes()},
            "additionalProperties": False,
            "description": str(self.target.help_text or ""),
        }
