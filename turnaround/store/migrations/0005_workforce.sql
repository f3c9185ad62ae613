-- The council's workforce, as its HR and case-management systems export it (see
-- turnaround/workforce/load.py). Each load replaces the previous one: an export is the whole
-- picture, history included.

create table workforce_staff (
    staff_id    varchar not null,
    role        varchar not null,   -- 'social_worker', 'team_manager', ...
    grade       varchar,
    team_id     varchar,            -- NULL for posts above team level
    manager_id  varchar,
    fte         double not null,
    agency      boolean not null,
    start_date  date not null,
    leave_date  date,               -- NULL while still in post
    holds_cases boolean not null,
    load_id     varchar not null
);

create table workforce_teams (
    team_id varchar not null,
    team    varchar not null,       -- team type: 'front_door', 'assessment', 'cin_cp', ...
    name    varchar not null,
    service varchar not null,
    load_id varchar not null
);

create table workforce_vacancies (
    team_id           varchar not null,
    role              varchar not null,
    establishment_fte double not null,
    filled_fte        double not null,  -- by permanent staff
    vacant_fte        double not null,
    agency_cover_fte  double not null,
    at_date           date not null,
    load_id           varchar not null
);

-- Who held each child's case, and when; staff_id is NULL for a spell with nobody allocated.
create table workforce_allocations (
    child_id   varchar not null,
    staff_id   varchar,
    start_date date not null,
    end_date   date,                 -- NULL while still allocated
    load_id    varchar not null
);

create table workforce_senior_roles (
    staff_id  varchar not null,
    role      varchar not null,
    portfolio varchar not null,      -- the services they are responsible for, '; '-separated
    load_id   varchar not null
);
