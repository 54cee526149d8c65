#!/usr/bin/python3
"""Plots for passrl runs and evaluations (PNG files, matplotlib's Agg backend, no display).

  launch/plot.py run RUN_DIR [--out DIR]         learning curves from RUN_DIR/metrics.jsonl
                                                 (default DIR: RUN_DIR/plots)
  launch/plot.py eval EVAL.csv [--out FILE.png]  grouped bars of the ratios in an eval CSV
                                                 (default FILE.png: EVAL.png next to the CSV)

`run` writes return.png, ratio_vs_oz.png, losses.png, alpha.png, throughput.png, summary.png and,
when the run logged a learning curve, validation.png.
The x axis is the learner's elapsed_seconds, in hours (minutes for runs under 2 hours). A resumed
run appends to the same metrics.jsonl and its elapsed_seconds (cumulative) goes on from its
checkpoint's: a dotted vertical line marks each resume, found where elapsed_seconds went back to a
point of this run's own history (a checkpoint older than the last report; the training since is
redone, so the curves overlap there) or where the wall clock ("time") jumped much further than
elapsed_seconds (a checkpoint taken on the way down). elapsed_seconds going back to 10 s or less,
or with fewer updates ("step") than the run had logged by then, is a restart from scratch in the
same directory: each such segment is laid after the previous one, not joined to it, with a dashed
vertical line. Raw values are drawn faint, a centred rolling mean over them solid.

Needs the Debian packages python3-matplotlib and python3-numpy; run with /usr/bin/python3.
Each file written is printed on stdout; warnings go to stderr. Exit status: 0 on success, 1 when an
input is missing, empty or malformed (one line on stderr saying which file, line or column),
2 on a command-line usage error.
"""

import argparse
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the backend)
import numpy as np  # noqa: E402

PROG = "plot.py"

# Metric keys written by the learner (learner/learner.cc, Learner::Report).
METRIC_LABELS = {
    "mean_episode_return": "mean episode return",
    "best_ratio_vs_oz": "best ratio vs -Oz (>1: smaller than -Oz)",
    "loss/critic": "critic loss",
    "loss/policy": "policy loss",
    "loss/alpha": "alpha loss",
    "alpha": "alpha (entropy temperature)",
    "entropy": "policy entropy",
    "transitions_per_second": "transitions / s",
    "updates_per_second": "updates / s",
    "replay_size": "replay size (transitions)",
    "validation_geomean": "validation geomean vs -Oz (greedy, held-out)",
}

# A resume is a wall-clock gap this much longer than the elapsed_seconds gap (seconds), at least.
MIN_RESUME_GAP_SECONDS = 30.0
# elapsed_seconds going back to this or less is a restart from scratch, not a resume.
RESTART_MAX_ELAPSED_SECONDS = 10.0

EVAL_REQUIRED_COLUMNS = ("benchmark", "method", "ir_ratio_vs_oz", "text_ratio_vs_oz")
EVAL_RUNTIME_COLUMN = "runtime_ratio_vs_o3"
# Ratio column -> (reference column, policy column): which way each ratio goes, when present.
EVAL_RATIO_PARTS = {
    "ir_ratio_vs_oz": ("ir_oz", "ir_policy"),
    "text_ratio_vs_oz": ("text_oz", "text_policy"),
    EVAL_RUNTIME_COLUMN: ("runtime_o3_s", "runtime_policy_s"),
}
EVAL_PANEL_NAMES = {
    "ir_ratio_vs_oz": ("IR instructions", "-Oz", "smaller"),
    "text_ratio_vs_oz": (".text bytes", "-Oz", "smaller"),
    EVAL_RUNTIME_COLUMN: ("runtime", "-O3", "faster"),
}


class InputError(Exception):
    """A problem with an input file; the message is printed as one line and the exit status is 1."""


def warn(message):
    print(f"{PROG}: warning: {message}", file=sys.stderr)


