-- The SSDA903 Deprivation of Liberty Orders table (from 2026-27), generated from the canonical
-- specification like 0003 (tests/returns/test_load.py checks they agree), and the columns a
-- return carried that its year's layout does not know (LA, YEAR, ...), kept aside as read.
create table ssda903_dolo (
    child VARCHAR,
    dob DATE,
    dolo_start DATE,
    dolo_end DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table extra_columns (
    load_id     varchar not null,
    kind        varchar not null,
    year        integer not null,
    table_name  varchar not null,
    source_file varchar not null,
    source_row  integer not null,
    column_name varchar not null,  -- as the file's header wrote it
    value       varchar not null   -- blank values are not kept
);
