"""`logmine review serve` and `logmine review add-user`: the review app's commands.

`logmine_dagster.cli` attaches them to the `review` group:
    review.add_command(serve)
    review.add_command(add_user)
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import sys
from pathlib import Path

import click

from logmine_dagster.cli.options import invocation_settings
from logmine_dagster.core.config import ConfigError, parse_positive_int, secret_from_env_or_file


def load_secret_key(home: Path, environ=None) -> str:
    """LOGMINE_REVIEW_SECRET_KEY, else a random key in $LOGMINE_HOME/review_app.key made once (mode 600)."""
    return secret_from_env_or_file("LOGMINE_REVIEW_SECRET_KEY", home / "review_app.key", 32, environ)


def idle_minutes_from_env(environ=None) -> int:
    """LOGMINE_REVIEW_IDLE_MINUTES: minutes without a request after which a session ends (default 30)."""
    raw = (os.environ if environ is None else environ).get("LOGMINE_REVIEW_IDLE_MINUTES", "").strip()
    return parse_positive_int("LOGMINE_REVIEW_IDLE_MINUTES", raw) if raw else 30


def trust_proxy_from_env(environ=None) -> str | list[str] | None:
    """LOGMINE_REVIEW_TRUST_PROXY: unset/false ignores proxy headers; true trusts them from any peer
    (only for an app reachable through the proxy alone); else comma-separated proxy addresses or networks."""
    raw = (os.environ if environ is None else environ).get("LOGMINE_REVIEW_TRUST_PROXY", "").strip()
    if not raw or raw.lower() in ("0", "false", "no", "off"):
        return None
    if raw.lower() in ("1", "true", "yes", "on", "*"):
        return "*"
    hosts = [h.strip() for h in raw.split(",") if h.strip()]
    for host in hosts:
        try:
            ipaddress.ip_network(host, strict=False)
        except ValueError:
            raise ConfigError(f"LOGMINE_REVIEW_TRUST_PROXY must be true/false or proxy addresses/networks, got {host!r}") from None
    return hosts


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--reviews-per-case",
    type=click.IntRange(min=1),
    default=None,
    help="Store the default number of independent reviews a case needs (the policy in the database, shared by every app process and import) [default: LOGMINE_REVIEWS_PER_CASE, else keep the stored policy, else 1].",
)
@click.option(
    "--insecure-cookies",
    is_flag=True,
    help="Send the session cookie over plain HTTP too. Only for a host that is neither localhost nor behind TLS.",
)
def serve(host, port, reviews_per_case, insecure_cookies) -> None:
    """Run the review app: reviewers triage and label the weekly batch in a browser."""
    import uvicorn

    from logmine_dagster.review_app import create_app

    settings = invocation_settings()
    per_case_raw = os.environ.get("LOGMINE_REVIEWS_PER_CASE", "").strip()
    # Given, it is stored as the default policy every process and import reads; else the stored one stands.
    per_case = reviews_per_case or (parse_positive_int("LOGMINE_REVIEWS_PER_CASE", per_case_raw) if per_case_raw else None)
    idle_minutes = idle_minutes_from_env()
    trust_proxy = trust_proxy_from_env()
    app = create_app(
        settings.database_url,
        load_secret_key(settings.home),
        reviews_per_case=per_case,
        secure_cookies=not insecure_cookies,
        idle_timeout=dt.timedelta(minutes=idle_minutes),
        trust_proxy=trust_proxy,
        allow_terms=settings.allow_terms,
    )
    if trust_proxy:
        click.echo(f"trusting X-Forwarded-For/-Proto from {trust_proxy if isinstance(trust_proxy, str) else ', '.join(trust_proxy)}")
    from logmine_dagster.review.policy import reviews_per_case as stored_default
    from logmine_dagster.storage import Database

    per_case = stored_default(Database(settings.database_url), "")
    click.echo(f"review app on http://{host}:{port}/ ({per_case} review(s) per case by default, the stored policy); Ctrl+C stops it")
    uvicorn.run(app, host=host, port=port, log_level="info", proxy_headers=False, server_header=False)


def _read_password(confirm: bool) -> str:
    if not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=confirm)


@click.command("add-user")
@click.argument("name")
@click.option("--role", type=click.Choice(["reviewer", "admin"]), default="reviewer", show_default=True)
@click.option("--reset-password", is_flag=True, help="Change the password (and role) of an existing user; logs them out everywhere.")
def add_user(name, role, reset_password) -> None:
    """Create a review app account. The password is prompted for, or read from stdin's first line."""
    from logmine_dagster.review.accounts import UserError, add_user as create_user
    from logmine_dagster.storage import Database

    password = _read_password(confirm=True)
    try:
        outcome = create_user(Database(invocation_settings().database_url), name, role, password, reset=reset_password)
    except UserError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"{outcome} {role} {name!r}")
