# ruff: noqa: F811 (the fixtures of test_side_channels are imported and used by name)
"""Camera-trap media served through the access policy (issue 10, issue 9 side channel 2): the
file and a thumbnail for each role, EXIF (GPS) never given to those who see the point
generalized, only images to them, bad sizes refused with a message, and the pages show the
images to those who may look at them without the stored path or file name.
"""

import io

import pytest
from django.core.files.base import ContentFile
from PIL import Image

from core.access import Principal
from core.models import Sensitivity
from monitoring.models import Media
from monitoring.services.locations import THUMBNAIL_SIZES, media_gallery

from .test_side_channels import LOCATION_ID, SECRET, assert_clean, roles, world  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db


def _thumb_url(media, size=None):
    url = f"/api/v1/monitoring/media/{media.pk}/thumbnail/"
    return f"{url}?size={size}" if size else url


def test_thumbnails_for_every_role_carry_no_metadata(api_client, cn_staff, world, roles):
    media = world["media"]
    viewers = [(name, client) for name, client, _u, _p in roles]
    api_client.force_authenticate(cn_staff)
    viewers.append(("owner", api_client))
    served = 0
    for name, client in viewers:
        for size in THUMBNAIL_SIZES:
            response = client.get(_thumb_url(media, size))
            if name == "public" and response.status_code in (401, 403, 404):
                continue
            assert response.status_code == 200, (name, response.content[:200])
            assert response["Content-Type"] == "image/jpeg"
            assert LOCATION_ID not in response["Content-Disposition"]
            assert response["Cache-Control"] == "private, no-store"
            data = response.content
            assert SECRET.encode() not in data and b"SECRETTEXT" not in data
            with Image.open(io.BytesIO(data)) as image:
                assert image.format == "JPEG"
                assert max(image.size) <= size
                assert not image.getexif(), name  # no GPS IFD, no description
                assert "exif" not in image.info and "xmp" not in image.info
            served += 1
    assert served >= 3 * len(THUMBNAIL_SIZES)


@pytest.mark.parametrize("size", ["999", "abc", "-1", "0", "320.5", "1" * 40])
def test_a_thumbnail_size_outside_the_list_is_a_400(api_client, cn_staff, world, size):
    api_client.force_authenticate(cn_staff)
    response = api_client.get(_thumb_url(world["media"], size))
    assert response.status_code == 400
    assert "size" in response.json()


def _video(world, cn_agency):
    media = Media.objects.create(
        owner_agency=cn_agency,
        deployment=world["twin"],
        media_id="V1",
        timestamp=world["twin"].start,
        file_path=f"cams/{LOCATION_ID}/VID_0001.MP4",
        file_mediatype="video/mp4",
        sensitivity=Sensitivity.PUBLIC,
    )
    # the smallest MP4 header: ftyp box
    media.file.save("clip.mp4", ContentFile(b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64))
    return media


def test_non_images_only_for_precise_viewers_and_never_as_thumbnails(
    api_client,
    cn_staff,
    cn_agency,
    world,
    roles,
):
    video = _video(world, cn_agency)
    for name, client, _u, _p in roles:
        for url in (f"/api/v1/monitoring/media/{video.pk}/file/", _thumb_url(video)):
            response = client.get(url)
            assert response.status_code in ((401, 403, 404) if name == "public" else (403,)), (name, url)
    api_client.force_authenticate(cn_staff)
    assert api_client.get(f"/api/v1/monitoring/media/{video.pk}/file/").status_code == 200
    response = api_client.get(_thumb_url(video))
    assert response.status_code == 404 and response.json()["detail"]


