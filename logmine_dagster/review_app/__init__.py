"""The review app: reviewers triage and label the weekly batch in a browser.

Server-rendered (Starlette + Jinja), works without JavaScript; reads only the sanitised tier.
`create_app(database_url, secret_key)` builds it; `logmine review serve` runs it with uvicorn.
"""

from logmine_dagster.review_app.app import create_app

__all__ = ["create_app"]
