"""What people see: one module of formatters, and one presentation model per stage.

The CLI's tables, the HTML report's sections and the web pages all render these models, so a
figure reads the same wherever it is shown. Each model is a frozen dataclass of text already
formatted with :mod:`turnaround.present.format`, built by one function from the stage's result.
This package imports nothing heavy (no pandas, matplotlib or web framework), so the CLI can use
it without slowing its start-up.
"""
