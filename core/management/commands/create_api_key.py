import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.models import Agency, AgencyAPIKey


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
                day = datetime.date.fromisoformat(expires)
            except ValueError:
                raise CommandError(f"--expires must be YYYY-MM-DD, not {expires!r}.") from None
            expiry = datetime.datetime.combine(day, datetime.time.max, tzinfo=datetime.UTC)
            if expiry < timezone.now():
                raise CommandError("--expires lies in the past.")
        key_obj, key = AgencyAPIKey.objects.create_key(
            name=name, agency=agency_obj, read_only=read_only, expiry_date=expiry
        )
        access = "read-only" if read_only else "read-write"
        until = f", expires {expiry:%Y-%m-%d}" if expiry else ""
        self.stdout.write(
            f"Issued {access} key {key_obj.prefix} for {agency_obj.code}{until}. Store it now; it is not shown again:"
        )
        self.stdout.write(key)
