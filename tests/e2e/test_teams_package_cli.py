"""`mentorbot teams-package` as an admin runs it: the app id and the publisher's pages, no bot password.

The package's developer website, privacy and terms links come from MENTORBOT_WEBSITE_URL,
MENTORBOT_PRIVACY_URL and MENTORBOT_TERMS_URL (https, required: Teams shows them to every user, so
there are no placeholder defaults) and the publisher's name from MENTORBOT_PUBLISHER_NAME.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from jsonschema import Draft7Validator

from tests.e2e.conftest import clean_env, mentorbot
from tests.support.schemas import schema_path

APP_ID = "00000000-0000-4000-8000-000000000001"
PAGES = {
    "MENTORBOT_WEBSITE_URL": "https://intranet.contoso.test/reverse-mentoring",
    "MENTORBOT_PRIVACY_URL": "https://intranet.contoso.test/reverse-mentoring/privacy",
    "MENTORBOT_TERMS_URL": "https://intranet.contoso.test/reverse-mentoring/terms",
}
URL_VARIABLES = tuple(PAGES)


def test_builds_from_the_app_id_and_the_pages_without_the_bot_password(tmp_path: Path) -> None:
    out = tmp_path / "mentorbot-teams.zip"
    env = clean_env(MICROSOFT_APP_ID=APP_ID, MENTORBOT_PUBLISHER_NAME="Contoso People Team", **PAGES)
    assert "MICROSOFT_APP_PASSWORD" not in env
    result = mentorbot("teams-package", "-o", str(out), env=env)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
    assert manifest["developer"] == {
        "name": "Contoso People Team",
        "websiteUrl": PAGES["MENTORBOT_WEBSITE_URL"],
        "privacyUrl": PAGES["MENTORBOT_PRIVACY_URL"],
        "termsOfUseUrl": PAGES["MENTORBOT_TERMS_URL"],
    }
    assert manifest["id"] == manifest["bots"][0]["botId"] == APP_ID
    assert "example.com" not in json.dumps(manifest)
    schema = json.loads(schema_path("MicrosoftTeams.schema.v1.19.json").read_text())
    assert not [e.message for e in Draft7Validator(schema).iter_errors(manifest)]


def test_the_publisher_name_defaults_to_mentorbot(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    result = mentorbot("teams-package", "-o", str(out), env=clean_env(MICROSOFT_APP_ID=APP_ID, **PAGES))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        assert json.loads(package.read("manifest.json"))["developer"]["name"] == "Mentorbot"


def test_missing_pages_are_named_and_nothing_is_written(tmp_path: Path) -> None:
    out = tmp_path / "app.zip"
    result = mentorbot("teams-package", "-o", str(out), env=clean_env(MICROSOFT_APP_ID=APP_ID))
    assert result.returncode == 2
    for name in URL_VARIABLES:
        assert name in result.stderr
    assert "https://" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()

    one_missing = {k: v for k, v in PAGES.items() if k != "MENTORBOT_TERMS_URL"}
    result = mentorbot("teams-package", "-o", str(out), env=clean_env(MICROSOFT_APP_ID=APP_ID, **one_missing))
    assert result.returncode == 2
    assert "MENTORBOT_TERMS_URL" in result.stderr
    assert "MENTORBOT_WEBSITE_URL" not in result.stderr and "MENTORBOT_PRIVACY_URL" not in result.stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("MENTORBOT_PRIVACY_URL", "http://intranet.contoso.test/privacy"),
        ("MENTORBOT_WEBSITE_URL", "intranet.contoso.test/mentoring"),
        ("MENTORBOT_TERMS_URL", "https://[::1/terms"),
    ],
)
def test_a_url_that_is_not_https_is_refused(tmp_path: Path, variable: str, value: str) -> None:
    out = tmp_path / "app.zip"
    env = clean_env(MICROSOFT_APP_ID=APP_ID, **{**PAGES, variable: value})
    result = mentorbot("teams-package", "-o", str(out), env=env)
    assert result.returncode == 2
    problems = [line for line in result.stderr.splitlines() if line.strip().startswith("- ")]
    assert len(problems) == 1 and variable in problems[0] and "https://" in problems[0], result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_running_the_bot_still_needs_the_password() -> None:
    result = mentorbot("tick", env=clean_env(MICROSOFT_APP_ID=APP_ID, **PAGES))
    assert result.returncode == 2 and "MICROSOFT_APP_PASSWORD" in result.stderr
