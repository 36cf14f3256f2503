import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.apikeys import end_of_day, issue_key
from core.models import Agency


class Command(BaseCommand):
    help = "Issue an API key for a partner agency. The key is printed once, alone on the last line."

    def add_arguments(self, parser):
        parser.add_argument("--agency", required=True, help="Agency code, e.g. LOTL")
        parser.add_argument("--name", required=True, help="A label for the key, e.g. 'SMART sync'")
        parser.add_argument("--read-only", action="store_true", help="The key may only read.")
        parser.add_argument("--expires", help="Expiry date YYYY-MM-DD (end of that day, UTC).")

    def handle(self, *args, agency, name, read_only=False, expires=None, **options):
        try:
            agency_obj = Agency.objects.get(code=agency)
        except Agency.DoesNotExist:
            raise CommandError(f"No agency with code {agency!r}.") from None
        expiry = None
        if expires:
            try:
                expiry = end_of_day(datetime.date.fromisoformat(expires))
            except ValueError:
                raise CommandError(f"--expires must be YYYY-MM-DD, not {expires!r}.") from None
        # The same service as the coordinators' page: validated, hashed and audited.
        try:
            key_obj, key = issue_key(agency_obj, name, read_only=read_only, expiry_date=expiry, check=False)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        access = "read-only" if read_only else "read-write"
        until = f", expires {expiry:%Y-%m-%d}" if expiry else ""
        self.stdout.write(
            f"Issued {access} key {key_obj.prefix} for {agency_obj.code}{until}. Store it now; it is not shown again:"
        )
        self.stdout.write(key)
