"""What children's social care costs: the config the budget turns a projection into money with.

``costs.yaml`` here is the default; a council passes its own. Every figure carries its source
(a published figure named in ``CALIBRATION.md``, the workforce export, or an assumption said to
be one) so the workbook's Assumptions sheet can show finance where each number came from.

Money is in pounds at the prices of a financial year (``price_year``: 2013 means 2013-14).
``Inflation`` moves a figure from its price year to the year it is spent in, compounding each
year's rate; a figure from a later year than the forecast is deflated the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from turnaround.errors import ConfigError, describe_invalid
from turnaround.forecast.states import LOOKED_AFTER, STATES
from turnaround.store import Store

CASE_STATES: tuple[str, ...] = ("in_need", "child_protection", *LOOKED_AFTER)
"""States that are open cases, each needing a social worker."""

PLACEMENT_LINE: dict[str, str] = {
    "fostering_in_house": "fostering",
    "fostering_agency": "fostering",
    "family_and_friends": "fostering",
    "residential_in_house": "residential",
    "residential_external": "residential",
    "secure": "residential",
    "supported_accommodation": "other_placements",
    "placed_with_parents": "other_placements",
    "placed_for_adoption": "other_placements",
    "other_looked_after": "other_placements",
}
"""The Section 251 line each placement category's cost falls in (secure units count as
residential care; family and friends foster care as fostering, as in the outturn returns)."""

SERVICE_LINES: tuple[str, ...] = (
    "residential",
    "fostering",
    "other_placements",
    "social_work",
    "safeguarding",
    "early_help",
    "overheads",
)
"""The lines of the service itself, whoever runs it."""

CONTRACT_LINES: tuple[str, ...] = ("commissioning", "trust_fee", "trust_set_up")
"""The lines a contract with a trust adds."""

LINE_LABELS: dict[str, str] = {
    "residential": "Looked after: residential",
    "fostering": "Looked after: fostering",
    "other_placements": "Looked after: other placements",
    "social_work": "Social work",
    "safeguarding": "Safeguarding",
    "early_help": "Early help",
    "overheads": "Overheads",
    "commissioning": "Commissioning (client side)",
    "trust_fee": "Trust management fee",
    "trust_set_up": "Trust set-up",
}
"""Budget lines as finance reads them."""


def financial_year(value: object) -> int:
    """A financial year as its starting calendar year: 2013, '2013', '2013-14' all mean 2013."""
    if isinstance(value, bool):
        raise ValueError("a financial year is written 2013-14 or 2013")
    if isinstance(value, int):
        year = value
    elif isinstance(value, str):
        text = value.strip()
        head, _, tail = text.partition("-")
        if not head.isdigit() or len(head) != 4:
            raise ValueError(f"{value!r} is not a financial year such as 2013-14")
        year = int(head)
        if tail and (not tail.isdigit() or int(tail) % 100 != (year + 1) % 100):
            raise ValueError(f"{value!r} is not a financial year such as 2013-14")
    else:
        raise ValueError("a financial year is written 2013-14 or 2013")
    if not 1990 <= year <= 2100:
        raise ValueError(f"financial year {year} is out of range")
    return year


FinancialYear = Annotated[int, BeforeValidator(financial_year)]
"""A financial year in a config file: '2013-14' or 2013, held as 2013."""


def year_label(year: int) -> str:
    """2013 -> '2013-14'."""
    return f"{year}-{(year + 1) % 100:02d}"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Sourced(_Model):
    """A number and where it came from."""

    value: float = Field(ge=0)
    source: str = Field(min_length=1)


class UnitCost(_Model):
    """The weekly cost of one child in one placement category."""

    weekly: float = Field(ge=0)
    price_year: FinancialYear
    provider: str = Field(pattern=r"^(in_house|external|none)$")
    source: str = Field(min_length=1)


class Inflation(_Model):
    """Price growth per financial year: ``rates[2015]`` is 2015-16 prices over 2014-15's."""

    default: float = Field(ge=-0.5, le=1.0)
    rates: dict[int, float] = Field(default_factory=dict)
    source: str = Field(min_length=1)

    @field_validator("rates", mode="before")
    @classmethod
    def _years(cls, value: object) -> object:
        if isinstance(value, Mapping):
            return {financial_year(k): v for k, v in value.items()}
        return value

    @field_validator("rates")
    @classmethod
    def _range(cls, value: dict[int, float]) -> dict[int, float]:
        bad = [year_label(y) for y, r in value.items() if not -0.5 <= r <= 1.0]
        if bad:
            raise ValueError(f"rates must be between -0.5 and 1.0 (years {', '.join(bad)})")
        return value

    def rate(self, year: int) -> float:
        """The rate for the financial year starting in ``year``."""
        return self.rates.get(year, self.default)

    def factor(self, from_year: int, to_year: int) -> float:
        """What £1 at ``from_year`` prices costs in ``to_year``: the yearly rates compounded."""
        factor = 1.0
        for year in range(from_year + 1, to_year + 1):
            factor *= 1.0 + self.rate(year)
        for year in range(to_year + 1, from_year + 1):
            factor /= 1.0 + self.rate(year)
        return factor


