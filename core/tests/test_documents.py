"""Attachments (core.documents): type by content, size limit, no metadata, access-checked download, API."""

import datetime
import io
import zipfile
from urllib.parse import quote

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from core.access import Principal
from core.documents import AttachmentFormMixin, attach, attachments_for, check_upload, register_role
from core.models import Attachment, ObjectChange, TrainingCourse
from core.tests.factories import make_api_key, make_member

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

API = "/api/v1/attachments/"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def english():
    # Messages are checked in English, whatever language an earlier test left active.
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.PORTAL_MAX_UPLOAD_MB = 1
    return tmp_path


def _course(agency, sensitivity="partners"):
    return TrainingCourse.objects.create(
        owner_agency=agency,
        title_en="Evidence handling",
        topic="evidence",
        start_date=datetime.date(2026, 3, 1),
        end_date=datetime.date(2026, 3, 2),
        sensitivity=sensitivity,
    )


def _jpeg_with_gps():
    image = Image.new("RGB", (40, 30), (200, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"  # Make
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (43.0, 13.0, 7.44)
    gps[3] = "E"
    gps[4] = (131.0, 3.0, 54.6)
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, xmp=b"<x:xmpmeta>43.218734 131.065172</x:xmpmeta>")
    return out.getvalue()


def _staff(agency):
    return Principal.for_user(make_member(agency))


# --- the upload check ------------------------------------------------------------------------


def test_html_renamed_pdf_is_refused(cn_agency):
    course = _course(cn_agency)
    html = SimpleUploadedFile("minutes.pdf", b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>")
    with pytest.raises(ValidationError) as error:
        attach(course, html, _staff(cn_agency))
    assert "minutes.pdf" in error.value.messages[0]
    assert "web pages" in error.value.messages[0]
    assert not Attachment.objects.exists()


@pytest.mark.parametrize(
    "content",
    [
        b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
        b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    ],
)
def test_svg_is_refused_whatever_its_name(cn_agency, content):
    with pytest.raises(ValidationError, match="SVG"):
        attach(_course(cn_agency), SimpleUploadedFile("map.png", content), _staff(cn_agency))


def test_oversized_file_is_refused_with_its_size(cn_agency):
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (1024 * 1024 + 10))
    with pytest.raises(ValidationError) as error:
        attach(_course(cn_agency), big, _staff(cn_agency))
    message = error.value.messages[0]
    assert "big.pdf" in message and "1.0\xa0MB" in message


def test_unknown_binary_and_role_allow_list(cn_agency):
    with pytest.raises(ValidationError, match="accepted types"):
        check_upload(SimpleUploadedFile("x.pdf", b"MZ\x90\x00" + b"\x00" * 100))  # a Windows program
    register_role("test-pdf-only", ("pdf",))
    with pytest.raises(ValidationError, match="PDF"):
        check_upload(SimpleUploadedFile("notes.csv", b"a,b\n1,2\n"), role="test-pdf-only")
    assert check_upload(SimpleUploadedFile("notes.csv", b"a,b\n1,2\n")).mime_type == "text/csv"
    assert check_upload(SimpleUploadedFile("t", b'<?xml version="1.0"?><gpx version="1.1"></gpx>')).kind == "gpx"


def test_office_documents_are_told_apart_from_zip():
    def zipped(entries):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            for name, body in entries.items():
                archive.writestr(name, body)
        return out.getvalue()

    docx = zipped({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w:document/>"})
    ods = zipped({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"})
    assert check_upload(SimpleUploadedFile("report.docx", docx)).kind == "docx"
    assert check_upload(SimpleUploadedFile("table", ods)).name == "table.ods"
    assert check_upload(SimpleUploadedFile("photos.zip", zipped({"a.txt": "x"}))).kind == "zip"


def test_jpeg_comes_out_without_exif_and_stored_name_is_random(cn_agency, media):
    original = _jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the fixture carries GPS
    name = "43.218734_131.065172 leopard.jpg"
    attachment = attach(_course(cn_agency), SimpleUploadedFile(name, original), _staff(cn_agency), role="photo")
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    with Image.open(io.BytesIO(stored)) as image:
        assert len(image.getexif()) == 0
        assert "xmp" not in image.info and "exif" not in image.info
        assert image.size == (40, 30)
    assert b"43.218734" not in stored and b"CameraMaker" not in stored
    assert attachment.original_name == name and attachment.mime_type == "image/jpeg"
    assert attachment.size == len(stored)
    assert not any(part in attachment.file.name for part in ("43.2", "218734", "065172", "leopard", ".jpg"))
    assert attachment.file.name.startswith("attachments/") and attachment.pk.hex in attachment.file.name
    assert [str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()] == [attachment.file.name]


def test_only_an_editor_attaches(cn_agency, ru_agency):
    course = _course(cn_agency)
    with pytest.raises(ValidationError, match="may not attach"):
        attach(course, SimpleUploadedFile("a.pdf", PDF), _staff(ru_agency))
    observer = Principal.for_user(make_member(cn_agency, role="observer"))
    with pytest.raises(ValidationError):
        attach(course, SimpleUploadedFile("a.pdf", PDF), observer)
    assert not Attachment.objects.exists()


def test_form_mixin_checks_each_file_and_saves_them(cn_agency):
    from django import forms

    class CourseFilesForm(AttachmentFormMixin, forms.Form):
        pass

    bad = CourseFilesForm(data={}, files={"attachments": [SimpleUploadedFile("x.pdf", b"<html></html>")]})
    assert not bad.is_valid() and "x.pdf" in bad.errors["attachments"][0]
    from django.utils.datastructures import MultiValueDict

    files = MultiValueDict({"attachments": [SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.txt", b"hi")]})
    good = CourseFilesForm(data={}, files=files)
    assert good.is_valid(), good.errors
    course = _course(cn_agency)
    good.save_attachments(course, _staff(cn_agency))
    assert sorted(a.original_name for a in attachments_for(course)) == ["a.pdf", "b.txt"]


# --- the download route --------------------------------------------------------------------


def test_download_headers_and_chinese_name(client, cn_agency):
    course = _course(cn_agency)
    name = "巡护报告 2026.pdf"
    attachment = attach(course, SimpleUploadedFile(name, PDF), _staff(cn_agency))
    client.force_login(make_member(cn_agency, username="reader"))
    response = client.get(f"/en/files/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"filename*=utf-8''{quote(name)}" in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Content-Type"] == "application/pdf"


def test_russian_name_and_an_html_type_is_never_served_as_html(client, cn_agency):
    attachment = attach(_course(cn_agency), SimpleUploadedFile("Протокол.txt", b"text"), _staff(cn_agency))
    Attachment.objects.filter(pk=attachment.pk).update(mime_type="text/html")  # an old row, say
    client.force_login(make_member(cn_agency))
    response = client.get(f"/en/files/{attachment.pk}/")
    assert response["Content-Type"] == "application/octet-stream"
    assert quote("Протокол.txt") in response["Content-Disposition"]


def test_download_of_a_hidden_record_is_404_and_restricted_reads_are_audited(client, cn_agency, ru_agency):
    hidden = _course(cn_agency, sensitivity="owner")
    attachment = attach(hidden, SimpleUploadedFile("plan.pdf", PDF), _staff(cn_agency))
    client.force_login(make_member(ru_agency))
    assert client.get(f"/en/files/{attachment.pk}/").status_code == 404
    client.logout()
    assert client.get(f"/en/files/{attachment.pk}/").status_code == 404  # anonymous too
    owner = make_member(cn_agency, username="owner-reader")
    client.force_login(owner)
    assert client.get(f"/en/files/{attachment.pk}/").status_code == 200
    read = ObjectChange.objects.get(action="read", object_id=str(hidden.pk))
    assert read.user == owner and read.after == {"attachment": str(attachment.pk)}


def test_public_file_of_a_public_record_is_served_to_anyone(client, cn_agency):
    attachment = attach(_course(cn_agency, sensitivity="public"), SimpleUploadedFile("a.pdf", PDF), _staff(cn_agency))
    assert client.get(f"/en/files/{attachment.pk}/").status_code == 200
    assert not ObjectChange.objects.filter(action="read").exists()


def test_page_upload_and_remove(client, cn_agency, ru_agency):
    course = _course(cn_agency)
    url = f"/en/files/add/core.trainingcourse/{course.pk}/"
    client.force_login(make_member(ru_agency))
    client.post(url, {"attachments": [SimpleUploadedFile("a.pdf", PDF)]})
    assert not Attachment.objects.exists()  # another agency may not add
    client.force_login(make_member(cn_agency))
    response = client.post(url, {"attachments": [SimpleUploadedFile("a.pdf", PDF)], "next": "/en/"})
    assert response.status_code == 302 and response["Location"] == "/en/"
    attachment = Attachment.objects.get()
    response = client.post(f"/en/files/{attachment.pk}/remove/", {"next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response["Location"]
    assert not Attachment.objects.exists()


# --- the API ---------------------------------------------------------------------------------


def test_api_list_upload_delete(api_client, cn_agency, ru_agency, media):
    course = _course(cn_agency)
    hidden = _course(cn_agency, sensitivity="owner")
    attach(hidden, SimpleUploadedFile("secret.pdf", PDF), _staff(cn_agency))
    staff = make_member(cn_agency)
    api_client.force_authenticate(staff)
    created = api_client.post(
        API,
        {
            "record_type": "core.trainingcourse",
            "record_id": str(course.pk),
            "title": "Programme",
            "language": "ru",
            "file": SimpleUploadedFile("Программа.pdf", PDF),
        },
        format="multipart",
    )
    assert created.status_code == 201, created.data
    assert created.data["original_name"] == "Программа.pdf" and created.data["size"] == len(PDF)
    assert created.data["download_url"].endswith(f"/files/{created.data['id']}/")
    assert created.data["uploaded_by_agency"] == "CNPARK"

    refused = api_client.post(
        API,
        {
            "record_type": "core.trainingcourse",
            "record_id": str(course.pk),
            "file": SimpleUploadedFile("x.pdf", b"<html>"),
        },
        format="multipart",
    )
    assert refused.status_code == 400 and "x.pdf" in str(refused.data["file"])

    listed = api_client.get(API, {"record_type": "core.trainingcourse", "record_id": str(course.pk)})
    assert [row["id"] for row in listed.data["results"]] == [created.data["id"]]
    assert api_client.get(API, {"record_type": "no.such"}).status_code == 400

    # Another agency sees the partners course's file but not the owner-only one, and cannot change either.
    other = make_member(ru_agency)
    api_client.force_authenticate(other)
    names = {row["original_name"] for row in api_client.get(API).data["results"]}
    assert names == {"Программа.pdf"}
    upload_hidden = api_client.post(
        API,
        {"record_type": "core.trainingcourse", "record_id": str(hidden.pk), "file": SimpleUploadedFile("a.pdf", PDF)},
        format="multipart",
    )
    assert upload_hidden.status_code == 400 and "record_id" in upload_hidden.data
    upload_other = api_client.post(
        API,
        {"record_type": "core.trainingcourse", "record_id": str(course.pk), "file": SimpleUploadedFile("a.pdf", PDF)},
        format="multipart",
    )
    assert upload_other.status_code == 403
    assert api_client.delete(f"{API}{created.data['id']}/").status_code == 403

    api_client.force_authenticate(staff)
    assert api_client.delete(f"{API}{created.data['id']}/").status_code == 204
    assert not Attachment.objects.filter(pk=created.data["id"]).exists()
    assert ObjectChange.objects.filter(object_id=created.data["id"], action="delete").exists()


def test_api_read_only_key_cannot_upload(api_client, cn_agency):
    _key, raw = make_api_key(cn_agency, read_only=True)
    course = _course(cn_agency)
    response = api_client.post(
        API,
        {"record_type": "core.trainingcourse", "record_id": str(course.pk), "file": SimpleUploadedFile("a.pdf", PDF)},
        format="multipart",
        HTTP_AUTHORIZATION=f"Api-Key {raw}",
    )
    assert response.status_code == 403
    assert not Attachment.objects.exists()


def test_a_name_that_carries_a_position_is_given_only_to_precise_readers(client, api_client, cn_agency, ru_agency):
    course = _course(cn_agency)
    name = "cam 43.218734_131.065172.pdf"
    attachment = attach(course, SimpleUploadedFile(name, PDF), _staff(cn_agency), title="Trap at 43.2187, 131.0651")
    client.force_login(make_member(ru_agency))
    disposition = client.get(f"/en/files/{attachment.pk}/")["Content-Disposition"]
    assert "218734" not in disposition and f"file-{attachment.pk.hex[:8]}.pdf" in disposition
    api_client.force_authenticate(make_member(ru_agency, username="ru-api"))
    row = api_client.get(f"{API}{attachment.pk}/").data
    assert "218734" not in row["original_name"] and row["title"] == ""
    client.force_login(make_member(cn_agency))
    assert f'filename="{name}"' in client.get(f"/en/files/{attachment.pk}/")["Content-Disposition"]


def test_deleting_the_record_deletes_its_files(cn_agency, media, django_capture_on_commit_callbacks):
    course = _course(cn_agency)
    attachment = attach(course, SimpleUploadedFile("a.pdf", PDF), _staff(cn_agency))
    path = media / attachment.file.name
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        course.delete()
    assert not Attachment.objects.exists() and not path.exists()


def test_admin_shows_files_to_superusers_only_and_adds_none(client, cn_agency):
    attachment = attach(_course(cn_agency), SimpleUploadedFile("a.pdf", PDF), _staff(cn_agency))
    staff = make_member(cn_agency, username="staffer")
    staff.is_staff = True
    staff.save()
    client.force_login(staff)
    assert client.get(f"/en/admin/core/attachment/{attachment.pk}/change/").status_code in (302, 403)
    staff.is_superuser = True
    staff.save()
    assert client.get(f"/en/admin/core/attachment/{attachment.pk}/change/").status_code == 200
    assert client.get("/en/admin/core/attachment/add/").status_code == 403


def test_partial_lists_files_and_offers_upload_to_editors_only(rf, cn_agency, ru_agency):
    from django.template.loader import render_to_string

    from core.views_documents import attachment_context

    course = _course(cn_agency)
    attachment = attach(course, SimpleUploadedFile("Отчёт.pdf", PDF), _staff(cn_agency), title="Report")
    request = rf.get("/en/training/")
    request.user = make_member(cn_agency)
    owner_html = render_to_string(
        "core/_attachments.html", attachment_context(course, Principal.for_user(request.user)), request=request
    )
    assert f"/files/{attachment.pk}/" in owner_html and "Report" in owner_html and "Отчёт.pdf" in owner_html
    assert 'type="file"' in owner_html and "/remove/" in owner_html
    other_html = render_to_string(
        "core/_attachments.html", attachment_context(course, _staff(ru_agency)), request=request
    )
    assert f"/files/{attachment.pk}/" in other_html and 'type="file"' not in other_html


def test_png_text_and_exif_chunks_are_dropped_and_bombs_refused():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "43.218734 131.065172")
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    out = io.BytesIO()
    Image.new("RGBA", (8, 8), (0, 0, 0, 0)).save(out, format="PNG", pnginfo=info, exif=exif)
    checked = check_upload(SimpleUploadedFile("map.png", out.getvalue()))
    assert b"43.218734" not in checked.data and b"CameraMaker" not in checked.data
    with Image.open(io.BytesIO(checked.data)) as image:
        assert image.mode == "RGBA" and not image.info.get("Comment") and len(image.getexif()) == 0

    huge = io.BytesIO()
    Image.new("1", (8000, 8000)).save(huge, format="PNG")  # 64 megapixels in a few kilobytes
    with pytest.raises(ValidationError, match="too large"):
        check_upload(SimpleUploadedFile("bomb.png", huge.getvalue()))
