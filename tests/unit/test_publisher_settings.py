"""The publisher settings the Teams app package is built from: MENTORBOT_PUBLISHER_NAME and the pages."""

from __future__ import annotations

import pytest

from bot.settings import Settings, SettingsError

PAGES = {
    "MENTORBOT_WEBSITE_URL": "https://intranet.contoso.test/mentoring",
    "MENTORBOT_PRIVACY_URL": "https://intranet.contoso.test/mentoring/privacy?lang=en",
    "MENTORBOT_TERMS_URL": "https://intranet.contoso.test:8443/mentoring/terms#v2",
}


def test_the_pages_are_read_as_given() -> None:
    settings = Settings.from_env({**PAGES, "MENTORBOT_PUBLISHER_NAME": " Contoso People Team "})
    assert settings.publisher_name == "Contoso People Team"
    assert (settings.website_url, settings.privacy_url, settings.terms_url) == tuple(PAGES.values())


def test_unset_pages_have_no_placeholder_and_the_name_defaults_to_mentorbot() -> None:
    settings = Settings.from_env({})
    assert (settings.website_url, settings.privacy_url, settings.terms_url) == (None, None, None)
    assert settings.publisher_name == "Mentorbot"


@pytest.mark.parametrize(
    "value",
    [
        "http://intranet.contoso.test/mentoring",
        "ftp://intranet.contoso.test/mentoring",
        "intranet.contoso.test/mentoring",
        "https://",
        "https:///path-only",
        "https://[::1/mentoring",
        "https://intranet.contoso.test:notaport/",
        "https://intranet.contoso.test/men toring",
        "https://intranet.contoso.test/" + "x" * 2048,
    ],
)
def test_each_page_must_be_an_https_url(value: str) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_env({**PAGES, "MENTORBOT_TERMS_URL": value})
    (line,) = str(refused.value).splitlines()
    assert line.startswith("MENTORBOT_TERMS_URL must be an https:// URL")


def test_a_publisher_name_longer_than_teams_allows_is_refused() -> None:
    with pytest.raises(SettingsError, match="MENTORBOT_PUBLISHER_NAME"):
        Settings.from_env({"MENTORBOT_PUBLISHER_NAME": "x" * 33})


def test_the_app_password_is_required_unless_the_command_only_names_the_app() -> None:
    app = {"MICROSOFT_APP_ID": "00000000-0000-4000-8000-000000000001"}
    with pytest.raises(SettingsError, match="MICROSOFT_APP_PASSWORD"):
        Settings.from_env(app)
    settings = Settings.from_env(app, require_app_password=False)
    assert settings.microsoft_app_id == app["MICROSOFT_APP_ID"] and settings.microsoft_app_password is None
