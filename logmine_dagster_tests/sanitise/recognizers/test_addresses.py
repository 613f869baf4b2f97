"""Street addresses and postal blocks, in many forms; numbers beside street words that are no address stay."""

from __future__ import annotations

import pytest

from logmine_dagster_tests.sanitise.masking import assert_kept, assert_masked


MASKED = [
    # French address with its postcode and city
    ("I live at 42 Rue de Rivoli, 75001 Paris.", "75001", "STREET_ADDRESS"),
    # address grammar: plural street types, Hungarian abbreviations, lower case, units, military mail
    ("Ship to 40 Elm Coves today", "Elm", "STREET_ADDRESS"),
    ("Our office is at Bartók Zoltán u. 27.", "Zoltán", "STREET_ADDRESS"),
    ("send it to 3911 fourth avenue please", "3911", "STREET_ADDRESS"),
    ("ship to Vana-Viru 25 Apt. 971 please", "Vana-Viru", "STREET_ADDRESS"),
    ("user: 0318 κηφισίας 77 apt. 402", "κηφισίας", "STREET_ADDRESS"),
    ("Ship it back to Unit 8362 Box 2051\nDPO AP 96528 if it arrives damaged.", "8362", "STREET_ADDRESS"),
    ("send the statement to uscgc aslakhanov\nfpo ae 44941?", "aslakhanov", "STREET_ADDRESS"),
    # a building number before the street number; places after a unit on the same line
    ("Deliver to 4411 17 Rue Lepic, Paris.", "4411", "STREET_ADDRESS"),
    ("post the spare to 52 Ainslie Road Suite 307 WODONGA Victoria? I travel soon", "WODONGA", "STREET_ADDRESS"),
    ("72134 Coronilla 3599\nNijmegen", "Coronilla", "STREET_ADDRESS"),
    # postal blocks: a last line that goes on with the sentence, a blank line, ", ON", bullets, particles
    ("Send it to 10 Downing Street\nLondon\nUnited Kingdom 75419 by Friday.", "75419", "STREET_ADDRESS"),
    ("12 Oak Street\nSuite 4\nSPRINGFIELD\n\nUnited States 62704", "62704", "STREET_ADDRESS"),
    ("Mail it to 1 Yonge Street\nToronto\n, ON\n 82269", "82269", "STREET_ADDRESS"),
    ("??? 3187 Trubarjeva 54\n??? Suite 612\n??? Celje\n??? Slovenia 63014", "63014", "STREET_ADDRESS"),
    ("48010 Paseo del Atlántico 81\n Suite 762\n Torroella de Montgrí\n Spain 20416", "Montgrí", "STREET_ADDRESS"),
    # addresses typed in lower case: the postal block closed by a postcode, the town after a
    # unit or a comma
    ("send to 14 rue des lilas 12\napt. 3\nlyon\nfrance 69003", "lyon", "STREET_ADDRESS"),
    ("ship to 22 maple road suite 4 springfield illinois", "springfield", "STREET_ADDRESS"),
    ("i live at 9 lindenstrasse 14, bad kissingen, germany", "kissingen", "STREET_ADDRESS"),
    ("I live at 688 rue du port 320", "320", "STREET_ADDRESS"),
    # an upper-case town after a unit; a block line with a symbol inside a word
    ("Send it to 12 Mill Lane Apt 5 GREAT MISSENDEN and call me", "MISSENDEN", "STREET_ADDRESS"),
    ("Deliver to 10 Oak Street\nSuite 5\nΠΑΡΑ∆ΕΙΣΟΣ\nGreece 10431", "10431", "STREET_ADDRESS"),
    # towns with particles, long street names, lower-case words before a street word, more languages
    ("Ship to 3 High Street, Villanueva de la Cañada, Spain 28691", "28691", "STREET_ADDRESS"),
    ("Avenida Presidente Juscelino Kubitschek de Oliveira 1500", "Juscelino", "STREET_ADDRESS"),
    ("Meet me at Béla király útja 7 tomorrow", "király", "STREET_ADDRESS"),
    ("Our shop is at Pärnu maantee 22, Tallinn", "Pärnu", "STREET_ADDRESS"),
    ("ship to Rúa do Franco 12 please", "Franco", "STREET_ADDRESS"),
    ("I now live in Jana z Lobkovic 18", "Lobkovic", "STREET_ADDRESS"),
    # German streets named with a preposition; a postcode anchors the street and town before it
    ("Meine Adresse: Am Markt 106, 69356 Leipzig", "Markt", "STREET_ADDRESS"),
    ("Deliver to Flat 18, 215 Kingsway, Cardiff CF11 6YQ please", "Kingsway", "STREET_ADDRESS"),
    ("Thanks, Regards, Cardiff CF11 6YQ", "Cardiff", "STREET_ADDRESS"),
    # an intersection is one address, with the words that introduce it
    ("Meet me at the corner of Main Street and Elm Avenue.", "corner", "STREET_ADDRESS"),
    # an address cue earlier in the sentence than Presidio's five words; a station
    ("The address of the Acme Widget Holdings Group is Kolbeinsgerdi 12", "Kolbeinsgerdi", "STREET_ADDRESS"),
    ("The train station is on Zelená Brána 14", "Brána", "STREET_ADDRESS"),
]

KEPT = [
    # numbers beside street words that are not addresses
    "It is 5 minutes down the road.",
    "We drove on a 3 lane road.",
    "took the 2 way street",
]


@pytest.mark.parametrize(("text", "value", "entity_type"), MASKED)
def test_masks(sanitiser, text, value, entity_type):
    assert_masked(sanitiser, text, value, entity_type)


@pytest.mark.parametrize("text", KEPT)
def test_keeps(sanitiser, text):
    assert_kept(sanitiser, text)


def test_a_lower_case_postal_block_needs_a_postcode_line_to_close_it(sanitiser):
    (masked,) = sanitiser.sanitise_texts(["12 oak street\nsee you soon\nbye"])
    assert masked == "<STREET_ADDRESS>\nsee you soon\nbye"


def test_a_postcode_takes_the_address_words_before_it_but_no_sign_off(sanitiser):
    (masked,) = sanitiser.sanitise_texts(["Thanks, Regards, Cardiff CF11 6YQ"])
    assert masked == "Thanks, Regards, <STREET_ADDRESS>"
