-- Priority 1: partner records standardised for linkage, the people they link into, the risk
-- indicators that fired for each person, and the worklist. Tables holding names, dates of birth
-- or addresses are marked IDENTIFIABLE: only roles allowed 'view-identifiable' may read them
-- through turnaround, and every such read is audited.

-- IDENTIFIABLE. One row per partner or social care record, in linkage/model.py's columns;
-- `fields` holds the record's agency-specific fields as a JSON object (mapping `fields:`).
create table linkage_records (
    unique_id       varchar not null,
    source          varchar not null,
    record_id       varchar not null,
    event_date      date,
    forename        varchar,
    surname         varchar,
    forename_canon  varchar,
    forename_dm     varchar,
    surname_dm      varchar,
    surname_first   varchar,
    dob             date,
    dob_swapped     date,
    sex             varchar,
    postcode        varchar,
    postcode_sector varchar,
    address         varchar,
    nhs_number      varchar,
    upn             varchar,
    fields          varchar,
    load_id         varchar not null
);

-- One row per linkage run: the trained model (Splink's JSON), its settings, and counts.
create table linkage_runs (
    run_id      varchar primary key,
    started_at  timestamp not null,
    finished_at timestamp,
    backend     varchar not null,
    threshold   double not null,
    records     bigint,
    clusters    bigint,
    known       bigint,
    model       varchar,
    run_by      varchar
);

-- Scored record pairs of the latest run (pairs below `linkage.pipeline.STORE_PAIRS_ABOVE` are
-- not kept), the cluster (person) of every record, and the clusters matched to a social care
-- record, with the best pair linking them.
create table linkage_pairs (
    unique_id_l       varchar not null,
    unique_id_r       varchar not null,
    match_probability double not null,
    match_weight      double
);
create table linkage_clusters (
    unique_id  varchar not null,
    cluster_id varchar not null
);
create table linkage_known (
    cluster_id        varchar not null,
    child_id          varchar not null,
    match_probability double not null
);

-- The risk indicators that fired for each person, with the record behind each, and the score.
create table risk_hits (
    cluster_id   varchar not null,
    indicator    varchar not null,
    unique_id    varchar not null,
    event_date   date,
    as_of        date not null
);
create table risk_scores (
    cluster_id varchar not null,
    score      double not null,
    indicators varchar not null,   -- fired indicator ids, comma-separated, highest weight first
    as_of      date not null
);

-- The ranked worklist of at-risk children unknown to social care (no names: see linkage_records).
create table unknown_worklist (
    rank              integer not null,
    cluster_id        varchar not null,
    score             double not null,
    indicators        varchar not null,
    child_id          varchar,          -- a social care record whose case closed unassessed
    involvement       varchar not null, -- 'none', 'contact', 'referral closed without assessment'
    identity_confidence double not null,
    care_match_probability double,
    records           integer not null,
    sources           varchar not null,
    latest_event      date,
    as_of             date not null
);
