from __future__ import annotations

import pytest

from noc.auth.passwords import (
    PasswordPolicyError,
    check_policy,
    dummy_hash,
    hash_password,
    one_time_password,
    policy_problems,
    verify_password,
)


def test_hash_verifies_only_the_same_password():
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$2b$04$")
    assert "correct" not in hashed
    assert verify_password("correct horse battery", hashed)
    assert not verify_password("correct horse batterY", hashed)


def test_salted_hashes_differ_for_the_same_password():
    assert hash_password("same password 123") != hash_password("same password 123")


def test_long_passwords_count_past_72_bytes():
    base = "x" * 80
    hashed = hash_password(base + "a")
    assert verify_password(base + "a", hashed)
    assert not verify_password(base + "b", hashed)


def test_malformed_hash_is_a_mismatch_not_an_error():
    assert not verify_password("anything at all", "not-a-bcrypt-hash")
    assert not verify_password("anything at all", "")


def test_dummy_hash_matches_no_guess():
    assert not verify_password("", dummy_hash())
    assert not verify_password("password12345", dummy_hash())


@pytest.mark.parametrize(("password", "problem"), [
    ("short", "at least 12"),
    ("my-alice-password", "user name"),
    ("MY-ALICE-PASSWORD", "user name"),
    ("a" * 20, "repeated"),
    ("x" * 300, "at most"),
])
def test_policy_refuses(password, problem):
    assert any(problem in p for p in policy_problems(password, "alice"))
    with pytest.raises(PasswordPolicyError, match="password refused") as info:
        check_policy(password, "alice")
    assert password not in str(info.value)


def test_policy_accepts_a_long_passphrase():
    check_policy("Đi chợ Bến Thành lúc 7 giờ", "alice")
    assert policy_problems("twelve chars", "al") == []  # names under 3 characters are ignored


def test_one_time_passwords_are_random_and_pass_the_policy():
    seen = {one_time_password() for _ in range(50)}
    assert len(seen) == 50
    for password in seen:
        assert len(password) == 19 and password.count("-") == 3
        assert not set(password) & set("0O1lI")
        check_policy(password, "admin")
