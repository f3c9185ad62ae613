-- The web app: a user's team (a team manager sees only their own), and the decisions reviewers
-- record on the unknown-children worklist. Decisions are kept; a decided child leaves the list.
alter table users add column team varchar;

create sequence worklist_decision_seq start 1;
create table worklist_decisions (
    decision_id bigint primary key default nextval('worklist_decision_seq'),
    person      varchar not null,
    decision    varchar not null
        check (decision in ('refer', 'no further action', 'more information')),
    reason      varchar not null,
    decided_by  varchar not null,
    decided_at  timestamp not null default current_timestamp
);
