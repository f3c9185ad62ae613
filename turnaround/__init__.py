"""turnaround: help a failing children's social care department recover, from its own data."""

__version__ = "0.1.0"