class Staffing(_Model):
    """Social workers: how many, what they cost, and the premium paid for agency cover.

    A year's cost is ``fte * salary * (1 + on_costs) * (1 + agency_share * agency_premium)``:
    an agency worker costs ``1 + agency_premium`` times a permanent one, on-costs included.
    With ``caseload`` set, the FTE follows demand instead: open cases (in need, on a plan or
    looked after) averaged over the year, divided by the caseload per worker.
    """

    social_workers_fte: Sourced
    salary: Sourced
    on_costs: Sourced
    agency_premium: Sourced
    agency_share: Sourced
    caseload: Sourced | None = None
    price_year: FinancialYear

    @model_validator(mode="after")
    def _shares(self) -> Staffing:
        if self.agency_share.value > 1:
            raise ValueError("agency_share is a share of FTE, between 0 and 1")
        if self.caseload is not None and self.caseload.value <= 0:
            raise ValueError("caseload must be above 0 cases per worker")
        return self

    def cost_per_fte(self) -> float:
        """One FTE's yearly cost at ``price_year`` prices, with on-costs and the agency mix."""
        return (
            self.salary.value
            * (1 + self.on_costs.value)
            * (1 + self.agency_share.value * self.agency_premium.value)
        )


class Overheads(_Model):
    """Premises, IT, business support and management: a share of social workers' basic pay.

    Tied to pay, not to agency rates or on-costs, because overheads follow heads: moving staff
    from agency to permanent contracts does not change the desks they need.
    """

    rate: Sourced


class ServiceLine(_Model):
    """A budget line that does not follow placements: a fixed sum, optionally per child.

    ``annual`` is pounds a year; ``weekly_per_child`` (if set) is added for every child-week in
    ``states``.
    """

    annual: float = Field(ge=0)
    weekly_per_child: float = Field(default=0.0, ge=0)
    states: tuple[str, ...] = ()
    price_year: FinancialYear
    source: str = Field(min_length=1)

    @field_validator("states")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in value if s not in STATES]
        if unknown:
            raise ValueError(f"unknown care states: {', '.join(unknown)}")
        return value


