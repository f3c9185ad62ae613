-- CIN census 2026-27: the pre-proceedings and family group decision-making block
-- (<PreProceedingsandFGDM>), one row a block. Generated from turnaround/returns/canonical.py;
-- tests/returns/test_load.py checks they agree.

create table cin_pre_proceedings (
    child_id VARCHAR,
    episode BIGINT,
    pre_proceedings BIGINT,
    start_date DATE,
    lbp_sent_date DATE,
    fgdm_offered BOOLEAN,
    fgdm_facilitated BOOLEAN,
    initial_meeting_date DATE,
    review_meetings BIGINT,
    step_decision_date DATE,
    outcome VARCHAR,
    court_application_date DATE,
    letter_initiating_date DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);
