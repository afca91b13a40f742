"""The `mentorbot` command line: serve, demo, migrate, pair, tick, export, org, teams-package."""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import click

from bot.settings import Settings, SettingsError
from storage.database import DatabaseUnavailable

if TYPE_CHECKING:
    from storage.unit_of_work import SqlUnitOfWork

T = TypeVar("T")


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """The settings of `env` (by default the environment); problems are listed and the command exits 2."""
    try:
        return Settings.from_env(env)
    except SettingsError as error:
        lines = str(error).splitlines()
        click.echo("mentorbot: the configuration has problems:", err=True)
        for line in lines:
            click.echo(f"  - {line}", err=True)
        sys.exit(2)


def run(coro_fn: Callable[[], Awaitable[T]]) -> T:
    """Run a coroutine; turn an unreachable database into one clear line and a non-zero exit."""
    try:
        return asyncio.run(coro_fn())  # type: ignore[arg-type]
    except DatabaseUnavailable as error:
        click.echo(f"mentorbot: {error}", err=True)
        sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--log-level", default="INFO", show_default=True, type=click.Choice(["DEBUG", "INFO", "WARNING", "ERROR"])
)
def main(log_level: str) -> None:
    """Mentorbot runs a reverse-mentoring program in Slack and Microsoft Teams.

    Settings come from environment variables (see the README): DATABASE_URL, SLACK_*, MICROSOFT_APP_*,
    OPENAI_*, MENTORBOT_ADMINS, PORT and the MENTORBOT_* program settings.
    """
    logging.basicConfig(level=log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@main.command()
def serve() -> None:
    """Run the bot: web server on $PORT (Slack at /slack/events, Teams at /api/messages, /healthz) and the scheduler."""
    from bot.server import serve as serve_forever

    settings = load_settings()
    run(lambda: serve_forever(settings))


@main.command()
@click.option(
    "--people",
    default=49,
    show_default=True,
    type=click.IntRange(40, 400),
    help="size of the simulated organisation",
)
@click.option(
    "--weeks", default=6, show_default=True, type=click.IntRange(1, 26), help="weeks of the program to play"
)
@click.option("--seed", default=7, show_default=True, help="random seed for the simulated people")
@click.option("--verbose", is_flag=True, help="print every message, not just the featured pair's")
def demo(people: int, weeks: int, seed: int, verbose: bool) -> None:
    """Play a whole program with a simulated organisation on SQLite: no credentials needed."""
    from bot.demo import run_demo

    # The demo runs on its own simulated settings; only the organisation's resources file is read, and
    # checked like any start's.
    resources = load_settings(
        {"MENTORBOT_RESOURCES": os.environ.get("MENTORBOT_RESOURCES", "")}
    ).resources_file
    logging.getLogger().setLevel(logging.WARNING)
    started = datetime.now(UTC)
    run(lambda: run_demo(people=people, weeks=weeks, seed=seed, verbose=verbose, resources_file=resources))
    click.echo(f"\nDemo finished in {(datetime.now(UTC) - started).total_seconds():.1f} s.")


@main.command()
def migrate() -> None:
    """Apply the database migrations to DATABASE_URL."""
    from storage.database import Database

    settings = load_settings()

    async def go() -> None:
        database = Database(settings.database_url)
        try:
            await database.migrate()
        finally:
            await database.dispose()
        click.echo(f"Database {database.safe_url} is up to date.")

    run(go)


async def _with_bot(settings: Settings, job: Callable[[Any], Awaitable[T]], at: datetime | None = None) -> T:
    from bot.bootstrap import build_container, connect_platforms
    from conversations.clock import OffsetClock

    container = build_container(settings, clock=OffsetClock(at) if at else None)
    try:
        await container.database.migrate()
        await connect_platforms(container)
        return await job(container.bot)
    finally:
        await container.close()


async def _with_unit_of_work(settings: Settings, job: Callable[[SqlUnitOfWork], Awaitable[T]]) -> T:
    """`job` in one unit of work on the migrated database, for the commands that need no bot."""
    from storage.database import Database

    database = Database(settings.database_url)
    try:
        await database.migrate()
        async with database.unit_of_work() as uow:
            return await job(uow)
    finally:
        await database.dispose()


_output_file_or_stdout = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default="-",
    help="file to write (default: stdout)",
)


@main.command()
@click.option("--dry-run", is_flag=True, help="show the pairs and why, without saving or sending anything")
def pair(dry_run: bool) -> None:
    """Run a pairing round now (or preview it with --dry-run)."""
    settings = load_settings()

    with click.progressbar(length=1000, label="Matching", file=sys.stderr) as bar:
        done = [0]

        def progress(fraction: float) -> None:
            """Called from the solver's worker thread; the bar only moves forward."""
            target = int(max(0.0, min(1.0, fraction)) * 1000)
            if target > done[0]:
                bar.update(target - done[0])
                done[0] = target

        async def job(bot: Any) -> str:
            report = await bot.run_round(dry_run=dry_run, progress=progress)
            progress(1.0)
            if not dry_run:
                await bot.jobs.deliver_due()
            return str(report.summary())

        summary = run(lambda: _with_bot(settings, job))
    click.echo(summary)


