"""The recognizers added in this increment, each with cases it must mask and cases it must leave."""

from __future__ import annotations

import pytest

from logmine_dagster.sanitise import residual


@pytest.fixture(scope="module")
def sanitiser():
    from logmine_dagster.sanitise.sanitiser import get_sanitiser

    return get_sanitiser(("Northwind",))


MASKED = [
    # secrets
    ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7yq3b9PmQ\n-----END RSA PRIVATE KEY-----", "MIIEowIBAAKCAQEAx7yq3b9PmQ", "SECRET"),
    ("key: -----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEF (cut off)", "MIIEvQIBADANBgkqhkiG9w0BAQEF", "SECRET"),
    ("connect to postgres://admin:S3cretPass@db.example.com:5432/app", "S3cretPass", None),
    ("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI", "SECRET"),
    ('{"github_token": "q9Xw2Lm7Tz4Rp1Vn"}', "q9Xw2Lm7Tz4Rp1Vn", "SECRET"),
    ("ghp_abcdefghijklmnopqrstuvwxyz0123456789 was committed", "ghp_abcdefghijklmnopqrstuvwxyz0123456789", "SECRET"),
    # user names in home directories
    ('File "/home/jdoe/projects/app/main.py", line 3', "jdoe", "USERNAME"),
    ("open /Users/akowalski/Library/Logs", "akowalski", "USERNAME"),
    (r"saved to C:\Users\mwilliams\Desktop\notes.txt", "mwilliams", None),
    # given names from the gazetteer, with initials and surnames
    ("They had 6 kids: Isabel, Teresa and Jodi.", "Teresa", "PERSON"),
    ("we need to add Ryan P Costa as guardian", "Costa", "PERSON"),
    ("follow up with patricia desrosiers in a couple of months.", "desrosiers", "PERSON"),
    ("Halldór: What a day.", "Halldór", "PERSON"),
    # French address with its postcode and city
    ("I live at 42 Rue de Rivoli, 75001 Paris.", "75001", "STREET_ADDRESS"),
    # address grammar: plural street types, Hungarian abbreviations, lower case, units, military mail
    ("Ship to 40 Elm Coves today", "Elm", "STREET_ADDRESS"),
    ("Our office is at Kálmán Imre u. 12.", "Imre", "STREET_ADDRESS"),
    ("send it to 3911 fourth avenue please", "3911", "STREET_ADDRESS"),
    ("ship to Vana-Viru 25 Apt. 971 please", "Vana-Viru", "STREET_ADDRESS"),
    ("user: 0605 πεντέλης 210 apt. 999", "πεντέλης", "STREET_ADDRESS"),
    ("Please return to Unit 4719 Box 7394\nDPO AP 70942 in case of an issue.", "4719", "STREET_ADDRESS"),
    ("send the statement to uscgc aslakhanov\nfpo ae 44941?", "aslakhanov", "STREET_ADDRESS"),
    # a building number before the street number; places after a unit on the same line
    ("Deliver to 4411 17 Rue Lepic, Paris.", "4411", "STREET_ADDRESS"),
    ("send a new one to 18 McPherson Road Suite 019 CHARLEROI Victoria? I am away", "CHARLEROI", "STREET_ADDRESS"),
    ("72134 Coronilla 3599\nNijmegen", "Coronilla", "STREET_ADDRESS"),
    # postal blocks: a last line that goes on with the sentence, a blank line, ", ON", bullets, particles
    ("Send it to 10 Downing Street\nLondon\nUnited Kingdom 75419 by Friday.", "75419", "STREET_ADDRESS"),
    ("12 Oak Street\nSuite 4\nSPRINGFIELD\n\nUnited States 62704", "62704", "STREET_ADDRESS"),
    ("Mail it to 1 Yonge Street\nToronto\n, ON\n 82269", "82269", "STREET_ADDRESS"),
    ("??? 4923 Parmova 109\n??? Suite 380\n??? Maribor\n??? Slovenia 82709", "82709", "STREET_ADDRESS"),
    ("48010 Paseo del Atlántico 81\n Suite 762\n Torroella de Montgrí\n Spain 20416", "Montgrí", "STREET_ADDRESS"),
    # phone numbers with a cue spaCy calls a stop word ("call") or a label after them
    ("Can someone call me on 450 0840? I have questions.", "0840", "PHONE_NUMBER"),
    ("Katrina\n655 437 108 office\n", "437", "PHONE_NUMBER"),
    ("(37) 788-063-Office", "788", "PHONE_NUMBER"),
    # names: lines holding only a name, "Label: name", runs of unknown proper nouns
    ("> Mijail C Adomo\n> Asc Partners", "Adomo", "PERSON"),
    ("Einojuhani Pyysalo\n\nLocal transit bus driver", "Pyysalo", "PERSON"),
    ("naomi ryan\nsewer pipe cleaner", "naomi", "PERSON"),
    ("Directed By:    Arquímedes Ballesteros", "Ballesteros", "PERSON"),
    ("Rościsław Dudek of Lexisnexis is the CEO.", "Dudek", "PERSON"),
    # names widened to whole words and unknown neighbours; speaker labels; possessives spread
    ("Producer Mashuu Samurakami explained it.", "Mashuu", "PERSON"),
    ('"I am glad," says Hauta-aho.', "aho", "PERSON"),
    ("Ella: What a day.\nDestiny: Remember me?\nChristopher: Yes.", "Destiny", "PERSON"),
    ("the verses from eric g. samoylova's tales. early samoylova?", "samoylova", "PERSON"),
    ("I'm so jealous! said Željko to Teresa", "Teresa", "PERSON"),
]