def to_float(value):
    """JSON value -> float; null, booleans, strings and the like become NaN."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return math.nan
    return float(value)


# ---------------------------------------------------------------------------------------------
# metrics.jsonl


class Metrics:
    """Parsed metrics.jsonl: per-record arrays and the segment / resume structure of the run."""

    def __init__(self, records, path):
        self.path = path
        self.n = len(records)
        keys = []
        for r in records:
            for k in r:
                if k not in keys:
                    keys.append(k)
        self.columns = {k: np.array([to_float(r.get(k)) for r in records], dtype=float)
                        for k in keys}
        elapsed = self.columns["elapsed_seconds"]
        step = self.columns.get("step", np.full(self.n, math.nan))
        wall = self.columns.get("time", np.full(self.n, math.nan))

        # Where the wall clock jumped much further than elapsed_seconds, the learner was down.
        wall_steps = np.diff(wall)
        positive = wall_steps[np.isfinite(wall_steps) & (wall_steps > 0)]
        typical = float(np.median(positive)) if positive.size else 1.0
        gap_threshold = max(MIN_RESUME_GAP_SECONDS, 10.0 * typical)

        # Segments (restarts from scratch) and resumes (from a checkpoint of the same run).
        self.segment_starts, self.resumes = [0], []
        for i in range(1, self.n):
            if elapsed[i] < elapsed[i - 1]:
                if self._is_restart(i, self.segment_starts[-1], elapsed, step):
                    self.segment_starts.append(i)
                else:
                    self.resumes.append(i)
            elif np.isfinite(wall_steps[i - 1]) and \
                    wall_steps[i - 1] - (elapsed[i] - elapsed[i - 1]) > gap_threshold:
                self.resumes.append(i)  # checkpointed on the way down: elapsed goes straight on
        bounds = self.segment_starts + [self.n]
        self.segments = [(bounds[j], bounds[j + 1]) for j in range(len(self.segment_starts))]
        # Pieces: drawn as separate lines (a resume from an older checkpoint goes back in x).
        cuts = sorted(set(self.segment_starts) | set(self.resumes)) + [self.n]
        self.pieces = [(cuts[j], cuts[j + 1]) for j in range(len(cuts) - 1)]

        # x in seconds: segments laid end to end.
        self.x_seconds = np.empty(self.n)
        offset = 0.0
        for begin, end in self.segments:
            self.x_seconds[begin:end] = elapsed[begin:end] + offset
            offset = float(np.max(self.x_seconds[begin:end]))
        span = float(np.max(self.x_seconds) - np.min(self.x_seconds)) if self.n else 0.0
        if span >= 2 * 3600:
            self.x = self.x_seconds / 3600.0
            self.x_unit = "hours"
        else:
            self.x = self.x_seconds / 60.0
            self.x_unit = "minutes"

    @staticmethod
    def _is_restart(i, segment_begin, elapsed, step):
        """elapsed_seconds went back at record i: a fresh run (True) or a resume (False)?

        A resumed learner goes on from its checkpoint's elapsed_seconds and update count, which
        are at or before the last ones logged; a fresh one starts again from about 1 s and 0."""
        if elapsed[i] <= RESTART_MAX_ELAPSED_SECONDS:
            return True
        history = elapsed[segment_begin:i]
        earlier = np.flatnonzero(history <= elapsed[i])
        if earlier.size == 0:
            return True  # went back to before this segment began
        j = segment_begin + earlier[np.argmax(history[earlier])]  # the last report by then
        # Fewer updates than this run had logged by then: not a checkpoint of this run.
        return bool(np.isfinite(step[i]) and np.isfinite(step[j]) and step[i] < step[j])

    def has(self, key):
        return key in self.columns and np.any(np.isfinite(self.columns[key]))

    def x_label(self):
        label = f"elapsed {self.x_unit}"
        if len(self.segments) > 1:
            restarts = len(self.segments) - 1
            label += f" ({restarts} restart{'s' if restarts > 1 else ''} laid end to end)"
        return label


def read_metrics(path):
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not a metrics file")
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            lines = f.readlines()
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}")
    if not any(line.strip() for line in lines):
        raise InputError(f"{path}: empty file, no metrics yet")
    records, bad, no_elapsed = [], [], []
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            record = json.loads(text)
        except ValueError as e:
            bad.append((number, f"malformed JSON ({e.msg})"))
            continue
        if not isinstance(record, dict):
            bad.append((number, "not a JSON object"))
            continue
        if not math.isfinite(to_float(record.get("elapsed_seconds"))):
            no_elapsed.append(number)
            continue
        records.append(record)
    if not records:
        if bad:
            number, why = bad[0]
            raise InputError(f"{path}:{number}: {why}; no line of the file could be read "
                             f"({len(bad)} malformed)")
        raise InputError(f"{path}: no line has a numeric elapsed_seconds")
    for number, why in bad:
        warn(f"{path}:{number}: {why}, line skipped")
    if no_elapsed:
        shown = ", ".join(str(n) for n in no_elapsed[:5]) + (", ..." if len(no_elapsed) > 5 else "")
        warn(f"{path}: {len(no_elapsed)} line(s) without a numeric elapsed_seconds skipped "
             f"(line {shown})")
    return Metrics(records, path)


def rolling_mean(values, window):
    """Centred rolling mean that ignores NaN; NaN where the window holds no finite value.
    Direct sums (np.convolve), not differences of a running sum: those drift on long runs."""
    if window <= 1 or len(values) == 0:
        return values.copy()
    finite = np.isfinite(values)
    kernel = np.ones(window)
    sums = np.convolve(np.where(finite, values, 0.0), kernel, mode="full")
    counts = np.convolve(finite.astype(float), kernel, mode="full")
    start = (window - 1) // 2  # centre the window; the edges average what the window holds
    sums, counts = sums[start:start + len(values)], counts[start:start + len(values)]
    with np.errstate(invalid="ignore", divide="ignore"):
        out = sums / counts
    out[counts == 0] = np.nan
    return out


def smoothing_window(n):
    return max(1, min(600, n // 100))


def plot_metric(ax, m, key, color="C0", label=None, log_if_wide=False):
    """Raw values faint, rolling mean solid; pieces drawn separately; resume/restart lines."""
    label = label or METRIC_LABELS.get(key, key)
    ax.set_ylabel(label)
    ax.grid(True, alpha=0.3)
    if not m.has(key):
        ax.text(0.5, 0.5, f"no data for {key}", transform=ax.transAxes, ha="center",
                va="center", color="gray")
        mark_breaks(ax, m)
        return
    y = m.columns[key]
    for begin, end in m.pieces:
        xs, ys = m.x[begin:end], y[begin:end]
        if np.count_nonzero(np.isfinite(ys)) < 0.2 * max(len(ys), 1):
            # A sparse metric (the learning curve, a point every few minutes): its points,
            # joined, without smoothing over the gaps.
            keep = np.isfinite(ys)
            ax.plot(xs[keep], ys[keep], color=color, linewidth=1.2, marker="o", markersize=3)
            continue
        window = min(smoothing_window(m.n), end - begin)
        seg_finite = ys[np.isfinite(ys)]
        if seg_finite.size and np.ptp(seg_finite) <= 1e-12 * np.max(np.abs(seg_finite)):
            window = 1  # constant: nothing to smooth (and no rounding noise to show)
        if window > 1:
            ax.plot(xs, ys, color=color, alpha=0.25, linewidth=0.7)
            ax.plot(xs, rolling_mean(ys, window), color=color, linewidth=1.5)
        else:
            ax.plot(xs, ys, color=color, linewidth=1.2, marker="." if m.n < 50 else None)
    ax.ticklabel_format(axis="y", useOffset=False)
    finite = y[np.isfinite(y)]
    if log_if_wide and finite.size and np.all(finite > 0) and finite.max() > 100 * finite.min():
        ax.set_yscale("log")
    mark_breaks(ax, m)


def mark_breaks(ax, m):
    for i in m.resumes:
        ax.axvline(m.x[i], color="gray", linestyle=":", linewidth=1.2)
    for i in m.segment_starts[1:]:
        ax.axvline(m.x[i], color="tab:red", linestyle="--", linewidth=1.0)


def break_legend(fig, m):
    """A figure legend for the vertical lines, when there are any."""
    from matplotlib.lines import Line2D
    handles = []
    if m.resumes:
        handles.append(Line2D([], [], color="gray", linestyle=":", label="resumed"))
    if len(m.segment_starts) > 1:
        handles.append(Line2D([], [], color="tab:red", linestyle="--",
                              label="restarted (elapsed went back)"))
    if handles:
        fig.legend(handles=handles, loc="upper right", fontsize="small", framealpha=0.8)


def run_title(m, what):
    name = os.path.basename(os.path.dirname(os.path.abspath(m.path))) or m.path
    step = m.columns.get("step", np.array([]))
    step = step[np.isfinite(step)]
    last_step = f", last at update {int(step[-1])}" if step.size else ""
    return f"{name}: {what} ({m.n} reports{last_step})"


def save(fig, path):
    fig.savefig(path, dpi=110)
    plt.close(fig)
    print(path)


def figure_panels(m, out_path, what, panels, ncols=1, ref_lines=None):
    """panels: list of (key, color, log_if_wide). ref_lines: {key: (y, label)}."""
    ref_lines = ref_lines or {}
    nrows = math.ceil(len(panels) / ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.5 * ncols if ncols > 1 else 10,
                                                     2.9 * nrows + 0.8),
                             sharex=True, squeeze=False)
    flat = axes.flatten()
    for ax, (key, color, log_if_wide) in zip(flat, panels):
        plot_metric(ax, m, key, color=color, log_if_wide=log_if_wide)
        if key in ref_lines:
            y, label = ref_lines[key]
            ax.axhline(y, color="black", linestyle="--", linewidth=1.0, label=label)
            ax.legend(loc="lower right", fontsize="small")
        if ncols > 1:
            ax.set_title(METRIC_LABELS.get(key, key), fontsize="medium")
    for ax in flat[len(panels):]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel(m.x_label())
    fig.suptitle(run_title(m, what))
    break_legend(fig, m)
    fig.tight_layout()
    save(fig, out_path)


def plot_run(run_dir, out_dir):
    if not os.path.isdir(run_dir):
        raise InputError(f"{run_dir}: no such run directory")
    m = read_metrics(os.path.join(run_dir, "metrics.jsonl"))
    out_dir = out_dir or os.path.join(run_dir, "plots")
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise InputError(f"{out_dir}: cannot create output directory: {e.strerror}")
    oz_line = {"best_ratio_vs_oz": (1.0, "-Oz")}
    figure_panels(m, os.path.join(out_dir, "return.png"), "mean episode return",
                  [("mean_episode_return", "C0", False)])
    figure_panels(m, os.path.join(out_dir, "ratio_vs_oz.png"), "best IR ratio vs -Oz",
                  [("best_ratio_vs_oz", "C2", False)], ref_lines=oz_line)
    figure_panels(m, os.path.join(out_dir, "losses.png"), "losses",
                  [("loss/critic", "C3", True), ("loss/policy", "C1", False),
                   ("loss/alpha", "C4", False)])
    figure_panels(m, os.path.join(out_dir, "alpha.png"), "entropy temperature",
                  [("alpha", "C4", True), ("entropy", "C5", False)])
    figure_panels(m, os.path.join(out_dir, "throughput.png"), "throughput",
                  [("transitions_per_second", "C0", False), ("updates_per_second", "C1", False),
                   ("replay_size", "C7", False)])
    if m.has("validation_geomean"):
        figure_panels(m, os.path.join(out_dir, "validation.png"),
                      "learning curve on the validation split",
                      [("validation_geomean", "C2", False)],
                      ref_lines={"validation_geomean": (1.0, "-Oz")})
    figure_panels(m, os.path.join(out_dir, "summary.png"), "summary",
                  [("mean_episode_return", "C0", False), ("best_ratio_vs_oz", "C2", False),
                   ("loss/critic", "C3", True), ("alpha", "C4", True),
                   ("entropy", "C5", False), ("transitions_per_second", "C0", False)],
                  ncols=3, ref_lines=oz_line)


# ---------------------------------------------------------------------------------------------
# eval CSV


def parse_number(path, line, column, text):
    text = text.strip()
    if text == "":
        return math.nan
    try:
        return float(text)
    except ValueError:
        raise InputError(f"{path}:{line}: column {column}: {text!r} is not a number")


def read_eval(path):
    if not os.path.exists(path):
        raise InputError(f"{path}: no such file")
    if os.path.isdir(path):
        raise InputError(f"{path}: is a directory, not a CSV file")
    try:
        with open(path, "r", encoding="utf-8", errors="replace", newline="") as f:
            text = f.read()
    except OSError as e:
        raise InputError(f"{path}: cannot read: {e.strerror}")
    if not text.strip():
        raise InputError(f"{path}: empty file")
    reader = csv.reader(text.splitlines())
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as e:
        raise InputError(f"{path}:1: malformed CSV header: {e}")
    missing = [c for c in EVAL_REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(f"{path}: missing required column(s) {', '.join(missing)} "
                         f"(header: {','.join(header)})")
    index = {name: i for i, name in enumerate(header)}
    columns = list(EVAL_REQUIRED_COLUMNS[2:])
    if EVAL_RUNTIME_COLUMN in index:
        columns.append(EVAL_RUNTIME_COLUMN)
    # The raw sizes and times, when present, only tell which way each ratio goes (loose parse).
    raw = [c for pair in EVAL_RATIO_PARTS.values() for c in pair if c in index]
    benchmarks, methods, values = [], [], {}  # values[(benchmark, method)] = {column: float}
    try:
        for row in reader:
            line = reader.line_num
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) < len(header):
                row = row + [""] * (len(header) - len(row))
            benchmark = row[index["benchmark"]].strip()
            method = row[index["method"]].strip() or "?"
            if not benchmark:
                raise InputError(f"{path}:{line}: empty benchmark name")
            if benchmark not in benchmarks:
                benchmarks.append(benchmark)
            if method not in methods:
                methods.append(method)
            if (benchmark, method) in values:
                warn(f"{path}:{line}: second row for {benchmark} / {method}; the last one is used")
            v = {c: parse_number(path, line, c, row[index[c]]) for c in columns}
            for c in raw:
                try:
                    v[c] = float(row[index[c]])
                except ValueError:
                    v[c] = math.nan
            values[(benchmark, method)] = v
    except csv.Error as e:
        raise InputError(f"{path}:{reader.line_num}: malformed CSV: {e}")
    if not values:
        raise InputError(f"{path}: no data rows under the header")
    return benchmarks, methods, values, columns


def geomean(xs):
    xs = [x for x in xs if math.isfinite(x) and x > 0]
    if not xs:
        return math.nan, 0
    return math.exp(sum(math.log(x) for x in xs) / len(xs)), len(xs)


def ratio_direction(values, column):
    """'ref/policy' or 'policy/ref' as the rows show it, or None when they cannot tell."""
    ref, pol = EVAL_RATIO_PARTS[column]
    votes = {"ref/policy": 0, "policy/ref": 0}
    for v in values.values():
        r, a, b = v.get(column, math.nan), v.get(ref, math.nan), v.get(pol, math.nan)
        if not all(math.isfinite(t) and t > 0 for t in (r, a, b)) or math.isclose(a, b):
            continue
        if math.isclose(r, a / b, rel_tol=1e-3):
            votes["ref/policy"] += 1
        elif math.isclose(r, b / a, rel_tol=1e-3):
            votes["policy/ref"] += 1
    if votes["ref/policy"] == votes["policy/ref"]:
        return None
    return max(votes, key=votes.get)


def panel_label(values, column):
    what, ref, better = EVAL_PANEL_NAMES[column]
    direction = ratio_direction(values, column)
    if direction == "policy/ref":
        return f"{what}: policy / {ref}\n(<1: {better} than {ref})"
    if direction is None and column == EVAL_RUNTIME_COLUMN:
        return f"{column}\n(direction unknown)"
    # passrl eval writes -Oz / policy for the size ratios (>1: the policy beats -Oz).
    return f"{what}: {ref} / policy\n(>1: {better} than {ref})"


def bootstrap_interval(xs, resamples=2000, seed=1):
    """Geomean and its bootstrap 95% interval over benchmarks (as passrl eval computes it)."""
    logs = np.log(np.array([x for x in xs if math.isfinite(x) and x > 0], dtype=float))
    if logs.size == 0:
        return math.nan, math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = np.sort(rng.choice(logs, size=(resamples, logs.size)).mean(axis=1))
    return (math.exp(logs.mean()), math.exp(means[int(0.025 * (resamples - 1))]),
            math.exp(means[int(0.975 * (resamples - 1))]))


def plot_eval_summary(csv_path, out_path, benchmarks, methods, values, panels):
    """Many benchmarks: each method's ratios sorted (the distribution), and its geomean with a
    bootstrap 95% interval, one row of panels per ratio."""
    fig, axes = plt.subplots(len(panels), 2, figsize=(13, 3.8 * len(panels) + 1.2),
                             squeeze=False, gridspec_kw={"width_ratios": [2, 1]})
    for row, column in enumerate(panels):
        curve, bars = axes[row, 0], axes[row, 1]
        for j, method in enumerate(methods):
            ys = sorted(v[column] for (b, m), v in values.items()
                        if m == method and math.isfinite(v[column]) and v[column] > 0)
            if not ys:
                continue
            color = f"C{j % 10}"
            curve.plot(np.linspace(0, 100, len(ys)), ys, color=color, label=method)
            g, lo, hi = bootstrap_interval(ys)
            bars.bar(j, g - 1.0, bottom=1.0, color=color)
            bars.errorbar(j, g, yerr=[[g - lo], [hi - g]], color="black", capsize=3)
            bars.annotate(f"{g:.3f}", (j, max(hi, 1.0)), xytext=(0, 2), textcoords="offset points",
                          ha="center", va="bottom", fontsize="x-small")
        curve.axhline(1.0, color="black", linewidth=1.0)
        curve.set_yscale("log")
        curve.set_xlabel("benchmarks, sorted (%)")
        curve.set_ylabel(panel_label(values, column), fontsize="small")
        curve.grid(True, alpha=0.3)
        bars.axhline(1.0, color="black", linewidth=1.0)
        bars.set_xticks(range(len(methods)))
        bars.set_xticklabels(methods, rotation=45, ha="right", fontsize="small")
        bars.set_title("geomean, bootstrap 95% interval", fontsize="small")
        bars.grid(True, axis="y", alpha=0.3)
    axes[0, 0].legend(title="method", fontsize="small", loc="upper left")
    fig.suptitle(f"{os.path.basename(csv_path)}: {len(benchmarks)} benchmarks, "
                 f"{len(methods)} method(s)")
    fig.tight_layout()
    save(fig, out_path)


SUMMARY_ABOVE = 40  # benchmarks: more than this and one bar each would be unreadable


def plot_eval(csv_path, out_path):
    benchmarks, methods, values, columns = read_eval(csv_path)
    panels = []
    for c in columns:
        has_values = any(math.isfinite(v[c]) for v in values.values())
        if c == EVAL_RUNTIME_COLUMN and not has_values:
            continue  # runtime not measured: no panel
        if not has_values:
            warn(f"{csv_path}: column {c} has no values; its panel is empty")
        bad = [f"{b}/{m}" for (b, m), v in values.items() if math.isfinite(v[c]) and v[c] <= 0]
        if bad:
            warn(f"{csv_path}: {c} <= 0 for {', '.join(bad[:5])}{', ...' if len(bad) > 5 else ''};"
                 f" left out of the geomean")
        panels.append(c)
    out_path = out_path or os.path.splitext(csv_path)[0] + ".png"
    out_dir = os.path.dirname(os.path.abspath(out_path))
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise InputError(f"{out_dir}: cannot create output directory: {e.strerror}")

    if len(benchmarks) > SUMMARY_ABOVE:
        plot_eval_summary(csv_path, out_path, benchmarks, methods, values, panels)
        return
    groups = benchmarks + ["geomean"]
    n_methods = len(methods)
    width = 0.8 / n_methods
    fig_width = min(60.0, max(8.0, 0.28 * len(groups) * max(1, n_methods) + 2.5))
    fig, axes = plt.subplots(len(panels), 1, figsize=(fig_width, 3.6 * len(panels) + 1.6),
                             sharex=True, squeeze=False)
    x = np.arange(len(groups), dtype=float)
    x[-1] += 0.5  # a little space before the geomean group
    for ax, column in zip(axes[:, 0], panels):
        for j, method in enumerate(methods):
            ys = [values.get((b, method), {}).get(column, math.nan) for b in benchmarks]
            g, n = geomean(ys)
            ys.append(g)
            ys = np.array(ys, dtype=float)
            xs = x - 0.4 + width * (j + 0.5)
            color = f"C{j % 10}"
            ok = np.isfinite(ys)
            ok[-1] = False  # the geomean bar is drawn below, outlined
            # Bars grow from the 1.0 line: up when better than the reference, down when worse.
            ax.bar(xs[ok], ys[ok] - 1.0, width=width * 0.95, bottom=1.0, color=color,
                   label=method)
            if math.isfinite(g):
                ax.bar(xs[-1], g - 1.0, width=width * 0.95, bottom=1.0, color=color,
                       edgecolor="black", linewidth=1.0)
                ax.annotate(f"{g:.3f}\nn={n}", (xs[-1], max(g, 1.0)), xytext=(0, 2),
                            textcoords="offset points", ha="center", va="bottom",
                            fontsize="x-small")
        ax.axhline(1.0, color="black", linewidth=1.0)
        ax.axvline((x[-2] + x[-1]) / 2, color="gray", linestyle=":", linewidth=1.0)
        ax.set_ylabel(panel_label(values, column), fontsize="small")
        ax.grid(True, axis="y", alpha=0.3)
        finite = [v[column] for v in values.values() if math.isfinite(v[column])]
        if finite:
            lo, hi = min(finite + [1.0]), max(finite + [1.0])
            pad = 0.08 * (hi - lo) if hi > lo else 0.05
            ax.set_ylim(lo - pad, hi + 2.5 * pad)
        else:
            ax.text(0.5, 0.5, f"no values for {column}", transform=ax.transAxes,
                    ha="center", va="center", color="gray")
    axes[0, 0].legend(title="method", fontsize="small", loc="upper left",
                      ncol=min(n_methods, 4))
    bottom = axes[-1, 0]
    bottom.set_xticks(x)
    bottom.set_xticklabels(groups, rotation=60, ha="right", fontsize="small")
    bottom.get_xticklabels()[-1].set_fontweight("bold")
    bottom.set_xlim(x[0] - 0.6, x[-1] + 0.6)
    fig.suptitle(f"{os.path.basename(csv_path)}: {len(benchmarks)} benchmarks, "
                 f"{n_methods} method(s)")
    fig.tight_layout()
    save(fig, out_path)


# ---------------------------------------------------------------------------------------------


def main(argv):
    parser = argparse.ArgumentParser(
        prog=PROG, description="PNG plots of a passrl run's metrics or of an eval CSV.")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="learning curves from RUN_DIR/metrics.jsonl")
    run.add_argument("run_dir", metavar="RUN_DIR")
    run.add_argument("--out", metavar="DIR", help="output directory (default RUN_DIR/plots)")
    ev = sub.add_parser("eval", help="bar chart of an eval CSV (passrl eval --csv)")
    ev.add_argument("csv", metavar="EVAL.csv")
    ev.add_argument("--out", metavar="FILE.png", help="output file (default EVAL.png)")
    args = parser.parse_args(argv)
    try:
        if args.command == "run":
            plot_run(args.run_dir, args.out)
        else:
            plot_eval(args.csv, args.out)
    except InputError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
