"""Sensitive locations: what each principal may see of a camera-trap point, a transect and the
metadata that could carry them, computed in SQL where it can (issue 9).

The rule (core.access.withheld_point_for): another agency's camera-trap points (deployments,
media, observations) and transects are given exactly only to whoever may see them precisely (the
owner, an agency holding a precise-locations grant, a superuser); everyone else signed in gets
them at the one withheld grid, whatever species was recorded there, so that neither the grid nor
the uncertainty nor a category tells that a leopard was seen. The public sees no point at all.

The point snapped is the deployment's *anchor* (the point of its location: every twin sharing
owner + location_id has the same one), so that a twin that recorded only deer gives the same cell
as the one that recorded a leopard. Whatever else could hold the position (location name and id,
habitat, tags, groups, comments, file paths and names, EXIF, free text) is withheld from those who
see the point generalized; the location id becomes a stable pseudonym so that twins stay
linkable. The protected area is shown to them only when it covers the whole grid cell.

Every path (API, pages, maps, Camtrap DP and Darwin Core exports) reads these functions.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.db.models.functions import Coalesce, Floor
from django.utils.translation import gettext as _
from PIL import Image

from core.access import withheld_grid_degrees, withheld_point_for
from core.geo import GeneralizedPoint
from core.models import GrantScope, Species

from ..models import (
    Deployment,
    Observation,
    SnowTrackTransect,
)

# Deployments, media and observations share one set of points: a precise-location grant on any
# of them reveals the deployment's point, so all of them are treated alike.
LOCATION_MODELS = ("monitoring.deployment", "monitoring.media", "monitoring.observation")
TRANSECT_MODELS = ("monitoring.snowtracktransect",)

# Deployment fields that may describe the place: blank for whoever sees the point generalized.
WITHHELD_DEPLOYMENT_TEXT = ("location_name", "habitat", "deployment_groups", "deployment_tags", "deployment_comments")
# Media and observation fields that may hold a position (paths, names, EXIF, free text).
WITHHELD_MEDIA_TEXT = ("file_name", "media_comments")
WITHHELD_OBSERVATION_TEXT = ("behavior", "observation_tags", "observation_comments")


def precise_owner_ids(principal, dataset_types=LOCATION_MODELS):
    """Owners whose camera-trap points `principal` sees exactly (None: all of them)."""
    if principal.is_superuser:
        return None
    if principal.agency is None:
        return set()
    owners = {principal.agency.pk}
    for dataset_type in dataset_types:
        owners |= principal.granting_agency_ids(GrantScope.PRECISE_LOCATIONS, dataset_type)
    return owners


def is_precise(owners, owner_agency_id):
    """`owners` from precise_owner_ids: does the viewer see this owner's points exactly?"""
    return owners is None or owner_agency_id in owners


def _has_field(model, name):
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def anchor_of(record):
    """(latitude, longitude) of the record's location: its anchor, else its own point."""
    latitude = getattr(record, "anchor_latitude", None)
    longitude = getattr(record, "anchor_longitude", None)
    if latitude is None or longitude is None:
        return record.latitude, record.longitude
    return latitude, longitude


def location_pseudonym(owner_agency_id, location_id):
    """A stable, non-reversible stand-in for a location id: twins stay linkable, the id is not
    read (a location id often spells the place, e.g. "43.2187_131.0652")."""
    if not location_id:
        return ""
    message = f"{owner_agency_id}:{location_id}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()
    return f"loc-{digest[:12]}"


# --- SQL: bounding boxes, ordering, the protected-area filter ---------------------------------


def _anchor_expression(prefix, axis):
    column = F(f"{prefix}{axis}")
    if _has_field(Deployment, f"anchor_{axis}"):
        return Coalesce(F(f"{prefix}anchor_{axis}"), column)
    return column


def _cell_centre(expression, step):
    return Floor(expression / Value(step)) * Value(step) + Value(step / 2)


