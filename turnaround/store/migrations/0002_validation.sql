-- What each load found wrong, and the rows a lenient load set aside for fixing at source.
create table validation_failures (
    load_id    varchar not null,
    kind       varchar not null,
    year       integer not null,
    source_file varchar not null,
    source_row  integer,
    child_id   varchar,
    table_name varchar,
    field      varchar,
    rule       varchar not null,
    message    varchar not null,
    severity   varchar not null
);

create table quarantine (
    load_id     varchar not null,
    kind        varchar not null,
    year        integer not null,
    table_name  varchar not null,
    source_file varchar not null,
    source_row  integer not null,
    child_id    varchar,
    record      varchar not null,  -- the row as read, as JSON
    rules       varchar not null,  -- the rule codes it broke, comma-separated
    messages    varchar not null
);

-- One cleaned history of SSDA903 episodes per child across every loaded year
-- (see turnaround/returns/cleaning.py for the rules).
create table ssda903_episodes_clean (
    child               varchar not null,
    decom               date not null,
    rne                 varchar,
    ls                  varchar,
    cin                 varchar,
    place               varchar,
    place_provider      varchar,
    dec                 date,
    rec                 varchar,
    reason_place_change varchar,
    home_post           varchar,
    pl_post             varchar,
    urn                 varchar,
    year                integer not null,
    placement_change    boolean not null,
    period_of_care      integer not null,
    cleaning            varchar not null
);
