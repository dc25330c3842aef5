"""The benchmark scripts in bench/ run (`--quick`), exit 0 and print figures that parse.

Speed is not asserted here: a quick run on a shared machine says nothing about it. What is
pinned down is that every script still runs end to end and prints each RATIO (and GOAL) line
it promises, with numbers and a verdict that agree with each other.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

# The line formats of bench/_common.py (`ratio` and `goal`).
RATIO = re.compile(
    r"^RATIO (?P<name>\S+) (?P<value>[0-9.]+)x"
    r"(?: goal (?P<op><=|>=) (?P<goal>[0-9.]+)x (?P<verdict>PASS|MISS))? \| (?P<what>.+)$"
)
GOAL = re.compile(
    r"^GOAL (?P<name>\S+) (?P<value>[0-9.]+) (?P<unit>\S+) goal (?P<op><=|>=) "
    r"(?P<goal>[0-9.]+) (?P<verdict>PASS|MISS) \| (?P<what>.+)$"
)

# Script → the RATIO lines (with a goal, or None) and GOAL lines it must print.
PROMISED = {
    "p1_throughput": {
        "RATIO": {"p1.url.dave_over_bare": True, "p1.b64_json.dave_over_bare": True},
        "GOAL": set(),
    },
    "p2_polling": {
        "RATIO": {
            "p2.cold.polls_dave_over_fixed": True,
            "p2.warm.polls_dave_over_fixed": True,
            "p2.cold.lag_p50_dave_over_fixed": False,
            "p2.warm.lag_p50_dave_over_fixed": False,
        },
        "GOAL": {"p2.cold.lag_p50", "p2.warm.lag_p50"},
    },
    "p3_download": {
        "RATIO": {
            "p3.download_throughput_dave_over_curl_file": True,
            "p3.kept_throughput_dave_over_curl_file_fsync": True,
            "p3.download_throughput_dave_over_bare_httpx2_file": False,
            "p3.download_throughput_dave_over_curl_devnull": False,
        },
        "GOAL": {"p3.rss_growth"},
    },
    "p4_startup": {
        "RATIO": {
            "p4.help_over_python_pass": True,
            "p4.help_over_import_httpx2": False,
            "p4.assets_help_over_python_pass": False,
            "p4.help_over_python_pass.as_given": True,
            "p4.help_over_import_httpx2.as_given": False,
            "p4.assets_help_over_python_pass.as_given": False,
        },
        "GOAL": set(),
    },
    "p5_library": {
        "RATIO": {
            "p5.assets_list_over_python_pass": False,
            "p5.assets_search_fox_over_python_pass": False,
            "p5.assets_search_zebra_over_python_pass": False,
        },
        "GOAL": {"p5.assets_list", "p5.assets_search_fox", "p5.assets_search_zebra"},
    },
    "p6_agent_loop": {
        "RATIO": {"p6.loop_over_bare": False, "p6.manager_over_bare": False},
        "GOAL": {"p6.loop_overhead_per_turn", "p6.manager_overhead_per_turn"},
    },
    "p8_publish": {
        "RATIO": {"p8.put_throughput_dave_over_bare": True},
        "GOAL": {
            "p8.rss_growth",
            "p8.republish_time",
            "p8.republish_requests",
            "p8.republish_bytes_sent",
        },
    },
    "p9_gallery": {
        "RATIO": {
            "p9.first_page_over_store": False,
            "p9.search_over_store": False,
            "p9.ws_latency_over_echo": False,
        },
        "GOAL": {"p9.first_page", "p9.search", "p9.ws_latency_p50"},
    },
    "p11_workers": {
        "RATIO": {"p11.throughput_4_over_1": True, "p11.throughput_2_over_1": False},
        "GOAL": {"p11.claim_p50", "p11.posts_per_job"},
    },
    "p10_mcp": {
        "RATIO": {"p10.mcp_call_over_studio": False},
        "GOAL": {"p10.overhead_per_call", "p10.job_status_round_trip"},
    },
}


def _meets(value: float, op: str, goal: float) -> bool:
    return value <= goal if op == "<=" else value >= goal


def _check_verdict(match: re.Match[str]) -> None:
    value, goal = float(match["value"]), float(match["goal"])
    # A goal of 0 only as a ceiling: "sends nothing" (p8's republish bytes).
    assert math.isfinite(goal) and (goal > 0 or (goal == 0 and match["op"] == "<=")), match.group(0)
    # Printed with 3 decimals: a value within rounding of the goal may read either way.
    if abs(value - goal) > 1e-3:
        expected = "PASS" if _meets(value, match["op"], goal) else "MISS"
        assert match["verdict"] == expected, match.group(0)


def test_every_benchmark_script_is_covered() -> None:
    # p7_providers has its own smoke test, tests/bench/test_bench_p7.py.
    assert {path.stem for path in BENCH.glob("p[0-9]*_*.py")} == set(PROMISED) | {"p7_providers"}


@pytest.mark.parametrize("script", sorted(PROMISED))
def test_quick_run_exits_0_and_prints_its_ratio_lines(script: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / f"{script}.py"), "--quick"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=100,
    )
    assert done.returncode == 0, f"stdout:\n{done.stdout}\nstderr:\n{done.stderr[-4000:]}"
    lines = done.stdout.splitlines()

    ratios = {m["name"]: m for line in lines if (m := RATIO.match(line))}
    assert set(ratios) == set(PROMISED[script]["RATIO"]), done.stdout
    for name, has_goal in PROMISED[script]["RATIO"].items():
        match = ratios[name]
        value = float(match["value"])
        assert math.isfinite(value) and value > 0, match.group(0)
        assert (match["goal"] is not None) == has_goal, match.group(0)
        if has_goal:
            _check_verdict(match)

    goals = {m["name"]: m for line in lines if (m := GOAL.match(line))}
    assert set(goals) == PROMISED[script]["GOAL"], done.stdout
    for match in goals.values():
        assert math.isfinite(float(match["value"])) and float(match["value"]) >= 0, match.group(0)
        _check_verdict(match)

    # Nothing else claims to be a figure line without parsing as one.
    for line in lines:
        if line.startswith(("RATIO ", "GOAL ")):
            assert RATIO.match(line) or GOAL.match(line), line
