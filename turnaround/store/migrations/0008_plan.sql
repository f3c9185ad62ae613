-- The improvement plan's history: every check-in of the plan file, with who made it, when, and
-- a unified diff against the version before it (see turnaround/plan/history.py). Versions are
-- never updated or deleted; a changed plan is a new version.
create table plan_versions (
    version       integer primary key,   -- 1, 2, 3 ... in check-in order
    title         varchar not null,      -- the plan's title in this version
    checked_in_at timestamp not null default current_timestamp,
    checked_in_by varchar not null,
    sha256        varchar not null,      -- of the text, to spot an unchanged check-in
    text          varchar not null,      -- the YAML file as checked in
    diff          varchar not null,      -- unified diff against the previous version
    note          varchar                -- what the person said changed, if anything
);

-- Each progress report made from the data, kept so the next one can say what changed.
create sequence plan_progress_report_seq start 1;
create table plan_progress_reports (
    report_id    bigint primary key default nextval('plan_progress_report_seq'),
    plan_version integer,                -- NULL when the plan was not checked in
    as_at        date not null,          -- the date progress is measured at
    made_at      timestamp not null default current_timestamp,
    made_by      varchar,
    report       varchar not null        -- Progress.to_dict() and its changes, as JSON
);
