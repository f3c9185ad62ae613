"""Allow ``python -m turnaround``."""

from turnaround.cli import main

main()
