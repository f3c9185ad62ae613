"""Time our DfE rules against Data to Insight's validators on one Birmingham-scale year.

Both sides read the same files in the same run. SSDA903: ours is reading the CSV folder into
canonical tables plus ``run_rules``; theirs is ``LacValidator`` from csc-validator-be-903.
CIN census: ours is ``read_returns`` on the XML plus ``run_rules``; theirs is parsing the same
XML and ``CinValidator`` from csc-validator-be-cin. Both reference validators run in their own
venv (``bench/reference_validators.py``). It prints both times and the ratio, then, per rule
code we implement, how many children each side flagged and how many they agree on.

The city is generated once (about 80 s for 281,000 children) and cached under bench/results/.

Example:
    .venv/bin/python bench/validate_bench.py --children 281000 --year 2014 --returns cin
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from reference_validators import reference_python  # noqa: E402
from reference_validators import run as run_reference  # noqa: E402

from turnaround.returns.canonical import SPECS  # noqa: E402
from turnaround.returns.model import FILE_COLUMN, ROW_COLUMN, ReturnData  # noqa: E402
from turnaround.returns.rules import RULES, run_rules  # noqa: E402
from turnaround.returns.rules.registry import flagged_children  # noqa: E402

# Runs inside the reference venv; prints {rule code: [children flagged]} and the seconds taken.
REFERENCE_903 = r"""
import importlib, io, json, logging, sys, time, warnings
from pathlib import Path
import pandas as pd
warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)
from lac_validator import lac_validator
from lac_validator.config import column_names
folder, year, last = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
registry = importlib.import_module("lac_validator.rules.lac2022_23").registry
def load(path, description):
    files = []
    for csv in sorted(path.glob("*.csv")):
        frame = pd.read_csv(csv, dtype=str, keep_default_na=False)
        for table, columns in column_names.items():
            if set(frame.columns) <= set(columns) and set(columns) - set(frame.columns) <= {
                    "URN", "REASON_PLACE_CHANGE", "SDQ_REASON"}:
                frame = frame.reindex(columns=columns, fill_value="")
                break
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False)
        files.append({"name": csv.name, "description": description,
                      "file_content": buffer.getvalue().encode()})
    return files
files = load(folder, "This year") + (load(Path(last), "Prev year") if last else [])
started = time.perf_counter()
v = lac_validator.LacValidator(metadata={"collectionYear": str(year),
                                         "localAuthority": "E08000025"},
                               files=files, registry=registry)
seconds = time.perf_counter() - started
flagged = {}
for table, frame in v.ds_results.items():
    if not isinstance(frame, pd.DataFrame) or "CHILD" not in frame:
        continue
    for col in frame.columns:
        if col.startswith("ERR_"):
            hit = frame[col].fillna(False).astype(bool)
            flagged.setdefault(col[4:], set()).update(frame.loc[hit, "CHILD"].astype(str))
