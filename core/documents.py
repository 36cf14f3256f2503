"""Files attached to records: one upload check, one storage rule, one access rule.

`attach(record, uploaded_file, principal, role=...)` checks the type by content against the
role's allow-list, the size against PORTAL_MAX_UPLOAD_MB, re-encodes images without their
metadata (EXIF/GPS never reaches the disk) and stores the file under a random name.

Who may see or add the files of a record follows the record:
- a record whose queryset has `visible_to(principal)` (every SharedRecord) is visible through it;
- a child record names its parent with `access_parent = "field_name"` (ProtocolVersion ->
  "protocol", TrainingParticipant -> "course") and inherits visibility, edit right and the
  audited-read rule from it;
- a model may decide the edit right itself with `attachments_editable_by(self, principal)`;
- a model names the roles of files that carry its exact locations with
  `precise_attachment_roles = ("gpx",)` (a patrol leg's GPX file is its track): only those who see
  the governing record's locations precisely may list or download them (issue 9).
Anything else is open to superusers only.
"""

import hashlib
import io
import json
import os
import re
import uuid
import zipfile
from dataclasses import dataclass

import filetype
from django import forms
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from PIL import Image, ImageOps, UnidentifiedImageError

from .models.base import Sensitivity
from .models.documents import Attachment

__all__ = [
    "DEFAULT_TYPES",
    "FILE_TYPES",
    "AttachmentField",
    "AttachmentFormMixin",
    "CheckedFile",
    "allowed_types",
    "attach",
    "attachments_for",
    "check_upload",
    "carries_position",
    "delete_attachment",
    "display_name",
    "governing_record",
    "may_edit_record",
    "may_read_attachment",
    "register_role",
    "strip_image_metadata",
    "visible_attachments",
    "visible_record",
]

