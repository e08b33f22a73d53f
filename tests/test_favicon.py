"""Every page names an icon the browser can fetch, so no first visit logs a missing favicon."""

import re


def test_pages_link_an_icon_that_is_served(client):
    page = client.get("/auth/login").get_data(as_text=True)
    match = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page)
    assert match, "the page names no icon"
    icon = client.get(match.group(1))
    assert icon.status_code == 200
    assert icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")
