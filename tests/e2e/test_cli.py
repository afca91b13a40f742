"""The command line as a user runs it: help, bad settings, an unreachable database, demo, tick, pair."""

from __future__ import annotations

from tests.e2e.conftest import clean_env, mentorbot


def test_help_documents_every_command() -> None:
    result = mentorbot("--help", env=clean_env())
    assert result.returncode == 0
    for command in ("serve", "demo", "migrate", "pair", "tick", "teams-package", "export"):
        assert command in result.stdout


def test_bad_settings_are_listed_one_per_line() -> None:
    env = clean_env(SLACK_BOT_TOKEN="xoxb-1", PORT="not-a-port", MENTORBOT_CHECKIN_TIME="25:99")
    result = mentorbot("tick", env=env)
    assert result.returncode == 2
    assert (
        "SLACK_SIGNING_SECRET" in result.stderr
        and "PORT" in result.stderr
        and "MENTORBOT_CHECKIN_TIME" in result.stderr
    )
    assert "Traceback" not in result.stderr


def test_unreachable_database_is_one_line_naming_database_url() -> None:
    env = clean_env(DATABASE_URL="postgresql://mentor:s3cret@127.0.0.1:9/nowhere")
    result = mentorbot("migrate", env=env)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "DATABASE_URL" in lines[0]
    assert "s3cret" not in result.stderr and "Traceback" not in result.stderr


def test_migrate_tick_and_dry_run_pair_on_a_fresh_database(sqlite_url: str) -> None:
    env = clean_env(DATABASE_URL=sqlite_url)
    assert mentorbot("migrate", env=env).returncode == 0
    tick = mentorbot("tick", "--at", "2027-01-04T10:00:00Z", env=env)
    assert tick.returncode == 0 and "tick:" in tick.stdout
    bad = mentorbot("tick", "--at", "next tuesday", env=env)
    assert bad.returncode == 2 and "ISO" in bad.stderr
    pair = mentorbot("pair", "--dry-run", env=env)
    assert pair.returncode == 0 and "0 pairs" in pair.stdout


def test_demo_plays_a_whole_program() -> None:
    result = mentorbot("demo", env=clean_env(), timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    out = result.stdout
    for expected in (
        "people join the reverse-mentoring program",
        "Meet your mentoring partner",
        "Weekly check-in",
        "Quick reminder",
        "A reverse-mentoring success story",
        "Reverse mentoring: program stats",
        "Leaders' AI confidence change: +",
        "Round 1 is complete: congratulations!",
        "Reverse mentoring: round 1 report",
        "Net Promoter Score: ",
    ):
        assert expected in out, expected
    assert "Traceback" not in out + result.stderr


def test_teams_package_is_built_for_the_app_id(tmp_path) -> None:
    import json
    import zipfile

    out = tmp_path / "app.zip"
    app_id = "00000000-0000-4000-8000-000000000001"
    pages = {
        "MENTORBOT_WEBSITE_URL": "https://intranet.example.org/mentoring",
        "MENTORBOT_PRIVACY_URL": "https://intranet.example.org/mentoring/privacy",
        "MENTORBOT_TERMS_URL": "https://intranet.example.org/mentoring/terms",
    }
    result = mentorbot("teams-package", "-o", str(out), env=clean_env(MICROSOFT_APP_ID=app_id, **pages))
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
        assert manifest["bots"][0]["botId"] == app_id
        assert {"manifest.json"} < set(package.namelist())
    missing = mentorbot("teams-package", "-o", str(out), env=clean_env(**pages))
    assert missing.returncode == 2 and "MICROSOFT_APP_ID" in missing.stderr
    bad = mentorbot("teams-package", "-o", str(out), env=clean_env(MICROSOFT_APP_ID="not-a-guid", **pages))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
