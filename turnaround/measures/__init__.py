"""Standard performance measures: defined once, computed from the store, trended, benchmarked."""
