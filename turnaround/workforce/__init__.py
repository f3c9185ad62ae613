"""The council's workforce: staff, teams, vacancies, case allocations and the senior structure."""

from turnaround.workforce.load import LoadedWorkforce, load_workforce, read_workforce

__all__ = ["LoadedWorkforce", "load_workforce", "read_workforce"]
