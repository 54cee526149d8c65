#!/usr/bin/python3
"""Tests of launch/plot.py, run as a subprocess on synthetic inputs in a temp dir.

  /usr/bin/python3 tests/launch/plot_test.py [unittest arguments]

PLOT_SCRIPT names the script under test (default: launch/plot.py of the repository holding this
file). Needs python3-matplotlib and python3-numpy (Debian) for the script itself.
"""

import contextlib
import importlib.util
import io
import json
import math
import os
import struct
import subprocess
import sys
import tempfile
import unittest
from importlib.machinery import SourceFileLoader

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PLOT_SCRIPT = os.environ.get("PLOT_SCRIPT") or os.path.join(REPO_ROOT, "launch", "plot.py")
PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable

RUN_PNGS = ("return.png", "ratio_vs_oz.png", "losses.png", "alpha.png", "throughput.png",
            "summary.png")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

EVAL_HEADER = ("benchmark,method,ir_o0,ir_oz,ir_policy,ir_ratio_vs_oz,text_o0,text_oz,text_policy,"
               "text_ratio_vs_oz,runtime_o3_s,runtime_policy_s,runtime_ratio_vs_o3,actions")


def png_size(path):
    """(width, height) from a PNG's IHDR chunk; raises AssertionError if it is no PNG."""
    with open(path, "rb") as f:
        head = f.read(24)
    if len(head) < 24 or head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        raise AssertionError(f"{path} is not a PNG (starts {head[:16]!r})")
    return struct.unpack(">II", head[16:24])


