"""Benchmark `rnnquiz grade` end to end as an instructor runs it, at growing class sizes.

    python benchmarks/bench_scale.py [--sizes 2000,20000,100000] [--jobs 1,2] [--randomised-share 0.02]
                                     [--baseline-sample 300] [--seed 0] [--keep DIR]

For each size a class of submission files is written (YAML, as students hand them in): the
fixed questions of every bank answered as bench_grade.py's synthetic class answers them
(every student drawn afresh, none copied), and a share of students on the randomised
practice questions, each with their own numbers. Then `rnnquiz grade DIR --out OUT --stats
--jobs J` runs as a subprocess and is timed from start to exit, with its peak resident
memory (the largest of the command's processes) and CPU time. Outputs of every --jobs
value are compared byte for byte.

The figure is the growth of time per student with the class. Beside it, the naive
baseline of bench_grade.py (parse_expr + simplify per number or formula, string == for the
rest, no memo) is timed in this run on a sample of the same responses and scaled to a
student's responses: it grows with nothing, so it is one number. It prints; it asserts nothing.
"""

from __future__ import annotations

import argparse
import filecmp
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_grade  # noqa: E402
from grader.banks.catalog import Catalog  # noqa: E402

CHUNK = 2_000
"""Students generated at a time: the writer's memory stays flat too."""
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def write_class(folder: Path, size: int, randomised_share: float, seed: int,
                sample_size: int) -> tuple[int, list[Any]]:
    """Write `size` submission files into `folder`; return the responses written and a
    sample of `sample_size` fixed-question responses (from the first students) for the baseline."""
    rng = random.Random(seed)
    catalog = Catalog.from_dir()
    tops, items, _ = bench_grade.gradable(catalog, rng)
    randomised = round(size * randomised_share)
    responses, sample = 0, []
    for start in range(0, size - randomised, CHUNK):
        students, said = bench_grade.make_class(tops, items, min(CHUNK, size - randomised - start), rng)
        sample = sample or rng.sample(said, min(len(said), sample_size))
        responses += len(said)
        for number, submission in enumerate(students, start):
            _write(folder, f"s{number:06d}", number, submission)
    own, count = bench_grade.randomised_class(catalog, randomised, rng)
    responses += count
    for number, submission in enumerate(own, size - randomised):
        _write(folder, f"r{number:06d}", number, submission)
    return responses, sample


def _write(folder: Path, student: str, seed: int, submission: Any) -> None:
    data = {"student": student, "questions": list(submission.questions), "seed": seed,
            "answers": {qid: bench_grade._yaml_value(text) for qid, text in submission.answers.items()}}
    if submission.work:
        data["work"] = {qid: dict(values) for qid, values in submission.work.items()}
    text = yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)
    (folder / f"{student}.yaml").write_text(text, encoding="utf-8")


def grade(folder: Path, out: Path, jobs: int) -> tuple[float, float, int]:
    """Run `rnnquiz grade` as a subprocess; return wall seconds, CPU seconds and peak RSS in KB."""
    command = [sys.executable, "-m", "grader.cli", "grade", str(folder), "--out", str(out), "--stats",
               "--jobs", str(jobs)]
    start = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode not in (0, 2):
        raise SystemExit(f"grade failed ({child.returncode}): {child.stderr.read().decode()[-2000:]}")
    # wait4 reports the child with the children it waited for: the peak of any one process.
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def same_outputs(a: Path, b: Path) -> bool:
    """Whether two output folders hold byte-identical files."""
    compared = filecmp.dircmp(a, b)
    if compared.left_only or compared.right_only:
        return False
    _, mismatch, errors = filecmp.cmpfiles(a, b, compared.common_files, shallow=False)
    if mismatch or errors:
        return False
    return all(same_outputs(a / name, b / name) for name in compared.common_dirs)


def main() -> None:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--sizes", default="2000,20000,100000", help="class sizes, comma-separated")
    options.add_argument("--jobs", default="1,2", help="--jobs values to run at each size, comma-separated")
    options.add_argument("--randomised-share", type=float, default=0.02,
                         help="share of students on the randomised questions (each with their own numbers)")
    options.add_argument("--baseline-sample", type=int, default=300, help="responses the naive grader times")
    options.add_argument("--seed", type=int, default=0)
    options.add_argument("--keep", metavar="DIR", help="write the classes and outputs under DIR and keep them")
    args = options.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    jobs = [int(j) for j in args.jobs.split(",")]

    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rnnquiz-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    print(f"cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.2f}; classes in {root}")
    sample: list[Any] = []
    per_student: dict[tuple[int, int], float] = {}
    try:
        for size in sizes:
            folder = root / f"class-{size}"
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            start = time.perf_counter()
            responses, drawn = write_class(folder, size, args.randomised_share, args.seed, args.baseline_sample)
            sample = sample or drawn
            print(f"\n{size:,} files ({responses:,} responses, {responses / size:.1f} per student, "
                  f"{round(size * args.randomised_share):,} on randomised questions) written in "
                  f"{time.perf_counter() - start:.1f} s")
            outs = []
            for count in jobs:
                out = root / f"out-{size}-jobs{count}"
                shutil.rmtree(out, ignore_errors=True)
                seconds, cpu, peak = grade(folder, out, count)
                per_student[size, count] = seconds / size
                outs.append(out)
                print(f"  --jobs {count}: {seconds:7.1f} s wall, {cpu:7.1f} s CPU, {seconds / size * 1e3:6.2f} ms "
                      f"per student, peak memory {peak / 1024:,.0f} MB (load average {os.getloadavg()[0]:.2f})")
            if len(outs) > 1:
                same = all(same_outputs(outs[0], other) for other in outs[1:])
                print(f"  outputs of every --jobs value byte-identical: {'yes' if same else 'NO'}")
                first, last = jobs[0], jobs[-1]
                print(f"  --jobs {last} is {per_student[size, first] / per_student[size, last]:.2f}x as fast as "
                      f"--jobs {first}")
            if not args.keep:
                shutil.rmtree(folder)
                for out in outs:
                    shutil.rmtree(out)
        warmup, seconds, overruns = bench_grade.time_baseline(sample, 5.0)
        naive = sum(seconds) / len(seconds) * responses / size
        print(f"\nnaive baseline (bench_grade's checker, no memo, no files, sympy warmed {warmup * 1e3:.0f} ms "
              f"untimed): {naive * 1e3:.1f} ms per student from {len(seconds)} sampled responses "
              f"({overruns} over 5 s); it does not grow with the class")
        smallest = sizes[0]
        for count in jobs:
            growth = ", ".join(f"{size:,}: {per_student[size, count] / per_student[smallest, count]:.2f}x"
                               for size in sizes[1:])
            print(f"time per student against {smallest:,} files, --jobs {count}: {growth or 'one size only'}")
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
