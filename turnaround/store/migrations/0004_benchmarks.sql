-- The DfE's published local-authority statistics, in long format, for comparison with England,
-- the region and statistical neighbours (see turnaround/benchmarks/).

-- One published figure: a DfE column (metric) for one geography, year and category.
-- year is the DfE's time_period: the year of the 31 March a collection year ends on (the
-- September census year for the social work workforce). ONS population rows are stored under
-- the collection year whose 31 March follows the mid-year estimate (mid-2013 -> 2014).
-- value is NULL where the DfE suppressed or did not publish the figure ('c', 'x', 'z', ...).
create table benchmark_values (
    source           varchar not null,  -- which DfE table: 'b1', 'c1', 'd5', 'csww', ...
    metric           varchar not null,  -- the DfE's own column name, e.g. 'At31_episodes'
    year             integer not null,
    geographic_level varchar not null,  -- 'National', 'Regional' or 'Local authority'
    region_code      varchar,
    region_name      varchar,
    la_code          varchar,           -- the old three-digit code, e.g. '330'
    new_la_code      varchar,           -- the ONS code, e.g. 'E08000025'
    la_name          varchar,
    category         varchar,           -- the table's category or breakdown, where it has one
    value            double
);

-- Each council's ten statistical neighbours, closest first.
create table statistical_neighbours (
    la_code        varchar not null,
    neighbour_code varchar not null,
    rank           integer not null,
    closeness      varchar,
    primary key (la_code, rank)
);

-- Children aged 0-17 living in each council's area: the denominator of rates per 10,000.
-- year is the collection year whose 31 March follows the mid-year estimate, as the DfE uses it:
-- the mid-2013 estimate is the denominator for 2013-14 (year 2014).
-- source is 'ons' for the national publication and 'local' for a council's own estimate (a file
-- in the same layout with no England row, such as the synthetic city's); 'local' wins.
create table population (
    year     integer not null,
    la_code  varchar not null,
    children bigint not null,
    source   varchar not null,
    primary key (year, la_code)
);
