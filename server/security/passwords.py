"""Password hashing with argon2id (argon2-cffi's RFC 9106 low-memory profile), and the rule every
new password meets: not too easy to guess — common passwords, keyboard runs, dates, dictionary
words and their l33t variants — and not built from the account's own username, name or e-mail,
as estimated by zxcvbn (Dropbox's estimator, its frequency lists included) given those as user inputs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from server.errors import Invalid

_hasher = PasswordHasher()
# Verified when the username is unknown, so that a wrong username costs as long as a wrong password.
_DUMMY_HASH = _hasher.hash("centrale-dummy-password")
# zxcvbn's score 3: « safely unguessable: moderate protection from offline slow-hash scenario »
# (about 10^8 guesses and more); a throttled online attacker gets a few thousand a day at most.
MIN_SCORE = 3
# zxcvbn's work grows with the length; what lies beyond is not needed to rate a password.
_RATED_LENGTH = 100
_WORDS = re.compile(r"[^\W\d_]{3,}")

PERSONAL = "Le mot de passe ne doit pas reprendre votre identifiant, votre nom ou votre adresse e-mail"
GUESSABLE = (
    "Ce mot de passe est trop courant ou trop facile à deviner : allongez-le avec des mots "
    "sans rapport entre eux"
)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def personal_words(*values: str | None) -> list[str]:
    """What a password must not be built from: each value whole and its words (« jean.dupont »,
    « jean », « dupont »; « Dupont Jean »; an e-mail's local part)."""
    words: list[str] = []
    for value in values:
        if not value:
            continue
        text = value.strip().lower()
        words += [text, text.split("@")[0], *_WORDS.findall(text)]
    return sorted(set(words))


def check_new_password(password: str, personal: Iterable[str]) -> None:
    """Invalid (422, French) when `password` is too easy to guess or built from `personal`
    (`personal_words` of the username, the name, the e-mail)."""
    inputs = list(personal)
    rating = zxcvbn(password[:_RATED_LENGTH], user_inputs=inputs)
    if rating["score"] < MIN_SCORE:
        if any(match.get("dictionary_name") == "user_inputs" for match in rating["sequence"]):
            raise Invalid("password_personal", PERSONAL, field="password")
        raise Invalid("password_guessable", GUESSABLE, field="password")
    # Built from them: what is left once they are taken out must hold on its own.
    rest = password.lower()[:_RATED_LENGTH]
    for word in sorted(inputs, key=len, reverse=True):
        if len(word) >= 3:
            rest = rest.replace(word, "")
    if rest != password.lower()[:_RATED_LENGTH] and zxcvbn(rest, user_inputs=inputs)["score"] < MIN_SCORE:
        raise Invalid("password_personal", PERSONAL, field="password")


def hash_new_password(password: str, personal: Iterable[str]) -> str:
    """`check_new_password`, then the hash."""
    check_new_password(password, personal)
    return hash_password(password)
