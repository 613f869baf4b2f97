"""`logmine review add-user` / `serve` (as click commands the CLI attaches) and migration 0002."""

from __future__ import annotations

import stat

import pytest
import sqlalchemy as sa
from click.testing import CliRunner

pytest.importorskip("argon2")

from logmine_dagster.cli.review_app import add_user, load_secret_key, serve  # noqa: E402
from logmine_dagster.core.config import ConfigError  # noqa: E402
from logmine_dagster.review.accounts import verify_login  # noqa: E402
from logmine_dagster.storage import Database  # noqa: E402
from logmine_dagster.storage.schema import review_audit, review_users  # noqa: E402
from logmine_dagster_tests.helpers import alembic_config  # noqa: E402


@pytest.fixture
def env(monkeypatch, database_url, tmp_path):
    monkeypatch.setenv("LOGMINE_DATABASE_URL", database_url)
    monkeypatch.setenv("LOGMINE_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("LOGMINE_REVIEW_SECRET_KEY", raising=False)
    monkeypatch.delenv("LOGMINE_REVIEWS_PER_CASE", raising=False)
    return tmp_path / "home"


def test_add_user_reads_the_password_from_stdin_and_hashes_it(env, database_url):
    runner = CliRunner()
    result = runner.invoke(add_user, ["ana", "--role", "admin"], input="a long enough password\n")
    assert result.exit_code == 0, result.output
    assert "created admin 'ana'" in result.output
    db = Database(database_url)
    try:
        row = db.fetch_all(sa.select(review_users))[0]
        assert row["role"] == "admin" and row["password_hash"].startswith("$argon2id$")
        assert verify_login(db, "ana", "a long enough password").name == "ana"
        assert verify_login(db, "ana", "wrong") is None

        again = runner.invoke(add_user, ["ana"], input="another long password\n")
        assert again.exit_code == 1 and "already exists" in again.output
        short = runner.invoke(add_user, ["ben"], input="short\n")
        assert short.exit_code == 1 and "at least 10 characters" in short.output
        bad_name = runner.invoke(add_user, ["ben smith"], input="a long enough password\n")
        assert bad_name.exit_code == 1 and "user name" in bad_name.output
        bad_role = runner.invoke(add_user, ["ben", "--role", "owner"], input="a long enough password\n")
        assert bad_role.exit_code == 2

        reset = runner.invoke(add_user, ["ana", "--role", "reviewer", "--reset-password"], input="a brand new password\n")
        assert reset.exit_code == 0 and "updated reviewer 'ana'" in reset.output
        assert verify_login(db, "ana", "a long enough password") is None
        assert verify_login(db, "ana", "a brand new password").role == "reviewer"
        actions = [r["action"] for r in db.fetch_all(sa.select(review_audit.c.action, review_audit.c.after_json))]
        assert actions == ["user_create", "user_update"]
        assert "password" not in str([r["after_json"] for r in db.fetch_all(sa.select(review_audit.c.after_json))]).replace('"password": "set"', "")
    finally:
        db.dispose()


def test_serve_builds_the_app_with_its_flags(env, monkeypatch):
    calls = {}

    import uvicorn

    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: calls.update(app=app, **kwargs))
    result = CliRunner().invoke(serve, [])
    assert result.exit_code == 0, result.output
    assert calls["host"] == "127.0.0.1" and calls["port"] == 8765
    assert "http://127.0.0.1:8765/" in result.output and "1 review(s) per case" in result.output
    key_file = env / "review_app.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_text().strip()) >= 32

    monkeypatch.setenv("LOGMINE_REVIEWS_PER_CASE", "2")
    result = CliRunner().invoke(serve, ["--host", "0.0.0.0", "--port", "9000"])
    assert result.exit_code == 0 and calls["port"] == 9000 and "2 review(s) per case" in result.output
    # Stored, not a property of the process: the next serve without the setting keeps the policy.
    monkeypatch.delenv("LOGMINE_REVIEWS_PER_CASE")
    assert "2 review(s) per case" in CliRunner().invoke(serve, []).output
    assert CliRunner().invoke(serve, ["--port", "0"]).exit_code == 2


def test_secret_key_from_the_environment(tmp_path):
    assert load_secret_key(tmp_path, {"LOGMINE_REVIEW_SECRET_KEY": "k" * 40}) == "k" * 40
    with pytest.raises(ConfigError, match="at least 32"):
        load_secret_key(tmp_path, {"LOGMINE_REVIEW_SECRET_KEY": "short"})
    assert not (tmp_path / "review_app.key").exists()


def test_migration_0002_upgrades_and_downgrades(database_url):
    from alembic import command

    db = Database(database_url)
    try:
        names = set(sa.inspect(db.engine).get_table_names())
        assert {"review_users", "review_sessions", "review_votes", "review_audit", "review_pii_flags"} <= names
        with db.engine.connect() as conn:
            config = alembic_config(conn)
            command.downgrade(config, "0001")
            conn.commit()
            tables = set(sa.inspect(conn).get_table_names())
            assert "review_users" not in tables and "review_decisions" in tables
            command.upgrade(config, "head")
            conn.commit()
        assert "review_audit" in set(sa.inspect(db.engine).get_table_names())
    finally:
        db.dispose()


def test_serve_reads_the_idle_timeout_and_trusted_proxies_from_the_environment(env, monkeypatch):
    import datetime as dt

    import uvicorn

    import logmine_dagster.review_app as review_app

    built = {}
    real_create_app = review_app.create_app
    monkeypatch.setattr(review_app, "create_app", lambda *args, **kwargs: built.update(kwargs) or real_create_app(*args, **kwargs))
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: None)
    result = CliRunner().invoke(serve, [])
    assert result.exit_code == 0, result.output
    assert built["idle_timeout"] == dt.timedelta(minutes=30) and built["trust_proxy"] is None
    assert "trusting" not in result.output

    monkeypatch.setenv("LOGMINE_REVIEW_IDLE_MINUTES", "10")
    monkeypatch.setenv("LOGMINE_REVIEW_TRUST_PROXY", "127.0.0.1,10.1.0.0/16")
    result = CliRunner().invoke(serve, [])
    assert result.exit_code == 0, result.output
    assert built["idle_timeout"] == dt.timedelta(minutes=10) and built["trust_proxy"] == ["127.0.0.1", "10.1.0.0/16"]
    assert "trusting X-Forwarded-For/-Proto from 127.0.0.1, 10.1.0.0/16" in result.output

    monkeypatch.setenv("LOGMINE_REVIEW_TRUST_PROXY", "my-proxy")
    result = CliRunner().invoke(serve, [])
    assert result.exit_code != 0 and isinstance(result.exception, ConfigError)
