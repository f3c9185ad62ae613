"""Plain-English tests for one piece of text: sentences, length, reading ease, passive, jargon.

Each function is pure and works on a string, so each can be tried alone on a sentence judged by
hand. ``turnaround.plan.check`` applies them to the plan's vision, priorities, outcomes and
actions with the thresholds in ``rules.yaml``.

The passive-voice test is a heuristic: a form of "to be", optionally an adverb, then a past
participle (a regular "-ed" word, or one from a list of common irregular participles). We count
"are known" and "is needed" as passive, since both hide who knows or needs; a plan should say
"we know". Adjectives such as "is safe" are not participles and are never flagged. Regular "-en"
words are matched only through the irregular list, because most English words ending in "-en"
(children, often, open, happen) are not participles. "Got" passives ("got referred") are not
caught.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import textstat

_WORD = re.compile(r"[A-Za-z0-9]+(?:['’\-.][A-Za-z0-9]+)*")
# A sentence ends at . ! or ? (and any closing quote or bracket) before a space and a capital,
# digit or opening quote; "e.g. the" is not a break because a lower-case word follows.
_BREAK = re.compile(r"[.!?][\"'”’)\]]*(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = ("Mr.", "Mrs.", "Ms.", "Dr.", "St.", "No.", "e.g.", "i.e.", "etc.", "vs.")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


_BE = _wordset("am is are was were be been being isn't aren't wasn't weren't")
_ADVERBS = _wordset(
    "not never always often also already still now then all usually rarely seldom sometimes "
    "just fully being"
)
IRREGULAR_PARTICIPLES = _wordset(
    """arisen awoken beaten become begun bent bet bitten bled blown broken brought built burnt
    bought caught chosen come cut dealt done drawn driven drunk eaten fallen fed felt fought found
    fled flown forbidden forgotten forgiven frozen got gotten given gone ground grown hung had
    heard hidden hit held hurt kept knelt known laid led learnt left lent let lain lit lost made
    meant met paid put quit read ridden rung risen run said seen sought sold sent set shaken shed
    shone shot shown shut sung sunk sat slept slid spoken spent spun spread stood stolen stuck
    stung struck sworn swept swum taken taught torn told thought thrown understood undertaken
    upheld woken worn won withdrawn written"""
)
# Words ending in -ed that are not participles, and -ed adjectives of feeling, which describe a
# state rather than hide a doer ("we are worried").
_NOT_PARTICIPLES = _wordset(
    """bed bred embed need seed speed feed heed indeed red shed wed hundred sacred naked wicked
    rugged ragged kindred exceed proceed succeed interested worried pleased excited bored scared
    tired ashamed surprised delighted determined committed"""
)


def words(text: str) -> list[str]:
    """The words of a text; a hyphenated word, a date or a number counts as one."""
    return _WORD.findall(text)


def sentences(text: str) -> list[str]:
    """Split a text into sentences, keeping every character of each."""
    pieces: list[str] = []
    start = 0
    for match in _BREAK.finditer(text):
        before = text[start : match.start(1)]
        if before.rstrip("\"'”’)]").endswith(_ABBREVIATIONS):
            continue
        pieces.append(before)
        start = match.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def long_sentences(text: str, max_words: int) -> list[tuple[str, int]]:
    """Each sentence longer than ``max_words``, with its word count."""
    counted = ((sentence, len(words(sentence))) for sentence in sentences(text))
    return [(sentence, n) for sentence, n in counted if n > max_words]


def reading_ease(text: str) -> float:
    """The Flesch reading ease of a text: higher is easier; 60 to 70 is plain English."""
    return float(textstat.flesch_reading_ease(text))


def _is_participle(word: str) -> bool:
    word = word.lower()
    if word in _NOT_PARTICIPLES:
        return False
    if word in IRREGULAR_PARTICIPLES:
        return True
    return len(word) > 4 and word.endswith("ed")


def passive_phrases(text: str) -> list[str]:
    """Each passive phrase in a text, such as "will be delivered" or "is not known"."""
    tokens = [token.strip("'’") for token in re.findall(r"[A-Za-z'’]+", text)]
    found: list[str] = []
    i = 0
    while i < len(tokens):
        if tokens[i].lower() not in _BE:
            i += 1
            continue
        j = i + 1
        # "is not being properly assessed": skip up to three adverbs or forms of "to be".
        while j < len(tokens) and j - i <= 3 and _bridges(tokens[j]):
            j += 1
        if j < len(tokens) and _is_participle(tokens[j]):
            found.append(" ".join(tokens[i : j + 1]))
            i = j + 1
        else:
            i += 1
    return found


def _bridges(token: str) -> bool:
    token = token.lower()
    return token in _ADVERBS or token in _BE or (token.endswith("ly") and len(token) > 3)


def _term_pattern(term: str) -> re.Pattern[str]:
    # Each word may take a short ending, so "leverage" also finds "leveraging" and
    # "stakeholder" finds "stakeholders"; a final -e or -y may change ("synergies").
    parts = []
    for word in re.split(r"[\s\-]+", term.strip().lower()):
        stem = word[:-1] if word.endswith(("e", "y")) and len(word) > 3 else word
        tail = r"(?:e|y|i)?[a-z]{0,4}" if stem != word else r"[a-z]{0,4}"
        parts.append(re.escape(stem) + tail)
    return re.compile(r"\b" + r"[\s\-]+".join(parts) + r"\b", re.IGNORECASE)


def jargon(text: str, terms: Iterable[str]) -> list[str]:
    """The jargon terms a text uses, matched without regard to case, spaces or hyphens."""
    return [term for term in terms if _term_pattern(term).search(text)]


def suggest(term: str, terms: Mapping[str, str]) -> str:
    """How to say a jargon term plainly, for a message."""
    plainer = terms.get(term, "")
    return f"'{term}' (say '{plainer}')" if plainer else f"'{term}' (say what you mean)"


_ACRONYM = re.compile(r"\b([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)(s?)\b")


def acronyms(text: str) -> list[tuple[str, bool]]:
    """Each acronym (two or more capitals) in reading order, and whether it is spelt out there.

    An acronym is spelt out where it stands in brackets after words, as in
    "Multi-Agency Safeguarding Hub (MASH)". We do not check that the initials match the words:
    a reader who meets the brackets has been told what the letters stand for.
    """
    found: list[tuple[str, bool]] = []
    for match in _ACRONYM.finditer(text):
        before = text[: match.start()]
        after = text[match.end() :]
        spelt = bool(re.search(r"[A-Za-z]\s*\(\s*$", before)) and after.lstrip().startswith(")")
        found.append((match.group(1), spelt))
    return found
