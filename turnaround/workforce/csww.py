"""The DfE's children's social work workforce census (CSWW), read into the store's workforce tables.

The census is one record per child and family social worker employed, or working through an
agency, at any time in the year to 30 September. The DfE collects it as XML through COLLECT:
``<Message>`` holds a ``<Header>`` (``CollectionDetails``: ``Collection`` CSWW, ``Year``,
``ReferenceDate``), one ``<LALevelVacancies>`` (``NumberOfVacancies``, ``NoAgencyFTE``,
``NoAgencyHeadcount``) and a ``<CSWWWorker>`` per worker. The worker items, in the DfE's names,
follow the census specification and guide for the years ending 30 September 2021 and 2022 (DfE,
"Children's social work workforce census: technical specification" and "guide", July 2021 and
2022; the 2022 XSD as Social Finance's liia-tools reproduces it, read 2025): AgencyWorker,
SWENo, FTE, PersonBirthDate, GenderCurrent, Ethnicity, QualInst, QualLevel, StepUpGrad, OrgRole,
RoleStartDate, StartOrigin, RoleEndDate, LeaverDestination, ReasonLeave, FTE30, Cases30,
WorkingDaysLost, ContractWeeks, FrontlineGrad, Absat30Sept, ReasonAbsence, CFKSSstatus.

A CSV with those items as its header, one row per worker (how councils and Social Finance's
tools keep the census outside COLLECT), is read the same way. It has no header block, so its
census day is the 30 September of a ``Year`` column, else of a year in the file's name, else
the one on or after the latest date in it; a query says which.

What the census gives the store, and what it cannot:

- ``workforce_staff``: one row per worker. ``SWENo`` is the staff id; ``OrgRole`` the role (1
  senior manager is read as head of service, 2 middle manager as service manager, 3 first line
  manager as team manager, 4 senior practitioner, 5 case holder and 6 qualified without cases
  as social worker); ``AgencyWorker`` the agency flag; ``FTE`` the FTE (a leaver's 0 becomes
  their ``FTE30``, the FTE a year earlier, when given); ``RoleStartDate`` and ``RoleEndDate``
  the dates. Case holders are OrgRole 4 and 5, or anyone with ``Cases30`` above 0.
- ``workforce_vacancies``: one row for the whole authority from ``LALevelVacancies`` (XML only):
  vacant FTE and agency cover as returned, the permanent FTE in post on the census day as the
  filled FTE.
- Not carried, so not loaded: teams, line managers, grades, per-team establishment, senior
  portfolios, and which child each worker holds (``Cases30`` is a count, not a list). Caseloads,
  spans of control, per-team figures, posts needed and the senior structure cannot be computed
  from a CSWW load; the workforce assessment says so. Personal items (PersonBirthDate,
  GenderCurrent, Ethnicity, QualInst) are checked but not stored: nothing downstream uses them.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import defusedxml.ElementTree as DET
import pandas as pd
from defusedxml import DefusedXmlException

from turnaround.core.years import collection_year
from turnaround.errors import InputError
from turnaround.returns.read.safety import read_bytes, utf8_text
from turnaround.workforce.rows import WorkforceFile, dates

# A CSV holding all of these is a CSWW worker table.
CSWW_CSV_MARKERS = ("AgencyWorker", "SWENo", "FTE")

# The DfE's worker items and what each must hold.
ITEMS: dict[str, str] = {
    "AgencyWorker": "flag",
    "SWENo": "swe",
    "FTE": "fte",
    "PersonBirthDate": "personal_date",
    "GenderCurrent": "gender",
    "Ethnicity": "ethnicity",
    "QualInst": "text",
    "QualLevel": "qual_level",
    "StepUpGrad": "flag_optional",
    "OrgRole": "org_role",
    "RoleStartDate": "date",
    "StartOrigin": "start_origin",
    "RoleEndDate": "date",
    "LeaverDestination": "leaver_destination",
    "ReasonLeave": "reason_leave",
    "FTE30": "fte",
    "Cases30": "count",
    "WorkingDaysLost": "amount",
    "ContractWeeks": "amount",
    "FrontlineGrad": "flag_optional",
    "Absat30Sept": "flag_optional",
    "ReasonAbsence": "reason_absence",
    "CFKSSstatus": "cfkss",
}
# Older or home-made headings for the same items (compared ignoring case and punctuation).
ALIASES = {
    "startdate": "RoleStartDate",
    "leavingdate": "RoleEndDate",
    "leavedate": "RoleEndDate",
    "enddate": "RoleEndDate",
    "cases": "Cases30",
    "caseload": "Cases30",
    "sweno": "SWENo",
    "swenumber": "SWENo",
    "agency": "AgencyWorker",
    "gender": "GenderCurrent",
}
REQUIRED = ("AgencyWorker", "SWENo", "FTE")
# Required of the council's own staff (not agency workers), as COLLECT requires them.
REQUIRED_OF_EMPLOYEES = ("OrgRole", "RoleStartDate")
PERSONAL = {"PersonBirthDate", "GenderCurrent", "Ethnicity"}

CODES: dict[str, tuple[str, ...]] = {
    "gender": ("0", "1", "2", "9"),
    "ethnicity": (
        "WBRI",
        "WIRI",
        "WIRT",
        "WOTH",
        "WROM",
        "MWBC",
        "MWBA",
        "MWAS",
        "MOTH",
        "AIND",
        "APKN",
        "ABAN",
        "AOTH",
        "BCRB",
        "BAFR",
        "BOTH",
        "CHNE",
        "OOTH",
        "REFU",
        "NOBT",
    ),
    "qual_level": ("1", "2", "3"),
    "org_role": ("1", "2", "3", "4", "5", "6"),
    "start_origin": tuple(str(n) for n in range(1, 11)),
    "leaver_destination": tuple(str(n) for n in range(1, 10)),
    "reason_leave": tuple(str(n) for n in range(1, 11)),
    "reason_absence": ("MAT", "OTH", "PUB", "SIC", "TRN", "UNA", "UNP"),
    "cfkss": ("1", "2", "3", "4"),
}
ORG_ROLES = {
    "1": "head_of_service",
    "2": "service_manager",
    "3": "team_manager",
    "4": "senior_practitioner",
    "5": "social_worker",
    "6": "social_worker",
}
CASE_HOLDING_ORG_ROLES = ("4", "5")
_SWE = re.compile(r"^[A-Za-z]{2}\d{4,12}$")
_VACANCY_ITEMS = ("NumberOfVacancies", "NoAgencyFTE", "NoAgencyHeadcount")

# What a CSWW load cannot give the store, as a query on every CSWW load.
NOT_CARRIED = (
    "CSWW carries no teams, line managers, grades, per-team establishment, senior portfolios "
    "or case allocations by child: caseloads, spans of control, per-team figures, posts "
    "needed and the senior structure cannot be computed from it; load the council's workforce "
    "export for those"
)


def read_csww(path: Path) -> tuple[dict[str, WorkforceFile], int]:
    """A CSWW file (XML or CSV) as the store's workforce tables, checked; and its year."""
    path = Path(path)
    data = read_bytes(path)
    text, _ = utf8_text(data, path, kind="XML" if path.suffix.lower() == ".xml" else "CSV")
    if text.lstrip().startswith(b"<"):
        workers, vacancies, census, how = _from_xml(text, path)
    else:
        workers, census, how = _from_csv(path)
        vacancies = None
    staff = _staff(workers, path, census)
    staff.note(None, "W-CENSUS-DAY", f"census day {census:%d/%m/%Y}: {how}", "query")
    staff.note(None, "W-NOT-CARRIED", NOT_CARRIED, "query")
    files = {name: _empty(name, path) for name in ("teams", "allocations", "senior_roles")}
    files["staff"] = staff
    files["vacancies"] = _vacancies(vacancies, staff, path, census)
    return files, collection_year(census)


