-- Core tables every workspace has: the loads made, the users, and the append-only audit log.
create table loads (
    load_id     varchar primary key,
    kind        varchar not null,   -- 'ssda903', 'cin', 'annex_a', 'extract', 'workforce', 'synth'
    year        integer,            -- collection year, the year of 31 March it ends on
    source      varchar not null,   -- file or folder it came from
    rows_loaded bigint not null default 0,
    loaded_at   timestamp not null default current_timestamp,
    loaded_by   varchar
);

create table users (
    username      varchar primary key,
    role          varchar not null,
    password_hash varchar,
    created_at    timestamp not null default current_timestamp
);

create sequence audit_seq start 1;
create table audit_log (
    audit_id  bigint primary key default nextval('audit_seq'),
    occurred_at timestamp not null default current_timestamp,
    username  varchar,
    action    varchar not null,
    target    varchar,
    reason    varchar,
    origin    varchar
);
