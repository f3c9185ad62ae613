"""How well the worklist finds children at risk who are unknown to social care.

These measures can only be taken on the synthetic city, where we know the truth: which
records belong to which child, which children social care knows, and who was really at risk.
They answer four questions a safeguarding manager would ask before trusting the list.

1. **Did we put each child's records together?** (``linkage_quality``) Records from
   schools, A&E, health visitors, police and housing carry no shared identifier, so they are
   joined by probabilistic matching. Joining two different children (a wrong merge) mixes their
   histories; failing to join one child's records (a missed link) splits a child's risk
   across several "people", so none of them looks as worrying as the child really is.
2. **Did a child wrongly look known?** (``wrongly_known``) The most dangerous linkage error:
   a child social care has never met is merged with a child it knows, so the child is taken
   off the worklist as "already known".
3. **Is the top of the list right?** (``worklist_quality``) Of the first *k* people on the
   list, how many were truly at risk and unknown (precision), and what share of all such
   children did the list reach (recall). Who was "at risk" has more than one definition
   (``TARGETS``); ``by_target`` scores the list against each.
4. **Is it fair?** (``fairness``) The same measures by ethnicity, name group, sex,
   deprivation and disability, because matching works less well for some names and some
   families have fewer records.

Every function takes plain DataFrames (the linkage and worklist tables described in
``turnaround.linkage.model``) and the city's truth, and is vectorised so that it runs on a
million records in seconds. Each result has ``to_dict()`` (machine-readable) and ``rows()``
(``(plain-English label, value)`` pairs, ready for a Rich or HTML table).

Pairs are counted by combinatorics, never enumerated: a group of ``n`` records implies
``n * (n - 1) / 2`` pairs. Where a measure has no denominator (for example precision when no
two records were linked at all) it is NaN, meaning "not defined", rather than 0 or 1.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from turnaround.core.years import collection_year
from turnaround.errors import InputError
from turnaround.linkage.sources import SOCIAL_CARE

WWCSC_THRESHOLD = 0.65
"""What Works for Children's Social Care (2020, *Machine learning in children's services:
does it work?*) set 0.65 as its bar for a useful predictive model; none of the models it
built with four local authorities reached it. We report whether the worklist does."""

TARGET_STATUSES: tuple[str, ...] = ("unknown", "contact_only", "closed_without_assessment")
"""Known statuses that count as 'not known to social care' for the target: never known, or
known only through a contact or a referral closed without assessment."""

UNKNOWN = "unknown"
"""The known status of a child with no social care record at all."""

IN_YEAR = "at_risk_in_year"
AT_RISK_NOW = "at_risk_now"
HIGH_OR_SEVERE = "high_or_severe"
TARGETS: dict[str, str] = {
    IN_YEAR: "At risk in the year (peak risk 0.6+)",
    AT_RISK_NOW: "At risk at the worklist date (0.6+ in the last 3 months)",
    HIGH_OR_SEVERE: "High or severe risk at the worklist date (0.4+ in the last 3 months)",
}
"""Who counts as a target child, by name, with its label. Each is also not known to social care
(``TARGET_STATUSES``):

- ``at_risk_in_year``: peak risk of 0.6 or more in any month of the collection year
  (``child_risk``). The first definition, and still the default;
- ``at_risk_now``: risk of 0.6 or more in the last 3 months before the worklist date, and
  under 18 and living in the city on it (``targets``, from ``synth/targets.py``);
