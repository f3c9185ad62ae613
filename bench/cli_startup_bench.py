"""Time how fast the CLI starts, against bare Typer and Rich measured in the same run.

Issue 14's target: ``turnaround --help`` and ``turnaround users list`` each start within 5× the
time of ``python -c "import typer, rich.console"``. Every figure is the best of --repeat runs of
a fresh interpreter (the same one running this script), the three taken in turns, so a busy
machine slows the baseline and the commands alike. ``users list`` runs on a workspace created
for the bench, with one administrator in it, as the user the CLI acts as.

    .venv/bin/python bench/cli_startup_bench.py
    .venv/bin/python bench/cli_startup_bench.py --repeat 11
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TARGET_RATIO = 5.0
BENCH_USER = "bench-admin"
BASELINE = "import typer, rich.console"


@dataclass(frozen=True)
class Timing:
    """One run: the wall-clock seconds, and the CPU seconds (user + system) the child used."""

    wall: float
    cpu: float


def run(args: list[str], env: dict[str, str], cwd: str, stdin: str | None = None) -> Timing:
    """Time one fresh interpreter running ``args``; a failure stops the bench."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args],
        env=env,
        cwd=cwd,  # not the repo, so ``-m turnaround`` is the installed (or PYTHONPATH) package
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Timing(wall, cpu)


def best_of(
    repeat: int, commands: dict[str, list[str]], env: dict[str, str], cwd: str
) -> dict[str, Timing]:
    """Each command's fastest of ``repeat`` runs, taken in turns so a busy spell hits them all."""
    runs: dict[str, list[Timing]] = {name: [] for name in commands}
    for _ in range(repeat):
        for name, argv in commands.items():
            runs[name].append(run(argv, env, cwd))
    return {
        name: Timing(min(t.wall for t in timings), min(t.cpu for t in timings))
        for name, timings in runs.items()
    }


def main() -> None:
    """Print the baseline, each command's start-up time and ratio; exit 1 over the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="runs per figure (best is kept)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cli-startup-") as tmp:
        workspace = str(Path(tmp) / "workspace")
        env = {k: v for k, v in os.environ.items() if not k.startswith("TURNAROUND_")}
        env["TURNAROUND_WORKSPACE"] = workspace
        # Creating the store (migrations) and its first user happen once, outside the timing.
        run(
            ["-m", "turnaround", "users", "add", BENCH_USER, "--role", "administrator",
             "--password-stdin"],
            env,
            tmp,
            stdin="bench-password-long-enough\n",
        )  # fmt: skip
        env["TURNAROUND_USER"] = BENCH_USER
        cli = ["-m", "turnaround"]
        times = best_of(
            args.repeat,
            {
                BASELINE: ["-c", "import typer, rich.console"],
                "turnaround --help": [*cli, "--help"],
                "turnaround users list": [*cli, "--workspace", workspace, "users", "list"],
            },
            env,
            tmp,
        )
    baseline = times[BASELINE]

    print(f"CLI start-up, best of {args.repeat} runs each (wall clock, and CPU used by the child)")
    print(f"  {'':<28} {'wall':>8} {'ratio':>7}   {'cpu':>8} {'ratio':>7}")
    worst = 0.0
    for name, t in times.items():
        wall_ratio, cpu_ratio = t.wall / baseline.wall, t.cpu / baseline.cpu
        print(f"  {name:<28} {t.wall:7.3f}s {wall_ratio:6.2f}×   {t.cpu:7.3f}s {cpu_ratio:6.2f}×")
        worst = max(worst, wall_ratio)
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"worst wall-clock ratio {worst:.2f}× — {verdict} the {TARGET_RATIO:g}× target")
    if worst > TARGET_RATIO:
        sys.exit(1)


if __name__ == "__main__":
    main()
