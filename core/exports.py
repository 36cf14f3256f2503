"""CSV and XLSX downloads that stream, for every list, report and figure of the portal.

    headers = [_("Reference"), _("Date"), _("Quantity")]
    rows = rows_of(incidents, lambda i: [i.reference, i.occurred_on, i.quantity])
    return export_response(headers, rows, "incidents", request.GET.get("export"))

Rows are consumed lazily (querysets through .iterator(), never list()), so a large export does not
load the table into memory. A text cell that a spreadsheet would run as a formula (=, +, -, @, tab,
carriage return first) is neutralized: a leading apostrophe in CSV, a plain string cell in XLSX.
Numbers stay numbers. The file name carries a label and the date, never record data.
"""

import csv
import datetime
import io
import math
import re
import tempfile
from decimal import Decimal

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _

FORMATS = ("csv", "xlsx")
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_PER_CHUNK = 200
# Characters XML 1.0 (and so XLSX) cannot hold; openpyxl refuses them.
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class ExportError(ValueError):
    """An export a person asked for that cannot be made (unknown format); the message is translated."""


def rows_of(queryset, row, chunk_size=2000):
    """Yield `row(record)` for each record, reading the queryset in chunks (.iterator(), no cache)."""
    for record in queryset.iterator(chunk_size=chunk_size):
        yield row(record)


def export_filename(label, fmt, day=None):
    """ "patrols-20261201.csv": a slug of the label and the date, nothing taken from the records."""
    day = day or timezone.localdate()
    slug = slugify(str(label), allow_unicode=True)[:60].strip("-_") or "export"
    return f"{slug}-{day:%Y%m%d}.{fmt}"


def neutralize(text):
    """A string a spreadsheet would read as a formula gets a leading apostrophe."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def _is_number(value):
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def csv_cell(value):
    if value is None:
        return ""
    if _is_number(value):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):
        return _local(value).isoformat()
    return neutralize(str(value))


def xlsx_value(value):
    """(value, force_text): numbers, dates and booleans keep their type; everything else is text."""
    if value is None or isinstance(value, bool):
        return value, False
    if _is_number(value):
        if isinstance(value, float) and not math.isfinite(value):
            return str(value), True
        return value, False
    if isinstance(value, (datetime.date, datetime.time)):
        value = _local(value)
        if isinstance(value, (datetime.datetime, datetime.time)) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # spreadsheets have no time zones: local time is shown
        return value, False
    text = str(value) if isinstance(value, Promise) or not isinstance(value, str) else value
    return _ILLEGAL_XML.sub("", text), True


class _Line:
    """A file-like object whose write() returns what it was given (csv.writer into a generator)."""

    def write(self, value):
        return value


def _csv_chunks(headers, rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")  # a BOM so that spreadsheet programs read Chinese and Russian as UTF-8
    writer.writerow([neutralize(str(h)) for h in headers])
    for count, row in enumerate(rows, start=1):
        writer.writerow([csv_cell(v) for v in row])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_response(headers, rows, label, day=None):
    """A StreamingHttpResponse: rows are read while the response is sent."""
    response = StreamingHttpResponse(_csv_chunks(headers, rows), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, export_filename(label, "csv", day))
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _sheet_title(label):
    title = re.sub(r"[\[\]:*?/\\]", " ", str(label)).strip()[:31]
    return title or "Sheet1"


def write_xlsx(headers, rows, target, sheet_title="Sheet1"):
    """Write rows into `target` (a path or binary file) with openpyxl's write-only (streaming) mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_sheet_title(sheet_title))
    bold = Font(bold=True)

    def cells(values, header=False):
        result = []
        for raw in values:
            value, force_text = xlsx_value(raw)
            cell = WriteOnlyCell(sheet, value=value)
            if force_text:
                cell.data_type = "s"  # never a formula, whatever the text starts with
            if header:
                cell.font = bold
            result.append(cell)
        return result

    sheet.append(cells(headers, header=True))
    for row in rows:
        sheet.append(cells(row))
    workbook.save(target)


def xlsx_response(headers, rows, label, sheet_title=None, day=None):
    """An XLSX built in write-only mode into a temporary file, then streamed out (FileResponse)."""
    spool = tempfile.TemporaryFile()
    write_xlsx(headers, rows, spool, sheet_title or label)
    spool.seek(0)
    response = FileResponse(
        spool, as_attachment=True, filename=export_filename(label, "xlsx", day), content_type=XLSX_CONTENT_TYPE
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def export_response(headers, rows, label, fmt="csv", day=None):
    """The download in `fmt` ("csv" or "xlsx"); ExportError (translated) for another format."""
    if fmt == "csv":
        return csv_response(headers, rows, label, day)
    if fmt == "xlsx":
        return xlsx_response(headers, rows, label, day=day)
    raise ExportError(_("Exports are available as CSV or XLSX."))


def table_export(table, fmt="csv", label=None):
    """Download a core.figures FigureTable as shown (countries, agencies and months as labels)."""
    return export_response(table.headers(), table.value_rows(display=True), label or table.key or "figure", fmt)