- ``high_or_severe``: the same with risk of 0.4 or more (a high or severe level)."""

DEFAULT_TARGET = IN_YEAR

TRUTH_TABLES: tuple[str, ...] = (
    "record_truth",
    "known_children",
    "known_status",
    "child_risk",
    "children",
    "households",
)
OPTIONAL_TABLES: dict[str, str] = {"targets": "targets_now"}
"""Truth tables older cities may lack, with the ``Truth`` field each fills."""

ETHNIC_GROUPS: dict[str, str] = {
    "W": "White",
    "M": "Mixed",
    "A": "Asian",
    "B": "Black",
    "C": "Other",
    "O": "Other",
}
"""Broad DfE ethnic groups from the first letter of the code; REFU and NOBT (refused, not
obtained) and anything unrecognised are 'Not known'."""

NOT_KNOWN = "Not known"
ETHNIC_ORDER: tuple[str, ...] = ("White", "Mixed", "Asian", "Black", "Other", NOT_KNOWN)
QUINTILES: tuple[str, ...] = ("Q1 most deprived", "Q2", "Q3", "Q4", "Q5 least deprived")
FAIRNESS_DIMENSIONS: tuple[str, ...] = (
    "ethnicity",
    "name_group",
    "sex",
    "deprivation",
    "disability",
)
FAIRNESS_COLUMNS: tuple[str, ...] = (
    "dimension",
    "group",
    "children",
    "linkage_recall",
    "complete",
    "unknown_children",
    "wrongly_known_rate",
    "with_partner_records",
    "flagged",
    "target_children",
    "target_recall_at_k",
)


def _label(text: str) -> Any:
    """A dataclass field carrying its plain-English label for ``rows()``."""
    return field(metadata={"label": text})


class _Result:
    """Shared output helpers for the result dataclasses below."""

    def to_dict(self) -> dict[str, Any]:
        """Every field by name, as plain Python values (for JSON and templates)."""
        return {
            name: value.item() if isinstance(value, np.generic) else value
            for name, value in asdict(self).items()  # type: ignore[call-overload]
        }

    def rows(self) -> list[tuple[str, Any]]:
        """``(label, value)`` pairs in field order, for a two-column table."""
        values = self.to_dict()
        return [
            (spec.metadata.get("label", spec.name), values[spec.name])
            for spec in fields(self)  # type: ignore[arg-type]
        ]


# --- Truth -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """The synthetic city's ground truth, read from ``<city>/truth/*.parquet``."""

    record_truth: pd.DataFrame
    known_children: pd.DataFrame
    known_status: pd.DataFrame
    child_risk: pd.DataFrame
    children: pd.DataFrame
    households: pd.DataFrame
    targets_now: pd.DataFrame | None = None
    """Who is at risk at the worklist date (``targets.parquet``); None for older cities."""

    @classmethod
    def read(cls, city_dir: Path | str) -> Truth:
        """Read the truth tables of the city generated into ``city_dir``."""
        folder = Path(city_dir) / "truth"
        missing = [name for name in TRUTH_TABLES if not (folder / f"{name}.parquet").is_file()]
        if missing:
            raise InputError(
                f"not a synthetic city's truth folder: missing {', '.join(missing)}",
                path=folder,
            )
        tables = {name: pd.read_parquet(folder / f"{name}.parquet") for name in TRUTH_TABLES}
        for name, field_name in OPTIONAL_TABLES.items():
            if (folder / f"{name}.parquet").is_file():
                tables[field_name] = pd.read_parquet(folder / f"{name}.parquet")
        return cls(**tables)

    def target_names(self, year: int) -> tuple[str, ...]:
        """The targets defined for a worklist in collection year ``year``, default first.

        The targets at the worklist date need the city's ``targets`` table, and hold only for
        a worklist in the collection year that date ends.
        """
        names = [DEFAULT_TARGET]
        table = self.targets_now
        if table is not None and len(table) and _year_of(table["worklist_date"]) == year:
            names += [AT_RISK_NOW, HIGH_OR_SEVERE]
        return tuple(names)

    def targets(self, year: int, target: str = DEFAULT_TARGET) -> pd.Index:
        """Person ids of the children the worklist should find in ``year``, by ``target``.

        Truly at risk (as the target defines it: see ``TARGETS``) and not known to social
        care beyond a contact or a referral closed without assessment.
        """
        if target not in TARGETS:
            raise InputError(f"no target {target!r}: choose one of {', '.join(TARGETS)}")
        if target == IN_YEAR:
            risk = self.child_risk
            at_risk = risk.loc[(risk["year"] == year) & risk["at_risk"], "person_id"]
        else:
            if target not in self.target_names(year):
                raise InputError(
                    f"target {target!r} is not defined for the {year} collection year: the "
                    "city's truth/targets.parquet is missing or dated in another year"
                )
            table = self.targets_now
            assert table is not None
            at_risk = table.loc[table[target].astype(bool), "person_id"]
        status = self.known_status
        not_known = status.loc[status["known_status"].isin(TARGET_STATUSES), "person_id"]
        return pd.Index(np.intersect1d(at_risk.unique(), not_known.unique()), name="person_id")

    def latent_risk(self, year: int, target: str = DEFAULT_TARGET) -> pd.Series:
        """Each child's true latent risk as ``target`` measures it, indexed by person id.

        For the year's target, the peak risk in the year; for the targets at the worklist date,
        the peak in the last three months, and 0 for a child who by then is 18 or has left the
        city (they cannot be a target, so an oracle would not rank them).
        """
        if target == IN_YEAR:
            risk = self.child_risk[self.child_risk["year"] == year]
            return risk.groupby("person_id")["risk"].max()
        self.targets(year, target)  # the same checks: the target must hold for the year
        table = self.targets_now
        assert table is not None
        eligible = table["in_city"].astype(bool) & (table["age"] < 18)
        return pd.Series(
            np.where(eligible, table["risk"].to_numpy(dtype=float), 0.0),
            index=pd.Index(table["person_id"].to_numpy(), name="person_id"),
        )

    def status(self) -> pd.Series:
        """Each child's known status, indexed by person id."""
        return self.known_status.set_index("person_id")["known_status"]