def test_gallery_gives_withheld_viewers_images_only_and_never_the_source_path(
    cn_agency,
    world,
    roles,
):
    video = _video(world, cn_agency)
    Media.objects.filter(pk=world["media"].pk).update(file_public=True, file_path="https://cams.example.org/x.jpg")
    owner_items, _more = media_gallery(Principal(agency=cn_agency, role="agency_staff"), deployment=world["twin"])
    assert {i["pk"] for i in owner_items} == {world["media"].pk, video.pk}
    assert any(i["external_url"] for i in owner_items)
    for name, _client, _user, principal in roles:
        items, _more = media_gallery(principal, deployment=world["twin"])
        if name == "public":
            assert all(not i["external_url"] for i in items)
            continue
        assert [i["pk"] for i in items] == [world["media"].pk], name
        assert items[0]["thumbnail_url"].endswith(f"/media/{world['media'].pk}/thumbnail/")
        assert not items[0]["external_url"]
        assert_clean(repr(items), name)
    # an observation's gallery: the media of its event
    import datetime

    observation = world["twin"].observations.first()
    when = world["media"].timestamp
    type(observation).objects.filter(pk=observation.pk).update(
        event_start=when - datetime.timedelta(seconds=5), event_end=when + datetime.timedelta(seconds=5)
    )
    observation.refresh_from_db()
    items, _more = media_gallery(roles[0][3], observation=observation)
    assert [i["pk"] for i in items] == [world["media"].pk]


def test_deployment_and_observation_pages_show_the_images(client, cn_staff, world, roles):
    """Needs the two context lines in monitoring/pages.py (see the exports report)."""
    import datetime

    media = world["media"]
    observation = world["twin"].observations.first()
    type(observation).objects.filter(pk=observation.pk).update(
        event_start=media.timestamp - datetime.timedelta(seconds=5),
        event_end=media.timestamp + datetime.timedelta(seconds=5),
    )
    for name, _client, user, _principal in roles:
        if user is None:
            continue
        client.force_login(user)
        for url in (world["twin"].get_absolute_url(), world["twin"].observations.first().get_absolute_url()):
            page = client.get(url).content.decode()
            assert f"/api/v1/monitoring/media/{media.pk}/thumbnail/" in page, (name, url)
            assert_clean(page, f"{name} {url}")
    client.force_login(cn_staff)
    page = client.get(world["twin"].get_absolute_url()).content.decode()
    assert f"/api/v1/monitoring/media/{media.pk}/thumbnail/" in page


def test_the_api_lists_the_thumbnail_link_for_images(api_client, cn_staff, cn_agency, world, roles):
    video = _video(world, cn_agency)
    for name, client, _u, _p in [*roles, ("owner", None, None, None)]:
        if client is None:
            api_client.force_authenticate(cn_staff)
            client = api_client
        response = client.get(f"/api/v1/monitoring/media/?deployment={world['twin'].pk}")
        if name == "public" and response.status_code in (401, 403):
            continue
        rows = {r["id"]: r for r in response.json()["results"]}
        image = rows[str(world["media"].pk)]
        assert image["thumbnail"].endswith(f"/api/v1/monitoring/media/{world['media'].pk}/thumbnail/")
        assert client.get(image["thumbnail"]).status_code == 200
        assert rows[str(video.pk)]["thumbnail"] is None


def test_darwin_core_media_extension_links_only_what_each_role_may_download(cn_agency, world, roles, tmp_path):
    import datetime
    import zipfile

    from monitoring.dwca.exporter import export_dwca

    video = _video(world, cn_agency)
    when = world["media"].timestamp
    world["twin"].observations.update(
        event_start=when - datetime.timedelta(seconds=5), event_end=when + datetime.timedelta(seconds=5)
    )
    for name, _client, _user, principal in [*roles, ("owner", None, None, Principal(agency=cn_agency))]:
        target = tmp_path / f"{name}.zip"
        export_dwca(principal, target)
        with zipfile.ZipFile(target) as archive:
            text = archive.read("multimedia.txt").decode()
        lines = text.splitlines()[1:]
        if name == "owner":
            assert any(LOCATION_ID in line for line in lines)  # the stored path, as the owner keeps it
            continue
        assert_clean(text, name)
        assert str(video.pk) not in text  # a video's metadata cannot be stripped: not linked
        if lines:
            assert all(f"/api/v1/monitoring/media/{world['media'].pk}/file/" in line for line in lines), name
