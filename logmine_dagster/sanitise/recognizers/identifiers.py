"""Numbers that identify a person or an account: dates of birth, account and order ids, US SSNs,
card numbers."""

from __future__ import annotations

from presidio_analyzer import Pattern

from logmine_dagster.sanitise.recognizers.base import LogminePatternRecognizer

_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-](?:\d{{4}}|\d{{2}})|\d{{4}}[./-]\d{{1,2}}[./-]\d{{1,2}}"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH},?\s+\d{{4}}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"
)
_DOB_CUE = r"(?i:\b(?:d\.?o\.?b\.?|date\s+of\s+birth|birth\s*date|birthday|born(?:\s+on)?)(?!\w))"


class DateOfBirthRecognizer(LogminePatternRecognizer):
    """A date right after "DOB", "date of birth", "born on": only the date is masked."""

    ENTITY = "DATE_OF_BIRTH"
    NAME = "LogmineDateOfBirthRecognizer"
    PATTERNS = [
        Pattern("date after a birth cue", rf"(?<={_DOB_CUE}\s*(?:(?i:is|was)\s+|[:=,-]\s*)?){_DATE}(?!\d)", 0.85),
        Pattern("year after born in", rf"(?<=(?i:\bborn\s+in)\s+)(?:{_MONTH}\s+)?\d{{4}}(?!\d)", 0.6),
    ]


_ID_CUE = (
    r"(?i:\b(?:account|acct|customer|member(?:ship)?|order|booking|policy|reference|ref|confirmation|"
    r"ticket|case|invoice|tracking|reservation)(?!\w)(?:\s+(?:number|no\.?|num|id|code|#))?\s*(?:is|:|#|=)?\s*#?)"
)


class AccountIdRecognizer(LogminePatternRecognizer):
    """Account, customer, order and ticket ids: by a known prefix, or after a cue word."""

    ENTITY = "ACCOUNT_ID"
    NAME = "LogmineAccountIdRecognizer"
    PATTERNS = [
        Pattern(
            "prefixed id",
            r"(?<![\w-])(?:ACC|ACCT|ORD|CUST|CUS|INV|TKT|CASE|MBR|USR|BKG)[-_#]?(?=[A-Z0-9]*\d)[A-Z0-9]{3,}"
            r"(?:-[A-Z0-9]+)*(?![\w-])",
            0.7,
        ),
        # "account number 12345678", "order #A12-345": the value must hold a digit.
        Pattern(
            "id after a cue",
            rf"(?<={_ID_CUE})(?=[A-Za-z0-9-]*\d)[A-Za-z0-9][A-Za-z0-9-]{{4,}}(?![\w-])",
            0.6,
        ),
    ]


class LuhnCardRecognizer(LogminePatternRecognizer):
    """Card numbers of 13 to 19 digits that pass the Luhn check; Presidio's stops at 17 digits."""

    ENTITY = "CREDIT_CARD"
    NAME = "LogmineLuhnCardRecognizer"
    PATTERNS = [Pattern("13 to 19 digits", r"(?<![\d-])\d(?:[ -]?\d){12,18}(?![\d-])", 0.3)]

    def validate_result(self, pattern_text: str) -> bool:
        digits = [int(char) for char in pattern_text if char.isdigit()]
        if len(set(digits)) == 1:
            return False
        checksum = sum(digits[-1::-2]) + sum(sum(divmod(2 * d, 10)) for d in digits[-2::-2])
        return checksum % 10 == 0


class SsnFormatRecognizer(LogminePatternRecognizer):
    """US SSNs by format; Presidio's own recognizer drops well-formed but 'example' numbers."""

    ENTITY = "US_SSN"
    NAME = "LogmineSsnFormatRecognizer"
    PATTERNS = [
        Pattern("dashed SSN", r"(?<![\w-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w-])", 0.5),
    ]
    CONTEXT = ["ssn", "social", "security"]
