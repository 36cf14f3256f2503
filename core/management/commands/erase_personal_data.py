from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.access import Principal
from core.audit import acting_as
from core.personal_data import erase_personal_data, personal_fields, scrub_audit_history


class Command(BaseCommand):
    help = (
        "Erase the declared personal data of records (and their declared child records) and scrub it "
        "from the audit log. With --scrub-history only, replace logged values of a model's personal fields."
    )

    def add_arguments(self, parser):
        parser.add_argument("model", help="app_label.model, e.g. antipoaching.incident")
        parser.add_argument("ids", nargs="*", help="Primary keys of the records to erase.")
        parser.add_argument("--reason", help="Why (kept in the audit log). Required to erase.")
        parser.add_argument("--user", help="Username the erasure is attributed to (default: system).")
        parser.add_argument(
            "--scrub-history", action="store_true", help="Only scrub earlier audit rows of the model (all records)."
        )

    def handle(self, *args, model, ids, reason=None, user=None, scrub_history=False, **options):
        try:
            model_class = apps.get_model(model)
        except (LookupError, ValueError):
            raise CommandError(f"Unknown model {model!r}.") from None
        if not personal_fields(model_class):
            raise CommandError(f"{model_class._meta.label} declares no personal_data_fields.")
        if scrub_history:
            count = scrub_audit_history(model_class)
            self.stdout.write(f"Scrubbed {count} audit rows of {model_class._meta.label}.")
            return
        if not ids:
            raise CommandError("Give the ids of the records to erase.")
        acting_user = None
        if user:
            acting_user = get_user_model().objects.filter(username=user).first()
            if acting_user is None:
                raise CommandError(f"No user {user!r}.")
        principal = Principal(user=acting_user, is_superuser=True, read_only=False)
        records = model_class._base_manager.filter(pk__in=ids)
        found = {str(pk) for pk in records.values_list("pk", flat=True)}
        missing = sorted(set(ids) - found)
        if missing:
            raise CommandError(f"No {model_class._meta.label} with id {', '.join(missing)}.")
        try:
            with acting_as(principal):
                erased = erase_personal_data(records, principal, reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        for label, pk, fields in erased:
            self.stdout.write(f"Erased {', '.join(fields)} of {label} {pk}.")