# --- reading ----------------------------------------------------------------------------------


def _from_csv(path: Path) -> tuple[pd.DataFrame, date, str]:
    from turnaround.workforce.load import read_csv_text  # the export's CSV reading, shared

    raw = read_csv_text(path)
    year_column = next((c for c in raw.columns if _normal(c) == "year"), None)
    census, how = None, ""
    if year_column is not None:
        years = {v for v in raw[year_column] if re.fullmatch(r"20\d\d", v)}
        if len(years) == 1:
            census, how = date(int(years.pop()), 9, 30), f"from its {year_column} column"
    if census is None:
        named = re.search(r"(?<!\d)(20\d\d)(?!\d)", path.stem)
        if named:
            census, how = date(int(named.group(1)), 9, 30), "from the year in its file name"
    return raw, census or _census_from_dates(raw), how or "the 30 September after its dates"


def _census_from_dates(raw: pd.DataFrame) -> date:
    columns = [c for c in raw.columns if _item(c) in ("RoleStartDate", "RoleEndDate")]
    found = pd.concat([dates(raw[c]) for c in columns]) if columns else pd.Series(dtype=object)
    latest = found.dropna().max() if len(found) else pd.NaT
    if pd.isna(latest):
        raise InputError("a CSWW CSV needs a Year column, a year in its name, or dates in it")
    year = latest.year if (latest.month, latest.day) <= (9, 30) else latest.year + 1
    return date(year, 9, 30)


