"""Password hashing (bcrypt), the password policy and one-time passwords.

bcrypt only reads 72 bytes, and bcrypt 5 refuses longer input, so the
password is first reduced to the base64 of its SHA-256 (44 bytes): every
character counts and long pass-phrases work. The cost is :data:`ROUNDS`
(tests lower it). :func:`verify_password` against :func:`dummy_hash` gives an
unknown user name the same cost as a wrong password.

Policy: at least :data:`MIN_LENGTH` characters, at most :data:`MAX_LENGTH`,
not containing the user name, not one repeated character.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

import bcrypt

ROUNDS = 12  # bcrypt work factor: about 0.2 s per hash on one core
MIN_LENGTH = 12
MAX_LENGTH = 256
# one-time passwords: no 0/O, 1/l/I look-alikes, easy to read out on the phone
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
_dummies: dict[int, str] = {}  # cost -> hash of a random password


class PasswordPolicyError(ValueError):
    """A password the policy refuses; the message says why (never the password)."""


def _prehash(password: str) -> bytes:
    return base64.b64encode(hashlib.sha256(password.encode("utf-8")).digest())


def hash_password(password: str) -> str:
    """The bcrypt hash of ``password`` (a new salt each time)."""
    return bcrypt.hashpw(_prehash(password), bcrypt.gensalt(ROUNDS)).decode("ascii")


def verify_password(password: str, hashed: str) -> bool:
    """Whether ``password`` matches ``hashed`` (False for a malformed hash)."""
    try:
        return bcrypt.checkpw(_prehash(password), hashed.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        return False


def dummy_hash() -> str:
    """A hash of a random password at the current cost, to verify unknown users against."""
    if ROUNDS not in _dummies:
        _dummies[ROUNDS] = hash_password(secrets.token_urlsafe(16))
    return _dummies[ROUNDS]


def policy_problems(password: str, user_name: str = "") -> list[str]:
    """Why the policy refuses ``password`` for ``user_name`` ([] when it is acceptable)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        problems.append(f"at most {MAX_LENGTH} characters")
    name = user_name.strip().lower()
    if len(name) >= 3 and name in password.lower():
        problems.append("must not contain the user name")
    if password and len(set(password)) == 1:
        problems.append("must not be one repeated character")
    return problems


def check_policy(password: str, user_name: str = "") -> None:
    """Raise :class:`PasswordPolicyError` when the policy refuses ``password``."""
    problems = policy_problems(password, user_name)
    if problems:
        raise PasswordPolicyError("password refused: " + "; ".join(problems))


def one_time_password() -> str:
    """A random password to be changed at first login: 4 groups of 4, about 92 bits."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)