class CostConfig(_Model):
    """The whole cost file."""

    unit_costs: dict[str, UnitCost]
    inflation: Inflation
    staffing: Staffing
    overheads: Overheads
    safeguarding: ServiceLine
    early_help: ServiceLine

    @field_validator("unit_costs")
    @classmethod
    def _every_placement(cls, value: dict[str, UnitCost]) -> dict[str, UnitCost]:
        unknown = sorted(set(value) - set(LOOKED_AFTER))
        missing = [s for s in LOOKED_AFTER if s not in value]
        problems = []
        if unknown:
            problems.append(f"not looked-after states: {', '.join(unknown)}")
        if missing:
            problems.append(f"missing: {', '.join(missing)}")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    def weekly(self, state: str, year: int) -> float:
        """The weekly cost of a child in ``state`` at ``year`` prices."""
        unit = self.unit_costs[state]
        return unit.weekly * self.inflation.factor(unit.price_year, year)

    def assumptions(self) -> list[Assumption]:
        """Every figure in the file with its unit, price year and source, for people to check."""
        rows = [
            Assumption(
                "Placement cost (weekly)",
                state,
                unit.weekly,
                "£ a week",
                unit.price_year,
                f"{unit.provider.replace('_', '-')}; {unit.source}",
            )
            for state, unit in self.unit_costs.items()
        ]
        inflation = self.inflation
        rows.append(
            Assumption(
                "Inflation", "default rate", inflation.default, "a year", None, inflation.source
            )
        )
        rows += [
            Assumption("Inflation", year_label(y), r, "a year", y, inflation.source)
            for y, r in sorted(inflation.rates.items())
        ]
        staff = self.staffing
        units = {
            "social_workers_fte": "FTE",
            "salary": "£ a year",
            "on_costs": "share of salary",
            "agency_premium": "share of permanent cost",
            "agency_share": "share of FTE",
            "caseload": "cases per FTE",
        }
        for key, unit_text in units.items():
            figure = getattr(staff, key)
            if figure is not None:
                rows.append(
                    Assumption(
                        "Staffing", key, figure.value, unit_text, staff.price_year, figure.source
                    )
                )
        rows.append(
            Assumption(
                "Overheads",
                "rate",
                self.overheads.rate.value,
                "share of basic pay",
                None,
                self.overheads.rate.source,
            )
        )
        for name in ("safeguarding", "early_help"):
            line: ServiceLine = getattr(self, name)
            rows.append(
                Assumption(
                    name.replace("_", " ").capitalize(),
                    "annual",
                    line.annual,
                    "£ a year",
                    line.price_year,
                    line.source,
                )
            )
            if line.weekly_per_child:
                rows.append(
                    Assumption(
                        name.replace("_", " ").capitalize(),
                        "per child in " + ", ".join(line.states),
                        line.weekly_per_child,
                        "£ a week",
                        line.price_year,
                        line.source,
                    )
                )
        return rows

    def merged(self, changes: Mapping[str, Any], *, label: str = "changes") -> CostConfig:
        """A copy with ``changes`` (a nested mapping in the file's layout) laid over it."""
        data = merge(self.model_dump(), changes)
        try:
            return CostConfig.model_validate(data)
        except ValidationError as exc:
            raise ConfigError(f"{label}: {describe_invalid(exc)}") from None


