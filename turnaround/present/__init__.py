"""What people see: the one module of formatters for money, percentages, dates and counts.

Each stage's presentation model lives beside the stage (``measures/present.py``,
``workforce/present.py``): a frozen dataclass of text already formatted here, built by one
function from the stage's result. The CLI's tables, the HTML report's sections and the web pages
all render those models, so a figure reads the same wherever it is shown. This package imports
nothing heavy (no pandas, matplotlib or web framework) and no stage, so every stage may use it.
"""