print(json.dumps({"seconds": seconds, "flagged": {k: sorted(v) for k, v in flagged.items()}}))
"""

_SEX = {"1": "M", "2": "F", "0": "U", "9": "U", "M": "M", "F": "F", "U": "U"}
_BLANK = {
    "date": "datetime64[ns]",
    "int": "Int64",
    "bool": "boolean",
    "code": "string",
    "text": "string",
}


def read_ssda903_folder(folder: Path, year: int, project_reader: bool = True) -> ReturnData:
    """One year's SSDA903 CSVs as canonical tables.

    With ``project_reader`` (and when it imports) this is ``turnaround.returns.read``; else a
    small Arrow reader that knows only the tidy CSVs our synthetic city writes, which shows
    what the rules cost next to a lean read.
    """
    if project_reader:
        try:
            from turnaround.returns.read import read_returns
        except ImportError:
            pass
        else:
            [data] = read_returns(sorted(folder.glob("*.csv")), year=year)
            return data
    tables = {}
    for table, spec in SPECS["ssda903"].items():
        path = folder / f"{table}.csv"
        if path.exists():
            tables[table] = _read_table(path, spec)
    return ReturnData(kind="ssda903", year=year, tables=tables, sources=[folder])


def _read_table(path: Path, spec: dict[str, str]) -> pd.DataFrame:
    """One CSV as a canonical frame, converted column by column in Arrow."""
    with path.open() as handle:
        names = handle.readline().strip().split(",")
    raw = pacsv.read_csv(
        path,
        convert_options=pacsv.ConvertOptions(
            column_types={name: pa.string() for name in names}, strings_can_be_null=True
        ),
    )
    lower = {name.lower(): name for name in names}
    n = raw.num_rows
    columns: dict[str, pd.Series] = {}
    for column, kind in spec.items():
        if column not in lower:
            columns[column] = pd.Series(pd.NA, index=range(n), dtype=_BLANK[kind])
            continue
        values = pc.utf8_trim_whitespace(raw.column(lower[column]).combine_chunks())
        if kind == "date":
            dates = pc.strptime(values, format="%d/%m/%Y", unit="ns", error_is_null=True)
            columns[column] = pd.Series(dates.to_numpy(zero_copy_only=False))
        elif kind == "int":
            columns[column] = pd.Series(pd.array(pc.cast(values, pa.int64()), dtype="Int64"))
        elif kind == "bool":
            flags = pc.is_in(pc.utf8_upper(values), value_set=pa.array(["1", "TRUE", "Y"]))
            flags = pc.if_else(pc.is_null(values), pa.scalar(None, pa.bool_()), flags)
            columns[column] = pd.Series(pd.array(flags, dtype="boolean"))
        elif column == "sex":
            columns[column] = pd.Series(values.to_pandas().map(_SEX), dtype="string")
        else:
            text = pc.utf8_upper(values) if kind == "code" else values
            columns[column] = pd.Series(pd.array(text, dtype="string"))
    columns[FILE_COLUMN] = pd.Series(path.name, index=range(n), dtype="string")
    columns[ROW_COLUMN] = pd.Series(pd.RangeIndex(2, n + 2), dtype="Int64")
    return pd.DataFrame(columns)


def ours(
    folder: Path, year: int, last: Path | None, project_reader: bool = True
) -> tuple[float, float, dict[str, set[str]]]:
    """Our times (reading both years, then the rules) and the children each rule flagged."""
    started = time.perf_counter()
    data = read_ssda903_folder(folder, year, project_reader)
    previous = read_ssda903_folder(last, year - 1, project_reader) if last else None
    read = time.perf_counter()
    failures = run_rules(data, previous)
    return read - started, time.perf_counter() - read, flagged_children(failures)


def theirs(folder: Path, year: int, last: Path | None) -> tuple[float, dict[str, set[str]]]:
    """The reference validator's time and the children each rule flagged."""
    done = subprocess.run(
        [str(reference_python()), "-c", REFERENCE_903, str(folder), str(year), str(last or "")],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"reference validator failed:\n{done.stderr[-3000:]}")
    report = json.loads(lines[-1])
    return report["seconds"], {k: set(v) for k, v in report["flagged"].items()}


def read_cin(path: Path, year: int | None = None) -> ReturnData:
    """One CIN census XML as canonical tables, read by the project's reader."""
    from turnaround.returns.read import read_returns

    [data] = read_returns([path], year=year)
    return data


def ours_cin(path: Path, year: int | None = None) -> tuple[float, float, dict[str, set[str]]]:
    """Our times on one CIN census (reading, then the rules) and the children each rule flagged."""
    started = time.perf_counter()
    data = read_cin(path, year)
    read = time.perf_counter()
    failures = run_rules(data)
    return read - started, time.perf_counter() - read, flagged_children(failures)


def theirs_cin(path: Path, year: int) -> tuple[float, dict[str, set[str]]]:
    """csc-validator-be-cin's time on one CIN census and the children each rule flagged.

    ``year`` only picks their rule set (the earliest, 2022-23, for older years); their census
    period comes from the file's ReferenceDate.
    """
    seconds, _, flagged = _theirs_cin_report(path, year)
    return seconds, flagged


def _theirs_cin_report(path: Path, year: int) -> tuple[float, float, dict[str, set[str]]]:
    """Their total time, the part of it spent turning the XML into tables, and what they flag."""
    report = run_reference("cin", path, year)
    flagged = report.get("flagged")
    seconds, read = report["seconds"], report.get("read_seconds", float("nan"))
    assert isinstance(flagged, dict) and isinstance(seconds, int | float)
    assert isinstance(read, int | float)
    return float(seconds), float(read), {str(k): set(v) for k, v in flagged.items()}