class TrustTerms(_Model):
    """A trust runs the service under contract: its own costs, and what the contract adds.

    - ``set_up``: one-off pounds, paid in the first forecast year, in cash (not inflated).
    - ``management_fee``: a share of the contract value (the lines in ``scope``), every year.
    - ``client_side``: the council's commissioning and contract-management team, a year.
    - ``tupe_on_costs``: staff transfer on their existing terms (TUPE), so pay is unchanged;
      this is what the trust's pension admission adds to employer on-costs.
    - ``unit_costs``: the trust's own placement costs, for the categories it prices itself.
    """

    set_up: Sourced
    management_fee: Sourced
    client_side: Sourced
    price_year: FinancialYear
    tupe_on_costs: Sourced
    unit_costs: dict[str, UnitCost] = Field(default_factory=dict)
    scope: tuple[str, ...] = SERVICE_LINES

    @field_validator("unit_costs")
    @classmethod
    def _placements(cls, value: dict[str, UnitCost]) -> dict[str, UnitCost]:
        unknown = sorted(set(value) - set(LOOKED_AFTER))
        if unknown:
            raise ValueError(f"not looked-after states: {', '.join(unknown)}")
        return value

    @field_validator("scope")
    @classmethod
    def _lines(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [line for line in value if line not in SERVICE_LINES]
        if unknown:
            raise ValueError(f"not service lines: {', '.join(unknown)}")
        return value

    def delivery_costs(self, costs: CostConfig) -> CostConfig:
        """What the service costs the trust to run: its unit costs, transferred staff's terms."""
        staffing = costs.staffing
        on_costs = Sourced(
            value=staffing.on_costs.value + self.tupe_on_costs.value,
            source=f"{staffing.on_costs.source} Plus, for staff transferred under TUPE: "
            f"{self.tupe_on_costs.source}",
        )
        return costs.model_copy(
            update={
                "unit_costs": {**costs.unit_costs, **self.unit_costs},
                "staffing": staffing.model_copy(update={"on_costs": on_costs}),
            }
        )

    def assumptions(self) -> list[Assumption]:
        """The contract's figures with their sources, for the Assumptions sheet."""
        rows = [
            Assumption(
                "Trust",
                "set-up (one-off, year 1)",
                self.set_up.value,
                "£",
                None,
                self.set_up.source,
            ),
            Assumption(
                "Trust",
                "management fee",
                self.management_fee.value,
                "share of contract value",
                None,
                self.management_fee.source,
            ),
            Assumption(
                "Trust",
                "client side",
                self.client_side.value,
                "£ a year",
                self.price_year,
                self.client_side.source,
            ),
            Assumption(
                "Trust",
                "TUPE on-costs",
                self.tupe_on_costs.value,
                "share of salary",
                None,
                self.tupe_on_costs.source,
            ),
        ]
        rows += [
            Assumption(
                "Trust placement cost (weekly)",
                state,
                unit.weekly,
                "£ a week",
                unit.price_year,
                unit.source,
            )
            for state, unit in self.unit_costs.items()
        ]
        return rows


@dataclass(frozen=True)
class Assumption:
    """One row of the Assumptions sheet."""

    group: str
    item: str
    value: float
    unit: str
    price_year: int | None
    source: str


def merge(base: Mapping[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``changes`` laid over it, recursing into mappings present in both."""
    out = dict(base)
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def read_yaml(path: Path | str | None, *, package: str, name: str) -> tuple[Any, str]:
    """The parsed YAML at ``path`` (or the packaged ``name``) and a label naming the file."""
    if path is None:
        text = resources.files(package).joinpath(name).read_text(encoding="utf-8")
        label = f"{name} (shipped)"
    else:
        file = Path(path)
        if not file.is_file():
            raise ConfigError(f"{file}: no such file")
        text, label = file.read_text(encoding="utf-8"), str(file)
    try:
        return yaml.safe_load(text), label
    except yaml.YAMLError as exc:
        raise ConfigError(f"{label}: not valid YAML: {str(exc).splitlines()[0]}") from None


def load_costs(path: Path | str | None = None, *, store: Store | None = None) -> CostConfig:
    """The cost file at ``path`` (or the shipped default), staffed from the store if it can be.

    A bad file raises ConfigError naming the file and every bad key.
    """
    raw, label = read_yaml(path, package="turnaround.budget", name="costs.yaml")
    try:
        costs = CostConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(f"{label}: {describe_invalid(exc)}") from None
    if store is not None:
        costs = costs.model_copy(update={"staffing": staffing_from_store(store, costs.staffing)})
    return costs


def staffing_from_store(store: Store, staffing: Staffing) -> Staffing:
    """Social worker FTE and agency share from the loaded workforce export, if there is one.

    Counts case-holding social workers and senior practitioners still in post (no leaving date).
    Without a workforce export the defaults stand.
    """
    if not store.table_exists("workforce_staff"):
        return staffing
    row = store.fetchone(
        "select sum(fte), sum(case when agency then fte else 0 end), any_value(load_id) "
        "from workforce_staff "
        "where role in ('social_worker', 'senior_practitioner') and leave_date is null",
        step="counting social workers in post",
    )
    if row is None or not row[0]:
        return staffing
    fte, agency, load_id = float(row[0]), float(row[1] or 0.0), row[2]
    where = (
        f"workforce export in the store (load {load_id}): social workers and senior "
        "practitioners in post"
    )
    return staffing.model_copy(
        update={
            "social_workers_fte": Sourced(value=round(fte, 2), source=where),
            "agency_share": Sourced(value=round(agency / fte, 4), source=f"{where}, agency FTE"),
        }
    )