@main.command()
@click.option(
    "--at", "at", default=None, help="ISO time to act as if the clock read it, e.g. 2027-01-04T10:00:00Z"
)
def tick(at: str | None) -> None:
    """Run one scheduler tick now: enqueue what is due and deliver it, then exit (for cron and operators).

    Delivery goes on, waiting out any Retry-After, until nothing due is left or
    MENTORBOT_TICK_DEADLINE_SECONDS (120) have passed; what is left is said, and the next tick sends it.
    With --at the clock reads that moment at the start and runs on from there for the whole tick.
    """
    moment = None
    if at:
        try:
            moment = datetime.fromisoformat(at.replace("Z", "+00:00"))
        except ValueError:
            raise click.BadParameter(
                "use an ISO time such as 2027-01-04T10:00:00Z", param_hint="--at"
            ) from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
    settings = load_settings()

    async def job(bot: Any) -> Any:
        report = await bot.jobs.enqueue_due()
        delivered, remaining = await bot.jobs.deliver_until_done(settings.tick_deadline_seconds)
        return report, delivered, remaining

    report, d, remaining = run(lambda: _with_bot(settings, job, moment))
    click.echo(
        f"tick: {report.checkins} check-ins and {report.nudges} nudges enqueued; "
        f"{d.sent} sent, {d.retried} to retry, {d.failed} failed; {remaining} left for the next tick"
    )


@main.command()
@_output_file_or_stdout
def export(output: str) -> None:
    """Write the program export (CSV, no private notes) like the admin `export` command."""
    settings = load_settings()

    async def job(bot: Any) -> str:
        return str(await bot.export_csv())

    content = run(lambda: _with_bot(settings, job))
    with click.open_file(output, "w") as handle:
        handle.write(content)


@main.group()
def org() -> None:
    """The org chart: import it from a CSV file (the whole chart, all or nothing), or export it.

    Columns: email,name,department,level,manager_email,timezone (a header line first; other columns are
    ignored). People are linked to their chat accounts by email when they join; their chart entry
    prefills the join form and keeps them apart from their management chain when pairing.
    """


@org.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, readable=True))
def org_import(file: str) -> None:
    """Import FILE as the org chart: people are added or updated, and those not in it are removed.

    A file with any problem imports nothing: each problem is listed with its line, and the exit
    status is 2.
    """
    from conversations.services.org import MAX_IMPORT_BYTES, OrgImportError, parse_org_csv, too_large

    size = os.path.getsize(file)
    if size > MAX_IMPORT_BYTES:
        _refuse_org_file(file, [too_large(size)])
    with open(file, "rb") as handle:
        data = handle.read(MAX_IMPORT_BYTES + 1)
    try:
        people = parse_org_csv(data)
    except OrgImportError as error:
        _refuse_org_file(file, str(error).splitlines())
    settings = load_settings()

    async def replace_chart(uow: SqlUnitOfWork) -> str:
        from conversations.services.org import changes

        found = changes(await uow.org_chart.list(), people)
        await uow.org_chart.apply(found, datetime.now(UTC))
        await uow.commit()
        return found.summary()

    summary = run(lambda: _with_unit_of_work(settings, replace_chart))
    click.echo(f"Imported {len(people)} people from {file}: {summary}.")


def _refuse_org_file(file: str, problems: list[str]) -> NoReturn:
    click.echo(f"mentorbot: {file} was not imported (nothing was changed):", err=True)
    for line in problems:
        click.echo(f"  - {line}", err=True)
    sys.exit(2)


@org.command("export")
@_output_file_or_stdout
def org_export(output: str) -> None:
    """Write the org chart as CSV, in the format `org import` reads."""
    settings = load_settings()

    async def read_chart(uow: SqlUnitOfWork) -> str:
        from conversations.services.org import export_csv

        return export_csv(await uow.org_chart.list())

    content = run(lambda: _with_unit_of_work(settings, read_chart))
    with click.open_file(output, "w", encoding="utf-8") as handle:
        handle.write(content)


@main.command("teams-package")
@click.option(
    "--output", "-o", default="mentorbot-teams.zip", show_default=True, type=click.Path(dir_okay=False)
)
def teams_package(output: str) -> None:
    """Build the Teams app package (manifest.json and icons, zipped) for MICROSOFT_APP_ID.

    Needs MICROSOFT_APP_ID and the pages Teams links to: MENTORBOT_WEBSITE_URL, MENTORBOT_PRIVACY_URL and
    MENTORBOT_TERMS_URL (https); MENTORBOT_PUBLISHER_NAME names the publisher (default Mentorbot).
    MICROSOFT_APP_PASSWORD is not needed here, only to run the bot.
    """
    from adapters.teams.package import Publisher, build_teams_package
    from bot.settings import PUBLISHER_URL_SETTINGS

    settings: Settings | None = None
    problems: list[str] = []
    try:
        settings = Settings.from_env(require_app_password=False)
    except SettingsError as error:  # listed together with what is missing, so one run shows everything
        problems = str(error).splitlines()
    required = [("MICROSOFT_APP_ID", "the Azure Bot's app id (a GUID)")]
    for name, page in PUBLISHER_URL_SETTINGS:
        required.append((name, f"the https:// URL of {page}, which the Teams app links to"))
    for name, what in required:
        if not os.environ.get(name, "").strip():
            problems.append(f"{name} must be set to {what}")
    if problems or settings is None:
        click.echo("mentorbot: the configuration has problems:", err=True)
        for line in problems:
            click.echo(f"  - {line}", err=True)
        sys.exit(2)
    assert settings.microsoft_app_id and settings.website_url and settings.privacy_url and settings.terms_url
    try:
        publisher = Publisher(
            name=settings.publisher_name,
            website_url=settings.website_url,
            privacy_url=settings.privacy_url,
            terms_url=settings.terms_url,
        )
        path = build_teams_package(settings.microsoft_app_id, Path(output), publisher=publisher)
    except ValueError as error:
        click.echo(f"mentorbot: {error}", err=True)
        sys.exit(2)
    click.echo(f"Wrote {path}: upload it in Teams (Apps → Manage your apps → Upload an app).")


if __name__ == "__main__":
    main()