def agreement(
    mine: dict[str, set[str]], reference: dict[str, set[str]], kind: str = "ssda903"
) -> pd.DataFrame:
    """Per rule we implement: children flagged by us, by them, by both.

    Child ids are compared upper-cased, because our readers upper-case codes and LAchildID is
    read as a code.
    """
    rows = []
    for rule_kind, code in sorted(RULES):
        if rule_kind != kind:
            continue
        a = {c.upper() for c in mine.get(code, set())}
        b = {c.upper() for c in reference.get(code, set())}
        rows.append({"rule": code, "ours": len(a), "theirs": len(b), "both": len(a & b)})
    return pd.DataFrame(rows)


def city_folder(children: int, seed: int) -> Path:
    """The cached synthetic city's returns folder, generating the city if needed."""
    out = BENCH / "results" / f"city-{children}-seed{seed}"
    if not (out / "returns").exists():
        from turnaround.synth.city import generate_city
        from turnaround.synth.config import SynthConfig

        generate_city(SynthConfig(children=children, seed=seed), out)
    return out / "returns" / "ssda903"


def cin_census(children: int, seed: int, year: int) -> Path:
    """The cached synthetic city's CIN census XML for one year."""
    return city_folder(children, seed).parent / "cin" / f"cin_census_{year}.xml"


def scrambled_cin(source: Path, seed: int = 1, rate: float = 0.08) -> Path:
    """A copy of a CIN census with errors sown in, cached beside it.

    The synthetic city's census is clean, so most rules never fire on it; this breaks a share
    ``rate`` of dates, closures, flags, UPNs and modules at random (dates moved, made
    weekends, copied from the module's first date or dropped; episodes reopened or marked NFA;
    closure reasons set to 'closed after assessment'; UPNs copied between children or given a
    wrong check letter; episodes, assessments, enquiries and plans repeated with their dates
    moved, or dropped; open CIN plans set beside CP plans) so that agreement is tested on rows
    that actually break each rule.
    """
    city = source.parents[2].name  # .../<city>/returns/cin/<census>.xml
    name = f"{city}-{source.stem}-seed{seed}-rate{rate:g}.xml"
    out = BENCH / "results" / "scrambled" / name
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.exists() and out.stat().st_mtime > Path(__file__).stat().st_mtime:
        return out
    import copy
    import random
    import xml.etree.ElementTree as ET

    rng = random.Random(seed)
    tree = ET.parse(source)
    upns = [e.text for e in tree.iter("UPN") if e.text]

    def day(text: str, shift: int) -> str:
        moved = pd.Timestamp(text) + pd.Timedelta(days=shift)
        return str(moved.date())

    modules = {"CINdetails", "Assessments", "Section47", "ChildProtectionPlans", "CINPlanDates"}
    for parent in list(tree.iter()):
        for element in list(parent):
            if rng.random() >= rate or element.tag in {"LAchildID", "Year", "ReferenceDate"}:
                continue
            tag, text = element.tag, element.text or ""
            if tag in modules:
                if tag == "CINdetails" and rng.random() < 0.2:
                    parent.remove(element)
                    continue
                started = element.find("CPPstartDate")
                if started is not None and rng.random() < 0.4:  # an open CIN plan beside it
                    plan = ET.Element("CINPlanDates")
                    ET.SubElement(plan, "CINPlanStartDate").text = started.text
                    parent.insert(list(parent).index(element), plan)
                    continue
                twin = copy.deepcopy(element)
                shift = rng.randint(-200, 200)
                for date in twin.iter():
                    if date.tag.endswith("Date") and date.text:
                        date.text = day(date.text, shift)
                parent.insert(list(parent).index(element) + 1, twin)
            elif tag.endswith("Date") and text:
                roll = rng.random()
                first = next((e for e in parent if e.tag.endswith("Date") and e.text), None)
                if roll < 0.15 and tag not in {"CINreferralDate", "PersonBirthDate"}:
                    parent.remove(element)
                elif roll < 0.25 and first is not None:
                    element.text = first.text
                elif roll < 0.45:
                    stamp = pd.Timestamp(text)
                    element.text = day(text, 5 - stamp.day_of_week + rng.randint(0, 1))
                else:
                    element.text = day(text, rng.randint(-400, 400))
            elif tag == "ReferralNFA":
                element.text = rng.choice(["true", "1", "false"])
            elif tag == "ICPCnotRequired":
                element.text = rng.choice(["true", "false"])
            elif tag == "ReasonForClosure":
                element.text = rng.choice(["RC8", "RC9", "RC1"]) if rng.random() < 0.8 else None
                if element.text is None:
                    parent.remove(element)
            elif tag == "UPN" and text:
                if rng.random() < 0.5:
                    element.text = rng.choice(upns)
                else:
                    letters = "ABCDEFGHJKLMNPQRTUVWXYZ"
                    element.text = rng.choice(letters.replace(text[0], "")) + text[1:]
            elif tag == "ChildIdentifiers" and rng.random() < 0.5:
                birth = element.find("PersonBirthDate")
                if birth is not None and birth.text:
                    died = ET.SubElement(element, "PersonDeathDate")
                    died.text = day(birth.text, rng.randint(-30, 3000))
    tree.write(out, encoding="utf-8", xml_declaration=True)
    return out


