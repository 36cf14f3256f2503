"""Reading a package's CSV rows against its version's table schema, collecting errors (not raising)."""

import csv

from django.utils.translation import gettext as _

from . import package
from .safeguards import KEY_FIELDS, MAX_ERRORS
from .schema import FieldError, compile_fields


class RowReader:
    """Mixed into the Importer: `self.resources`, `self.version`, `self.errors`, `self.failed_keys`, `self.mapper`."""

    # errors ------------------------------------------------------------------
    def error(self, resource, row, field, message):
        if len(self.errors) < MAX_ERRORS:
            self.errors.append({"resource": resource, "row": row, "field": field, "message": str(message)})

    @property
    def failed(self):
        return bool(self.errors)

    # reading -----------------------------------------------------------------
    def rows(self, resource_name, crosswalked=()):
        """Yield (row number, {field: typed value}) of a resource; errors are collected."""
        resource = self.resources[resource_name]
        fields, missing = compile_fields(resource_name, crosswalked, self.version)
        with self.source.open(resource["path"]) as handle:
            reader = csv.reader(handle)
            try:
                yield from self._rows(resource_name, reader, fields, missing)
            except (csv.Error, UnicodeDecodeError) as exc:  # a message, not a 500
                self.error(resource_name, reader.line_num or 1, None, package.csv_error_message(exc))

    def _rows(self, resource_name, reader, fields, missing):
        try:
            header = next(reader)
        except StopIteration:
            self.error(resource_name, None, None, _("The file is empty."))
            return
        positions = {name: i for i, name in enumerate(header)}
        missing_columns = [f.name for f in fields if f.required and f.name not in positions]
        for name in missing_columns:
            self.error(resource_name, 1, name, _("The required column is missing."))
        if missing_columns:
            return
        plan = [(f, positions.get(f.name)) for f in fields]
        width = len(header)
        key_position = positions.get(KEY_FIELDS.get(resource_name))
        failed_keys = self.failed_keys.setdefault(resource_name, set())
        for number, raw in enumerate(reader, start=2):  # the header is row 1
            if not raw:
                continue
            if len(raw) != width:
                self.error(
                    resource_name,
                    number,
                    None,
                    _("The row has %(n)s cells, the header %(m)s.") % {"n": len(raw), "m": width},
                )
                continue
            if max(map(len, raw)) > package.MAX_CELL_CHARS:
                self.error(resource_name, number, None, package.cell_too_large_message())
                continue
            record = {}
            ok = True
            for field, position in plan:
                value = raw[position] if position is not None else ""
                if value in missing:
                    if field.required:
                        self.error(resource_name, number, field.name, _("A value is required."))
                        ok = False
                    record[field.name] = None
                    continue
                try:
                    record[field.name] = field.parse(value)
                except FieldError as exc:
                    self.error(resource_name, number, field.name, exc)
                    ok = False
            if ok:
                yield number, record
            elif key_position is not None:
                # Its media and observations are not reported again as pointing nowhere.
                failed_keys.add(raw[key_position])

    def mapped(self, resource, number, field, vocabulary, value):
        try:
            return self.mapper.map(vocabulary, value)
        except ValueError as exc:
            self.error(resource, number, field, exc)
            return None