def _from_xml(text: bytes, path: Path) -> tuple[pd.DataFrame, dict[str, str] | None, date, str]:
    try:
        root = DET.fromstring(text)
    except (DefusedXmlException, SyntaxError) as exc:
        raise InputError(f"cannot be read as XML: {str(exc).splitlines()[0]}", path=path) from None
    if _local(root.tag) != "Message":
        raise InputError("CSWW XML must have <Message> as its root", path=path)
    # ElementTree keeps no line numbers; each worker's line is where its start tag is.
    lines = [text.count(b"\n", 0, m.start()) + 1 for m in re.finditer(rb"<CSWWWorker\b", text)]
    records = []
    for element in root.iter():
        if _local(element.tag) == "CSWWWorker":
            record: dict[str, str] = {}
            for child in element:
                name = _local(child.tag)
                value = (child.text or "").strip()
                # Items that may repeat (an absence a year, say) are kept in order.
                record[name] = f"{record[name]}; {value}" if name in record else value
            records.append(record)
    if not records:
        raise InputError("CSWW XML has no <CSWWWorker> records", path=path)
    index = lines if len(lines) == len(records) else list(range(1, len(records) + 1))
    workers = pd.DataFrame(records, index=pd.Index(index)).fillna("")
    vacancies = None
    for element in root.iter():
        if _local(element.tag) == "LALevelVacancies":
            vacancies = {_local(c.tag): (c.text or "").strip() for c in element}
            vacancies["_line"] = str(
                text.count(b"\n", 0, max(text.find(b"<LALevelVacancies"), 0)) + 1
            )
    reference = _header_item(root, "ReferenceDate")
    year = _header_item(root, "Year")
    if reference and pd.notna(dates(pd.Series([reference])).iloc[0]):
        day = dates(pd.Series([reference])).iloc[0].date()
        return workers, vacancies, day, "from the header's ReferenceDate"
    if year and re.fullmatch(r"20\d\d", year):
        return workers, vacancies, date(int(year), 9, 30), "from the header's Year"
    return workers, vacancies, _census_from_dates(workers), "the 30 September after its dates"


def _header_item(root: object, name: str) -> str | None:
    for element in root.iter():  # type: ignore[attr-defined]
        if _local(element.tag) == name and (element.text or "").strip():
            return str(element.text).strip()
    return None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _normal(name: str) -> str:
    return re.sub(r"[^0-9a-z]", "", str(name).lower())


def _item(name: str) -> str | None:
    """The DfE item a heading names, if any."""
    key = _normal(name)
    for item in ITEMS:
        if _normal(item) == key:
            return item
    return ALIASES.get(key)


# --- checking ---------------------------------------------------------------------------------


def _staff(workers: pd.DataFrame, path: Path, census: date) -> WorkforceFile:
    renamed: dict[str, str] = {}
    extra = []
    for column in workers.columns:
        item = _item(column)
        if item and item not in renamed.values():
            renamed[column] = item
        elif _normal(column) not in ("year", "la"):
            extra.append(column)
    raw = workers.rename(columns=renamed)
    missing = [item for item in REQUIRED if item not in raw.columns]
    if missing:
        raise InputError(f"lacks the CSWW items: {', '.join(missing)}", path=path)
    for item in ITEMS:
        if item not in raw.columns:
            raw[item] = ""
    raw = raw[list(ITEMS)].astype(str).map(str.strip)
    staff = WorkforceFile("staff", path, raw, pd.DataFrame(index=raw.index))
    if extra:
        staff.note(
            None, "W-EXTRA", f"extra columns kept aside, not loaded: {', '.join(extra)}", "query"
        )
    _check_items(staff)
    _to_store(staff, census)
    return staff