def _year_of(dates: pd.Series) -> int:
    """The collection year of the latest of ``dates``."""
    return collection_year(pd.Timestamp(dates.max()).date())


def record_person(truth: Truth, records: pd.DataFrame) -> pd.Series:
    """Each record's true child: a Series from ``unique_id`` to ``person_id``.

    Partner records are looked up by (source, record_id) in ``record_truth``; social care
    records by their council child id in ``known_children``. Records with no truth are left out.
    """
    keys = records.loc[:, ["unique_id", "source", "record_id"]]
    is_care = keys["source"] == SOCIAL_CARE
    partner = keys.loc[~is_care].merge(
        truth.record_truth.loc[:, ["source", "record_id", "person_id"]],
        on=["source", "record_id"],
    )
    care = keys.loc[is_care].merge(
        truth.known_children.rename(columns={"la_child_id": "record_id"}),
        on="record_id",
    )
    both = pd.concat([partner, care], ignore_index=True)
    return both.set_index("unique_id")["person_id"].astype("int64")


def _linked(clusters: pd.DataFrame, record_person: pd.Series) -> pd.DataFrame:
    """Records with both a cluster and a true child: unique_id, cluster_id, person_id, partner."""
    people = record_person.rename("person_id")
    frame = clusters.loc[:, ["unique_id", "cluster_id"]].merge(
        people, left_on="unique_id", right_index=True
    )
    frame["partner"] = ~frame["unique_id"].str.startswith(f"{SOCIAL_CARE}:")
    return frame.reset_index(drop=True)


def _pairs(sizes: pd.Series | np.ndarray) -> Any:
    """How many pairs ``n`` records make: n choose 2, element-wise."""
    n = np.asarray(sizes, dtype="int64")
    return n * (n - 1) // 2


