"""Numéro de candidat and numéro d'inscription (guide 5.8): formats and check characters.

Both are built from a PostgreSQL sequence value (unique under concurrency, never reused: a
rolled-back transaction leaves a gap, not a duplicate) and end with a check character computed
by the Luhn mod N algorithm, which catches every single wrong character and every swap of two
adjacent ones.

- Numéro de candidat: 11 digits, `YY` (the session's year) + an 8-digit sequence number + a
  Luhn (mod 10) check digit: `27000000425` for the 42nd. One per account and session.
- Numéro d'inscription: `<EXAMEN><YY>-<ACADEMIE>-<NNNNNNN><K>`, e.g. `BTS27-001-0000042B`:
  a 7-digit sequence number and a check character K over "0-9A-Z" (Luhn mod 36) computed on
  every character but the dashes. One per candidature; a new candidature gets a new one.
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def luhn_check_character(text: str, alphabet: str = ALPHABET) -> str:
    """The character that makes `text + c` valid under Luhn mod len(alphabet)."""
    n = len(alphabet)
    factor = 2
    total = 0
    for char in reversed(text):
        addend = factor * alphabet.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return alphabet[(n - total % n) % n]


def luhn_is_valid(text: str, alphabet: str = ALPHABET) -> bool:
    n = len(alphabet)
    factor = 1
    total = 0
    for char in reversed(text):
        if char not in alphabet:
            return False
        addend = factor * alphabet.index(char)
        factor = 1 if factor == 2 else 2
        total += addend // n + addend % n
    return total % n == 0


def numero_candidat(session: int, sequence: int) -> str:
    if not 0 < sequence < 10**8:
        raise ValueError("the numéro de candidat sequence is exhausted")
    body = f"{session % 100:02d}{sequence:08d}"
    return body + luhn_check_character(body, ALPHABET[:10])


def numero_candidat_is_valid(numero: str) -> bool:
    return len(numero) == 11 and numero.isdigit() and luhn_is_valid(numero, ALPHABET[:10])


def numero_inscription(examen: str, session: int, academie: str, sequence: int) -> str:
    if not 0 < sequence < 10**7:
        raise ValueError("the numéro d'inscription sequence is exhausted")
    head = f"{examen}{session % 100:02d}-{academie}-{sequence:07d}"
    return head + luhn_check_character(_significant(head))


def numero_inscription_is_valid(numero: str) -> bool:
    return luhn_is_valid(_significant(numero.upper()))


def _significant(text: str) -> str:
    """What the check character covers: letters and digits (codes may hold `_`, `-`)."""
    return "".join(char for char in text.upper() if char in ALPHABET)
