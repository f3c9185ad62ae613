"""The worklist: at-risk children with no social care record, or whose case closed unassessed.

Built from the store after linkage (``linkage_clusters``, ``linkage_known``) and scoring
(``risk_scores``, ``risk_hits``). A person (a linkage cluster) is on the worklist when:

* at least one risk indicator fired for them in the window;
* they were under 18 on the worklist date (by the date of birth most of their records give);
* no social care record was matched to them, or every social care child matched to them has
  had no assessment, plan, protection enquiry or care episode in any loaded return: their
  contact or referral was closed without assessment, their referral is still open without
  one, or they were known only before the loaded returns begin.

How far the council went with a matched child comes from the statutory returns in the store
(CIN census, SSDA903 and Annex A), and the date the case system first knew them (the social
care record's event date, from the person export), never from the synthetic city's truth.
A referral is *open* when the latest loaded CIN census or Annex A list 6 returns it with no
closure date: it is not taken for one closed without assessment.

Entries are ranked by score, then the number of indicators, then the most recent event. Each
carries how sure the identity is: the weakest link holding the person's records together (1.0
for a single record), and for a matched child, the probability of the match to the social care
record. Names stay in ``linkage_records``; the worklist table holds none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from turnaround.access import Actor, use_case
from turnaround.errors import NotFound
from turnaround.linkage.sources import SOCIAL_CARE
from turnaround.store import Store

ASSESSED_TABLES: dict[str, str] = {
    "cin_assessments": "child_id",
    "cin_cin_plans": "child_id",
    "cin_s47": "child_id",
    "cin_cp_plans": "child_id",
    "ssda903_header": "child",
    "annex_a_list4_assessments": "child_id",
    "annex_a_list5_section47": "child_id",
    "annex_a_list7_child_protection": "child_id",
    "annex_a_list8_children_in_care": "child_id",
}
"""Returns whose presence shows a child was assessed (or went further).

Annex A list 6 (children in need) is left out: it lists every open case, including referrals
still waiting for, or closed without, an assessment."""

REFERRED_TABLES: dict[str, str] = {
    "cin_episodes": "child_id",
    "annex_a_list3_referrals": "child_id",
    "annex_a_list6_children_in_need": "child_id",
}
"""Returns whose presence shows a referral was accepted."""

RETURN_KINDS: tuple[str, ...] = ("ssda903", "cin", "annex_a")
"""Loads of statutory returns: the earliest one's year is where the returns' history begins."""

CONTACT = "contact"
KNOWN_BEFORE = "known before the returns"
CLOSED_UNASSESSED = "referral closed without assessment"
OPEN_UNASSESSED = "referral open without assessment"
INVOLVEMENT = ("none", CONTACT, KNOWN_BEFORE, CLOSED_UNASSESSED, OPEN_UNASSESSED)
"""How far social care went with a listed person, least first:

- ``none``: no social care record matched;
- ``contact``: matched, with no referral in the returns, first known within them (or when);
- ``known before the returns``: matched, in no return, but first known before the earliest
  loaded return's year began, so what happened then is not in the store;
- ``referral closed without assessment``: a referral in the returns, closed, unassessed;
- ``referral open without assessment``: a referral the latest return shows still open."""

_STEP = {CONTACT: 1, KNOWN_BEFORE: 2, CLOSED_UNASSESSED: 3, OPEN_UNASSESSED: 4}
LISTED = tuple(name for name in INVOLVEMENT if name != KNOWN_BEFORE)
"""The involvements a listed person can have: a child known to social care before the returns
began is kept off the list (issue 17), as what happened then is not in the store to review."""


@dataclass(frozen=True)
class WorklistSummary:
    """Counts for the worklist just built (no child-level detail)."""

    as_of: date
    people: int
    scored: int
    known_assessed: int
    entries: int
    known_before: int  # matched to a child first known before the returns: left off the list
    by_involvement: dict[str, int]


def open_referrals_sql() -> str:
    """SQL for the child ids with a referral open at the end of the latest loaded return.

    A CIN census episode or Annex A list 6 case with no closure date in its latest year.
    """
    return """
        select child_id from cin_episodes
        where closure_date is null and year = (select max(year) from cin_episodes)
        union
        select child_id from annex_a_list6_children_in_need
        where cin_closure_date is null
          and year = (select max(year) from annex_a_list6_children_in_need)
    """


def involvement_sql() -> str:
    """SQL giving each social care child id its furthest step, from the loaded returns.

    The person export's first-known date (the social care record's event date) tells a child
    known before the earliest loaded return from one known only through a contact.
    """
    assessed = _ids_in(ASSESSED_TABLES)
    referred = _ids_in(REFERRED_TABLES)
    kinds = ", ".join(f"'{kind}'" for kind in RETURN_KINDS)
    return f"""
        select k.child_id,
               case when k.child_id in (select child_id from ({assessed})) then 'assessed'
                    when k.child_id in (select child_id from ({open_referrals_sql()}))
                        then '{OPEN_UNASSESSED}'
                    when k.child_id in (select child_id from ({referred}))
                        then '{CLOSED_UNASSESSED}'
                    when f.first_known < (
                        select make_date(min(year) - 1, 4, 1) from loads
                        where kind in ({kinds}) and year is not null)
                        then '{KNOWN_BEFORE}'
                    else '{CONTACT}' end as involvement
        from (select distinct child_id from linkage_known) k
        left join (
            select record_id as child_id, min(event_date) as first_known
            from linkage_records where source = '{SOCIAL_CARE}' group by record_id
        ) f using (child_id)
    """


def _ids_in(tables: dict[str, str]) -> str:
    return " union ".join(f"select {col} as child_id from {t}" for t, col in tables.items())


def _step_sql(column: str) -> str:
    """SQL numbering an involvement by how far it went (0 for 'assessed' and anything else)."""
    whens = " ".join(f"when '{name}' then {step}" for name, step in _STEP.items())
    return f"case {column} {whens} else 0 end"


def _involvement_of_step_sql(matched: str) -> str:
    """SQL naming a listed person's involvement from their furthest step ('none' unmatched)."""
    whens = " ".join(f"when {matched}.step = {step} then '{name}'" for name, step in _STEP.items())
    return f"case when {matched}.cluster_id is null then 'none' {whens} else '{CONTACT}' end"


