"""Why a review action was refused; each kind carries the HTTP status the web app answers with."""

from logmine_dagster.core.errors import LogmineError


class ReviewError(LogmineError):
    status_code = 400

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Invalid(ReviewError):
    status_code = 400


class Forbidden(ReviewError):
    status_code = 403


class NotFound(ReviewError):
    status_code = 404


class Conflict(ReviewError):
    status_code = 409
