"""Run Data to Insight's reference validators on one year of our SSDA903 CSVs and CIN XML.

The validators (PyPI ``csc-validator-be-903`` and ``csc-validator-be-cin``) pin old pandas and
numpy, so they live in their own virtual environment under ``bench/.venvs/`` (git-ignored),
created on first use. This script prints every rule that fired with its count of flagged rows,
and how long each validator took, for comparison with our own validation; with ``--json`` the
CIN report also lists, per rule, the children it flagged (``flagged``).

The reference validators know only the current return layout and the rule sets from 2022-23
onwards, so: older years are checked with the earliest rule set; CSV tables are padded with any
column the current layout has and the year's layout lacks; rules that depend on later code
lists or on last year's files will fire on older years for that reason alone.

Example:
    python bench/reference_validators.py city/returns/ssda903/2014 \
        --cin city/returns/cin/2014.xml --year 2014
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import venv
from pathlib import Path

BENCH = Path(__file__).resolve().parent
VENV = BENCH / ".venvs" / "ref"
# The versions our agreement results were checked against.
PACKAGES = ["csc-validator-be-903==0.1.17", "csc-validator-be-cin==0.1.13"]

# Runs inside the reference venv. Arguments: mode, path, year. Prints one JSON line.
RUNNER = r"""
import importlib, io, json, logging, sys, tempfile, time, warnings
from pathlib import Path
import pandas as pd
warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
mode, path, year = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])

def ruleset(prefix, year, package):
    mod = importlib.import_module(f"{package}.rules")
    names = sorted(p.name for p in Path(mod.__path__[0]).iterdir() if p.name.startswith(prefix))
    wanted = f"{prefix}{year - 1}_{str(year)[2:]}"
    if wanted in names:
        return wanted
    return names[0] if wanted < names[0] else names[-1]

if mode == "903":
    from lac_validator import lac_validator
    from lac_validator.config import column_names
    name = ruleset("lac", year, "lac_validator")
    registry = importlib.import_module(f"lac_validator.rules.{name}").registry
    files = []
    for csv in sorted(path.glob("*.csv")):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for table, columns in column_names.items():
            if set(frame.columns) <= set(columns) and {"CHILD"} <= set(frame.columns):
                added_later = {"URN", "REASON_PLACE_CHANGE", "SDQ_REASON"}
                if set(columns) - set(frame.columns) <= added_later:
                    frame = frame.reindex(columns=columns, fill_value="")
                    break
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False)
        files.append({"name": csv.name, "description": "This year",
                      "file_content": buffer.getvalue().encode()})
    started = time.perf_counter()
    metadata = {"collectionYear": str(year), "localAuthority": "E08000025"}
    v = lac_validator.LacValidator(metadata=metadata, files=files, registry=registry)
    seconds = time.perf_counter() - started
    fired = {}
    for table, frame in v.ds_results.items():
        if not isinstance(frame, pd.DataFrame):
            continue
        for col in frame.columns:
            if col.startswith("ERR_"):
                n = int(frame[col].fillna(False).astype(bool).sum())
                if n:
                    fired[col[4:]] = fired.get(col[4:], 0) + n
    messages = {str(code): rule.message for code, rule in registry.items()}
    print(json.dumps({"ruleset": name, "seconds": seconds, "fired": fired,
                      "messages": {k: messages.get(k, "") for k in fired},
                      "failed_to_run": list(v.fails)}))
else:
    import xml.etree.ElementTree as ET
    from cin_validator import cin_validator
    name = ruleset("cin", year, "cin_validator")
    registry = importlib.import_module(f"cin_validator.rules.{name}").registry
    import contextlib
    said = io.StringIO()
    started = time.perf_counter()
    root = ET.parse(path).getroot()
    data = cin_validator.process_data(cin_validator.convert_data(root))
    converted = time.perf_counter()
    with contextlib.redirect_stdout(said):  # it prints, rather than raises, a rule's crash
        v = cin_validator.CinValidator(data, registry)
    seconds = time.perf_counter() - started
    issues = v.full_issue_df
    fired = {}
    flagged = {}
    if len(issues):
        for code, n in issues.groupby("rule_code").size().items():
            fired[str(code)] = int(n)
        for code, ids in issues.groupby("rule_code")["child_id"]:
            flagged[str(code)] = sorted({str(i) for i in ids.dropna()})
    for code in v.multichild_issues["rule_code"].unique():
        fired[str(code)] = fired.get(str(code), 0) + 1
    messages = {str(rule.code): rule.message for rule in registry.values()}
    crashed = [line.split()[3].rstrip(":") for line in said.getvalue().splitlines()
               if line.startswith("Error with rule ")]
    print(json.dumps({"ruleset": name, "seconds": seconds, "read_seconds": converted - started,
                      "fired": fired, "messages": {k: messages.get(k, "") for k in fired},
                      "flagged": flagged, "failed_to_run": crashed}))
"""


def reference_python() -> Path:
    """The reference venv's interpreter, creating the venv and installing on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=True).create(VENV)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", *PACKAGES], check=True)
    return python


def run(mode: str, path: Path, year: int) -> dict[str, object]:
    """Run one reference validator and return its parsed report."""
    done = subprocess.run(
        [str(reference_python()), "-c", RUNNER, mode, str(path), str(year)],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{mode} validator failed:\n{done.stderr[-3000:]}")
    report: dict[str, object] = json.loads(lines[-1])
    return report


def show(title: str, report: dict[str, object]) -> None:
    """Print a report: the rule set, the time taken and each rule that fired."""
    fired = report["fired"]
    messages = report["messages"]
    assert isinstance(fired, dict) and isinstance(messages, dict)
    print(
        f"{title}: rule set {report['ruleset']}, {report['seconds']:.2f}s, {len(fired)} rules fired"
    )
    for code in sorted(fired, key=lambda c: (-fired[c], c)):
        print(f"  {code:>8}  {fired[code]:>6}  {str(messages.get(code, ''))[:100]}")
    crashed = report.get("failed_to_run")
    if isinstance(crashed, list) and crashed:
        print(f"  rules that crashed: {', '.join(str(code) for code in crashed)}")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run the validators asked for, print their reports."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ssda903", type=Path, nargs="?", help="folder of one year's SSDA903 CSVs")
    parser.add_argument("--cin", type=Path, help="the year's CIN census XML")
    parser.add_argument("--year", type=int, required=True, help="collection year, e.g. 2014")
    parser.add_argument("--json", action="store_true", help="print the raw reports as JSON")
    args = parser.parse_args(argv)
    reports = {}
    if args.ssda903:
        reports["SSDA903"] = run("903", args.ssda903, args.year)
    if args.cin:
        reports["CIN census"] = run("cin", args.cin, args.year)
    if args.json:
        print(json.dumps(reports, indent=2))
    else:
        for title, report in reports.items():
            show(title, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
