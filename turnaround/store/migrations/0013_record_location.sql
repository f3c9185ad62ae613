-- Where each failing record is in its file: an XML element path with indexes
-- ('Message/Children/Child[12]/CINdetails[1]/Assessments[2]'), or 'row 17' in a CSV.
-- Lenient loads set aside records, not lines (turnaround/returns/load.py), so a file written
-- on one line still says which record each failure and each quarantined row is.
alter table validation_failures add column location varchar;
alter table quarantine add column location varchar;