def annotate_view_location(queryset, principal, prefix=""):
    """Add `view_latitude` / `view_longitude`: what this principal may see, computed in SQL.

    Filters (bounding box) and ordering use these, so a generalized record cannot be narrowed down
    beyond its grid cell: one grid step (the withheld grid) over the anchor, for every record the
    viewer does not see precisely. The public gets NULL.
    """
    lat, lon = F(f"{prefix}latitude"), F(f"{prefix}longitude")
    owners = precise_owner_ids(principal)
    if owners is None:
        return queryset.annotate(view_latitude=lat, view_longitude=lon)
    if not principal.is_authenticated:
        return queryset.annotate(
            view_latitude=Value(None, output_field=FloatField()),
            view_longitude=Value(None, output_field=FloatField()),
        )
    step = withheld_grid_degrees(principal)
    exact = Q(**{f"{prefix}owner_agency_id__in": owners})
    return queryset.annotate(
        view_latitude=Case(
            When(exact, then=lat),
            default=_cell_centre(_anchor_expression(prefix, "latitude"), step),
            output_field=FloatField(),
        ),
        view_longitude=Case(
            When(exact, then=lon),
            default=_cell_centre(_anchor_expression(prefix, "longitude"), step),
            output_field=FloatField(),
        ),
    )


def area_visible_q(principal, prefix="", model=Deployment):
    """Q: the record's protected area may be shown to `principal` (and filtered on).

    Exactly-seen records: always. Generalized ones: only when the area covers the whole grid cell
    (`protected_area_covers_cell`, kept by services.derived), so that the area says no more than
    the cell. The public sees no location, so no area either.
    """
    dataset_types = TRANSECT_MODELS if model is SnowTrackTransect else LOCATION_MODELS
    owners = precise_owner_ids(principal, dataset_types)
    if owners is None:
        return Q()
    condition = Q(**{f"{prefix}owner_agency_id__in": owners})
    if principal.is_authenticated and _has_field(model, "protected_area_covers_cell"):
        condition |= Q(**{f"{prefix}protected_area_covers_cell": True})
    return condition


def filter_by_area(queryset, principal, area, prefix="", model=Deployment):
    """Records in `area` as far as `principal` may know: never an oracle finer than the cell."""
    return queryset.filter(Q(**{f"{prefix}protected_area": area}) & area_visible_q(principal, prefix, model))


def visible_area_id(principal, record, owners="unset"):
    """The protected area id `principal` may see of a deployment or transect (None: withheld)."""
    model = type(record)
    if owners == "unset":
        owners = precise_owner_ids(principal, TRANSECT_MODELS if model is SnowTrackTransect else LOCATION_MODELS)
    if record.protected_area_id is None:
        return None
    if is_precise(owners, record.owner_agency_id):
        return record.protected_area_id
    if principal.is_authenticated and getattr(record, "protected_area_covers_cell", False):
        return record.protected_area_id
    return None


# --- per record: points and the metadata that may carry them ----------------------------------


def deployment_location(principal, deployment, owners="unset"):
    """The GeneralizedPoint of a deployment for `principal`, or None (the public)."""
    if owners == "unset":
        owners = precise_owner_ids(principal)
    if is_precise(owners, deployment.owner_agency_id):
        point = withheld_point_for(principal, deployment.latitude, deployment.longitude, True)
        if point is None:
            return None
        return GeneralizedPoint(point.latitude, point.longitude, None, deployment.coordinate_uncertainty)
    latitude, longitude = anchor_of(deployment)
    point = withheld_point_for(principal, latitude, longitude, False)
    if point is None:
        return None
    # An uncertainty finer than the grid would say more than the cell; a coarser one is kept.
    uncertainty = max(point.uncertainty_m, deployment.coordinate_uncertainty or 0)
    return GeneralizedPoint(point.latitude, point.longitude, point.grid_degrees, uncertainty)


@dataclass(frozen=True)
class DeploymentView:
    """A deployment as `principal` may see it: its point and every field that may carry it."""

    point: GeneralizedPoint | None
    precise: bool
    location_id: str
    location_name: str
    habitat: str
    deployment_groups: str
    deployment_tags: str
    deployment_comments: str
    protected_area_id: object
    location_category: int | None  # tells which species was recorded: owners only

    @property
    def withheld(self):
        return not self.precise


def deployment_view(principal, deployment, owners="unset"):
    if owners == "unset":
        owners = precise_owner_ids(principal)
    point = deployment_location(principal, deployment, owners)
    precise = is_precise(owners, deployment.owner_agency_id)
    if precise:
        texts = {name: getattr(deployment, name) for name in WITHHELD_DEPLOYMENT_TEXT}
        location_id = deployment.location_id
    else:
        texts = dict.fromkeys(WITHHELD_DEPLOYMENT_TEXT, "")
        location_id = location_pseudonym(deployment.owner_agency_id, deployment.location_id) if point else ""
    return DeploymentView(
        point=point,
        precise=precise,
        location_id=location_id,
        protected_area_id=visible_area_id(principal, deployment, owners),
        location_category=deployment.location_category if precise else None,
        **texts,
    )


