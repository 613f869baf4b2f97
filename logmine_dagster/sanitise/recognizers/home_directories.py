"""User names in home-directory paths."""

from __future__ import annotations

from presidio_analyzer import Pattern

from logmine_dagster.sanitise.recognizers.base import LogminePatternRecognizer

# Home-directory folders that name nobody.
_NOT_USER_FOLDERS = "(?i:public|shared|default|default user|all users|guest|root|runner|ubuntu|admin|user|username|you|me|your-?name|<[^>]*>)"


class HomeDirectoryUserRecognizer(LogminePatternRecognizer):
    """The user name in a home-directory path: /home/jdoe/..., /Users/jdoe/..., C:\\Users\\jdoe\\..."""

    ENTITY = "USERNAME"
    NAME = "LogmineHomeDirectoryUserRecognizer"
    PATTERNS = [
        Pattern(
            "home directory",
            r"(?<=(?:(?<![\w.])(?:/home|/Users|/export/home)/|(?i:\b[A-Z]:)?\\{1,2}(?i:Users|Documents and Settings)\\{1,2}|~))"
            rf"(?!{_NOT_USER_FOLDERS}(?:[/\\\s\"':]|$))[A-Za-z0-9][\w.$-]{{0,63}}(?=[/\\\s\"':,;)]|$)",
            0.7,
        ),
    ]
