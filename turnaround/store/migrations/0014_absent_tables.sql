-- The tables a loaded return did not supply (an episodes-only SSDA903 extract, say): read as
-- empty, and every stage that needs one says it could not compute without it.
create table absent_tables (
    load_id    varchar not null,
    kind       varchar not null,
    year       integer not null,
    table_name varchar not null  -- canonical name, as in turnaround/returns/canonical.py
);
