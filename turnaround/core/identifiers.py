"""The check characters of the two national identifiers children carry: NHS number and UPN.

NHS numbers end in a modulus 11 check digit: the first nine digits are weighted 10 down to 2,
the products summed, and the check digit is 11 minus the sum modulo 11, where 11 becomes 0 and
10 means no valid number has those nine digits (NHS Data Dictionary, "NHS Number").

Unique pupil numbers (UPNs) start with a check letter: characters 2-13 are weighted by their
position 2..13 and the products summed; the sum modulo 23 indexes ``ABCDEFGHJKLMNPQRTUVWXYZ``
(I, O and S are never used). A temporary UPN ends in a letter, which counts as its index in the
same alphabet (DfE, "Unique pupil numbers (UPN): guidance", the check letter algorithm).

Each check has a scalar form for one value and a vectorised form for numpy arrays, which the
generator and linkage use on whole columns.
"""

from __future__ import annotations

import numpy as np

# --- NHS numbers --------------------------------------------------------------------------

NHS_WEIGHTS = np.arange(10, 1, -1)
"""The weights of an NHS number's first nine digits: 10, 9, ..., 2."""


def nhs_check_digit(nine_digits: str) -> int | None:
    """The NHS number check digit for nine digits, or None if no valid number has them."""
    if len(nine_digits) != 9 or not nine_digits.isascii() or not nine_digits.isdigit():
        raise ValueError(f"expected nine digits, got {nine_digits!r}")
    total = sum(int(d) * w for d, w in zip(nine_digits, NHS_WEIGHTS.tolist(), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def is_valid_nhs_number(value: str) -> bool:
    """True if ``value`` is ten digits (spaces allowed, as in '943 476 5919') with a good check."""
    digits = value.replace(" ", "")
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    return nhs_check_digit(digits[:9]) == int(digits[9])


def nhs_check_digits(stems: np.ndarray) -> np.ndarray:
    """Check digits for an array of nine-digit stems (as integers); 10 marks a stem with none."""
    powers = 10 ** np.arange(8, -1, -1, dtype=np.int64)
    digits = (np.asarray(stems, dtype=np.int64)[:, None] // powers) % 10
    check = 11 - (digits @ NHS_WEIGHTS) % 11
    return np.where(check == 11, 0, check)


def nhs_numbers_valid(values: np.ndarray) -> np.ndarray:
    """Elementwise ``is_valid_nhs_number`` for an array of ten-digit strings (no spaces)."""
    text = np.asarray(values, dtype=str)
    out = np.zeros(len(text), dtype=bool)
    if not len(text):
        return out
    ok = (np.char.str_len(text) == 10) & np.char.isdigit(text) & _ascii(text)
    if ok.any():
        numbers = text[ok].astype(np.int64)
        out[ok] = nhs_check_digits(numbers // 10) == numbers % 10
    return out


# --- Unique pupil numbers -----------------------------------------------------------------

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
"""The UPN check alphabet: A-Z without I, O and S."""
UPN_WEIGHTS = np.arange(2, 14)
"""The weights of a UPN's characters 2-13: their positions."""

_LETTER_VALUE = {letter: i for i, letter in enumerate(UPN_LETTERS)}
_LETTER_ARRAY = np.array(list(UPN_LETTERS))
# Value of each ASCII code in a UPN body: digits 0-9, check-alphabet letters by their index.
_CODE_VALUE = np.full(128, -1, dtype=np.int64)
_CODE_VALUE[ord("0") : ord("9") + 1] = np.arange(10)
_CODE_VALUE[[ord(c) for c in UPN_LETTERS]] = np.arange(len(UPN_LETTERS))


def upn_check_letter(twelve: str) -> str:
    """The check letter that starts a UPN whose other twelve characters are ``twelve``.

    Characters 2-12 are digits; character 13 is a digit, or a letter of the check alphabet in a
    temporary UPN. The worked example ``B801200005001`` used by public UPN validators
    (python-stdnum, dataprep) agrees.
    """
    if len(twelve) != 12 or not twelve[:11].isascii() or not twelve[:11].isdigit():
        raise ValueError(f"expected eleven digits and a digit or letter, got {twelve!r}")
    last = twelve[11]
    if last.isascii() and last.isdigit():
        last_value = int(last)
    elif last in _LETTER_VALUE:
        last_value = _LETTER_VALUE[last]
    else:
        raise ValueError(f"character 13 must be a digit or one of {UPN_LETTERS}: {twelve!r}")
    values = [int(c) for c in twelve[:11]] + [last_value]
    total = sum(v * w for v, w in zip(values, UPN_WEIGHTS.tolist(), strict=True))
    return UPN_LETTERS[total % 23]


def is_valid_upn(value: str) -> bool:
    """True if ``value`` is a 13-character UPN (permanent or temporary) with the right check."""
    if len(value) != 13 or value[0] not in _LETTER_VALUE:
        return False
    try:
        return upn_check_letter(value[1:]) == value[0]
    except ValueError:
        return False


def upn_check_letters(bodies: np.ndarray) -> np.ndarray:
    """Check letters for an array of twelve-digit UPN bodies (permanent UPNs)."""
    codes = np.asarray(bodies, dtype="U12").view(np.uint32).reshape(-1, 12).astype(np.int64)
    total = (codes - ord("0")) @ UPN_WEIGHTS
    return _LETTER_ARRAY[total % 23]


def upns_valid(values: np.ndarray) -> np.ndarray:
    """Elementwise ``is_valid_upn`` for an array of strings, permanent and temporary UPNs alike."""
    text = np.asarray(values, dtype=str)
    out = np.zeros(len(text), dtype=bool)
    if not len(text):
        return out
    ok = (np.char.str_len(text) == 13) & _ascii(text)
    if ok.any():
        chars = np.asarray(text[ok], dtype="U13")
        codes = chars.view(np.uint32).reshape(-1, 13).astype(np.int64)
        values_ = _CODE_VALUE[codes]
        digits = (codes[:, 1:12] >= ord("0")) & (codes[:, 1:12] <= ord("9"))
        shaped = digits.all(axis=1) & (values_[:, 12] >= 0) & (values_[:, 0] >= 0)
        total = values_[:, 1:] @ UPN_WEIGHTS
        first = chars.view("U1").reshape(-1, 13)[:, 0]
        out[ok] = shaped & (_LETTER_ARRAY[total % 23] == first)
    return out


def _ascii(text: np.ndarray) -> np.ndarray:
    """Elementwise: the string holds only ASCII characters."""
    width = max(int(np.char.str_len(text).max()), 1)
    codes = np.asarray(text, dtype=f"U{width}").view(np.uint32).reshape(len(text), width)
    return np.asarray((codes < 128).all(axis=1), dtype=bool)
