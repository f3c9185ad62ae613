-- Audit and load times become instants (timestamptz), so an append-only log has no ambiguous
-- hour when the clocks go back in October. The store runs migrations in the zone its old naive
-- times were written in (the machine's), so each old time keeps the instant it meant.
alter table audit_log alter column occurred_at set data type timestamptz;
alter table loads alter column loaded_at set data type timestamptz;
alter table users alter column created_at set data type timestamptz;
alter table plan_versions alter column checked_in_at set data type timestamptz;
alter table plan_progress_reports alter column made_at set data type timestamptz;
alter table worklist_decisions alter column decided_at set data type timestamptz;
alter table linkage_runs alter column started_at set data type timestamptz;
alter table linkage_runs alter column finished_at set data type timestamptz;
alter table schema_migrations alter column applied_at set data type timestamptz;