def _check_items(staff: WorkforceFile) -> None:
    raw = staff.raw
    employee = raw["AgencyWorker"].eq("0")
    for item, kind in ITEMS.items():
        text = raw[item]
        blank = text.eq("")
        # Personal values are never quoted back: the message says what is wrong, not what it is.
        shown = "a value" if item in PERSONAL else "'{value}'"
        if item in REQUIRED:
            staff.fail(text.index[blank], item, "CSWW-REQUIRED", "must not be blank")
        elif item in REQUIRED_OF_EMPLOYEES:
            staff.fail(
                text.index[blank & employee],
                item,
                "CSWW-REQUIRED",
                "must not be blank for a worker who is not from an agency",
            )
        given = ~blank
        if kind == "flag":
            bad = given & ~text.isin(("0", "1"))
            staff.fail(text.index[bad], item, "CSWW-CODE", shown + " is not 0 or 1")
        elif kind == "flag_optional":
            values = text.str.split("; ").explode()
            bad_rows = values[(values != "") & ~values.isin(("0", "1"))].index.unique()
            staff.fail(bad_rows, item, "CSWW-CODE", shown + " is not 0 or 1")
        elif kind == "swe":
            bad = given & ~text.str.match(_SWE)
            staff.fail(
                text.index[bad],
                item,
                "CSWW-SWENO",
                shown + " is not a Social Work England number (2 letters, then digits)",
            )
            repeated = text.duplicated(keep="first") & given
            staff.fail(text.index[repeated], item, "CSWW-UNIQUE", "{value} appears more than once")
        elif kind == "fte":
            value = pd.to_numeric(text.where(given), errors="coerce")
            bad = given & (value.isna() | value.lt(0) | value.gt(1))
            staff.fail(text.index[bad], item, "CSWW-FTE", shown + " is not an FTE from 0 to 1")
        elif kind in ("count", "amount"):
            values = text.str.split("; ").explode()
            number = pd.to_numeric(values.where(values != ""), errors="coerce")
            wrong = (values != "") & (number.isna() | number.lt(0))
            if kind == "count":
                wrong |= (values != "") & number.notna() & (number % 1 != 0)
            what = "a whole number 0 or more" if kind == "count" else "a number 0 or more"
            staff.fail(values[wrong].index.unique(), item, "CSWW-NUMBER", f"{shown} is not {what}")
        elif kind in ("date", "personal_date"):
            bad = given & dates(text).isna()
            staff.fail(text.index[bad], item, "CSWW-DATE", shown + " is not a date (yyyy-mm-dd)")
        elif kind in CODES:
            values = text.str.split("; ").explode()
            wrong = (values != "") & ~values.isin(CODES[kind])
            shown_codes = ", ".join(CODES[kind]) if len(CODES[kind]) <= 10 else "the DfE's list"
            staff.fail(
                values[wrong].index.unique(),
                item,
                "CSWW-CODE",
                f"{shown} is not a {item} code ({shown_codes})",
            )
    start, end = dates(raw["RoleStartDate"]), dates(raw["RoleEndDate"])
    staff.fail(
        raw.index[start.notna() & end.notna() & (end < start)],
        "RoleEndDate",
        "CSWW-ORDER",
        "{value} is before the RoleStartDate",
    )
    fte = pd.to_numeric(raw["FTE"], errors="coerce")
    staff.fail(
        raw.index[fte.eq(0) & raw["RoleEndDate"].eq("")],
        "FTE",
        "CSWW-FTE",
        "0 is the FTE of a leaver, but there is no RoleEndDate",
    )


