"""What passes between standardising, linking and scoring partner records.

Standardised records (``standardise.py``) are one row per partner extract record, in the
store table ``linkage_records`` and in memory as a DataFrame with these columns:

    unique_id      VARCHAR  '<source>:<record_id>', unique across sources
    source         VARCHAR  the extract's name (school_census, ae_attendances, ...)
    record_id      VARCHAR  the record's own id in its extract
    event_date     DATE     when the record's event happened (census date for schools)
    forename       VARCHAR  cleaned: upper case, no titles or punctuation, single spaces
    surname        VARCHAR  cleaned the same way; hyphenated names keep the hyphen
    forename_canon VARCHAR  the forename's canonical form (nickname and spelling variants
                            folded: BILL -> WILLIAM, MUHAMMAD -> MOHAMMED)
    forename_dm    VARCHAR  double-metaphone (or metaphone) code of forename_canon
    surname_dm     VARCHAR  the same for the surname
    surname_first  VARCHAR  first part of a double-barrelled or spaced surname
    dob            DATE     as given (NULL if unparseable)
    dob_swapped    DATE     day and month swapped, where that is a valid, different date
    sex            VARCHAR  'M', 'F' or NULL
    postcode       VARCHAR  normalised 'B11 1AA' (NULL if not a valid UK postcode)
    postcode_sector VARCHAR 'B11 1'
    address        VARCHAR  first address line, cleaned
    nhs_number     VARCHAR  only if its mod-11 check digit is valid, else NULL
    upn            VARCHAR  only if its check letter is valid, else NULL

Social care records to match against are the council's case-system person export (one row per
child it has a record for, from the first contact on), read with the ``social_care`` mapping
into the same columns: source 'social_care', record_id the council's child id, the id the
statutory returns carry. Statutory returns hold no names, so they cannot be matched directly.

Linkage output (``link.py``):

    linkage_pairs     unique_id_l, unique_id_r, match_probability DOUBLE, match_weight DOUBLE
    linkage_clusters  unique_id, cluster_id VARCHAR
    linkage_known     cluster_id, child_id (the social care record it matched),
                      match_probability DOUBLE (the best pair linking the cluster to it)

``pipeline.py`` stores all of these (``linkage_records`` also keeps each record's
agency-specific ``fields`` as JSON), with pairs below 0.5 dropped, and ``linkage_runs`` keeps
each run's trained model.
"""

from __future__ import annotations

STANDARD_COLUMNS: tuple[str, ...] = (
    "unique_id", "source", "record_id", "event_date", "forename", "surname", "forename_canon",
    "forename_dm", "surname_dm", "surname_first", "dob", "dob_swapped", "sex", "postcode",
    "postcode_sector", "address", "nhs_number", "upn",
)  # fmt: skip
