"""One child's period of care, planned at entry: legal statuses, placements, moves and the exit.

A care spell is a sequence of SSDA903 episodes. A new episode starts whenever the legal status
or the placement changes; the reason for new episode (RNE) says which changed, so that a change
of legal status alone (RNE 'L') is never mistaken for a placement move.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from turnaround.synth.calendar import add_years

YEAR = 365.25

TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
RESIDENTIAL = ("K1", "K2", "R1", "S1")
FOSTERING = ("U1", "U2", "U3", "U4", "U5", "U6")
PLACE_CHANGE_REASONS = (
    "CARPL",
    "CLOSE",
    "ALLEG",
    "STAND",
    "APPRR",
    "CREQB",
    "CREQO",
    "CHILD",
    "LAREQ",
    "PLACE",
    "OTHER",
)
PLACE_CHANGE_WEIGHTS = (0.32, 0.06, 0.03, 0.04, 0.02, 0.12, 0.04, 0.08, 0.05, 0.14, 0.10)
OUT_OF_AREA_SECTORS = (
    "WS1 2",
    "WS9 8",
    "WV10 0",
    "DY1 3",
    "DY8 4",
    "CV4 7",
    "CV34 5",
    "LE1 5",
    "ST4 2",
    "WR5 1",
    "TF2 6",
    "NN4 8",
    "DE23 6",
    "SY1 2",
    "NG7 1",
)


@dataclass
class CareSpell:
    """The episodes and related records of one period of care."""

    episodes: list[tuple] = field(default_factory=list)
    reviews: list[tuple[int, str]] = field(default_factory=list)
    missing: list[tuple[str, int, int]] = field(default_factory=list)
    adoption: tuple | None = None  # (date_int, date_match, ceased, reason, order, with_carer)
    end: int = 0
    exit_reason: str = ""
    open_at_18: bool = False


def _choose(rng: np.random.Generator, options: tuple[str, ...], weights: tuple[float, ...]) -> str:
    p = np.asarray(weights, dtype=float)
    return str(options[int(rng.choice(len(options), p=p / p.sum()))])


PATHWAYS: dict[str, dict[str, float]] = {
    "under 1": {"home": 0.24, "adoption": 0.56, "sgo": 0.14, "long": 0.06},
    "1 to 4": {"home": 0.30, "adoption": 0.40, "sgo": 0.16, "long": 0.14},
    "5 to 10": {"home": 0.42, "adoption": 0.03, "sgo": 0.18, "long": 0.37},
    "11 to 15": {"home": 0.50, "long": 0.50},
    "16 and 17": {"home": 0.35, "long": 0.65},
}
"""How a period of care ends, by age at entry: home, adoption, special guardianship, or 18."""

PLACEMENT_MIX: dict[tuple[str, bool], dict[str, float]] = {
    ("under 1", False): {"U6": 0.63, "U3": 0.19, "R3": 0.06, "P1": 0.12},
    ("1 to 10", False): {"U6": 0.60, "U3": 0.17, "U4": 0.07, "K2": 0.04, "P1": 0.11, "T1": 0.01},
    ("1 to 10", True): {"U4": 0.44, "U1": 0.15, "U6": 0.28, "K2": 0.04, "P1": 0.09},
    ("11 to 15", False): {"U6": 0.55, "U3": 0.13, "K2": 0.16, "K1": 0.01, "R1": 0.03,
                          "S1": 0.01, "P1": 0.10, "T2": 0.01},
    ("11 to 15", True): {"U4": 0.33, "U1": 0.10, "U6": 0.29, "K2": 0.14, "K1": 0.01,
                         "R1": 0.03, "S1": 0.02, "P1": 0.08},
    ("16 and 17", False): {"H5": 0.32, "U6": 0.26, "U4": 0.08, "K2": 0.17, "P2": 0.05,
                           "U3": 0.07, "P1": 0.05},
}  # fmt: skip
"""Placement types drawn for a child, by age band and whether they have settled (a year in)."""


def _band(age: float) -> str:
    if age < 1:
        return "under 1"
    if age < 5:
        return "1 to 4"
    if age < 11:
        return "5 to 10"
    return "11 to 15" if age < 16 else "16 and 17"


def _pathway(rng: np.random.Generator, age: float) -> str:
    mix = PATHWAYS[_band(age)]
    return _choose(rng, tuple(mix), tuple(mix.values()))


HOME_AT_A_MOVE = 0.75
"""How much less often a move, rather than a first placement, is to the child's parents: a
move is most often a placement breaking down, and the mix's placement-with-parents weight
applies to it at half strength (an assumption, set so that more moves leave the share placed
with parents at 31 March near Birmingham's 5%)."""


def _placement(
    rng: np.random.Generator,
    age: float,
    settled: bool,
    *,
    home_weight: float = 1.0,
    residential_weight: float = 1.0,
) -> str:
    """A placement type for a child of this age; 'settled' children move to long-term care."""
    band = _band(age)
    if band in ("1 to 4", "5 to 10"):
        band = "1 to 10"
    key = (band, settled and band not in ("under 1", "16 and 17"))
    mix = PLACEMENT_MIX[key]
    scale = {"P1": home_weight, **dict.fromkeys(RESIDENTIAL, residential_weight)}
    weights = tuple(w * scale.get(place, 1.0) for place, w in mix.items())
    return _choose(rng, tuple(mix), weights)


def _provider(rng: np.random.Generator, place: str) -> str:
    if place in TEMPORARY:
        return ""
    if place in ("P1",):
        return "PR0"
    if place in ("U1", "U2", "U3"):
        return "PR1"
    if place in FOSTERING:
        return _choose(rng, ("PR1", "PR4", "PR5"), (0.52, 0.38, 0.10))
    if place in ("K2", "R1"):
        return _choose(rng, ("PR1", "PR4", "PR5"), (0.24, 0.70, 0.06))
    if place in ("K1", "S1"):
        return _choose(rng, ("PR2", "PR3", "PR4"), (0.40, 0.20, 0.40))
    if place.startswith("A"):
        return _choose(rng, ("PR1", "PR5"), (0.75, 0.25))
    if place in ("H5", "P2"):
        return _choose(rng, ("PR1", "PR4", "PR5"), (0.35, 0.50, 0.15))
    return _choose(rng, ("PR1", "PR3", "PR4"), (0.5, 0.2, 0.3))


def _urn(rng: np.random.Generator, place: str, provider: str) -> str:
    if place in RESIDENTIAL or (place in FOSTERING and provider in ("PR4", "PR5")):
        return f"SC{int(rng.integers(40_000, 500_000)):06d}"
    if place in FOSTERING:
        return "SC058316"  # the council's own fostering service
    return "XXXXXXX"


def _placement_postcode(
    rng: np.random.Generator, place: str, provider: str, home: str, sectors: np.ndarray
) -> str:
    if place in ("P1",):
        return home
    if provider == "PR1":  # the council's own provision is inside its own area
        sector = home
        while sector == home and len(sectors) > 1:  # only placement with parents is at home
            sector = str(sectors[int(rng.integers(len(sectors)))])
        return sector
    far = 0.45 if provider in ("PR4", "PR2", "PR3") else 0.08
    if rng.random() < far:
        return str(OUT_OF_AREA_SECTORS[int(rng.integers(len(OUT_OF_AREA_SECTORS)))])
    sector = home
    while sector == home and len(sectors) > 1:
        sector = str(sectors[int(rng.integers(len(sectors)))])
    return sector


MOVE_RATES: dict[bool, tuple[float, float]] = {False: (1.4, 0.35), True: (2.6, 0.7)}
"""Placement moves due a year, in the first year of care and after it, for children under 11
(False) and of 11 and over (True), before each child's own instability is applied."""

INSTABILITY_SHAPE = 1.0
"""Shape of the gamma-distributed instability (mean 1) that multiplies a child's move rates:
a few children move again and again while most settle."""


def _move_days(rng: np.random.Generator, entry: int, end: int, age: float) -> list[int]:
    """Days a child's placement is due to change, most of them in the first year of care."""
    first, later = MOVE_RATES[age >= 11]
    instability = float(rng.gamma(INSTABILITY_SHAPE, 1 / INSTABILITY_SHAPE))
    settled = min(end, entry + 365)
    n_first = int(rng.poisson(first * instability * (settled - entry) / YEAR))
    days = rng.integers(entry + 1, max(settled, entry + 2), n_first).tolist()
    if end > settled + 1:
        n_later = int(rng.poisson(later * instability * (end - settled) / YEAR))
        days += rng.integers(settled, end, n_later).tolist()
    return sorted(int(d) for d in days)


def _placement_details(
    rng: np.random.Generator,
    place: str,
    before: tuple[str, str, str] | None,
    home: str,
    sectors: np.ndarray,
) -> tuple[str, str, str]:
    """Provider, URN and postcode of a new placement, differing from ``before`` (the last one).

    A move to another carer of the same kind shows in the data as a new provider or placement
    postcode, since DfE rule 435 looks for some change in the placement's details and URN is
    not in every year's layout. ``before`` holds the new placement type with the last
    placement's provider and postcode.
    """
    provider = _provider(rng, place)
    urn = _urn(rng, place, provider)
    pl_post = _placement_postcode(rng, place, provider, home, sectors)
    for _ in range(20):
        if before is None or (place, provider, pl_post) != before:
            return provider, urn, pl_post
        pl_post = _placement_postcode(rng, place, provider, home, sectors)
    # A city with very few postcode sectors: the new carers live outside it.
    away = [s for s in OUT_OF_AREA_SECTORS if s != pl_post]
    return provider, urn, away[int(rng.integers(len(away)))]


def distinct_placements(placements: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Placements in date order, one a day (the last), none a repeat of home with parents.

    Two moves drawn on the same day are one move; and a child placed with parents who
    'moves' home again has not moved, since the placement's details (type, provider and
    postcode) cannot differ.
    """
    by_day: dict[int, str] = {}
    for day, place in sorted(placements, key=lambda p: p[0]):
        by_day[day] = place
    out: list[tuple[int, str]] = []
    for day, place in sorted(by_day.items()):
        if out and place == "P1" and out[-1][1] == "P1":
            continue
        out.append((day, place))
    return out


def _outside_temporary_placements(
    statuses: list[tuple[int, str]], placements: list[tuple[int, str]]
) -> list[tuple[int, str]]:
    """Move a change of legal status that falls inside a temporary placement to its end.

    A temporary placement's episode must begin with a change of placement (RNE P or B, DfE
    rule 380), so the legal status changes on the day the child moves on, in the same episode
    as the move. Of two changes that land on one day, the later status stands.
    """
    windows = [
        (start, placements[k + 1][0])
        for k, (start, place) in enumerate(placements[:-1])
        if place in TEMPORARY
    ]
    moved: dict[int, str] = {}
    for day, status in statuses:
        for start, stop in windows:
            if start < day < stop:
                day = stop
        moved[day] = status
    return sorted(moved.items())


def plan_care_spell(
    rng: np.random.Generator,
    entry: int,
    dob: int,
    need: str,
    emergency: bool,
    home_sector: str,
    sectors: np.ndarray,
    pathway: str | None = None,
    *,
    length_scale: float = 1.0,
    residential_weight: float = 1.0,
) -> CareSpell:
    """Plan a whole period of care for a child entering on day ``entry``.

    ``length_scale`` stretches spells that end before 18 (a court backlog lengthens them), and
    ``residential_weight`` multiplies the chance of each placement in a children's home: both
    come from the city's drift (``drift.py``) and are 1 in the calibrated year.
    """
    age = (entry - dob) / YEAR
    eighteenth = int(add_years(np.array([dob]), 18)[0])
    path = pathway or _pathway(rng, age)
    if path == "home":
        length = int(rng.lognormal(np.log(160), 0.95) * length_scale)
    elif path == "adoption":
        length = int(rng.uniform(480, 980) * length_scale)
    elif path == "sgo":
        length = int(rng.uniform(330, 900) * length_scale)
    else:
        length = eighteenth - entry
    end = min(entry + max(length, 2), eighteenth)
    aged_out = end >= eighteenth
    if aged_out:
        path = "long"

    # Legal status changes: (day, status)
    if age >= 16:
        first_ls = _choose(rng, ("V2", "C1", "J1"), (0.82, 0.15, 0.03))
    elif emergency:
        first_ls = _choose(rng, ("L1", "L2", "C1", "V2"), (0.14, 0.09, 0.47, 0.30))
    else:
        first_ls = _choose(rng, ("V2", "C1"), (0.55, 0.45))
    statuses: list[tuple[int, str]] = [(entry, first_ls)]
    day = entry
    # Police protection lasts at most 72 hours (DfE rule 361); an emergency protection order
    # 8 days. A spell that outlasts either moves to another status within that time.
    most = 3 if first_ls == "L1" else 8
    if first_ls in ("L1", "L2") and end - entry > most:
        lasts = int(rng.integers(1, 4) if first_ls == "L1" else rng.integers(2, 9))
        day = entry + min(lasts, end - entry - 1)
        statuses.append((day, "C1" if path != "home" or rng.random() < 0.5 else "V2"))
    if statuses[-1][1] == "J1" and end - entry > 60:
        day = entry + int(rng.integers(20, 60))
        statuses.append((day, "V2"))
    court = statuses[-1][1] == "C1" or path in ("adoption", "sgo") or (path == "long" and age < 16)
    if court and statuses[-1][1] == "V2" and end - day > 120:
        day = day + int(rng.integers(60, 200))
        if day < end:
            statuses.append((day, "C1"))
    if statuses[-1][1] == "C1" and end - day > 200:
        day = day + int(rng.integers(150, 330))
        if day < end:
            statuses.append((day, "C2"))
    placed_for_adoption = None
    adoption: tuple[int, int | None, int | None, str] | None = None
    with_carer = rng.random() < 0.15  # placed for adoption with the current foster carer
    if path == "adoption":
        order_day = max(day + 20, entry + int(rng.uniform(260, 480)))
        placed_day = order_day + int(rng.integers(20, 120))
        # The agency decision maker decides adoption is in the child's best interests (and that
        # the child should be placed for adoption) before the court's placement order.
        date_int = entry + int(rng.uniform(90, 240))
        if placed_day < end - 60:
            statuses.append((order_day, "E1"))
            placed_for_adoption = placed_day
            date_match = max(placed_day - int(rng.integers(10, 60)), date_int + 1)
            adoption = (date_int, date_match, None, "")
        else:
            path = "sgo"
            if date_int < end - 30:
                # The plan for adoption was reversed: the decision ceases with a reason.
                reversed_on = min(end - 1, date_int + int(rng.integers(60, 300)))
                reason = _choose(rng, ("RD1", "RD2", "RD3", "RD4"), (0.3, 0.2, 0.3, 0.2))
                adoption = (date_int, None, reversed_on, reason)
    statuses.sort(key=lambda s: s[0])

    def status_on(d: int) -> str:
        current = statuses[0][1]
        for when, status in statuses:
            if when <= d:
                current = status
        return current

    def allowed(place: str, d: int) -> str:
        # Placement with parents needs a care order (never s20 accommodation).
        if place == "P1" and status_on(d) not in ("C1", "C2"):
            return "U6"
        return place

    # Placements: (day, place)
    first_place = allowed(
        _placement(rng, age, settled=False, residential_weight=residential_weight), entry
    )
    if first_place in TEMPORARY:  # a period of care never starts in a temporary placement
        first_place = "U6"
    placements: list[tuple[int, str]] = [(entry, first_place)]
    move_days = _move_days(rng, entry, end, age)
    back_from_temporary = -1
    for d in move_days:
        if placed_for_adoption is not None and d >= placed_for_adoption - 7:
            break
        if d <= back_from_temporary:
            continue
        a = (d - dob) / YEAR
        current = placements[-1][1]
        new = allowed(
            _placement(
                rng,
                a,
                (d - entry) > 365,
                home_weight=HOME_AT_A_MOVE,
                residential_weight=residential_weight,
            ),
            d,
        )
        if current in RESIDENTIAL and rng.random() < 0.5:
            new = _choose(rng, ("K2", "U6", "H5" if a >= 16 else "U4"), (0.35, 0.45, 0.2))
        if new in TEMPORARY:
            # A temporary placement lasts under a week, then the child goes back.
            back_from_temporary = d + int(rng.integers(1, 7))
            if current in TEMPORARY or back_from_temporary >= end - 1:
                continue
            placements.append((d, new))
            placements.append((back_from_temporary, current))
            continue
        # A move to another carer of the same kind; but a child at home stays at home.
        if new != current or (new != "P1" and rng.random() < 0.5):
            placements.append((d, new))
    if placed_for_adoption is not None:
        placements.append((placed_for_adoption, "A5" if with_carer else "A6"))
    if path == "home" and end - entry > 90 and rng.random() < 0.3:
        home_day = end - int(rng.integers(30, 80))
        before_home = [p for p in placements if p[0] < home_day]
        if (
            allowed("P1", home_day) == "P1"
            and before_home
            and before_home[-1][1] not in ("P1", *TEMPORARY)
        ):
            # Home on trial before care ends: the child stays there, with no later moves.
            placements = [*before_home, (home_day, "P1")]
    placements = distinct_placements([p for p in placements if p[0] < end])
    statuses = _outside_temporary_placements(statuses, placements)

    # Merge the two timelines into episodes.
    changes = sorted({d for d, _ in statuses} | {d for d, _ in placements})
    spell = CareSpell(end=end, open_at_18=aged_out)
    rows: list[list] = []
    ls_i = pl_i = 0
    prev_provider = urn = pl_post = ""
    for k, d in enumerate(changes):
        while ls_i + 1 < len(statuses) and statuses[ls_i + 1][0] <= d:
            ls_i += 1
        while pl_i + 1 < len(placements) and placements[pl_i + 1][0] <= d:
            pl_i += 1
        ls = statuses[ls_i][1]
        place = placements[pl_i][1]
        placement_changed = any(p[0] == d for p in placements)
        status_changed = any(s[0] == d for s in statuses)
        if k == 0:
            rne = "S"
        elif placement_changed and status_changed:
            rne = "B"  # legal status, placement and carers all changed
        elif placement_changed:
            rne = "P"
        else:
            rne = "L"
        if placement_changed or k == 0:
            # URN is not in every year's layout, so the move must show without it.
            before = (place, prev_provider, pl_post) if k > 0 else None
            provider, urn, pl_post = _placement_details(rng, place, before, home_sector, sectors)
            reason = (
                ""
                if k == 0 or not placement_changed
                else _choose(rng, PLACE_CHANGE_REASONS, PLACE_CHANGE_WEIGHTS)
            )
        else:
            provider = prev_provider
            reason = ""
        stop = changes[k + 1] if k + 1 < len(changes) else end
        rows.append(
            [d, rne, ls, need, place, provider, stop, "X1", reason, home_sector, pl_post, urn]
        )
        prev_provider = provider
    # The last episode's reason for ending.
    last = rows[-1]
    if path == "home":
        exit_reason = _choose(rng, ("E4A", "E41", "E8"), (0.86, 0.06, 0.08))
    elif path == "adoption":
        exit_reason = _choose(rng, ("E11", "E12"), (0.72, 0.28))
    elif path == "sgo":
        exit_reason = _choose(
            rng, ("E45", "E46", "E47", "E48", "E41"), (0.30, 0.12, 0.33, 0.13, 0.12)
        )
    else:
        fostered = last[4] in FOSTERING
        if fostered and rng.random() < 0.35:
            exit_reason = "E17"
        else:
            exit_reason = _choose(rng, ("E5", "E6", "E8", "E9"), (0.52, 0.14, 0.31, 0.03))
    last[7] = exit_reason
    spell.exit_reason = exit_reason
    spell.episodes = [tuple(e) for e in rows]

    # Reviews: within 20 working days, then three months, then every six months.
    review_day = entry + 28
    gap = 63
    fourth_birthday = int(add_years(np.array([dob]), 4)[0])
    while review_day < end:
        code = (
            "PN0"
            if review_day < fourth_birthday
            else _choose(
                rng,
                ("PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"),
                (0.48, 0.12, 0.17, 0.08, 0.05, 0.06, 0.04),
            )
        )
        spell.reviews.append((review_day, code))
        review_day += gap + int(rng.integers(-7, 8))
        gap = 182

    # Missing and away from placement, for children of 10 and over.
    last_missing_end = -1
    for episode in spell.episodes:
        start, place, stop = episode[0], episode[4], episode[6]
        a = (start - dob) / YEAR
        if a < 10 or stop <= start:
            continue
        rate = 2.2 if place in RESIDENTIAL or place == "H5" else 0.35
        count = int(rng.poisson(rate * (stop - start) / YEAR))
        for s in sorted(int(x) for x in rng.integers(start, stop, count)):
            if s <= last_missing_end:  # a new episode starts after the last has ended
                continue
            kind = "M" if rng.random() < 0.72 else "A"
            last_missing_end = s + int(rng.integers(0, 4))
            spell.missing.append((kind, s, last_missing_end))
    if adoption is not None:
        order = end if exit_reason in ("E11", "E12") else None
        spell.adoption = (*adoption, order, with_carer)
    return spell