def main(argv: list[str] | None = None) -> int:
    """Time both validators on one year and print the ratio and the agreement per rule."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=281_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--year", type=int, default=2014)
    parser.add_argument("--repeat", type=int, default=3, help="runs of ours; the best counts")
    parser.add_argument(
        "--returns",
        nargs="+",
        choices=["ssda903", "cin"],
        default=["ssda903", "cin"],
        help="which returns to time (default both)",
    )
    args = parser.parse_args(argv)
    if "ssda903" in args.returns:
        bench_ssda903(args)
    if "cin" in args.returns:
        bench_cin(args)
    return 0


def bench_cin(args: argparse.Namespace) -> None:
    """Time both CIN validators on one year's census; print the ratio and the agreement."""
    path = cin_census(args.children, args.seed, args.year)
    their_seconds, their_read, reference = _theirs_cin_report(path, args.year)
    ours_cin(path, args.year)  # warm imports and caches
    runs = [ours_cin(path, args.year) for _ in range(args.repeat)]
    read, rules, mine = min(runs, key=lambda run: run[0] + run[1])
    data = read_cin(path, args.year)
    sizes = ", ".join(f"{len(frame):,} {name}" for name, frame in data.tables.items() if len(frame))
    print(f"CIN census {args.year}, city of {args.children:,} children: {sizes}")
    print(
        f"  csc-validator-be-cin took {their_seconds:.3f} s "
        f"({their_read:.3f} s turning the XML into tables, the rest its rules)"
    )
    print(
        f"  ours: read {read:.3f} s + rules {rules:.3f} s = {read + rules:.3f} s; "
        f"ratio {their_seconds / (read + rules):.0f}x (rules alone {their_seconds / rules:.0f}x)"
    )
    table = agreement(mine, reference, "cin")
    print(table[(table["ours"] > 0) | (table["theirs"] > 0)].to_string(index=False))


def bench_ssda903(args: argparse.Namespace) -> None:
    """Time both SSDA903 validators on one year; print the ratio and the agreement."""
    root = city_folder(args.children, args.seed)
    folder, last = root / str(args.year), root / str(args.year - 1)
    last_or_none = last if last.exists() else None
    their_seconds, reference = theirs(folder, args.year, last_or_none)
    rows = sum(len(pd.read_csv(p, usecols=[0])) for p in folder.glob("*.csv"))
    print(f"SSDA903 {args.year} with {args.year - 1} as last year, {args.children:,} children,")
    print(f"{rows:,} rows this year; csc-validator-be-903 took {their_seconds:.3f} s")
    mine: dict[str, set[str]] = {}
    for label, project_reader in [("read_returns", True), ("lean Arrow read", False)]:
        ours(folder, args.year, last_or_none, project_reader)  # warm imports and caches
        runs = [ours(folder, args.year, last_or_none, project_reader) for _ in range(args.repeat)]
        read, rules, mine = min(runs, key=lambda run: run[0] + run[1])
        print(
            f"  ours with {label:16}: read {read:.3f} s + rules {rules:.3f} s = "
            f"{read + rules:.3f} s; ratio {their_seconds / (read + rules):.0f}x "
            f"(rules alone {their_seconds / rules:.0f}x)"
        )
    print(agreement(mine, reference).to_string(index=False))


if __name__ == "__main__":
    sys.exit(main())
