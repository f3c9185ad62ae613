"""The web app under 50 concurrent users, on a workspace with every stage run.

``turnaround serve`` runs in its own process over a workspace built by ``web_store.py``
(Birmingham scale by default, built once and kept). One demo user per role signs in through the
real sign-in form; then 50 virtual users (the six roles in turn) each request the pages their
role may see, in random order, for ``--seconds``, from a load generator on loopback in this
process. Every response is timed from request to last byte.

It prints the first (cold) hit of each page, then p50, p95 and p99 per page and overall, and the
errors. The baseline is the sign-in page, a template with no data behind it, under the same load
in the same session: the ratio says what the data costs. The target (issue 9) is absolute: p95
under 200 ms with no errors.

    .venv/bin/python bench/web_bench.py                                   # Birmingham scale
    .venv/bin/python bench/web_bench.py --city /tmp/c25 --workspace /tmp/ws25 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import httpx
from web_store import DEFAULT_CITY, DEFAULT_WORKSPACE, build_workspace, ensure_city

TARGET_P95_MS = 200.0
USERS = 50
# (path, action): what each role may open is decided by turnaround.access.may.
PAGES: tuple[tuple[str, str], ...] = (
    ("/overview", "view-aggregates"),
    ("/measures", "view-aggregates"),
    ("/measures/rereferrals_12m", "view-aggregates"),
    ("/unknown", "view-aggregates"),
    ("/unknown/worklist", "view-worklist"),
    ("/forecast", "view-aggregates"),
    ("/workforce", "view-aggregates"),
    ("/workforce/teams/{team}", "view-team"),
    ("/plan", "view-plan"),
    ("/plan/board", "view-plan"),
    ("/plan/history", "view-plan"),
    ("/data", "load-data"),
    ("/audit", "view-audit"),
)
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


def prepare(workspace: Path) -> tuple[dict[str, str], str | None]:
    """Check in the demo plan if none is, and make one user per role; (passwords, team)."""
    from turnaround.access import Actor, create_demo_users
    from turnaround.plan.history import check_in, latest
    from turnaround.plan.model import read_plan
    from turnaround.plan.rules import demo_plan_path
    from turnaround.store import open_store

    store = open_store(workspace / "turnaround.duckdb")
    try:
        if latest(store) is None:
            check_in(store, Actor.cli("bench"), read_plan(demo_plan_path()), note="bench")
        passwords = create_demo_users(store)
        row = store.fetchone("select team from users where username = 'demo_team_manager'")
    finally:
        store.close()
    return passwords, None if row is None or row[0] is None else str(row[0])


def free_port() -> int:
    """A port nothing is listening on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(workspace: Path, port: int) -> subprocess.Popen[bytes]:
    """``turnaround serve`` in its own process, once it answers."""
    env = {**os.environ, "TURNAROUND_SECRET_KEY": secrets.token_hex(32)}
    turnaround = Path(sys.executable).with_name("turnaround")
    server = subprocess.Popen(
        [str(turnaround), "--workspace", str(workspace), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("the server did not answer within 120 s")


async def sign_in(client: httpx.AsyncClient, username: str, password: str) -> None:
    """Sign in through the real form, CSRF token and all."""
    page = await client.get("/login")
    found = _CSRF.search(page.text)
    assert found, "no CSRF token on the sign-in page"
    done = await client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": found.group(1)},
    )
    assert done.status_code == 303, f"{username} could not sign in: {done.status_code}"


def pages_for(role: str, team: str | None) -> list[str]:
    """The pages ``role`` may open."""
    from turnaround.access import may

    return [
        path.replace("{team}", team or "")
        for path, action in PAGES
        if may(role, action) and ("{team}" not in path or team)
    ]


async def single_user(
    base: str, passwords: dict[str, str], team: str | None
) -> dict[str, tuple[float, float]]:
    """Each page twice in a row by one administrator: the first hit fills the caches."""
    times: dict[str, tuple[float, float]] = {}
    async with httpx.AsyncClient(base_url=base, timeout=300) as client:
        await sign_in(client, "demo_administrator", passwords["demo_administrator"])
        for path in pages_for("administrator", team):
            hits = []
            for _ in range(2):
                t0 = time.perf_counter()
                response = await client.get(path)
                hits.append(time.perf_counter() - t0)
                if response.status_code != 200:
                    print(f"  {path}: status {response.status_code}")
            times[path] = (hits[0], hits[1])
    return times


async def load(
    base: str,
    passwords: dict[str, str],
    team: str | None,
    seconds: float,
    only: str | None = None,
    think: tuple[float, float] = (0.0, 0.0),
) -> tuple[dict[str, list[float]], list[str]]:
    """``USERS`` virtual users for ``seconds``, each pausing ``think`` seconds (uniform) between
    pages; latencies by page, and every error."""
    from turnaround.access import ROLES

    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    # Everyone signs in first (argon2 is slow on purpose); the clock starts when all have.
    signed_in = asyncio.Barrier(USERS)
    stop = [0.0]
    limits = httpx.Limits(max_connections=USERS, max_keepalive_connections=USERS)

    async def user(index: int) -> None:
        role = ROLES[index % len(ROLES)]
        rng = random.Random(index)
        pages = [only] if only else pages_for(role, team)
        async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
            await sign_in(client, f"demo_{role}", passwords[f"demo_{role}"])
            if await signed_in.wait() == 0:
                stop[0] = time.monotonic() + seconds
            # People do not click in step: each starts somewhere in their first read.
            await asyncio.sleep(rng.uniform(0.0, think[1]))
            while time.monotonic() < stop[0]:
                path = rng.choice(pages)
                t0 = time.perf_counter()
                try:
                    response = await client.get(path)
                    elapsed = time.perf_counter() - t0
                    if response.status_code != 200:
                        errors.append(f"{role} {path}: {response.status_code}")
                except httpx.HTTPError as exc:
                    elapsed = time.perf_counter() - t0
                    errors.append(f"{role} {path}: {type(exc).__name__}")
                latencies[path].append(elapsed)
                if think[1] > 0:
                    await asyncio.sleep(rng.uniform(*think))

    await asyncio.gather(*(user(i) for i in range(USERS)))
    return latencies, errors


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) in milliseconds."""
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def main() -> None:
    """Build or reuse the workspace, serve it, and load it."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--city", type=Path, default=DEFAULT_CITY)
    parser.add_argument("--children", type=int, default=281_000, help="if generating")
    parser.add_argument("--workspace", type=Path, default=DEFAULT_WORKSPACE)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument(
        "--think",
        type=float,
        nargs=2,
        default=(1.0, 3.0),
        metavar=("MIN", "MAX"),
        help="seconds a user reads a page before the next (default 1 to 3)",
    )
    args = parser.parse_args()
    ensure_city(args.city, args.children)
    build_workspace(args.city, args.workspace)
    passwords, team = prepare(args.workspace)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(args.workspace, port)
    try:
        print(
            f"workspace {args.workspace}, {USERS} users reading each page for "
            f"{args.think[0]:g} to {args.think[1]:g} s, {args.seconds:.0f} s per run"
        )
        single = asyncio.run(single_user(base, passwords, team))
        print("one user alone, each page twice (the first hit fills the caches):")
        for path, (first, second) in single.items():
            print(f"  {path:32} first {first * 1000:7.0f} ms   then {second * 1000:6.1f} ms")
        think = (args.think[0], args.think[1])
        base_lat, base_err = asyncio.run(
            load(base, passwords, team, args.seconds / 2, "/login", think)
        )
        baseline = percentile(base_lat["/login"], 95)
        print(
            f"baseline: the sign-in page under the same load, p95 {baseline:.1f} ms "
            f"({len(base_lat['/login'])} requests, {len(base_err)} errors)"
        )
        latencies, errors = asyncio.run(load(base, passwords, team, args.seconds, None, think))
    finally:
        server.terminate()
        server.wait(timeout=30)
    every = [t for values in latencies.values() for t in values]
    print(f"{'page':32} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'p95/base':>9}")
    for path in sorted(latencies):
        values = latencies[path]
        p95 = percentile(values, 95)
        print(
            f"{path:32} {len(values):9d} {percentile(values, 50):8.1f} {p95:8.1f} "
            f"{percentile(values, 99):8.1f} {p95 / baseline:9.2f}"
        )
    p95 = percentile(every, 95)
    print(
        f"{'all pages':32} {len(every):9d} {percentile(every, 50):8.1f} {p95:8.1f} "
        f"{percentile(every, 99):8.1f} {p95 / baseline:9.2f}"
    )
    print(f"throughput: {len(every) / args.seconds:.0f} requests/s; errors: {len(errors)}")
    for line in sorted(set(errors))[:20]:
        print(f"  {line}")
    verdict = "met" if p95 < TARGET_P95_MS and not errors else "NOT met"
    print(f"target p95 < {TARGET_P95_MS:.0f} ms with no errors: {verdict}")


if __name__ == "__main__":
    main()
