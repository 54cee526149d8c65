#!/usr/bin/env python3
"""How much room -O3 leaves on the runtime policy's held-out programs (issue: runtime rewards).

For each program, builds -O3 and variants of it, and times each variant that is not
byte-identical to -O3 against it, paired: A and B alternate on one pinned core, each run timed by
the child's CPU time, and the speedup is exp(mean log(t_B / t_A)) with a Student t 95% interval.
Variants: one more pass after the -O3 pipeline (opt-16, then llc-16 -O3, for base and variant
alike), and -O3 with larger unroll or inline thresholds (clang-16 -mllvm: not pass pipeline text).

  benchmarks/o3_headroom.py [--pairs 20] [--cpu N] [PROGRAM ...]   (default: the 5 held out)
"""
import argparse
import math
import os
import resource
import statistics
import subprocess
import sys
import tempfile

HELD_OUT = ["base64_codec", "bit_tricks", "bytecode_vm", "lu_decomposition", "sorting_suite"]
AFTER_O3 = ["function(loop-unroll<O3;runtime>)", "cgscc(inline)",
            "function(loop(loop-unroll-and-jam))", "function(loop(loop-interchange))",
            "function(loop-distribute)", "default<O3>"]
THRESHOLDS = {"unroll-threshold=600": ["-mllvm", "-unroll-threshold=600"],
              "inline-threshold=600": ["-mllvm", "-inline-threshold=600"]}
T975 = {19: 2.093, 29: 2.045, 39: 2.023}


def sh(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(binary, cpu):
    start = cpu_seconds()
    out = subprocess.run(["taskset", "-c", str(cpu), binary], stdin=subprocess.DEVNULL,
                         stdout=subprocess.PIPE, check=False).stdout
    return cpu_seconds() - start, out


def paired(a, b, pairs, cpu):
    """Speedup of a over b, its 95% interval, and whether every output matched b's."""
    _, expected = run(b, cpu)  # lead-in run of B
    logs, same = [], True
    for _ in range(pairs):
        ta, out = run(a, cpu)
        tb, _ = run(b, cpu)
        same &= out == expected
        logs.append(math.log(tb / ta))
    mean = statistics.mean(logs)
    half = T975.get(pairs - 1, 1.96) * statistics.stdev(logs) / math.sqrt(pairs)
    return math.exp(mean), math.exp(mean - half), math.exp(mean + half), same


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("programs", nargs="*", default=HELD_OUT)
    parser.add_argument("--pairs", type=int, default=20)
    parser.add_argument("--cpu", type=int, default=max(os.sched_getaffinity(0)))
    args = parser.parse_args()
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "datasets", "programs")
    work = tempfile.mkdtemp(prefix="o3_headroom_")
    print("| program | variant | speedup over -O3 | 95% interval | output |")
    print("|---|---|---|---|---|")
    for program in args.programs:
        src = os.path.join(root, program + ".c")
        path = lambda name: os.path.join(work, f"{program}.{name}")
        sh("clang-16", "-O3", "-Xclang", "-disable-llvm-passes", "-S", "-emit-llvm", src,
           "-o", path("ll"))

        def after_o3(name, pipeline):
            sh("opt-16", f"-passes={pipeline}", path("ll"), "-o", path(name + ".bc"))
            sh("llc-16", "-O3", "-filetype=obj", "-relocation-model=pic", path(name + ".bc"),
               "-o", path(name + ".o"))
            sh("clang-16", path(name + ".o"), "-o", path(name), "-lm")
            return path(name)

        sh("clang-16", "-O3", src, "-o", path("O3"), "-lm")
        builds = [(p, after_o3(f"v{i}", "default<O3>," + p), after_o3("base", "default<O3>"))
                  for i, p in enumerate(AFTER_O3)]
        for i, (name, flags) in enumerate(THRESHOLDS.items()):
            sh("clang-16", "-O3", *flags, src, "-o", path(f"t{i}"), "-lm")
            builds.append((name, path(f"t{i}"), path("O3")))
        for name, a, b in builds:
            if open(a, "rb").read() == open(b, "rb").read():
                print(f"| {program} | {name} | 1 (byte-identical) | | |", flush=True)
                continue
            s, low, high, same = paired(a, b, args.pairs, args.cpu)
            print(f"| {program} | {name} | {s:.4f}x | [{low:.4f}, {high:.4f}] | "
                  f"{'same' if same else 'DIFFERS'} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
