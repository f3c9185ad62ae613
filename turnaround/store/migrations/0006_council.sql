-- The council this workspace is about (its old 3-digit DfE code), so measures and benchmarks
-- know whose figures are whose when the store also holds every council's published tables.
create table council (
    la_code varchar primary key,
    la_name varchar
);
