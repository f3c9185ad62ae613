"""Writing the workforce as a council HR and case-system export: five CSVs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from turnaround.synth.model import Workforce
from turnaround.synth.workforce.structure import ROLE_TITLES

CSV_COLUMNS = {
    "staff": {
        "staff_id": "Staff ID",
        "role": "Job Title",
        "grade": "Grade",
        "team_id": "Team ID",
        "manager_id": "Line Manager ID",
        "fte": "FTE",
        "agency": "Agency Worker",
        "start": "Start Date",
        "leave": "Leaving Date",
        "holds_cases": "Case Holder",
    },
    "teams": {
        "team_id": "Team ID",
        "team": "Team Type",
        "name": "Team Name",
        "service": "Service",
    },
    "vacancies": {
        "team_id": "Team ID",
        "role": "Post",
        "establishment_fte": "Establishment FTE",
        "filled_fte": "Filled FTE (Permanent)",
        "vacant_fte": "Vacant FTE",
        "agency_cover_fte": "Agency Cover FTE",
        "at": "As At",
    },
    "allocations": {
        "la_child_id": "Child ID",
        "staff_id": "Allocated Worker ID",
        "start": "Allocated From",
        "end": "Allocated To",
    },
    "senior_roles": {
        "staff_id": "Staff ID",
        "role": "Role",
        "portfolio": "Portfolio",
    },
}


def write_workforce(workforce: Workforce, out_dir: Path) -> list[Path]:
    """Write the workforce as a council HR and case-system export: five CSVs, dates dd/mm/yyyy."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, columns in CSV_COLUMNS.items():
        table: pd.DataFrame = getattr(workforce, name)[list(columns)].copy()
        for column in table.columns:
            series = table[column]
            if pd.api.types.is_datetime64_any_dtype(series):
                table[column] = series.dt.strftime("%d/%m/%Y").fillna("")
            elif pd.api.types.is_bool_dtype(series):
                table[column] = np.where(series.to_numpy(), "Y", "N")
        if "role" in table.columns:
            table["role"] = table["role"].map(ROLE_TITLES).fillna(table["role"])
        path = out_dir / f"{name}.csv"
        table.rename(columns=columns).to_csv(path, index=False)
        written.append(path)
    return written
