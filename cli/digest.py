"""`flask --app app digest send [--dry-run] [--date YYYY-MM-DD]`: the email digests.

Run it once every morning (cron). Each active user whose digest is due that day
(daily: every school day of the default board; weekly: the first school day of
the week) and who has something to read gets one email; each accepted message
is recorded, so running it again the same day sends nothing twice, and a
recipient that failed is retried by the next run.

Mail settings, from the app's configuration or else the environment:
MAIL_HOST (localhost), MAIL_PORT (587, 465 with tls, 25 with none),
MAIL_SECURITY (starttls | tls | none), MAIL_USERNAME and MAIL_PASSWORD (login
when a username is given), MAIL_FROM, and BASE_URL for the links
(http://127.0.0.1:5000).
"""
from __future__ import annotations

import os
import click
from flask import Flask, current_app
from flask.cli import AppGroup

from glue import database, today
from operations import digests
from school_calendar.errors import UserError

DEFAULTS = {
    "MAIL_HOST": "localhost",
    "MAIL_PORT": None,
    "MAIL_SECURITY": "starttls",
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_FROM": "Grievance tracker <grievance-tracker@localhost>",
    "BASE_URL": "http://127.0.0.1:5000",
}


def init_app(app: Flask) -> None:
    app.cli.add_command(digest)


def setting(name: str):
    """The app's configuration, else the environment, else the default."""
    return current_app.config.get(name, os.environ.get(name, DEFAULTS[name]))


def mail_settings() -> digests.MailSettings:
    port = setting("MAIL_PORT")
    try:
        port = int(port) if port not in (None, "") else None
    except ValueError:
        raise UserError(f"MAIL_PORT '{port}' is not a port number.", field="MAIL_PORT",
                        fix="Give the mail server's port, e.g. 587.") from None
    return digests.MailSettings(host=str(setting("MAIL_HOST")), port=port,
                                security=str(setting("MAIL_SECURITY") or "starttls").strip().lower(),
                                username=str(setting("MAIL_USERNAME") or ""),
                                password=str(setting("MAIL_PASSWORD") or ""))


def link_makers(base_url: str):
    """Absolute links built from the app's own routes under BASE_URL."""
    base = base_url.rstrip("/")
    adapter = current_app.url_map.bind("localhost")
    return (lambda grievance_id: base + adapter.build("cases.show_case", {"grievance_id": grievance_id}),
            base + adapter.build("settings.settings"))


@click.group(cls=AppGroup)
def digest() -> None:
    """Email digests of overdue and coming deadlines."""


@digest.command()
@click.option("--dry-run", is_flag=True, help="Print who would get what; send and record nothing.")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day the digests speak for (default: today).")
def send(dry_run: bool, day) -> None:
    """Send the day's digests to every user whose digest is due."""
    day = day.date() if day else today()
    try:
        case_url, settings_url = link_makers(str(setting("BASE_URL")))
        report = digests.send_digests(
            database(), day, default_board=current_app.config["DEFAULT_BOARD"],
            mail=digests.MailSettings() if dry_run else mail_settings(), mail_from=str(setting("MAIL_FROM")),
            case_url=case_url, settings_url=settings_url, dry_run=dry_run)
    except UserError as error:
        raise click.ClickException(str(error))
    for line in digests.summary(report):
        click.echo(line, err=line.startswith("FAILED"))
    if report.failed:
        raise click.ClickException(
            "Not sent to " + ", ".join(o.email for o in report.failed)
            + ": nothing was recorded for them; run the command again to retry.")