def media_download_path(media):
    """The portal's own download route of a media file (EXIF stripped for withheld viewers)."""
    from django.urls import reverse

    return reverse("api:media-file", args=[media.pk])


def media_export_path(media_pk):
    """`filePath` in a Camtrap DP export for withheld viewers: the portal's download URL (never a
    leading slash: the Camtrap DP pattern refuses one)."""
    from django.urls import reverse

    path = reverse("api:media-file", args=[media_pk])
    base = (getattr(settings, "PORTAL_BASE_URL", "") or "").rstrip("/")
    return f"{base}{path}" if base else path.lstrip("/")


def media_fields(precise, values, media_pk=None):
    """{field: value} of a media row as the viewer may see it; `values` holds the stored ones."""
    if precise:
        return dict(values)
    shown = dict(values)
    for name in WITHHELD_MEDIA_TEXT:
        if name in shown:
            shown[name] = ""
    if "exif_data" in shown:
        shown["exif_data"] = None
    if "file_path" in shown:
        shown["file_path"] = media_export_path(media_pk) if media_pk is not None else ""
    return shown


def observation_fields(precise, values):
    """{field: value} of an observation as the viewer may see it (free text withheld)."""
    if precise:
        return dict(values)
    shown = dict(values)
    for name in WITHHELD_OBSERVATION_TEXT:
        if name in shown:
            shown[name] = ""
    return shown


class MediaFileMissing(Exception):
    """No file of this media record is stored (or it is gone)."""


class MediaFileWithheld(Exception):
    """The viewer sees the point generalized and the file's metadata cannot be stripped."""


def media_file_for(principal, media):
    """(bytes, content type) of a media file as `principal` may have it.

    Whoever sees the deployment's point exactly gets the file as stored; anyone else an image
    re-encoded without EXIF, GPS, XMP or comments (core.documents.strip_image_metadata), and no
    other kind of file (a video's metadata cannot be stripped here).
    """
    from core.documents import FILE_TYPES, IMAGE_TYPES, detect_kind, strip_image_metadata

    if not media.file:
        raise MediaFileMissing(_("No file of this media record is stored in the portal."))
    try:
        with media.file.open("rb") as handle:
            data = handle.read()
    except (FileNotFoundError, OSError, ValueError):
        raise MediaFileMissing(_("The file of this media record is missing.")) from None
    kind = detect_kind(data, media.file.name)
    content_type = FILE_TYPES[kind][0] if kind in FILE_TYPES else "application/octet-stream"
    owners = precise_owner_ids(principal)
    if owners is None or media.deployment.owner_agency_id in owners:
        return data, content_type
    if kind not in IMAGE_TYPES:
        raise MediaFileWithheld(
            _(
                "Only those who may see this deployment's point exactly may download this file (it may hold the position)."
            )
        )
    try:
        return strip_image_metadata(data, kind), content_type
    except (OSError, ValueError, Image.DecompressionBombError):
        raise MediaFileWithheld(_("This image cannot be given without its metadata.")) from None


# The sizes (longest side, px) a thumbnail is made in: a few, so that none is made to order.
THUMBNAIL_SIZES = (160, 320, 640)
DEFAULT_THUMBNAIL_SIZE = 320
GALLERY_LIMIT = 48


