"""What a number the driver's-licence pattern matched really is.

Presidio's licence recognizer matches any run of digits at a very low score and raises it only when a
licence word is near; logmine masks every detection, so "code is 482913" and "order 482913" read as
`<US_DRIVER_LICENSE>`. The run stays masked (a number nobody explained may be anything: a one-time code,
a member number), but it is called what it is: a licence after a licence cue, else a record id, so one
number after any other cue reads the same way wherever it is.
"""

from __future__ import annotations

import re

LICENCE_TYPE = "US_DRIVER_LICENSE"
ID_TYPE = "RECORD_ID"
_CUE_WINDOW = 40
_LICENCE_CUE = re.compile(
    r"(?i)\b(?:driv(?:er|ers|er's|ing)|licen[cs]e[sd]?|lic\b|dl\b|dls\b|cdls?\b|permit|identification)"
)


def licence_or_id(text: str, start: int, end: int) -> str:
    """The type of the licence-pattern match `text[start:end]`: a run of digits is a licence after a
    licence cue, else an id. Letter-digit matches ("q3", "a1") keep the licence type, which callers
    treat as the pattern's weak guess (review tags allow it); only bare numbers were misnamed."""
    if not text[start:end].isdigit():
        return LICENCE_TYPE
    before = text[max(0, start - _CUE_WINDOW) : start]
    return LICENCE_TYPE if _LICENCE_CUE.search(before) else ID_TYPE
