"""Plain-English tests on sentences judged by hand."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from turnaround.plan import plain

# Each sentence was judged by hand: True where a reader cannot tell who does the thing.
PASSIVE = [
    ("The plan will be delivered by March.", True),
    ("Children are known to us.", True),  # we count "are known": it hides who knows
    ("The case was not properly assessed.", True),
    ("Services are being transformed.", True),
    ("Help is given early.", True),
    ("Every child was seen within a week.", True),
    ("The referral has been closed.", True),
    ("Cases are quickly closed.", True),
    ("We will check every case.", False),
    ("The house is safe.", False),
    ("We are worried about this child.", False),  # a feeling, not a hidden doer
    ("Our managers are ready.", False),
    ("This is the best way.", False),
    ("Children need a stable home.", False),
    ("The children are in care.", False),
    ("Staff are open with families.", False),  # "open" ends in -en but is no participle
]


@pytest.mark.parametrize(("sentence", "passive"), PASSIVE)
def test_passive_voice_on_sentences_judged_by_hand(sentence: str, passive: bool) -> None:
    assert bool(plain.passive_phrases(sentence)) is passive


def test_passive_phrase_is_quoted_whole() -> None:
    assert plain.passive_phrases("It was not properly assessed.") == ["was not properly assessed"]


def test_twenty_words_is_long_enough_but_not_too_long() -> None:
    twenty = " ".join(["word"] * 19) + " end."
    twenty_one = " ".join(["word"] * 20) + " end."
    assert plain.long_sentences(twenty, 20) == []
    assert plain.long_sentences(twenty_one, 20) == [(twenty_one, 21)]


def test_a_date_and_a_hyphenated_word_count_as_one_word_each() -> None:
    assert plain.words("A multi-agency hub opens on 2014-03-31.") == [
        "A",
        "multi-agency",
        "hub",
        "opens",
        "on",
        "2014-03-31",
    ]


def test_sentences_split_on_full_stops_but_not_on_abbreviations() -> None:
    text = 'We act. Dr. Okafor leads, e.g. the audit. 2014 was hard! "Yes." Then we grew'
    assert plain.sentences(text) == [
        "We act.",
        "Dr. Okafor leads, e.g. the audit.",
        "2014 was hard!",
        '"Yes."',
        "Then we grew",
    ]


JARGON = {"going forward": "", "leverage": "use", "world-class": "", "deep dive": "", "embed": ""}


@pytest.mark.parametrize(
    ("sentence", "found"),
    [
        ("Going Forward we will act.", ["going forward"]),
        ("We will LEVERAGE our partners.", ["leverage"]),
        ("We are leveraging our partners.", ["leverage"]),
        ("A world class service.", ["world-class"]),
        ("A world-class service.", ["world-class"]),
        ("We will do a deep  dive.", ["deep dive"]),
        ("The change is embedded.", ["embed"]),
        ("We will go forward with the deep end of the pool.", []),
        ("The world has one class.", []),
    ],
)
def test_jargon_ignores_case_and_matches_several_words(sentence: str, found: list[str]) -> None:
    assert plain.jargon(sentence, JARGON) == found


def test_suggest_gives_the_plain_word_where_there_is_one() -> None:
    assert plain.suggest("leverage", JARGON) == "'leverage' (say 'use')"
    assert plain.suggest("going forward", JARGON) == "'going forward' (say what you mean)"


def test_acronym_spelt_out_then_used() -> None:
    text = "A Multi-Agency Safeguarding Hub (MASH) opens. The MASH checks ICPCs."
    assert plain.acronyms(text) == [("MASH", True), ("MASH", False), ("ICPC", False)]


def test_acronym_used_before_spelt_out() -> None:
    text = "The MASH opens. It is a Multi-Agency Safeguarding Hub (MASH)."
    assert plain.acronyms(text) == [("MASH", False), ("MASH", True)]


def test_single_capitals_and_ids_are_not_acronyms() -> None:
    assert plain.acronyms("I and A wrote P1.1 and A4 in Section 47.") == []


def test_reading_ease_plain_beats_dense() -> None:
    plain_text = "We will check every case each day and call the family back."
    dense = (
        "Organisational transformation necessitates comprehensive reconfiguration of "
        "multidisciplinary safeguarding arrangements."
    )
    assert plain.reading_ease(plain_text) > 80
    assert plain.reading_ease(dense) < 0


_TEXT = st.lists(
    st.sampled_from(["We", "act", "now.", "Dr.", "Then", "e.g.", "2014", "help!", "is", "known?"]),
    max_size=30,
).map(" ".join)


@given(_TEXT)
def test_splitting_sentences_never_loses_a_word(text: str) -> None:
    joined = [word for sentence in plain.sentences(text) for word in plain.words(sentence)]
    assert joined == plain.words(text)


@given(st.text(alphabet="abc .!?ABC\n", max_size=60))
def test_splitting_sentences_keeps_every_character_but_spaces(text: str) -> None:
    kept = "".join(plain.sentences(text)).replace(" ", "").replace("\n", "")
    assert kept == text.replace(" ", "").replace("\n", "")