def media_thumbnail_for(principal, media, size=DEFAULT_THUMBNAIL_SIZE):
    """(JPEG bytes, content type) of a media image's thumbnail, through media_file_for (the same
    access rule), re-encoded without any metadata for everyone: a thumbnail is for looking."""
    import io

    from PIL import ImageOps

    from core.documents import MAX_IMAGE_PIXELS

    data, content_type = media_file_for(principal, media)
    if not content_type.startswith("image/"):
        raise MediaFileMissing(_("There is no thumbnail of this kind of file."))
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValueError("too many pixels")
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((size, size))
            if upright.mode not in ("RGB", "L"):
                upright = upright.convert("RGB")
            upright.info = {}
            out = io.BytesIO()
            upright.save(out, format="JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        raise MediaFileMissing(_("This image cannot be read.")) from None
    return out.getvalue(), "image/jpeg"


def media_gallery(principal, deployment=None, observation=None, limit=GALLERY_LIMIT):
    """The media of a deployment or an observation that `principal` may look at, as pages show them.

    Only files the portal stores (served through media_file_for / media_thumbnail_for); for those
    who see the point generalized, images only (no other file can be stripped) and never the
    stored path. Returns (items, more): items are dicts with pk, timestamp, is_image, file_url,
    thumbnail_url and external_url (the source's public link: precise viewers only).
    """
    from django.urls import reverse

    from ..models import Media

    if deployment is None and observation is None:
        return [], False
    media = Media.objects.visible_to(principal).select_related("deployment")
    if observation is not None:
        deployment = observation.deployment
        if observation.media_id:
            media = media.filter(pk=observation.media_id)
        else:
            media = media.filter(
                deployment_id=observation.deployment_id,
                timestamp__gte=observation.event_start,
                timestamp__lte=observation.event_end,
            )
    else:
        media = media.filter(deployment=deployment)
    owners = precise_owner_ids(principal)
    precise = is_precise(owners, deployment.owner_agency_id)
    if not precise:
        media = media.exclude(file="").filter(file_mediatype__startswith="image/")
    rows = list(media.order_by("timestamp", "pk")[: limit + 1])
    items = []
    for m in rows[:limit]:
        is_image = (m.file_mediatype or "").startswith("image/")
        stored = bool(m.file)
        external = m.file_path if precise and m.file_public and m.file_path.startswith("https://") else ""
        if not stored and not external:
            continue
        items.append(
            {
                "pk": m.pk,
                "timestamp": m.timestamp,
                "is_image": is_image,
                "file_url": reverse("api:media-file", args=[m.pk]) if stored else "",
                "thumbnail_url": reverse("api:media-thumbnail", args=[m.pk]) if stored and is_image else "",
                "external_url": external,
            }
        )
    return items, len(rows) > limit


def transect_location(principal, transect, owners="unset"):
    """(route or None, generalized centre or None) that `principal` may see of a transect.

    Not precise: no line at all, only its centre on the withheld grid (nothing for the public).
    """
    from shapely.geometry import shape

    if owners == "unset":
        owners = precise_owner_ids(principal, TRANSECT_MODELS)
    if is_precise(owners, transect.owner_agency_id):
        return transect.route, None
    if not transect.route:
        return None, None
    centre = shape(transect.route).centroid
    return None, withheld_point_for(principal, centre.y, centre.x, False)


def transect_precise(principal, transect, owners="unset"):
    if owners == "unset":
        owners = precise_owner_ids(principal, TRANSECT_MODELS)
    return is_precise(owners, transect.owner_agency_id)


def refresh_location_categories(deployment_ids=None):
    """Recompute each deployment's most restrictive category from the species recorded there."""
    deployments = Deployment.objects.all()
    if deployment_ids is not None:
        deployments = deployments.filter(pk__in=list(deployment_ids))
    with connection.cursor() as cursor:
        table = Deployment._meta.db_table
        sql = (
            f"UPDATE {table} SET location_category = COALESCE(("
            f" SELECT MIN(s.sensitivity_category) FROM {Observation._meta.db_table} o"
            f" JOIN {Species._meta.db_table} s ON s.id = o.species_id"
            f" WHERE o.deployment_id = {table}.id AND s.sensitivity_category > 0), 0)"
        )
        if deployment_ids is None:
            cursor.execute(sql)
        else:
            prep = Deployment._meta.pk.get_db_prep_value  # UUIDs are hex text on SQLite
            ids = [prep(pk, connection) for pk in deployments.values_list("pk", flat=True)]
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"{sql} WHERE {table}.id IN ({placeholders})", chunk)


def annotate_area_shown(queryset, principal, prefix="", model=Deployment):
    """Add `view_area_shown` (bool): may the list show this record's protected area?"""
    from django.db.models import BooleanField

    condition = area_visible_q(principal, prefix, model)
    if not condition:  # Q(): everything (a superuser)
        return queryset.annotate(view_area_shown=Value(True, output_field=BooleanField()))
    return queryset.annotate(
        view_area_shown=Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())
    )
