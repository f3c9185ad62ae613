"""Time how fast the CLI starts, against bare Typer and Rich measured in the same run.

Issue 14's target: ``turnaround --help`` and ``turnaround users list`` each start within 5× the
time of ``python -c "import typer, rich.console"``. Every figure is the best of --repeat runs of
a fresh interpreter (the same one running this script), so a busy machine slows the baseline and
the commands alike. ``users list`` runs on a workspace created for the bench, with one
administrator in it, as the user the CLI acts as.

    .venv/bin/python bench/cli_startup_bench.py
    .venv/bin/python bench/cli_startup_bench.py --repeat 11
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_RATIO = 5.0
BENCH_USER = "bench-admin"


def run(args: list[str], env: dict[str, str], stdin: str | None = None) -> float:
    """Seconds one fresh interpreter takes to run ``args``; a failure stops the bench."""
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stderr}")
    return seconds


def best_of(repeat: int, args: list[str], env: dict[str, str]) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by whatever else the machine does."""
    return min(run(args, env) for _ in range(repeat))


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
            stdin="bench-password-long-enough\n",
        )  # fmt: skip
        env["TURNAROUND_USER"] = BENCH_USER

        baseline = best_of(args.repeat, ["-c", "import typer, rich.console"], env)
        cli = ["-m", "turnaround"]
        commands = {
            "turnaround --help": [*cli, "--help"],
            "turnaround users list": [*cli, "--workspace", workspace, "users", "list"],
        }
        times = {name: best_of(args.repeat, argv, env) for name, argv in commands.items()}

    print(f"CLI start-up, best of {args.repeat} runs each")
    print(f"  {'import typer, rich.console':<28} {baseline:7.3f} s   1.00×  (baseline)")
    worst = 0.0
    for name, seconds in times.items():
        ratio = seconds / baseline
        worst = max(worst, ratio)
        print(f"  {name:<28} {seconds:7.3f} s  {ratio:5.2f}×")
    verdict = "within" if worst <= TARGET_RATIO else "OVER"
    print(f"worst ratio {worst:.2f}× — {verdict} the {TARGET_RATIO:g}× target")
    if worst > TARGET_RATIO:
        sys.exit(1)


if __name__ == "__main__":
    main()