def _ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator, or NaN (not defined) when the denominator is zero."""
    return float(numerator) / float(denominator) if denominator else float("nan")


def majority_person(clusters: pd.DataFrame, record_person: pd.Series) -> pd.Series:
    """The true child most of each cluster's records belong to (cluster_id -> person_id).

    Ties go to the lowest person id, so the answer is repeatable.
    """
    cells = (
        _linked(clusters, record_person)
        .groupby(["cluster_id", "person_id"], as_index=False)
        .size()
        .sort_values(["cluster_id", "size", "person_id"], ascending=[True, False, True])
        .drop_duplicates("cluster_id")
    )
    return cells.set_index("cluster_id")["person_id"]


# --- 1. Linkage quality ------------------------------------------------------------------


@dataclass(frozen=True)
class LinkageQuality(_Result):
    """How well records were put together into people, against the truth.

    *Pairwise* measures look at every pair of records. A pair is *linked* if the two records
    ended in the same cluster and *true* if they belong to the same child.

    - ``precision``: of the linked pairs, the share that are truly the same child. Low
      precision means wrong merges: two children's histories mixed together.
      NaN if nothing was linked (every record alone): no link was claimed, so there is
      nothing to be wrong about; we do not pretend that is perfect.
    - ``recall``: of the true pairs, the share that were linked. Low recall means missed
      links: a child's records split across several apparent people, diluting their risk.
    - ``f1``: the two combined (their harmonic mean, 2 x correct / (linked + true)); 0 when no
      true pair was linked.

    *B-cubed* measures look record by record, so big clusters do not dominate: for each record,
    the share of its cluster that is its own child (precision) and the share of its child's
    records that are in its cluster (recall), averaged over records.

    ``complete`` is the plainest measure: of the children with two or more records, the share
    whose records all ended in one cluster. ``pure`` is its mirror: of the clusters with two or
    more records, the share holding only one child (single records are trivially pure).
    """

    records: int = _label("Records with truth")
    clusters: int = _label("Clusters (apparent people)")
    children: int = _label("True children")
    true_pairs: int = _label("True pairs")
    linked_pairs: int = _label("Linked pairs")
    correct_pairs: int = _label("Correctly linked pairs")
    precision: float = _label("Pairwise precision")
    recall: float = _label("Pairwise recall")
    f1: float = _label("Pairwise F1")
    bcubed_precision: float = _label("B-cubed precision")
    bcubed_recall: float = _label("B-cubed recall")
    multi_record_children: int = _label("Children with 2+ records")
    complete: float = _label("Children with all records in one cluster")
    multi_record_clusters: int = _label("Clusters with 2+ records")
    pure: float = _label("Clusters holding only one child")


def linkage_quality(clusters: pd.DataFrame, record_person: pd.Series) -> LinkageQuality:
    """Pairwise and B-cubed precision and recall of the clustering against the truth."""
    frame = _linked(clusters, record_person)
    # One row per (cluster, child) overlap: every measure follows from these sizes.
    cells = frame.groupby(["cluster_id", "person_id"]).size().rename("size").reset_index()
    cluster_size = cells.groupby("cluster_id")["size"].sum()
    person_size = cells.groupby("person_id")["size"].sum()
    n_cluster = cells["cluster_id"].map(cluster_size).to_numpy()
    n_person = cells["person_id"].map(person_size).to_numpy()
    size = cells["size"].to_numpy(dtype="float64")

    true_pairs = int(_pairs(person_size).sum())
    linked_pairs = int(_pairs(cluster_size).sum())
    correct_pairs = int(_pairs(cells["size"]).sum())
    records = len(frame)

    cells_per_person = cells.groupby("person_id").size()
    cells_per_cluster = cells.groupby("cluster_id").size()
    multi_children = person_size >= 2
    multi_clusters = cluster_size >= 2
    return LinkageQuality(
        records=records,
        clusters=len(cluster_size),
        children=len(person_size),
        true_pairs=true_pairs,
        linked_pairs=linked_pairs,
        correct_pairs=correct_pairs,
        precision=_ratio(correct_pairs, linked_pairs),
        recall=_ratio(correct_pairs, true_pairs),
        f1=_ratio(2 * correct_pairs, linked_pairs + true_pairs),
        bcubed_precision=_ratio(float((size * size / n_cluster).sum()), records),
        bcubed_recall=_ratio(float((size * size / n_person).sum()), records),
        multi_record_children=int(multi_children.sum()),
        complete=_ratio(
            int((cells_per_person[multi_children] == 1).sum()), int(multi_children.sum())
        ),
        multi_record_clusters=int(multi_clusters.sum()),
        pure=_ratio(int((cells_per_cluster[multi_clusters] == 1).sum()), int(multi_clusters.sum())),
    )


# --- 2. Wrongly known --------------------------------------------------------------------


@dataclass(frozen=True)
class KnownErrors(_Result):
    """Errors in deciding who is already known to social care.

    - ``wrongly_known`` (the dangerous one): children social care has never had a record of,
      who have partner records, but at least one of whose records was linked into a cluster
      holding a social care record. To the worklist such a child looks known and is left off
      it. ``wrongly_known_rate`` divides by ``unknown_children``.
    - ``missed``: children social care does know (their case-system record is among the
      linked records) at least one of whose partner records was not linked to any social care
      record. That record's cluster looks like an unknown child: a false alarm on the
      worklist, and the known child's social worker does not see the partner's information.
    - ``wrong_child``: known children at least one of whose partner records was linked to a
      *different* child's social care record, not their own: information reaches the wrong
      case file.

    Missed and wrong-child rates divide by ``known_children``: known children with at least
    one partner record whose social care record is among the linked records (a child whose
    record was not there to link to cannot be a linkage miss).
    """

    unknown_children: int = _label("Unknown children with partner records")
    wrongly_known: int = _label("...wrongly looking known")
    wrongly_known_rate: float = _label("Wrongly known rate")
    known_children: int = _label("Known children with partner records")
    missed: int = _label("...with a partner record not linked to social care")
    missed_rate: float = _label("Missed link rate")
    wrong_child: int = _label("...with a partner record linked to another child's case")
    wrong_child_rate: float = _label("Wrong child rate")


def _child_links(frame: pd.DataFrame, known: pd.DataFrame, truth: Truth) -> pd.DataFrame:
    """Per child with partner records: status and how their partner records were matched.

    Columns: known_status, care_record (their social care record was linked at all),
    in_known (any partner record in a known cluster), unlinked (any partner record in a
    cluster with no social care record), wrong (any partner record in a known cluster that
    is not their own social care record's).
    """
    care_person = truth.known_children.set_index("la_child_id")["person_id"]
    known_people = (
        known.loc[:, ["cluster_id", "child_id"]]
        .assign(person_id=lambda k: k["child_id"].map(care_person))
        .loc[:, ["cluster_id", "person_id"]]
        .dropna()
        .astype({"person_id": "int64"})
        .drop_duplicates()
        .assign(own=True)
    )
    partner = frame.loc[frame["partner"], ["cluster_id", "person_id"]]
    partner = partner.merge(known_people, on=["cluster_id", "person_id"], how="left")
    partner["own"] = partner["own"].fillna(False).astype(bool)
    partner["in_known"] = partner["cluster_id"].isin(known["cluster_id"])
    partner["unlinked"] = ~partner["in_known"]
    partner["wrong"] = partner["in_known"] & ~partner["own"]
    per_child = partner.groupby("person_id")[["in_known", "unlinked", "wrong"]].any()
    per_child["known_status"] = truth.status().reindex(per_child.index).fillna(UNKNOWN)
    with_care = frame.loc[~frame["partner"], "person_id"].unique()
    per_child["care_record"] = per_child.index.isin(with_care)
    return per_child


def _known_flags(links: pd.DataFrame) -> pd.DataFrame:
    """Boolean denominators and numerators of the known errors, one row per child."""
    unknown = links["known_status"] == UNKNOWN
    known = ~unknown & links["care_record"]
    return pd.DataFrame(
        {
            "unknown": unknown,
            "wrongly_known": unknown & links["in_known"],
            "known": known,
            "missed": known & links["unlinked"],
            "wrong_child": known & links["wrong"],
        },
        index=links.index,
    )


def wrongly_known(
    clusters: pd.DataFrame, known: pd.DataFrame, record_person: pd.Series, truth: Truth
) -> KnownErrors:
    """Children who wrongly look known to social care, and known children linked wrongly."""
    flags = _known_flags(_child_links(_linked(clusters, record_person), known, truth)).sum()
    return KnownErrors(
        unknown_children=int(flags["unknown"]),
        wrongly_known=int(flags["wrongly_known"]),
        wrongly_known_rate=_ratio(flags["wrongly_known"], flags["unknown"]),
        known_children=int(flags["known"]),
        missed=int(flags["missed"]),
        missed_rate=_ratio(flags["missed"], flags["known"]),
        wrong_child=int(flags["wrong_child"]),
        wrong_child_rate=_ratio(flags["wrong_child"], flags["known"]),
    )


# --- 3. Worklist quality -----------------------------------------------------------------


@dataclass(frozen=True)
class WorklistQuality(_Result):
    """How good the top of the worklist is for one collection year.

    The *target* is every child truly at risk of significant harm that year and not known to
    social care beyond a contact or a referral closed without assessment; "at risk" is as the
    chosen target defines it (``TARGETS``: by default, peak risk in any month of the year).
    Each person on the list is taken to be the true child most of their records belong to.

    - ``precision``: of the ``considered`` rows (the top ``k``, fewer if the list is shorter),
      the share that are a target child. A child listed twice counts once, so duplicates
      cost precision. This is how much of a team's time on the list is well spent.
    - ``recall``: of all target children, the share found in the top ``k``. Those missed are
      the children the list fails.
    - ``recall_reachable``: the same, but only over target children with at least one
      partner record: the list cannot find a child no agency recorded.
    - ``best_precision``: the most any list of ``k`` could reach, min(k, targets) / k; when
      there are fewer targets than ``k``, even a perfect list must contain others.
    - ``meets_precision`` / ``meets_recall``: whether each reaches ``WWCSC_THRESHOLD`` (0.65),
      the success bar What Works for Children's Social Care set in 2020 that none of the
      models it tested reached.
    """

    year: int = _label("Collection year")
    k: int = _label("Top k")
    considered: int = _label("Rows considered")
    targets: int = _label("Target children (at risk, not known)")
    reachable_targets: int = _label("Target children with partner records")
    hits: int = _label("Target children in the top k")
    precision: float = _label("Precision at k")
    recall: float = _label("Recall at k")
    recall_reachable: float = _label("Recall at k, reachable targets")
    best_precision: float = _label("Best possible precision at k")
    meets_precision: bool = _label("Precision reaches WWCSC 0.65")
    meets_recall: bool = _label("Recall reaches WWCSC 0.65")

    @property
    def meets_threshold(self) -> bool:
        """Whether both precision and recall reach the WWCSC success threshold."""
        return self.meets_precision and self.meets_recall


def _top_people(
    worklist: pd.DataFrame, majority: pd.Series, k: int
) -> tuple[pd.DataFrame, pd.Index]:
    """The top ``k`` rows of the worklist, and the distinct true children they stand for."""
    top = worklist.sort_values("rank", kind="stable").head(k)
    people = top["cluster_id"].map(majority).dropna().astype("int64")
    return top, pd.Index(people.unique(), name="person_id")


def worklist_quality(
    worklist: pd.DataFrame,
    clusters: pd.DataFrame,
    record_person: pd.Series,
    truth: Truth,
    year: int,
    k: int = 200,
    target: str = DEFAULT_TARGET,
) -> WorklistQuality:
    """Precision and recall of the worklist's top ``k`` against the year's target children.

    ``target`` names who counts as a target (``TARGETS``); the default is the first definition.
    """
    top, people = _top_people(worklist, majority_person(clusters, record_person), k)
    targets = truth.targets(year, target)
    frame = _linked(clusters, record_person)
    reachable = targets.intersection(pd.Index(frame.loc[frame["partner"], "person_id"].unique()))
    found = people.intersection(targets)
    precision = _ratio(len(found), len(top))
    recall = _ratio(len(found), len(targets))
    return WorklistQuality(
        year=year,
        k=k,
        considered=len(top),
        targets=len(targets),
        reachable_targets=len(reachable),
        hits=len(found),
        precision=precision,
        recall=recall,
        recall_reachable=_ratio(len(found.intersection(reachable)), len(reachable)),
        best_precision=_ratio(min(k, len(targets)), k),
        meets_precision=bool(precision >= WWCSC_THRESHOLD),
        meets_recall=bool(recall >= WWCSC_THRESHOLD),
    )


@dataclass(frozen=True)
class TargetQuality(_Result):
    """The worklist's top ``k`` against one definition of who counts as a target.

    The fields mean what they do in ``WorklistQuality``; ``target`` names the definition
    (``TARGETS``) and ``label`` says it in words.
    """

    target: str = _label("Target")
    label: str = _label("Who counts")
    targets: int = _label("Target children")
    reachable_targets: int = _label("With partner records")
    hits: int = _label("In the top k")
    precision: float = _label("Precision at k")
    recall: float = _label("Recall at k")
    recall_reachable: float = _label("Recall at k, reachable")
    best_precision: float = _label("Best possible precision at k")
    ceiling_hits: int = _label("In the top k by latent risk")
    ceiling_recall: float = _label("Recall at k by latent risk (the ceiling)")
    share_of_ceiling: float = _label("Recall as a share of the ceiling")


def ceiling(
    worklist: pd.DataFrame,
    majority: pd.Series,
    risk: pd.Series,
    targets: pd.Index,
    k: int,
) -> tuple[int, float]:
    """Target children an oracle would find in the top ``k`` of the same list, and its recall.

    The oracle ranks the children the worklist lists (each row taken as its majority true
    child) by their true latent risk, highest first (ties by person id), so it shows how much
    of the list's shortfall is its ranking rather than its reach.
    """
    _, people = _top_people(worklist, majority, len(worklist))
    pool = pd.DataFrame({"person_id": people.to_numpy()})
    pool["risk"] = pool["person_id"].map(risk).fillna(0.0)
    top = pool.sort_values(["risk", "person_id"], ascending=[False, True], kind="stable").head(k)
    hits = int(top["person_id"].isin(targets).sum())
    return hits, _ratio(hits, len(targets))


def by_target(
    worklist: pd.DataFrame,
    clusters: pd.DataFrame,
    record_person: pd.Series,
    truth: Truth,
    year: int,
    k: int = 200,
) -> tuple[TargetQuality, ...]:
    """The top ``k`` scored against every target the truth defines for ``year``, default first."""
    out = []
    majority = majority_person(clusters, record_person)
    for name in truth.target_names(year):
        quality = worklist_quality(worklist, clusters, record_person, truth, year, k, name)
        oracle_hits, oracle_recall = ceiling(
            worklist, majority, truth.latent_risk(year, name), truth.targets(year, name), k
        )
        out.append(
            TargetQuality(
                target=name,
                label=TARGETS[name],
                targets=quality.targets,
                reachable_targets=quality.reachable_targets,
                hits=quality.hits,
                precision=quality.precision,
                recall=quality.recall,
                recall_reachable=quality.recall_reachable,
                best_precision=quality.best_precision,
                ceiling_hits=oracle_hits,
                ceiling_recall=oracle_recall,
                share_of_ceiling=_ratio(quality.recall, oracle_recall),
            )
        )
    return tuple(out)


# --- 4. Fairness -------------------------------------------------------------------------


def ethnic_group(codes: pd.Series) -> pd.Series:
    """Broad DfE ethnic group (White, Mixed, Asian, Black, Other, Not known) of each code."""
    text = codes.astype("string").str.strip().str.upper()
    groups = text.str[:1].map(ETHNIC_GROUPS)
    groups = groups.where(~text.isin(["REFU", "NOBT"]))
    return groups.fillna(NOT_KNOWN).astype(str)


def deprivation_quintile(imd_decile: pd.Series) -> pd.Series:
    """IMD quintile label from a decile (1-2 'Q1 most deprived' ... 9-10 'Q5 least deprived')."""
    decile = pd.to_numeric(imd_decile, errors="coerce")
    quintile = (decile + 1) // 2
    labels = dict(enumerate(QUINTILES, start=1))
    return quintile.map(labels).fillna(NOT_KNOWN).astype(str)


def child_groups(truth: Truth) -> pd.DataFrame:
    """Each child's group on every fairness dimension, indexed by person id."""
    children = truth.children.set_index("person_id")
    imd = truth.households.set_index("household_id")["imd_decile"]
    sex = children["sex"].map({"M": "Male", "F": "Female"})
    disabled = children["disability"].map({True: "Disabled", False: "Not disabled"})
    return pd.DataFrame(
        {
            "ethnicity": ethnic_group(children["ethnicity"]),
            "name_group": children["name_group"].fillna(NOT_KNOWN).astype(str),
            "sex": sex.fillna(NOT_KNOWN).astype(str),
            "deprivation": deprivation_quintile(children["household_id"].map(imd)),
            "disability": disabled.fillna(NOT_KNOWN).astype(str),
        },
        index=children.index,
    )


def fairness(
    clusters: pd.DataFrame,
    known: pd.DataFrame,
    worklist: pd.DataFrame,
    record_person: pd.Series,
    truth: Truth,
    year: int,
    k: int = 200,
) -> pd.DataFrame:
    """Linkage, known-status and worklist measures for each group of children.

    One row per (dimension, group); dimensions are ethnicity (broad DfE group), name_group,
    sex, deprivation (IMD quintile of the child's household) and disability. Columns:

    - ``children``: children with two or more records (the linkage denominator);
    - ``linkage_recall``: pairwise recall over the true pairs of the group's children: how
      often their records were put together. Lower for a group means its children's risk is
      more often split across apparent people;
    - ``complete``: share of those children with all their records in one cluster;
    - ``unknown_children`` and ``wrongly_known_rate``: children with partner records and no
      social care record, and the share of them who wrongly look known (so are never listed);
    - ``with_partner_records`` and ``flagged``: children with any partner record, and the
      share of them who are the majority child of a cluster in the worklist's top ``k``;
    - ``target_children`` and ``target_recall_at_k``: the year's target children in the group
      and the share of them found in the top ``k``.

    Rates are NaN where the group has no one in the denominator. Small groups give unstable
    rates: read them with their counts.
    """
    frame = _linked(clusters, record_person)
    cells = frame.groupby(["person_id", "cluster_id"]).size()
    records = cells.groupby(level="person_id").sum()
    per_child = pd.DataFrame(
        {
            "records": records,
            "correct_pairs": pd.Series(_pairs(cells), index=cells.index)
            .groupby(level="person_id")
            .sum(),
            "true_pairs": pd.Series(_pairs(records), index=records.index),
            "one_cluster": cells.groupby(level="person_id").size() == 1,
        }
    )
    per_child["multi"] = per_child["records"] >= 2
    per_child["complete"] = per_child["multi"] & per_child["one_cluster"]

    flags = _known_flags(_child_links(frame, known, truth))
    per_child = per_child.join(flags[["unknown", "wrongly_known"]], how="outer")
    per_child["with_partner"] = per_child.index.isin(flags.index)

    _, people = _top_people(worklist, majority_person(clusters, record_person), k)
    targets = truth.targets(year)
    per_child = per_child.reindex(per_child.index.union(targets))
    per_child["flagged"] = per_child["with_partner"].fillna(False).astype(bool) & (
        per_child.index.isin(people)
    )
    per_child["target"] = per_child.index.isin(targets)
    per_child["hit"] = per_child["target"] & per_child.index.isin(people)
    per_child = per_child.fillna(0)

    groups = child_groups(truth)
    per_child = per_child.join(groups, how="inner")
    counts = ["multi", "correct_pairs", "true_pairs", "complete", "unknown", "wrongly_known"]
    counts += ["with_partner", "flagged", "target", "hit"]
    per_child[counts] = per_child[counts].astype("int64")

    tables = []
    for dimension in FAIRNESS_DIMENSIONS:
        sums = per_child.groupby(dimension)[counts].sum()
        sums = sums.loc[_group_order(dimension, sums.index)]
        tables.append(
            pd.DataFrame(
                {
                    "dimension": dimension,
                    "group": sums.index.astype(str),
                    "children": sums["multi"].to_numpy(),
                    "linkage_recall": _rates(sums["correct_pairs"], sums["true_pairs"]),
                    "complete": _rates(sums["complete"], sums["multi"]),
                    "unknown_children": sums["unknown"].to_numpy(),
                    "wrongly_known_rate": _rates(sums["wrongly_known"], sums["unknown"]),
                    "with_partner_records": sums["with_partner"].to_numpy(),
                    "flagged": _rates(sums["flagged"], sums["with_partner"]),
                    "target_children": sums["target"].to_numpy(),
                    "target_recall_at_k": _rates(sums["hit"], sums["target"]),
                }
            )
        )
    return pd.concat(tables, ignore_index=True).loc[:, list(FAIRNESS_COLUMNS)]


def _rates(numerator: pd.Series, denominator: pd.Series) -> np.ndarray:
    """Element-wise numerator / denominator, NaN where the denominator is zero."""
    top = numerator.to_numpy(dtype="float64")
    bottom = denominator.to_numpy(dtype="float64")
    out = np.full(len(top), np.nan)
    np.divide(top, bottom, out=out, where=bottom > 0)
    return out


def _group_order(dimension: str, present: pd.Index) -> list[str]:
    """Groups in reading order: the natural order where there is one, else alphabetical."""
    natural = {"ethnicity": ETHNIC_ORDER, "deprivation": (*QUINTILES, NOT_KNOWN)}.get(dimension)
    if natural is None:
        return sorted(present)
    return [group for group in natural if group in present] + sorted(set(present) - set(natural))
