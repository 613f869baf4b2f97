"""Secrets: API keys and tokens by their vendor's shape, assigned or stated passwords, private key
blocks, credentials in URLs."""

from __future__ import annotations

from presidio_analyzer import Pattern

from logmine_dagster.sanitise.recognizers.base import LogminePatternRecognizer

_SECRET_NAME = r"(?i:password|passwd|pwd|passcode|secret|api[_ -]?key|access[_ -]?key|token|client[_ -]?secret)"
# The same inside an identifier: DB_PASSWORD=..., AWS_SECRET_ACCESS_KEY=..., "github_token": ...
# (a suffix only if it names a secret too: "token_count", "max_tokens" are not secrets).
_SECRET_IDENTIFIER = (
    rf"(?<![\w-])(?:[A-Za-z0-9]+[_-])*{_SECRET_NAME}(?i:[_-](?:access[_-])?(?:key|token|secret|value))?"
)


class SecretRecognizer(LogminePatternRecognizer):
    """Keys, tokens, passwords and private keys; only the secret itself is masked."""

    ENTITY = "SECRET"
    NAME = "LogmineSecretRecognizer"
    PATTERNS = [
        Pattern("OpenAI-style key", r"(?<![\w-])sk-(?:proj-|live-|test-)?[A-Za-z0-9_-]{16,}", 0.9),
        Pattern("Stripe-style key", r"(?<![\w-])(?:sk|pk|rk)_(?:live|test)_[A-Za-z0-9]{16,}", 0.9),
        Pattern("AWS access key id", r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])", 0.9),
        Pattern("GitHub token", r"(?<!\w)gh[pousr]_[A-Za-z0-9]{30,}", 0.9),
        Pattern("Slack token", r"(?<!\w)xox[abprs]-[A-Za-z0-9-]{10,}", 0.9),
        Pattern("Google API key", r"(?<!\w)AIza[0-9A-Za-z_-]{35}", 0.9),
        Pattern("JWT", r"(?<![\w-])eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", 0.9),
        Pattern("bearer token", r"(?<=(?i:\bbearer)\s+)[A-Za-z0-9._~+/-]{12,}=*", 0.85),
        # password=..., "api_key": "...", AWS_SECRET_ACCESS_KEY=...: everything after the assignment.
        Pattern(
            "assigned secret",
            rf"(?<={_SECRET_IDENTIFIER}[\"']?\s*[:=]\s*[\"']?)[^\s\"',;<>]{{4,}}",
            0.8,
        ),
        # -----BEGIN RSA PRIVATE KEY----- ... -----END RSA PRIVATE KEY----- (or to the end of the
        # base64 when the block was cut off); "\n" may be written out as two characters in logs.
        Pattern(
            "private key block",
            r"-----BEGIN[A-Z ]*PRIVATE KEY(?: BLOCK)?-----(?s:.*?-----END[A-Z ]*PRIVATE KEY(?: BLOCK)?-----"
            r"|(?:[A-Za-z0-9+/=\s:-]|\\n)*)",
            0.95,
        ),
        # scheme://user:password@host: the user and the password.
        Pattern(
            "credentials in a URL",
            r"(?<=\b[A-Za-z][A-Za-z0-9+.-]{1,20}://)[^\s:/@<>\"']{1,64}:[^\s/@<>\"']{1,128}(?=@[\w.-])",
            0.9,
        ),
        # "my password is hunter2": only values that mix in digits or symbols, not "is incorrect".
        Pattern(
            "stated secret",
            rf"(?<=\b{_SECRET_NAME}\s+(?i:is)\s+[\"']?)(?=[^\s\"']*[\d_!@#$%^&*])[^\s\"',;<>]{{4,}}",
            0.7,
        ),
    ]
