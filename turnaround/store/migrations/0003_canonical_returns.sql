-- The canonical tables of the three statutory returns (see turnaround/returns/canonical.py).
-- Generated from the canonical specification; tests/returns/test_load.py checks they agree.

create table ssda903_header (
    child VARCHAR,
    sex VARCHAR,
    dob DATE,
    ethnic VARCHAR,
    upn VARCHAR,
    mother BIGINT,
    mc_dob DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_episodes (
    child VARCHAR,
    decom DATE,
    rne VARCHAR,
    ls VARCHAR,
    cin VARCHAR,
    place VARCHAR,
    place_provider VARCHAR,
    dec DATE,
    rec VARCHAR,
    reason_place_change VARCHAR,
    home_post VARCHAR,
    pl_post VARCHAR,
    urn VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_reviews (
    child VARCHAR,
    dob DATE,
    review DATE,
    review_code VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_uasc (
    child VARCHAR,
    sex VARCHAR,
    dob DATE,
    duc DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_oc2 (
    child VARCHAR,
    dob DATE,
    sdq_score BIGINT,
    sdq_reason VARCHAR,
    convicted BOOLEAN,
    health_check BOOLEAN,
    immunisations BOOLEAN,
    teeth_check BOOLEAN,
    health_assessment BOOLEAN,
    substance_misuse BOOLEAN,
    intervention_received BOOLEAN,
    intervention_offered BOOLEAN,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_oc3 (
    child VARCHAR,
    dob DATE,
    in_touch VARCHAR,
    activ VARCHAR,
    accom VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_ad1 (
    child VARCHAR,
    dob DATE,
    date_int DATE,
    date_match DATE,
    foster_care BOOLEAN,
    nb_adoptr VARCHAR,
    sex_adoptr VARCHAR,
    ls_adoptr VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_placed_adoption (
    child VARCHAR,
    dob DATE,
    date_placed DATE,
    date_placed_ceased DATE,
    reason_placed_ceased VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_prev_perm (
    child VARCHAR,
    dob DATE,
    prev_perm VARCHAR,
    la_perm VARCHAR,
    date_perm VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_missing (
    child VARCHAR,
    dob DATE,
    missing VARCHAR,
    mis_start DATE,
    mis_end DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table ssda903_sw_episodes (
    child VARCHAR,
    dob DATE,
    sw_id VARCHAR,
    sw_decom DATE,
    sw_dec DATE,
    sw_reason VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table cin_children (
    child_id VARCHAR,
    upn VARCHAR,
    former_upn VARCHAR,
    upn_unknown VARCHAR,
    dob DATE,
    expected_dob DATE,
    sex VARCHAR,
    death_date DATE,
    ethnicity VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table cin_disabilities (
    child_id VARCHAR,
    disability VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table cin_episodes (
    child_id VARCHAR,
    episode BIGINT,
    referral_date DATE,
    referral_source VARCHAR,
    primary_need VARCHAR,
    closure_date DATE,
    closure_reason VARCHAR,
    referral_nfa BOOLEAN,
    icpc_date DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table cin_assessments (
    child_id VARCHAR,
    episode BIGINT,
    assessment BIGINT,
    start_date DATE,
    review_date DATE,
    authorised_date DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table cin_assessment_factors (
    child_id VARCHAR,
    episode BIGINT,
    assessment BIGINT,
    factor VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table cin_cin_plans (
    child_id VARCHAR,
    episode BIGINT,
    plan BIGINT,
    start_date DATE,
    end_date DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table cin_s47 (
    child_id VARCHAR,
    episode BIGINT,
    s47 BIGINT,
    start_date DATE,
    icpc_target DATE,
    icpc_date DATE,
    icpc_not_required BOOLEAN,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table cin_cp_plans (
    child_id VARCHAR,
    episode BIGINT,
    cp_plan BIGINT,
    start_date DATE,
    end_date DATE,
    initial_category VARCHAR,
    latest_category VARCHAR,
    previous_plans BIGINT,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table cin_cp_reviews (
    child_id VARCHAR,
    episode BIGINT,
    cp_plan BIGINT,
    review_date DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list1_contacts (
    child_id VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    date_of_contact DATE,
    contact_source VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list2_early_help (
    child_id VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    assessment_start_date DATE,
    assessment_completion_date DATE,
    organisation_completing_assessment VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list3_referrals (
    child_id VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    date_of_referral DATE,
    referral_source VARCHAR,
    referral_nfa BOOLEAN,
    referrals_12m BIGINT,
    allocated_team VARCHAR,
    allocated_worker VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list4_assessments (
    child_id VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    disability BOOLEAN,
    continuous_assessment_start_date DATE,
    child_seen_during_continuous_assessment VARCHAR,
    continuous_assessment_date_of_authorisation DATE,
    assessed_needs_support BOOLEAN,
    allocated_team VARCHAR,
    allocated_worker VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list5_section47 (
    child_id VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    disability BOOLEAN,
    s47_start_date DATE,
    icpc_not_required BOOLEAN,
    date_of_initial_child_protection_conference DATE,
    icpc_resulted_in_plan BOOLEAN,
    s47_12m BIGINT,
    icpcs_12m BIGINT,
    allocated_team VARCHAR,
    allocated_worker VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list6_children_in_need (
    child_id VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    disability BOOLEAN,
    cin_start_date DATE,
    primary_need_code VARCHAR,
    date_child_was_last_seen DATE,
    cin_closure_date DATE,
    reason_for_closure VARCHAR,
    case_status VARCHAR,
    allocated_team VARCHAR,
    allocated_worker VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list7_child_protection (
    child_id VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    disability BOOLEAN,
    child_protection_plan_start_date DATE,
    initial_category_of_abuse VARCHAR,
    latest_category_of_abuse VARCHAR,
    date_of_the_last_statutory_visit DATE,
    seen_alone BOOLEAN,
    date_of_latest_review_conference DATE,
    child_protection_plan_end_date DATE,
    epo_or_police_protection_6m BOOLEAN,
    previous_cp_plans BIGINT,
    allocated_team VARCHAR,
    allocated_worker VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list8_children_in_care (
    child_id VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    uasc_12m BOOLEAN,
    disability BOOLEAN,
    date_started_to_be_looked_after DATE,
    category_of_need VARCHAR,
    repeat_period_12m BOOLEAN,
    start_date_of_current_legal_status DATE,
    legal_status VARCHAR,
    date_of_latest_statutory_review DATE,
    date_of_last_social_work_visit DATE,
    permanence_plan VARCHAR,
    last_iro_contact_date DATE,
    date_of_last_health_assessment DATE,
    date_of_last_dental_check DATE,
    placements_12m BIGINT,
    date_ceased_to_be_looked_after DATE,
    reason_ceased_to_be_looked_after VARCHAR,
    start_date_of_most_recent_placement DATE,
    placement_type VARCHAR,
    placement_provider VARCHAR,
    placement_postcode VARCHAR,
    urn_of_placement VARCHAR,
    placement_location VARCHAR,
    la_of_placement VARCHAR,
    missing_episodes_12m BIGINT,
    absent_episodes_12m BIGINT,
    return_interview_offered BOOLEAN,
    return_interview_accepted BOOLEAN,
    allocated_team VARCHAR,
    allocated_worker VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list9_care_leavers (
    child_id VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    uasc BOOLEAN,
    disability BOOLEAN,
    allocated_team VARCHAR,
    allocated_worker VARCHAR,
    allocated_personal_advisor VARCHAR,
    eligibility_category VARCHAR,
    latest_pathway_plan_review_date DATE,
    la_in_touch VARCHAR,
    latest_date_of_contact DATE,
    type_of_accommodation VARCHAR,
    suitability_of_accommodation VARCHAR,
    activity_status VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list10_adoption (
    child_id VARCHAR,
    family_identifier VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    dob DATE,
    age BIGINT,
    disability BOOLEAN,
    date_the_child_entered_care DATE,
    placed_decision_date DATE,
    date_of_placement_order DATE,
    matched_date DATE,
    date_placed_for_adoption DATE,
    date_of_adoption_order DATE,
    no_longer_placed_decision_date DATE,
    reason_why_child_no_longer_placed_for_adoption VARCHAR,
    ffa_placed_date DATE,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);

create table annex_a_list11_adopters (
    individual_adopter_identifier VARCHAR,
    family_identifier VARCHAR,
    gender VARCHAR,
    ethnicity VARCHAR,
    disability BOOLEAN,
    fostering_for_adoption BOOLEAN,
    date_enquiry_received DATE,
    date_stage_1_started DATE,
    date_stage_1_ended DATE,
    date_stage_2_started DATE,
    date_stage_2_ended DATE,
    date_application_submitted DATE,
    date_application_approved DATE,
    date_adopter_matched_with_child_ren DATE,
    children_placed_date DATE,
    children_placed BIGINT,
    date_of_adoption_order DATE,
    date_of_leaving_adoption_process DATE,
    reason_for_leaving_adoption_process VARCHAR,
    year INTEGER NOT NULL,
    load_id VARCHAR NOT NULL,
    source_file VARCHAR,
    source_row INTEGER
);
