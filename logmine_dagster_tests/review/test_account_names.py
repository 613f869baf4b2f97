"""Reviewer account names are checked whole: a name is exactly the allowed characters, nothing after."""

import pytest

from logmine_dagster.review.accounts import UserError, add_user, check_new_user

PASSWORD = "correct horse battery"


@pytest.mark.parametrize("name", ["ana\n", "ana\r\n", "ana\nadmin", "ana ", " ana", "ana\x00", "a" * 65, "", ".ana", "ana/x"])
def test_a_name_with_anything_outside_the_pattern_is_refused(name):
    with pytest.raises(UserError, match="user name must be"):
        check_new_user(name, "reviewer", PASSWORD)


@pytest.mark.parametrize("name", ["ana", "a", "ana.b_c-9", "A" * 64])
def test_plain_names_are_accepted(name):
    check_new_user(name, "reviewer", PASSWORD)


def test_a_trailing_newline_never_reaches_the_accounts_table(db):
    with pytest.raises(UserError):
        add_user(db, "ana\n", "reviewer", PASSWORD)
    assert add_user(db, "ana", "reviewer", PASSWORD) == "created"