def load_plot_module():
    """The script under test as a module (it has no side effects on import)."""
    loader = SourceFileLoader("plot_under_test", PLOT_SCRIPT)
    spec = importlib.util.spec_from_loader("plot_under_test", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def metric_record(step, t, elapsed, updates_started=True):
    """One learner report; NaN (null) losses before the first update, as the learner writes."""
    loss = (lambda v: v) if updates_started else (lambda v: None)
    return {
        "step": step, "time": t, "transitions_per_second": 900.0 + 50 * math.sin(step / 7),
        "updates_per_second": 40.0 if updates_started else 0.0, "replay_size": 100.0 * (step + 1),
        "policy_lag": 1.5, "alpha": loss(0.2 * math.exp(-step / 500)),
        "loss/critic": loss(1.0 / (1 + step / 50)), "loss/policy": loss(-0.5 - step / 1000),
        "loss/alpha": loss(-0.01), "entropy": loss(2.0 - step / 1000),
        "q_mean": loss(0.1 * step), "mean_episode_return": 0.001 * step,
        "best_ratio_vs_oz": 0.9 + 0.0005 * step, "policy_version": step // 10,
        "rejected_messages": 0.0, "elapsed_seconds": elapsed,
    }


def write_metrics(path, lines):
    with open(path, "w") as f:
        for line in lines:
            f.write(line if isinstance(line, str) else json.dumps(line))
            f.write("\n")


def synthetic_metrics_lines():
    """Reports once a second, 10 updates each, as a learner with checkpoints writes them:
      records   0-119  the first run (losses null until the first update, record 5);
      records 120-199  resumed after a 1-hour outage from a checkpoint taken on the way down:
                       elapsed_seconds and step go straight on, only the wall clock jumped;
      records 200-239  resumed again from an older checkpoint (elapsed 180 s): elapsed_seconds
                       and step go back to that checkpoint's;
      records 240-299  a restart from scratch in the same directory: elapsed_seconds from 1 s.
    Line 50 of the file is a torn (malformed) line between records 48 and 49."""
    lines, t0 = [], 1.7e9
    for i in range(120):
        lines.append(metric_record(i * 10, t0 + i, 1.0 + i, updates_started=i >= 5))
    lines.insert(49, '{"step": 490, "time": 1700000049.0, "alpha": 0.1')  # line 50, torn
    for i in range(80):
        lines.append(metric_record(1200 + i * 10, t0 + 3720 + i, 121.0 + i))
    for i in range(40):
        lines.append(metric_record(1790 + i * 10, t0 + 7300 + i, 180.0 + i))
    for i in range(60):
        lines.append(metric_record(i * 10, t0 + 9000 + i, 1.0 + i, updates_started=i >= 3))
    return lines


def eval_rows():
    rows = []
    for b, (oz, pol) in {"adpcm": (800, 760), "bzip2": (9000, 9400), "crc32": (120, 100),
                         "dijkstra": (600, 600)}.items():
        for method, shrink in (("greedy", 1.0), ("beam", 0.97)):
            p = int(pol * shrink)
            rows.append(f"{b},{method},{oz * 2},{oz},{p},{oz / p:.6f},{oz * 8},{oz * 4},{p * 4},"
                        f"{oz / p:.6f},,,,\"mem2reg,instcombine\"")
    rows.append('adpcm,random,1600,800,900,0.888889,6400,3200,3600,0.888889,1.5,1.2,0.8,"dce"')
    return rows


class PlotTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="plot_test.")
        self.dir = self.tmp.name
        self.env = dict(os.environ, MPLCONFIGDIR=os.path.join(self.dir, "mplconfig"))

    def tearDown(self):
        self.tmp.cleanup()

    def plot(self, *args):
        proc = subprocess.run([PYTHON, PLOT_SCRIPT, *args], capture_output=True, text=True,
                              env=self.env, timeout=300)
        return proc.returncode, proc.stdout, proc.stderr

    def assert_png(self, path):
        self.assertTrue(os.path.isfile(path), f"{path} was not written")
        width, height = png_size(path)
        self.assertGreater(width, 0)
        self.assertGreater(height, 0)

    def make_run(self, lines, name="run"):
        run_dir = os.path.join(self.dir, name)
        os.makedirs(run_dir)
        write_metrics(os.path.join(run_dir, "metrics.jsonl"), lines)
        return run_dir

    def write_csv(self, name, lines):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    # --- run ----------------------------------------------------------------------------------

    def test_run_writes_every_png_and_warns_of_the_malformed_line(self):
        run_dir = self.make_run(synthetic_metrics_lines())
        out = os.path.join(self.dir, "plots")
        rc, stdout, stderr = self.plot("run", run_dir, "--out", out)
        self.assertEqual(rc, 0, stderr)
        for name in RUN_PNGS:
            path = os.path.join(out, name)
            self.assert_png(path)
            self.assertIn(path, stdout.splitlines(), "each file written is printed")
        warnings = stderr.strip().splitlines()  # nothing else on stderr (no numpy warnings)
        self.assertEqual(len(warnings), 1, stderr)
        self.assertIn("warning", warnings[0])
        self.assertIn("metrics.jsonl:50:", warnings[0])
        self.assertNotIn(":49:", stderr)

    def test_run_default_out_dir_is_under_the_run(self):
        run_dir = self.make_run([metric_record(i, 1.7e9 + i, 1.0 + i) for i in range(5)])
        rc, stdout, stderr = self.plot("run", run_dir)
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(stderr, "")
        for name in RUN_PNGS:
            self.assert_png(os.path.join(run_dir, "plots", name))

    def test_run_with_a_learning_curve_draws_validation_png(self):
        lines = [metric_record(i, 1.7e9 + i, 1.0 + i) for i in range(60)]
        for at, score in ((10, 0.8), (30, 0.95), (50, 1.02)):  # sparse points between reports
            lines.insert(at, {"step": at, "time": 1.7e9 + at, "elapsed_seconds": 1.0 + at,
                              "validation_geomean": score, "validation_policy_seconds": at - 1})
        run_dir = self.make_run(lines)
        rc, stdout, stderr = self.plot("run", run_dir)
        self.assertEqual(rc, 0, stderr)
        self.assertEqual(stderr, "")
        self.assert_png(os.path.join(run_dir, "plots", "validation.png"))
        # Without a curve there is no validation.png (RUN_PNGS are always written).
        plain = self.make_run([metric_record(i, 1.7e9 + i, 1.0 + i) for i in range(5)], "plain")
        self.assertEqual(self.plot("run", plain)[0], 0)
        self.assertFalse(os.path.exists(os.path.join(plain, "plots", "validation.png")))

    def test_run_with_only_nulls_before_the_first_update(self):
        lines = [metric_record(0, 1.7e9 + i, 1.0 + i, updates_started=False) for i in range(3)]
        rc, _, stderr = self.plot("run", self.make_run(lines))
        self.assertEqual(rc, 0, stderr)

    def test_run_missing_run_dir(self):
        missing = os.path.join(self.dir, "no_such_run")
        rc, stdout, stderr = self.plot("run", missing)
        self.assertNotEqual(rc, 0)
        self.assertIn(missing, stderr)
        self.assertEqual(len(stderr.strip().splitlines()), 1, stderr)

    def test_run_missing_metrics_file(self):
        run_dir = os.path.join(self.dir, "empty_run")
        os.makedirs(run_dir)
        rc, _, stderr = self.plot("run", run_dir)
        self.assertNotEqual(rc, 0)
        self.assertIn(os.path.join(run_dir, "metrics.jsonl"), stderr)

    def test_run_empty_metrics_file(self):
        run_dir = self.make_run([])
        rc, _, stderr = self.plot("run", run_dir)
        self.assertNotEqual(rc, 0)
        self.assertIn("metrics.jsonl", stderr)
        self.assertIn("empty", stderr)
        self.assertFalse(os.path.exists(os.path.join(run_dir, "plots", "summary.png")))

    def test_run_all_lines_malformed_fails(self):
        run_dir = self.make_run(["not json", '{"step": 1,'])
        rc, _, stderr = self.plot("run", run_dir)
        self.assertNotEqual(rc, 0)
        self.assertIn("metrics.jsonl:1:", stderr)
        self.assertFalse(os.path.exists(os.path.join(run_dir, "plots", "return.png")))

    def test_resume_and_restart_are_found(self):
        """In-process check of the parsing behind the dotted (resume) and dashed (restart) lines."""
        plot = load_plot_module()
        path = os.path.join(self.make_run(synthetic_metrics_lines()), "metrics.jsonl")
        with contextlib.redirect_stderr(io.StringIO()) as stderr:
            m = plot.read_metrics(path)
        self.assertIn("metrics.jsonl:50:", stderr.getvalue())
        self.assertEqual(m.n, 300)  # 301 lines, one malformed
        self.assertEqual(m.resumes, [120, 200])  # the first record after each outage
        self.assertEqual(m.segment_starts, [0, 240])  # elapsed_seconds went back to 1
        self.assertGreater(m.x_seconds[240], max(m.x_seconds[:240]),
                           "the restarted segment is laid after the first one")
        self.assertEqual(m.x_seconds[200], 180.0, "a resume keeps its own elapsed_seconds")
        self.assertTrue(math.isnan(m.columns["loss/critic"][0]), "null reads as NaN")

    def test_going_back_with_fewer_updates_is_a_restart(self):
        plot = load_plot_module()
        first = [metric_record(i * 10, 1.7e9 + i, 1.0 + i) for i in range(50)]  # step 10/s
        for step, expect_restart in ((0, True), (190, False)):  # back to elapsed 20 s
            path = os.path.join(self.make_run(first + [metric_record(step, 1.7e9 + 500, 20.0)],
                                              name=f"run{step}"), "metrics.jsonl")
            m = plot.read_metrics(path)
            self.assertEqual(m.segment_starts, [0, 50] if expect_restart else [0], step)
            self.assertEqual(m.resumes, [] if expect_restart else [50], step)

    def test_geomean_and_smoothing(self):
        plot = load_plot_module()
        g, n = plot.geomean([1.0, 4.0, float("nan"), -1.0, 0.0])
        self.assertAlmostEqual(g, 2.0)  # non-positive and missing ratios are left out
        self.assertEqual(n, 2)
        import numpy as np
        smooth = plot.rolling_mean(np.array([1.0, float("nan"), 3.0, 5.0]), 3)
        np.testing.assert_allclose(smooth, [1.0, 2.0, 4.0, 4.0])

    # --- eval ---------------------------------------------------------------------------------

    def test_eval_bar_chart(self):
        csv_path = self.write_csv("eval.csv", [EVAL_HEADER] + eval_rows())
        out = os.path.join(self.dir, "charts", "eval_bars.png")
        rc, stdout, stderr = self.plot("eval", csv_path, "--out", out)
        self.assertEqual(rc, 0, stderr)
        self.assert_png(out)
        self.assertIn(out, stdout.splitlines())

    def test_eval_many_benchmarks_draw_distributions_and_intervals(self):
        rows = []
        for i in range(60):
            oz, pol = 500 + i, 480 + (i * 7) % 50
            for method, p in (("greedy", pol), ("-Oz", oz), ("random", pol + 20)):
                rows.append(f"b{i},{method},{oz * 2},{oz},{p},{oz / p:.6f},{oz * 8},{oz * 4},"
                            f"{p * 4},{oz / p:.6f},,,,\"dce\"")
        csv_path = self.write_csv("big.csv", [EVAL_HEADER] + rows)
        out = os.path.join(self.dir, "big.png")
        rc, _, stderr = self.plot("eval", csv_path, "--out", out)
        self.assertEqual(rc, 0, stderr)
        self.assert_png(out)

    def test_bootstrap_interval_matches_the_exact_two_benchmark_case(self):
        plot = load_plot_module()
        g, lo, hi = plot.bootstrap_interval([1.0, 4.0])
        self.assertAlmostEqual(g, 2.0)
        self.assertAlmostEqual(lo, 1.0)
        self.assertAlmostEqual(hi, 4.0)

    def test_eval_default_output_next_to_the_csv(self):
        csv_path = self.write_csv("results.csv", [EVAL_HEADER] + eval_rows()[:8])
        rc, stdout, stderr = self.plot("eval", csv_path)
        self.assertEqual(rc, 0, stderr)
        self.assert_png(os.path.join(self.dir, "results.png"))

    def test_eval_missing_column_is_named(self):
        header = EVAL_HEADER.replace("text_ratio_vs_oz,", "")
        rows = [",".join(r.split(",")[:9] + r.split(",")[10:]) for r in eval_rows()]
        csv_path = self.write_csv("eval.csv", [header] + rows)
        rc, _, stderr = self.plot("eval", csv_path, "--out", os.path.join(self.dir, "x.png"))
        self.assertNotEqual(rc, 0)
        # Names exactly the column that is missing (the header it echoes names the others).
        self.assertRegex(stderr, r"missing required column\(s\) text_ratio_vs_oz \(header: ")
        self.assertFalse(os.path.exists(os.path.join(self.dir, "x.png")))

    def test_eval_missing_file(self):
        missing = os.path.join(self.dir, "nope.csv")
        rc, _, stderr = self.plot("eval", missing)
        self.assertNotEqual(rc, 0)
        self.assertIn(missing, stderr)

    def test_eval_empty_and_header_only_files_fail(self):
        for name, lines in (("empty.csv", []), ("header_only.csv", [EVAL_HEADER])):
            path = os.path.join(self.dir, name)
            with open(path, "w") as f:
                f.write("\n".join(lines))
            rc, _, stderr = self.plot("eval", path)
            self.assertNotEqual(rc, 0, name)
            self.assertIn(name, stderr)

    def test_eval_non_numeric_ratio_names_line_and_column(self):
        rows = eval_rows()
        fields = rows[2].split(",")
        fields[5] = "oops"  # ir_ratio_vs_oz of the third data row, line 4 of the file
        rows[2] = ",".join(fields)
        csv_path = self.write_csv("eval.csv", [EVAL_HEADER] + rows)
        rc, _, stderr = self.plot("eval", csv_path)
        self.assertNotEqual(rc, 0)
        self.assertIn("eval.csv:4:", stderr)
        self.assertIn("ir_ratio_vs_oz", stderr)

    def test_usage_error(self):
        rc, _, _ = self.plot("frobnicate")
        self.assertEqual(rc, 2)


if __name__ == "__main__":
    unittest.main(verbosity=2)