def build_worklist(store: Store, *, actor: Actor) -> WorklistSummary:
    """Rebuild ``unknown_worklist`` from the latest linkage and scores, in one transaction."""
    with use_case(store, actor, "load-data", "worklist", step="building the worklist") as acting:
        summary = _build(store)
        acting.target = f"worklist as of {summary.as_of}: {summary.entries} entries"
    return summary


def _build(store: Store) -> WorklistSummary:
    if store.scalar("select max(as_of) from risk_scores") is None:
        raise NotFound("no risk scores in the store: run 'turnaround unknown' after linking")
    with store.transaction("building the worklist") as con:
        con.execute("delete from unknown_worklist")
        con.execute(
            f"""
            insert into unknown_worklist
            with involvement as ({involvement_sql()}),
            matched as (
                select k.cluster_id,
                       bool_or(i.involvement = 'assessed') as assessed,
                       max({_step_sql("i.involvement")}) as step,
                       arg_max(k.child_id, k.match_probability) as child_id,
                       max(k.match_probability) as care_match_probability
                from linkage_known k join involvement i using (child_id)
                group by k.cluster_id
            ),
            members as (
                select c.cluster_id, r.unique_id, r.source, r.dob, r.event_date
                from linkage_clusters c join linkage_records r using (unique_id)
                where c.cluster_id in (select cluster_id from risk_scores)
            ),
            people as (
                select cluster_id, count(*) as records,
                       string_agg(distinct source, ', ' order by source)
                           filter (where source <> '{SOCIAL_CARE}') as sources,
                       mode(dob) as dob,
                       max(event_date) filter (where source <> '{SOCIAL_CARE}') as latest_event
                from members group by cluster_id
            ),
            both_ways as (
                select unique_id_l as a, unique_id_r as b, match_probability from linkage_pairs
                union all
                select unique_id_r, unique_id_l, match_probability from linkage_pairs
            ),
            best_link as (
                select ca.cluster_id, w.a as unique_id, max(w.match_probability) as best
                from both_ways w
                join linkage_clusters ca on ca.unique_id = w.a
                join linkage_clusters cb on cb.unique_id = w.b and cb.cluster_id = ca.cluster_id
                where ca.cluster_id in (select cluster_id from risk_scores)
                group by ca.cluster_id, w.a
            ),
            confidence as (
                select p.cluster_id,
                       case when p.records = 1 then 1.0
                            else coalesce(min(b.best), 0.0) end as identity_confidence
                from people p left join best_link b using (cluster_id)
                group by p.cluster_id, p.records
            ),
            entries as (
                select s.cluster_id, s.score, s.indicators,
                       case when m.cluster_id is null then null else m.child_id end as child_id,
                       {_involvement_of_step_sql("m")} as involvement,
                       c.identity_confidence, m.care_match_probability,
                       p.records, coalesce(p.sources, '') as sources, p.latest_event, s.as_of,
                       len(string_split(s.indicators, ',')) as n_indicators
                from risk_scores s
                join people p using (cluster_id)
                join confidence c using (cluster_id)
                left join matched m using (cluster_id)
                where coalesce(m.assessed, false) = false
                  and p.dob is not null and p.dob <= s.as_of
                  and date_sub('year', p.dob, s.as_of) < 18
            )
            select row_number() over (
                       order by score desc, n_indicators desc, latest_event desc nulls last,
                                cluster_id) as rank,
                   cluster_id, score, indicators, child_id, involvement, identity_confidence,
                   care_match_probability, records, sources, latest_event, as_of
            from entries
            where involvement <> '{KNOWN_BEFORE}'
            """
        )
    return worklist_summary(store)


def worklist_summary(store: Store) -> WorklistSummary:
    """Counts describing the stored worklist and the people behind it."""
    row = store.fetchone("select max(as_of), count(*) from risk_scores")
    if row is None or row[0] is None:
        raise NotFound("no worklist in the store: run 'turnaround unknown'")
    people = store.scalar("select count(distinct cluster_id) from linkage_clusters")
    assessed = store.scalar(
        f"select count(distinct k.cluster_id) from linkage_known k join ({involvement_sql()}) i "
        "using (child_id) where i.involvement = 'assessed'"
    )
    known_before = store.scalar(
        f"""
        select count(*) from (
            select k.cluster_id, max({_step_sql("i.involvement")}) as step,
                   bool_or(i.involvement = 'assessed') as assessed
            from linkage_known k join ({involvement_sql()}) i using (child_id)
            group by k.cluster_id
        ) where not assessed and step = {_STEP[KNOWN_BEFORE]}
        """
    )
    by = dict(store.fetchall("select involvement, count(*) from unknown_worklist group by 1"))
    return WorklistSummary(
        as_of=row[0],
        people=int(people or 0),
        scored=int(row[1]),
        known_assessed=int(assessed or 0),
        entries=sum(int(v) for v in by.values()),
        known_before=int(known_before or 0),
        by_involvement={k: int(by.get(k, 0)) for k in LISTED},
    )