# key: (MIME type served, extensions the original name may carry; the first is added if missing)
FILE_TYPES = {
    "pdf": ("application/pdf", (".pdf",)),
    "png": ("image/png", (".png",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "webp": ("image/webp", (".webp",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "odt": ("application/vnd.oasis.opendocument.text", (".odt",)),
    "ods": ("application/vnd.oasis.opendocument.spreadsheet", (".ods",)),
    "zip": ("application/zip", (".zip",)),
    "csv": ("text/csv", (".csv",)),
    "txt": ("text/plain", (".txt", ".text", ".md")),
    "gpx": ("application/gpx+xml", (".gpx",)),
    "json": ("application/json", (".json", ".geojson")),
    "xml": ("application/xml", (".xml",)),
}
DEFAULT_TYPES = ("pdf", "png", "jpeg", "webp", "docx", "xlsx", "odt", "ods", "zip", "csv", "txt", "gpx")
IMAGE_TYPES = {"png": "PNG", "jpeg": "JPEG", "webp": "WEBP"}
MAX_IMAGE_PIXELS = 60_000_000  # a 60-megapixel photo still passes
# Never accepted and never served inline, whatever a role says: they run as the portal.
FORBIDDEN_MIME_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"}
_MARKUP_SIGNS = (b"<html", b"<!doctype html", b"<svg", b"<script", b"<body", b"<head", b"<iframe", b"<?xml-stylesheet")

_ROLE_TYPES = {}


def register_role(role, types):
    """Declare the file types a role accepts, e.g. register_role("certificate", ("pdf", "jpeg"))."""
    unknown = set(types) - set(FILE_TYPES)
    if unknown:
        raise ValueError(f"unknown file types {sorted(unknown)}")
    _ROLE_TYPES[role] = tuple(types)


def allowed_types(role=""):
    return _ROLE_TYPES.get(role, DEFAULT_TYPES)


@dataclass
class CheckedFile:
    """An upload that passed the checks: what will be stored, as it will be stored."""

    name: str
    kind: str
    mime_type: str
    data: bytes

    @property
    def size(self):
        return len(self.data)

    @property
    def sha256(self):
        return hashlib.sha256(self.data).hexdigest()


def _limit_bytes():
    return int(getattr(settings, "PORTAL_MAX_UPLOAD_MB", 20)) * 1024 * 1024


def _refuse(name, reason):
    raise ValidationError(_("“%(name)s” cannot be attached: %(reason)s") % {"name": name, "reason": reason})


def _zip_kind(data):
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if "mimetype" in names:
            mimetype = archive.read("mimetype").strip()
            if mimetype == b"application/vnd.oasis.opendocument.text":
                return "odt"
            if mimetype == b"application/vnd.oasis.opendocument.spreadsheet":
                return "ods"
        return "zip"
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None


def _text_kind(data, name):
    if b"\x00" in data[:65536]:
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None
    head = text[:4096].lstrip().lower().encode()
    if any(sign in head for sign in _MARKUP_SIGNS):
        return "markup"
    if head.startswith(b"<"):
        return "gpx" if b"<gpx" in head else "xml"
    if head[:1] in (b"{", b"["):
        try:
            json.loads(text)
            return "json"
        except ValueError:
            pass
    return "csv" if name.lower().endswith(".csv") else "txt"


def detect_kind(data, name=""):
    """The FILE_TYPES key of `data` judged by its content, "markup" for HTML/SVG, or None."""
    guess = filetype.guess(data[:8192])
    if guess is not None:
        if guess.mime == "application/zip" or guess.extension in ("docx", "xlsx", "odt", "ods", "zip"):
            return _zip_kind(data)
        for key, (mime, _exts) in FILE_TYPES.items():
            if mime == guess.mime:
                return key
        if guess.mime in FORBIDDEN_MIME_TYPES:
            return "markup"
        return guess.mime  # a known binary type outside the portal's list
    return _text_kind(data, name)


def strip_image_metadata(data, kind):
    """Re-encode an image so that no EXIF, GPS, XMP or text chunk survives; returns bytes.

    The orientation is applied to the pixels first, so the picture stands as it was taken.
    """
    with Image.open(io.BytesIO(data)) as image:
        if image.width * image.height > MAX_IMAGE_PIXELS:
            raise ValueError("too many pixels")  # a small file that would unpack into gigabytes
        image.load()
        upright = ImageOps.exif_transpose(image)
        if kind == "jpeg" and upright.mode not in ("RGB", "L", "CMYK"):
            upright = upright.convert("RGB")
        clean = upright.copy()
        # Only what draws the picture is kept: no EXIF, XMP, comments or text chunks.
        transparency = upright.info.get("transparency")
        clean.info = {"transparency": transparency} if transparency is not None and kind == "png" else {}
        out = io.BytesIO()
        options = {"quality": 92} if kind in ("jpeg", "webp") else {}
        icc = image.info.get("icc_profile")
        if icc:
            options["icc_profile"] = icc  # colours, not places
        clean.save(out, format=IMAGE_TYPES[kind], **options)
        return out.getvalue()


def _proper_name(name, kind):
    base = os.path.basename((name or "").replace("\\", "/")).strip() or "file"
    extensions = FILE_TYPES[kind][1]
    if not base.lower().endswith(extensions):
        base = f"{base}{extensions[0]}"  # the name a reader's computer opens it by fits its content
    return base[-255:]


def check_upload(uploaded_file, role=""):
    """Check one upload and return a CheckedFile; raises ValidationError naming the file and why."""
    if isinstance(uploaded_file, CheckedFile):
        return uploaded_file
    name = os.path.basename(getattr(uploaded_file, "name", "") or "file")
    limit = _limit_bytes()
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > limit:
        _refuse(
            name,
            _("it is %(size)s and files may be at most %(limit)s.")
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
    if hasattr(uploaded_file, "seek"):
        uploaded_file.seek(0)
    data = uploaded_file.read(limit + 1)
    if len(data) > limit:
        _refuse(name, _("files may be at most %(limit)s.") % {"limit": filesizeformat(limit)})
    if not data:
        _refuse(name, _("the file is empty."))
    kind = detect_kind(data, name)
    if kind == "markup":
        _refuse(name, _("web pages and SVG drawings are never accepted (they could run in a reader's browser)."))
    allowed = allowed_types(role)
    if kind not in FILE_TYPES or kind not in allowed:
        names = ", ".join(sorted({FILE_TYPES[k][1][0].lstrip(".").upper() for k in allowed}))
        _refuse(name, _("its content is not one of the accepted types (%(types)s).") % {"types": names})
    if kind in IMAGE_TYPES:
        try:
            data = strip_image_metadata(data, kind)
        except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
            _refuse(name, _("the image is damaged or too large to read."))
    return CheckedFile(name=_proper_name(name, kind), kind=kind, mime_type=FILE_TYPES[kind][0], data=data)


# --- who may see and change a record's files -------------------------------------------------


def governing_record(record):
    """The record whose owner and sensitivity rule `record` (itself or its access_parent chain)."""
    seen = 0
    while record is not None and seen < 5:
        if hasattr(record, "owner_agency_id"):
            return record
        parent = getattr(type(record), "access_parent", None)
        record = getattr(record, parent, None) if parent else None
        seen += 1
    return None


def may_edit_record(principal, record):
    """May `principal` change `record` (and so add or remove its files)?"""
    from .access import can_edit

    if principal is None:
        return False
    if principal.is_superuser:
        return True
    custom = getattr(record, "attachments_editable_by", None)
    if callable(custom):
        return bool(custom(principal))
    owner = governing_record(record)
    return owner is not None and can_edit(principal, owner)


def precise_roles_of(model):
    """The attachment roles of `model` that carry its exact locations (`precise_attachment_roles`)."""
    return tuple(getattr(model, "precise_attachment_roles", ()) or ())


def may_read_attachment(principal, attachment, record):
    """False when `attachment` is of a role that carries `record`'s exact locations and
    `principal` may not see them precisely (the file is answered as if it did not exist)."""
    if (attachment.role or "") not in precise_roles_of(type(record)):
        return True
    owner = governing_record(record)
    return principal is not None and owner is not None and principal.sees_precise_location(owner)


def _owner_path(model):
    """(lookup to the governing record's owner_agency_id, governing model) along access_parent."""
    path, current = [], model
    for _step in range(5):
        if any(f.name == "owner_agency" for f in current._meta.get_fields()):
            return "__".join([*path, "owner_agency_id"]), current
        parent = getattr(current, "access_parent", None)
        if not parent:
            break
        path.append(parent)
        current = current._meta.get_field(parent).related_model
    return None, None


def _visible_queryset(model, principal):
    manager_qs = model._default_manager.all()
    if hasattr(manager_qs, "visible_to"):
        return manager_qs.visible_to(principal)
    parent = getattr(model, "access_parent", None)
    if parent:
        parent_model = model._meta.get_field(parent).related_model
        return manager_qs.filter(**{f"{parent}__in": _visible_queryset(parent_model, principal).values("pk")})
    return manager_qs if principal.is_superuser else manager_qs.none()


def visible_record(model, pk, principal):
    """The record of `model` with `pk` if `principal` may see it, else None (as if it did not exist)."""
    try:
        return _visible_queryset(model, principal).filter(pk=pk).first()
    except (ValueError, ValidationError):
        return None  # a malformed id names nothing


def record_sensitivity(record):
    owner = governing_record(record)
    return getattr(owner, "sensitivity", None) if owner is not None else Sensitivity.OWNER


def attachments_for(record, role=None):
    """The attachments of `record` (optionally of one role), oldest first."""
    queryset = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(record)), object_id=str(record.pk)
    )
    if role is not None:
        queryset = queryset.filter(role=role)
    return queryset.select_related("uploaded_by_agency", "uploaded_by")


def with_files(records, role=None):
    """Give each record of a list its attachments as `record.files`, in one query (list pages)."""
    records = list(records)
    if not records:
        return records
    files = {}
    found = Attachment.objects.filter(
        content_type=ContentType.objects.get_for_model(type(records[0])), object_id__in=[str(r.pk) for r in records]
    )
    for item in found.filter(role=role) if role is not None else found:
        files.setdefault(item.object_id, []).append(item)
    for record in records:
        record.files = files.get(str(record.pk), [])
    return records


def visible_attachments(principal, model=None):
    """Every attachment whose record `principal` may see (of one model, or of any)."""
    queryset = Attachment.objects.all()
    if model is not None:
        content_types = [ContentType.objects.get_for_model(model)]
    else:
        content_types = ContentType.objects.filter(pk__in=Attachment.objects.values("content_type_id").distinct())
    condition = Q(pk__in=[])
    for content_type in content_types:
        record_model = content_type.model_class()
        if record_model is None:
            continue
        ids = _visible_queryset(record_model, principal).annotate(_pk_text=Cast("pk", models.CharField()))
        roles = precise_roles_of(record_model)
        if not roles:
            condition |= Q(content_type=content_type, object_id__in=ids.values("_pk_text"))
            continue
        # Files that carry exact locations: only of records whose locations the principal sees.
        condition |= Q(content_type=content_type, object_id__in=ids.values("_pk_text")) & ~Q(role__in=roles)
        owner_path, owner_model = _owner_path(record_model)
        owners = principal.precise_owner_ids(owner_model) if owner_model is not None else set()
        precise = ids if owners is None else ids.filter(**{f"{owner_path}__in": owners})
        condition |= Q(content_type=content_type, role__in=roles, object_id__in=precise.values("_pk_text"))
    return queryset.filter(condition).select_related("content_type", "uploaded_by_agency", "uploaded_by")


# Decimal degrees (43.218734, 131_065172) or degrees-minutes-seconds (43°13'07").
_POSITION_LIKE = re.compile(r"\d{1,3}[.,_-]\d{3,}|\d{1,3}\s*°")


def carries_position(text):
    """True when `text` (a file name, a title) looks like it holds a coordinate."""
    return bool(text) and bool(_POSITION_LIKE.search(text))


def display_name(attachment, principal, record=None):
    """The file name `principal` is given: the original, unless it may carry a position the
    principal may not see precisely (issue 9: file names never carry positions)."""
    name = attachment.original_name or "file"
    if not carries_position(name):
        return name
    owner = governing_record(record if record is not None else attachment.record)
    if principal is not None and owner is not None and principal.sees_precise_location(owner):
        return name
    return _neutral_name(attachment)


def _neutral_name(attachment):
    extension = os.path.splitext(attachment.original_name or "")[1].lower()
    known = {ext for _mime, exts in FILE_TYPES.values() for ext in exts}
    return f"{attachment.role or 'file'}-{attachment.pk.hex[:8]}{extension if extension in known else ''}"


def display_title(attachment, principal, record=None):
    if carries_position(attachment.title) and display_name(attachment, principal, record) != attachment.original_name:
        return ""
    return attachment.title


# --- writing ---------------------------------------------------------------------------------


def _log(attachment, action, principal):
    from .audit import acting_as, current_actor, write_entry

    details = {
        "record": f"{attachment.content_type.app_label}.{attachment.content_type.model}:{attachment.object_id}",
        "role": attachment.role,
        "mime_type": attachment.mime_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
    }
    before, after = (details, None) if action == "delete" else (None, details)
    if current_actor() is principal or principal is None:
        write_entry(attachment, action, before=before, after=after, changed=sorted(details))
    else:
        with acting_as(principal):
            write_entry(attachment, action, before=before, after=after, changed=sorted(details))


def attach(record, uploaded_file, principal, role="", title="", language="", check=True):
    """Store `uploaded_file` as an attachment of `record`; returns the Attachment.

    Raises ValidationError (translated, naming the file) when the file or the principal does not
    qualify. Nothing is stored when it raises.
    """
    if check and not may_edit_record(principal, record):
        raise ValidationError(_("You may not attach files to “%(record)s”.") % {"record": record})
    checked = check_upload(uploaded_file, role)
    if language and language not in dict(settings.LANGUAGES):
        raise ValidationError({"language": _("Unknown language.")})
    agency = getattr(principal, "agency", None)
    user = getattr(principal, "user", None)
    attachment = Attachment(
        content_type=ContentType.objects.get_for_model(type(record)),
        object_id=str(record.pk),
        role=role or "",
        title=(title or "")[:255],
        original_name=checked.name,
        mime_type=checked.mime_type,
        size=checked.size,
        sha256=checked.sha256,
        language=language or "",
        uploaded_by=user if getattr(user, "pk", None) else None,
        uploaded_by_agency=agency,
    )
    attachment.file.save(checked.name, ContentFile(checked.data), save=False)
    stored = attachment.file.name
    try:
        with transaction.atomic():
            attachment.save()
            _log(attachment, "create", principal)
    except Exception:
        attachment.file.storage.delete(stored)
        raise
    return attachment


def delete_attachment(attachment, principal, check=True):
    """Remove an attachment and, once the transaction commits, its file."""
    if check:
        record = attachment.record
        if record is None or not may_edit_record(principal, record):
            raise ValidationError(_("You may not remove files of this record."))
    storage, name = attachment.file.storage, attachment.file.name
    _log(attachment, "delete", principal)
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


# --- forms -----------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentField(forms.FileField):
    """A form field for one or several files, each checked by content for `role`."""

    def __init__(self, *args, role="", multiple=True, **kwargs):
        self.role = role
        self.multiple = multiple
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", gettext_lazy("Attach files") if multiple else gettext_lazy("Attach a file"))
        kwargs.setdefault("widget", MultipleFileInput() if multiple else forms.ClearableFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        checked, errors = [], []
        for item in files:
            try:
                checked.append(check_upload(item, self.role))
            except ValidationError as error:
                errors.extend(error.messages)
        if errors:
            raise ValidationError(errors)
        return checked


class AttachmentFormMixin:
    """Adds an `attachments` field to a form; call `save_attachments(record, principal)` after saving.

    class DocumentForm(AttachmentFormMixin, forms.ModelForm):
        attachment_role = "document"
    """

    attachment_role = ""
    attachment_field_name = "attachments"
    attachment_multiple = True

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.attachment_field_name] = AttachmentField(
            role=self.attachment_role, multiple=self.attachment_multiple
        )

    def save_attachments(self, record, principal, title="", language=""):
        return [
            attach(record, checked, principal, role=self.attachment_role, title=title, language=language)
            for checked in self.cleaned_data.get(self.attachment_field_name) or []
        ]


# --- moving an old FileField into attachments (for data migrations) ---------------------------


def move_file_field_to_attachments(apps, app_label, model_name, field_name, role):
    """Copy every stored `field_name` file of `app_label.model_name` into an Attachment of its
    record (historical models from `apps`), then delete the old file.

    Old uploads were never checked: nothing is refused here (no data is lost), but markup is
    described as application/octet-stream so it only ever downloads, and images lose their
    metadata like every new upload.
    """
    model = apps.get_model(app_label, model_name)
    attachment_model = apps.get_model("core", "Attachment")
    content_type_model = apps.get_model("contenttypes", "ContentType")
    content_type, _created = content_type_model.objects.get_or_create(app_label=app_label, model=model_name.lower())
    stored = model.objects.exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
    for record in stored.iterator():
        field_file = getattr(record, field_name)
        try:
            with field_file.open("rb") as handle:
                data = handle.read()
        except (FileNotFoundError, OSError, ValueError):
            continue  # the file was already lost: nothing to move
        name = os.path.basename(field_file.name) or "file"
        kind = detect_kind(data, name)
        mime = FILE_TYPES[kind][0] if kind in FILE_TYPES else "application/octet-stream"
        if kind in IMAGE_TYPES:
            try:
                data = strip_image_metadata(data, kind)
            except (OSError, ValueError, UnidentifiedImageError):
                mime = "application/octet-stream"  # not a readable image after all: download only
        attachment = attachment_model(
            id=uuid.uuid4(),
            content_type=content_type,
            object_id=str(record.pk),
            role=role,
            original_name=name[-255:],
            mime_type=mime,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        attachment.file.save(name, ContentFile(data), save=False)
        attachment.save()
        field_file.storage.delete(field_file.name)
