"""The HTML report: one section per stage, written to ``workspace/report/index.html``."""

from turnaround.report.charts import svg_figure
from turnaround.report.html import Section, write_report

__all__ = ["Section", "svg_figure", "write_report"]
