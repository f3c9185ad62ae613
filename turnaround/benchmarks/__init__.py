"""Published benchmarks: the DfE's local-authority tables, loaded and compared with a council.

read.py      read and check one DfE CSV into long-format rows (suppression markers -> NULL)
tables.py    the DfE tables known, recognised by their columns
load.py      load files or folders into the store in one transaction
mapping.py   measure id -> DfE table, column and how it becomes the measure's unit
compare.py   Benchmark, benchmarks_for: England, region, statistical neighbours' median, the council
"""

from turnaround.benchmarks.compare import Benchmark, benchmarks_for
from turnaround.benchmarks.load import LoadedBenchmark, load_benchmarks
from turnaround.benchmarks.mapping import MAPPINGS, BenchmarkMapping, mapping_for

__all__ = [
    "MAPPINGS",
    "Benchmark",
    "BenchmarkMapping",
    "LoadedBenchmark",
    "benchmarks_for",
    "load_benchmarks",
    "mapping_for",
]