KEPT = [
    '{"max_tokens": 4096, "token_count": 1234, "prompt_tokens": 5000, "token_type": "bearer"}',
    "the logs are in /Users/Shared/logs and /home/user/x and ~/docs",
    "Will you check my order? May I ask why? Hope this helps, grace period is over.",
    "Ask Siri to restart the router.",
    "the password is incorrect, please reset it",
    "Refunds take 5 to 7 business days.",
    # numbers beside street words that are not addresses
    "It is 5 minutes down the road.",
    "We drove on a 3 lane road.",
    "took the 2 way street",
    # lines of ordinary words, Title Case and labels that are not names
    "Knowledge Agency\nLocal transit bus driver",
    "grace period\nis over",
    "Best Regards\nSupport Team",
    "Secretly Love (But Hate)",
    "User: hi\nAssistant: hello",
    "Note: restart it\nWarning: it may fail",
    # digits without a phone cue
    "The office is open 9 to 5.",
    "Build 4410 7781 passed all checks.",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    (masked,) = sanitiser.sanitise_texts([text])
    assert value not in masked
    if entity_type:
        assert f"<{entity_type}>" in masked


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert sanitiser.sanitise_texts([text]) == [text]


def test_the_parser_is_off_and_the_rest_of_the_pipeline_on():
    from logmine_dagster.sanitise.engine import get_analyzer

    pipes = get_analyzer().nlp_engine.get_nlp("en").pipe_names
    assert "parser" not in pipes and {"tagger", "lemmatizer", "ner"} <= set(pipes)


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        ("postgres://admin:S3cretPass@db.example.com", True),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAx7yq3b9PmQ", True),
        ("sk_live_abcdefghijklmnop1234", True),
        ("postgres://<SECRET>@db.example.com", False),
        ("-----BEGIN PRIVATE KEY-----<SECRET>", False),
        ("https://example.com/a:b", False),
    ],
)
def test_the_gate_knows_the_new_secret_shapes(text, flagged):
    assert ("SECRET" in residual.scan_text(text)) is flagged


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("> Mijail C Adomo\n> Knowledge Agency", ["Mijail C Adomo"]),
        ("Fletcher Hill\nLocal transit bus driver", ["Fletcher Hill"]),
        ("naomi ryan\nsewer pipe cleaner", ["naomi ryan"]),
        ("grace period\nBest Regards\nPersonal Info:", []),
        ("Thanks a lot\nSee you", []),
    ],
)
def test_name_line_recognizer(text, names):
    from logmine_dagster.sanitise.engine import get_analyzer
    from logmine_dagster.sanitise.recognizers import NameLineRecognizer

    recognizer = next(r for r in get_analyzer().registry.recognizers if isinstance(r, NameLineRecognizer))
    assert [text[r.start : r.end] for r in recognizer.analyze(text, ["PERSON"])] == names


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Rościsław Dudek of Lexisnexis is the CEO.", ["Rościsław Dudek"]),
        ("Csanád P Gere lives here.", ["Csanád P Gere"]),
        ("We deploy Dagster on Kubernetes with Helm.", []),
        ("Visual Studio Code crashed.", []),
    ],
)
def test_proper_name_run_recognizer(text, names):
    from logmine_dagster.sanitise.engine import get_analyzer
    from logmine_dagster.sanitise.recognizers import ProperNameRunRecognizer

    analyzer = get_analyzer()
    recognizer = next(r for r in analyzer.registry.recognizers if isinstance(r, ProperNameRunRecognizer))
    artifacts = analyzer.nlp_engine.process_text(text, "en")
    assert [text[r.start : r.end] for r in recognizer.analyze(text, ["PERSON"], artifacts)] == names