def _to_store(staff: WorkforceFile, census: date) -> None:
    """The store's staff columns from the checked items; rows in error are set aside later."""
    raw = staff.raw
    clean = staff.clean
    agency = raw["AgencyWorker"].eq("1")
    role = raw["OrgRole"].map(ORG_ROLES)
    assumed = role.isna() & agency & raw["OrgRole"].eq("")
    staff.fail(
        raw.index[assumed],
        "OrgRole",
        "CSWW-ASSUMED",
        "blank for an agency worker: read as a case-holding social worker",
        severity="query",
    )
    fte = pd.to_numeric(raw["FTE"], errors="coerce")
    fte30 = pd.to_numeric(raw["FTE30"], errors="coerce")
    leaver_zero = fte.eq(0) & raw["RoleEndDate"].ne("")
    staff.fail(
        raw.index[leaver_zero & ~fte30.gt(0)],
        "FTE",
        "CSWW-ASSUMED",
        "a leaver with FTE 0 and no FTE30: counts as 0 FTE in turnover",
        severity="query",
    )
    start = dates(raw["RoleStartDate"])
    no_start = start.isna() & raw["RoleStartDate"].eq("") & agency
    year_start = pd.Timestamp(date(census.year - 1, 10, 1))
    staff.fail(
        raw.index[no_start],
        "RoleStartDate",
        "CSWW-ASSUMED",
        f"blank for an agency worker: read as in post from {year_start:%d/%m/%Y}",
        severity="query",
    )
    cases = pd.to_numeric(raw["Cases30"], errors="coerce")
    clean["staff_id"] = raw["SWENo"]
    clean["role"] = role.where(~assumed, "social_worker")
    clean["grade"] = None
    clean["team_id"] = None
    clean["manager_id"] = None
    clean["fte"] = fte.where(~(leaver_zero & fte30.gt(0)), fte30)
    clean["agency"] = agency.astype(object)
    clean["start_date"] = start.where(~no_start, year_start)
    clean["leave_date"] = dates(raw["RoleEndDate"])
    clean["holds_cases"] = (
        raw["OrgRole"].isin(CASE_HOLDING_ORG_ROLES) | assumed | cases.gt(0)
    ).astype(object)


def _vacancies(
    vacancies: dict[str, str] | None, staff: WorkforceFile, path: Path, census: date
) -> WorkforceFile:
    """The authority's one vacancy row from LALevelVacancies, or none (a CSV has none)."""
    columns = [
        "team_id", "role", "establishment_fte", "filled_fte", "vacant_fte",
        "agency_cover_fte", "at_date",
    ]  # fmt: skip
    if vacancies is None:
        item = _empty("vacancies", path, columns)
        item.note(
            None,
            "W-NOT-CARRIED",
            "no LALevelVacancies (a CSWW CSV has none): the vacancy rate cannot be computed",
            "query",
        )
        return item
    line = int(vacancies.pop("_line", "1"))
    raw = pd.DataFrame([{k: vacancies.get(k, "") for k in _VACANCY_ITEMS}], index=[line])
    item = WorkforceFile("vacancies", path, raw, pd.DataFrame(index=raw.index))
    numbers = {}
    for name in ("NumberOfVacancies", "NoAgencyFTE"):
        value = pd.to_numeric(raw[name], errors="coerce")
        item.fail(
            raw.index[value.isna() | value.lt(0)],
            name,
            "CSWW-NUMBER",
            "'{value}' is not a number 0 or more",
        )
        numbers[name] = value
    clean = staff.clean
    day = pd.Timestamp(census)
    in_post = (
        ~clean.index.isin(staff.error_lines)
        & clean["agency"].eq(False)
        & clean["start_date"].le(day)
        & (clean["leave_date"].isna() | clean["leave_date"].gt(day))
    )
    filled = float(clean.loc[in_post, "fte"].sum())
    vacant = numbers["NumberOfVacancies"]
    item.clean = pd.DataFrame(
        {
            "team_id": "LA",
            "role": "social_worker",
            "establishment_fte": filled + vacant,
            "filled_fte": filled,
            "vacant_fte": vacant,
            "agency_cover_fte": numbers["NoAgencyFTE"],
            "at_date": day,
        },
        index=raw.index,
    )
    return item


def _empty(name: str, path: Path, columns: list[str] | None = None) -> WorkforceFile:
    from turnaround.workforce.load import LAYOUT  # the store columns of each table

    wanted = columns or list(LAYOUT[name].values())
    frame = pd.DataFrame({c: pd.Series(dtype=object) for c in wanted})
    return WorkforceFile(name, path, pd.DataFrame(), frame)
