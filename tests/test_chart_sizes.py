"""A phone gets every chart drawn for its width: the pages offer it, the routes draw and cache it.

Pages show each chart in a <picture> whose <source> for a narrow screen asks for `size=narrow`;
the chart routes draw that picture taller than wide, under an ETag and cache key of its own.
"""

from __future__ import annotations

import html
import re
import struct

from tracker.extensions import cache
from tracker.models import Role

PHONE = re.compile(r'<source media="\(max-width: 40rem\)" srcset="([^"]+)"')
NARROW_PX = 720  # 3.6 inches at 200 dpi


def chart(team, name: str, fmt: str = "png", size: str | None = None) -> str:
    url = f"/team/{team['team'].id}/charts/{name}.{fmt}?role=ml-engineer"
    return url + (f"&size={size}" if size else "")


def png_size(data: bytes) -> tuple[int, int]:
    """Return a PNG's (width, height) in pixels, from its header."""
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def phone_charts(page: str) -> list[str]:
    """Return the chart addresses a page offers a narrow screen."""
    return [html.unescape(url) for url in PHONE.findall(page)]


def assert_narrow_png(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/png", url
    width, height = png_size(response.data)
    assert width == NARROW_PX and height > width, f"{url}: {width}x{height}"


def test_the_dashboard_offers_a_phone_the_narrow_drawing_of_every_chart(
    client, login_as, scored_team
):
    client = login_as(scored_team["lead"])
    page = client.get(f"/team/{scored_team['team'].id}/?role=ml-engineer").get_data(as_text=True)
    pictures = re.findall(r"<picture>(.*?)</picture>", page, re.S)
    assert len(pictures) == 4
    for name, picture in zip(("bands", "trend", "heatmap", "forecast"), pictures, strict=True):
        (url,) = phone_charts(picture)
        assert f"/charts/{name}.png?" in url and "size=narrow" in url
        assert_narrow_png(client, url)
        # a desktop keeps its picture, and every screen the text alternative
        img = picture.split("<img", 1)[1]
        assert f"/charts/{name}.png?" in img and "size=" not in img
        assert 'width="800" height="400"' in img and re.search(r'alt="[^"]+"', img)


def test_an_engineers_page_and_the_role_page_offer_a_phone_the_narrow_levels_chart(
    client, login_as, scored_team
):
    engineer = scored_team["people"][0]
    client = login_as(scored_team["lead"])
    (url,) = phone_charts(client.get(f"/team/engineers/{engineer.id}").get_data(as_text=True))
    assert f"/progress/{engineer.id}/levels.png?" in url and "size=narrow" in url
    assert_narrow_png(client, url)
    client = login_as(engineer)
    page = client.get("/progress/roles/ml-engineer").get_data(as_text=True)
    (url,) = phone_charts(page)
    assert "size=narrow" in url and "role=ml-engineer" in url
    assert_narrow_png(client, url)


def test_narrow_and_wide_are_different_pictures_cached_apart(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    for name in ("bands", "trend", "heatmap", "forecast"):
        wide = client.get(chart(scored_team, name))
        narrow = client.get(chart(scored_team, name, size="narrow"))
        assert wide.headers["ETag"] != narrow.headers["ETag"]
        assert wide.data != narrow.data
        assert png_size(wide.data)[0] in (800, 900)  # the heatmap is wider
        assert png_size(narrow.data)[0] == NARROW_PX
        for response in (wide, narrow):
            assert cache.get(f"chart:{response.headers['ETag'].strip(chr(34))}") == response.data
        # the desktop's ETag does not answer 304 for the phone's picture, its own does
        etag = {"If-None-Match": wide.headers["ETag"]}
        assert client.get(chart(scored_team, name, size="narrow"), headers=etag).status_code == 200
        etag = {"If-None-Match": narrow.headers["ETag"]}
        assert client.get(chart(scored_team, name, size="narrow"), headers=etag).status_code == 304
        # "wide" is the default
        explicit = client.get(chart(scored_team, name, size="wide"))
        assert explicit.headers["ETag"] == wide.headers["ETag"] and explicit.data == wide.data


def test_the_levels_chart_is_cached_apart_for_a_phone_too(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    url = f"/progress/{scored_team['people'][0].id}/levels.png?role=ml-engineer"
    wide, narrow = client.get(url), client.get(url + "&size=narrow")
    assert wide.headers["ETag"] != narrow.headers["ETag"] and wide.data != narrow.data
    assert png_size(wide.data)[0] == 800 and png_size(narrow.data)[0] == NARROW_PX


def test_a_narrow_svg_is_drawn_for_the_phone_too(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    wide = client.get(chart(scored_team, "trend", "svg")).get_data(as_text=True)
    narrow = client.get(chart(scored_team, "trend", "svg", size="narrow")).get_data(as_text=True)
    assert 'width="576pt" height="288pt"' in wide  # 8 x 4 inches
    assert 'width="259.2pt" height="331.2pt"' in narrow  # 3.6 x 4.6 inches


def test_an_unknown_size_is_refused_with_a_clear_error(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    levels = f"/progress/{scored_team['people'][0].id}/levels.png?role=ml-engineer"
    for url in (
        chart(scored_team, "bands", size="huge"),
        chart(scored_team, "heatmap", "svg", size="Narrow"),
        levels + "&size=",
    ):
        response = client.get(url)
        assert response.status_code == 400, url
        message = html.unescape(response.get_data(as_text=True))
        assert "A chart's size is one of: wide, narrow." in message


def test_the_csv_of_the_numbers_has_no_size(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    for name in ("bands", "heatmap"):
        plain = client.get(chart(scored_team, name, "csv"))
        narrow = client.get(chart(scored_team, name, "csv", size="narrow"))
        assert narrow.status_code == 200 and narrow.data == plain.data


def test_another_teams_charts_stay_closed_whatever_the_size(
    client, login_as, make_user, scored_team
):
    client = login_as(make_user(roles=[Role.MANAGER]))
    for size in ("narrow", "huge"):
        assert client.get(chart(scored_team, "bands", size=size)).status_code == 404
