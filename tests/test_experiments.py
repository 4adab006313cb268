"Tests of chaos_book.experiments: seeding, executors (processes, Dask), resuming, damaged files, the CLI."
import matplotlib
matplotlib.use("Agg")
import csv
import json
import os
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from chaos_book.experiments import chaos_floors, demo_task, em_law, main, parse_driver, run_sweep, task_seed

GRID = {"N": [50, 200, 1000], "rep": range(3)}


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    return run_sweep(demo_task, GRID, tmp_path_factory.mktemp("serial"), progress=False)


def test_table_rows_in_grid_order(serial):
    assert [(r["N"], r["rep"]) for r in serial] == [(N, k) for N in GRID["N"] for k in range(3)]
    assert set(serial[0]) == {"N", "rep", "w1", "w2", "w1_exact"}
    assert np.allclose(serial.column("w1"), serial.column("w1_exact"), rtol=1e-5)


def test_seeds_follow_parameters_not_positions(tmp_path, serial):
    "A grid in another order, or extended, gives the same row for the same parameters."
    other = run_sweep(demo_task, {"N": [1000, 50, 10], "rep": [2, 1, 0, 3]}, tmp_path, progress=False)
    by_params = {(r["N"], r["rep"]): r for r in other}
    for row in serial:
        if row["N"] in (50, 1000): assert by_params[row["N"], row["rep"]] == row
    draws = [np.random.default_rng(task_seed({"N": 50, "rep": k}, 0)).random() for k in range(3)]
    assert len(set(draws)) == 3 and draws[0] != np.random.default_rng(task_seed({"N": 50, "rep": 0}, 1)).random()


def test_process_pool_gives_same_table(tmp_path, serial):
    with ProcessPoolExecutor(2) as pool:
        assert run_sweep(demo_task, GRID, tmp_path, executor=pool, progress=False) == serial


def test_dask_local_cluster_gives_same_table(tmp_path, serial):
    "A real LocalCluster (two worker processes on loopback), through run_sweep and through `chaos-book --scheduler`."
    import distributed            # a dev dependency: the issue asks for this test, so it must not skip
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1")
        assert run_sweep(demo_task, GRID, tmp_path / "sweep", executor=client.get_executor(), progress=False) == serial
        argv = ["demo", "--n", "50,200", "--seeds", "2", "--quiet", "--scheduler", cluster.scheduler_address]
        assert main([*argv, "--out", str(tmp_path / "cli")]) == 0
    rows = [{k: float(v) for k, v in r.items()} for r in csv.DictReader(open(tmp_path / "cli" / "demo.csv"))]
    assert rows == [r for r in serial if r["N"] in (50, 200) and r["rep"] < 2]


def test_dask_scheduler_and_workers_as_processes(tmp_path, serial):
    "`dask scheduler` and `dask worker` started as separate processes on loopback, as on a cluster (~5 s)."
    import time
    from distributed import Client
    bin_ = Path(sys.executable).parent
    file = tmp_path / "scheduler.json"
    procs = [subprocess.Popen([str(bin_ / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(file)], stderr=subprocess.DEVNULL)]
    try:
        start = time.time()
        while not file.exists() and time.time() - start < 60: time.sleep(0.1)
        procs.append(subprocess.Popen([str(bin_ / "dask"), "worker", "--scheduler-file", str(file), "--nworkers", "2",
                                       "--nthreads", "1", "--no-dashboard"], stderr=subprocess.DEVNULL))
        with Client(scheduler_file=str(file)) as client:
            client.wait_for_workers(2, timeout=60)
            address = client.scheduler.address
            assert address.startswith("tcp://127.0.0.1")
            assert run_sweep(demo_task, GRID, tmp_path / "sweep", executor=client.get_executor(), progress=False) == serial
    finally:
        for p in procs[::-1]:
            p.terminate(); p.wait(30)


class Interrupting:
    "demo_task that is killed (KeyboardInterrupt) at one grid point on its first run, and counts its calls."
    def __init__(self, at): self.at, self.fired, self.calls = at, False, 0
    def __call__(self, params, seed):
        self.calls += 1
        if params == self.at and not self.fired:
            self.fired = True
            raise KeyboardInterrupt
        return demo_task(params, seed)


def test_interrupted_sweep_resumes(tmp_path, serial):
    task = Interrupting({"N": 200, "rep": 1})
    study = "chaos_book.experiments.demo_task"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(task, GRID, tmp_path, progress=False, study=study)
    assert len(list(tmp_path.glob("task-*.json"))) == 4 and not list(tmp_path.glob(".part-*"))
    table = run_sweep(task, GRID, tmp_path, progress=False, study=study)
    assert table == serial
    assert task.calls == 5 + 5          # 5 before the interruption (the 5th killed), 5 left after it


def test_killed_cli_run_resumes(tmp_path):
    "SIGKILL a `chaos-book demo` process after a few tasks, rerun: same table as an uninterrupted run, no damaged file."
    import time, warnings
    argv = ["demo", "--n", "5e4", "--seeds", "60", "--workers", "1", "--quiet"]
    proc = subprocess.Popen([str(Path(sys.executable).parent / "chaos-book"), *argv, "--out", str(tmp_path / "killed")])
    tasks, start = tmp_path / "killed" / "tasks", time.time()
    while len(list(tasks.glob("task-*.json"))) < 3 and time.time() - start < 60: time.sleep(0.005)
    proc.kill(); proc.wait()
    done = len(list(tasks.glob("task-*.json")))
    assert proc.returncode == -9 and 3 <= done < 60
    with warnings.catch_warnings():
        warnings.simplefilter("error")                  # a damaged file would warn
        assert main([*argv, "--out", str(tmp_path / "killed")]) == 0
    assert main([*argv, "--out", str(tmp_path / "clean")]) == 0
    assert (tmp_path / "killed" / "demo.csv").read_text() == (tmp_path / "clean" / "demo.csv").read_text()


def test_damaged_files_are_recomputed(tmp_path, serial):
    run_sweep(demo_task, GRID, tmp_path, progress=False)
    files = sorted(tmp_path.glob("task-*.json"))
    files[0].write_text(files[0].read_text()[: len(files[0].read_text()) // 2])      # truncated
    record = json.loads(files[1].read_text())
    record["result"]["w1"] = 0.5                                                     # edited, checksum now wrong
    files[1].write_text(json.dumps(record))
    files[2].write_bytes(b"\x00\xff garbage")
    with pytest.warns(UserWarning, match="damaged") as caught:
        assert run_sweep(demo_task, GRID, tmp_path, progress=False) == serial
    assert len(caught) == 3
    assert run_sweep(lambda params, seed: 1 / 0, GRID, tmp_path, progress=False,
                     study="chaos_book.experiments.demo_task") == serial             # nothing left to compute


def test_other_study_in_folder_is_refused(tmp_path):
    run_sweep(demo_task, {"N": [10], "rep": [0]}, tmp_path, progress=False)
    with pytest.raises(ValueError, match="different study"):
        run_sweep(demo_task, {"N": [10], "eps": [0.1]}, tmp_path, progress=False)
    with pytest.raises(ValueError, match="different study"):
        run_sweep(demo_task, {"N": [10], "rep": [0]}, tmp_path, progress=False, seed=1)
    with pytest.raises(ValueError, match="different study"):
        run_sweep(demo_task, {"N": [10], "rep": [0]}, tmp_path, progress=False, study="another")


@pytest.mark.parametrize("grid,err,match", [
    ({}, ValueError, "at least one"),
    ({"N": []}, ValueError, "empty"),
    ({"N": [10, 10]}, ValueError, "repeated"),
    ({"N": [[10]]}, ValueError, r"grid\['N'\] must be a flat list of values, shape \(k,\), got shape \(1, 1\)"),
    ({"N": np.ones((2, 3))}, ValueError, r"grid\['N'\] must be a flat list of values, shape \(k,\), got shape \(2, 3\)"),
    ({"N": [{"a": 1}]}, TypeError, "number, string or bool"),
])
def test_bad_grid(tmp_path, grid, err, match):
    with pytest.raises(err, match=match):
        run_sweep(demo_task, grid, tmp_path, progress=False)


def test_bad_task_result(tmp_path):
    with pytest.raises(TypeError, match="dict of scalars"):
        run_sweep(lambda params, seed: [1.0], {"N": [1]}, tmp_path / "a", progress=False)
    with pytest.raises(ValueError, match="clash"):
        run_sweep(lambda params, seed: {"N": 1.0}, {"N": [1]}, tmp_path / "b", progress=False)


def test_cli_demo_writes_table_and_figure(tmp_path, capsys):
    assert main(["demo", "--n", "1e2,3e2", "--seeds", "2", "--out", str(tmp_path), "--workers", "1", "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert str(tmp_path / "demo.csv") in printed and str(tmp_path / "demo.png") in printed
    rows = list(csv.DictReader(open(tmp_path / "demo.csv")))
    assert [(int(r["N"]), int(r["rep"])) for r in rows] == [(100, 0), (100, 1), (300, 0), (300, 1)]
    assert (tmp_path / "demo.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # a different study in the same folder is a usage error (status 2), found before any work
    with pytest.raises(SystemExit) as exit_:
        main(["chaos", "--n", "1e2", "--seeds", "1", "--out", str(tmp_path), "--workers", "1", "--quiet"])
    assert exit_.value.code == 2 and "different study" in capsys.readouterr().err


@pytest.mark.parametrize("argv,match", [
    (["nostudy"], "invalid choice: 'nostudy'"),
    (["demo", "--eps", "0.1"], "unrecognized arguments: --eps"),
    (["demo", "--n", "1e3,abc"], "comma-separated numbers"),
    (["demo", "--n", "1e2,15.5"], "positive integers"),
    (["demo", "--seeds", "0"], "positive integer"),
    (["demo", "--workers", "0"], "positive integer"),
    (["chaos", "--driver", "quadratic:a=1"], "unknown driver"),
    (["chaos", "--eps", "-0.1"], "positive numbers"),
    (["chaos", "--T", "inf"], "positive numbers"),
    (["chaos", "--dt", "nan"], "positive numbers"),
    (["demo", "--seed", "-1"], "argument --seed: expected an integer >= 0, got '-1'"),
    (["demo", "--seed", "1.5"], "expected an integer >= 0"),
    (["demo", "--n", "1e2,100"], "expected distinct values"),
    (["chaos", "--eps", "0.1,0.1"], "expected distinct values"),
    (["chaos", "--T", "0.1", "--dt", "0.2"], "--dt 0.2 exceeds --T 0.1"),
    (["vortex", "--T", "0.1,1", "--dt", "0.5"], "--dt 0.5 exceeds --T 0.1"),
    (["keller-segel", "--T", "0.0005"], "--dt 0.001 exceeds --T 0.0005"),
    (["plot"], "the following arguments are required: DIR"),
])
def test_cli_bad_arguments(argv, match, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and match in capsys.readouterr().err


def test_console_script_help():
    script = Path(sys.executable).parent / "chaos-book"
    out = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True).stdout
    assert "usage: chaos-book" in out and "demo" in out and "chaos" in out
    out = subprocess.run([str(script), "chaos", "--help"], capture_output=True, text=True, check=True).stdout
    assert "--scheduler" in out and "--eps" in out and "--driver" in out
    assert "adaptive" in out                              # --dt sets the particle step only, the PDE steps are adaptive


def test_parse_driver():
    assert parse_driver("tanh:a=1,c=0.5,b=2") == ("TanhDriver", {"a": 1.0, "c": 0.5, "b": 2.0})
    with pytest.raises(ValueError, match="must be a number"):
        parse_driver("linear:a=x")


def test_chaos_study_runs(tmp_path):
    "The chaos study end to end on a tiny grid: u^eps(T) -> u(T) as eps -> 0, particles close to u^eps(T)."
    from chaos_book.experiments import chaos_task
    grid = {"N": [400], "eps": [0.2, 0.1], "rep": [0], "T": [0.05], "dt": [0.01], "driver": ["linear:a=1,b=3"]}
    table = run_sweep(chaos_task, grid, tmp_path, progress=False)
    w1_pde = table.column("w1_pde")
    assert 0 < w1_pde[1] < w1_pde[0] / 2                  # O(eps^2) expected: a factor ~4
    # 400 particles: W1 to u^eps(T) is sampling-sized, about sd / sqrt(N) ~ 0.06, and W1 <= W2
    assert np.all(table.column("w1") < 0.2) and np.all(table.column("w1") <= table.column("w2"))
    # the floors: positive, and far below the sampling error of 400 particles
    for name in ("floor_dt", "floor_pde"): assert np.all((0 < table.column(name)) & (table.column(name) < table.column("w1_iid") / 10))
    text = chaos_floors(table)
    assert text.count("ok: floors <= sampling / 10") == 2 and "EM floor" in text and "PDE floor" in text


def test_cli_chaos_prints_floors(tmp_path, capsys):
    argv = ["chaos", "--n", "200", "--eps", "0.2", "--seeds", "1", "--T", "0.05", "--dt", "0.01", "--workers", "1", "--quiet"]
    assert main([*argv, "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "EM floor" in printed and "PDE floor" in printed and "ok: floors <= sampling / 10" in printed
    row = next(csv.DictReader(open(tmp_path / "chaos.csv")))
    assert {"floor_dt", "floor_pde", "w1_iid"} <= set(row)


def test_chaos_floor_flagged_and_halves_with_dt(tmp_path):
    "dt = T: one Euler step, whose floor is flagged at N = 10^5; the floor is first order in dt (weak order one)."
    from chaos_book.experiments import _pde_final
    floors = [_pde_final("linear:a=1,b=3", 0.2, 0.05, dt)[-1]["floor_dt"] for dt in (0.01, 0.005)]
    assert 1.8 < floors[0] / floors[1] < 2.2, floors
    grid = {"N": [100000], "eps": [0.2], "rep": [0], "T": [0.05], "dt": [0.05], "driver": ["linear:a=1,b=3"]}
    row = {**{k: v[0] for k, v in grid.items()}, "w1": 0.0, "w1_iid": 1e-3, "floor_pde": 0.0,
           "floor_dt": _pde_final("linear:a=1,b=3", 0.2, 0.05, 0.05)[-1]["floor_dt"]}
    assert row["floor_dt"] > 1e-4 and "FLOOR TOO HIGH" in chaos_floors([row])
    old = {k: v for k, v in row.items() if k not in ("floor_dt", "floor_pde", "w1_iid")}      # a row stored by an older version
    assert "no floors stored" in chaos_floors([old])


def test_em_law_heat_kernel_and_mass():
    "A constant volatility sigma: the chain is the exact Gaussian convolution u0 * N(0, sigma^2 t), on the grid."
    from chaos_book.drivers import ConstantVolatility
    x = np.linspace(-10, 10, 2001)                     # 8 sd of rho at t = 0.6: no mass reaches the ends
    s0, sigma, times = 0.5, 1.5, np.array([0.0, 0.1, 0.3, 0.6])
    u0 = np.exp(-x**2 / (2 * s0**2)) / (s0 * np.sqrt(2 * np.pi))
    rho = em_law(ConstantVolatility(sigma), 0.1, u0, x, times)
    assert rho.shape == (4, x.size) and np.allclose(rho.sum(1), u0.sum(), rtol=1e-12)
    for r, t in zip(rho, times):
        s = np.sqrt(s0**2 + sigma**2 * t)
        # discrete Gaussian weights on a grid with dx = 0.01 << sqrt(sigma^2 dt): second order in dx, 1e-4 is generous
        assert np.abs(r - np.exp(-x**2 / (2 * s * s)) / (s * np.sqrt(2 * np.pi))).max() < 1e-4


@pytest.mark.parametrize("args,match", [
    (dict(x=np.zeros((5, 2))), r"x must be a 1-D grid of shape \(G,\), G >= 3, got shape \(5, 2\)"),
    (dict(u0=np.ones(7)), r"u0 must have the shape of x, \(101,\), got \(7,\)"),
    (dict(u0=np.ones((101, 1))), r"u0 must have the shape of x, \(101,\)"),
    (dict(times=np.zeros((2, 2))), r"times must be a 1-D array of shape \(K,\), K >= 1, got shape \(2, 2\)"),
    (dict(times=[0.0, 0.1, 0.1]), "strictly increasing"),
    (dict(u0=-np.ones(101)), "u0 must be finite and >= 0"),
    (dict(x=np.linspace(-1, 1, 101)), "x is too narrow"),
])
def test_em_law_bad_input(args, match):
    from chaos_book.drivers import LinearDriver
    x = np.linspace(-5, 5, 101)
    kw = dict(x=x, u0=np.exp(-x**2), times=[0.0, 0.1]) | args
    with pytest.raises(ValueError, match=match):
        em_law(LinearDriver(1.0, 3.0), 0.5, kw["u0"], kw["x"], kw["times"])


# --- the CLI as a Unix tool (issue 19) -------------------------------------------------------------------------------

import chaos_book
from chaos_book.experiments import (add_radial_times, keller_segel_summary, keller_segel_task, plot_chaos, rate_with_interval,
                                    read_table, vortex_summary, vortex_task)

SCRIPT = Path(sys.executable).parent / "chaos-book"


def test_usage_errors_are_refused_before_any_work_without_traceback(tmp_path, capsys):
    "Each case from the issue, as a user runs it: status 2, argparse's message, no traceback, nothing computed."
    main(["demo", "--n", "20", "--seeds", "1", "--workers", "1", "--quiet", "--out", str(tmp_path / "demo")])
    (tmp_path / "a-file").write_text("x")
    cases = [(["demo", "--seed", "-1"], "--seed: expected an integer >= 0"),
             (["demo", "--n", "1e2,1e2"], "expected distinct values"),
             (["demo", "--out", str(tmp_path / "a-file")], "is a file, not a folder"),
             (["chaos", "--out", str(tmp_path / "demo")], "holds results of a different study"),
             (["chaos", "--T", "0.05", "--dt", "0.1", "--out", str(tmp_path / "new")], "--dt 0.1 exceeds --T 0.05")]
    for i, (argv, match) in enumerate(cases):
        if i in (0, 4):                                             # as a user runs it, in a shell
            run = subprocess.run([str(SCRIPT), *argv], capture_output=True, text=True, timeout=60)
            code, err = run.returncode, run.stderr
        else:                                                       # the same parser, in this process (quicker)
            with pytest.raises(SystemExit) as exit_:
                main(argv)
            code, err = exit_.value.code, capsys.readouterr().err
        assert code == 2 and match in err and "Traceback" not in err, (argv, err)
        assert err.startswith("usage: chaos-book")
    assert not (tmp_path / "new").exists()                          # dt > T: refused before the PDE solves


def test_version():
    run = subprocess.run([str(SCRIPT), "--version"], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == f"chaos-book {chaos_book.__version__}"


@pytest.mark.parametrize("study", ["demo", "chaos", "vortex", "keller-segel"])
def test_help_describes_every_csv_column(study, tmp_path):
    "--help lists every column the study's CSV has (parameters and results), with a description."
    from chaos_book.experiments import _STUDIES
    out = subprocess.run([str(SCRIPT), study, "--help"], capture_output=True, text=True, check=True).stdout
    spec = _STUDIES[study]
    columns = [grid for grid, *_ in spec.options.values()] + list(spec.columns)
    assert f"OUT/{study}.csv" in out
    listed = {line.split()[0] for line in out.split("columns:")[1].splitlines() if line.startswith("  ")}
    assert set(columns) <= listed
    if study == "demo":                                             # and they are the columns a run writes
        main(["demo", "--n", "20", "--seeds", "1", "--workers", "1", "--quiet", "--out", str(tmp_path)])
        assert set(next(csv.reader(open(tmp_path / "demo.csv")))) == set(columns)


def _children(pid):
    "Processes whose parent is pid (from /proc)."
    kids = []
    for d in filter(str.isdigit, os.listdir("/proc")):
        try: stat = Path(f"/proc/{d}/stat").read_text()
        except OSError: continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid: kids.append(int(d))
    return kids


def _alive(pid):
    "pid exists and is not a zombie."
    try: stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError: return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process table from /proc")
def test_killed_parallel_sweep_leaves_no_process(tmp_path):
    "SIGKILL of the parent of a `--workers 2` sweep: both pool workers end within seconds (they watch their parent)."
    import time
    proc = subprocess.Popen([str(SCRIPT), "demo", "--n", "5e4", "--seeds", "400", "--workers", "2", "--quiet",
                             "--out", str(tmp_path)])
    start = time.time()
    while len(list((tmp_path / "tasks").glob("task-*.json"))) < 3 and time.time() - start < 60: time.sleep(0.01)
    kids = _children(proc.pid)
    assert len(kids) >= 2 and all(map(_alive, kids))
    proc.kill(); proc.wait()
    start = time.time()
    while any(map(_alive, kids)) and time.time() - start < 10: time.sleep(0.05)
    left = [k for k in kids if _alive(k)]
    for k in left: os.kill(k, 9)                                   # do not leave them behind on failure either
    assert not left, f"workers {left} outlived their parent"


def test_plot_redraws_a_saved_study_from_its_csv(tmp_path, capsys):
    main(["demo", "--n", "20,40", "--seeds", "2", "--workers", "1", "--quiet", "--out", str(tmp_path)])
    png = tmp_path / "demo.png"
    first = png.read_bytes()
    png.unlink()
    capsys.readouterr()
    assert main(["plot", str(tmp_path)]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and str(png) in capsys.readouterr().out
    assert abs(len(png.read_bytes()) - len(first)) < 0.05 * len(first)        # the same figure, from the CSV alone
    (tmp_path / "demo.csv").unlink()
    with pytest.raises(SystemExit) as exit_:
        main(["plot", str(tmp_path)])
    assert exit_.value.code == 2 and "demo.csv is missing" in capsys.readouterr().err


def test_read_table_types_values_back(tmp_path):
    from chaos_book.experiments import Table
    t = Table([{"N": 100, "eps": 0.1, "ok": True, "t": float("inf"), "name": "linear:a=1,b=3"}])
    assert read_table(t.to_csv(tmp_path / "t.csv")) == t
    assert [type(v) for v in read_table(tmp_path / "t.csv")[0].values()] == [int, float, bool, float, str]


def test_plot_chaos_on_dictreader_rows_and_single_eps_has_no_nan_rate(tmp_path, monkeypatch):
    "plot_chaos takes rows from csv.DictReader (strings); with one eps no legend reads 'rate nan'."
    from matplotlib.figure import Figure
    drawn = []
    real = Figure.savefig
    monkeypatch.setattr(Figure, "savefig", lambda self, *a, **k: (drawn.append(self), real(self, *a, **k))[1])
    rows = [{"N": N, "eps": 0.2, "rep": k, "T": 0.05, "dt": 0.01, "driver": "linear:a=1,b=3", "w1": 0.5 / np.sqrt(N) * (1 + k / 10),
             "w1_limit": 0.3 / np.sqrt(N), "w1_pde": 0.01} for N in (100, 400) for k in range(2)]
    from chaos_book.experiments import Table
    path = Table(rows).to_csv(tmp_path / "chaos.csv")
    plot_chaos(list(csv.DictReader(open(path))), tmp_path / "chaos.png")
    labels = [t.get_text() for ax in drawn[-1].axes for t in ax.get_legend().get_texts()]
    assert labels and not any("nan" in s for s in labels), labels
    assert any("no rate" in s for s in labels) and any("rate -0.50" in s for s in labels)


def test_rate_with_interval():
    "Exact power laws give the exact rate; two slopes -0.4 and -0.6 give -0.5 +- t(0.975, 1) sd / sqrt(2)."
    import scipy.stats
    rows = [{"N": N, "rep": k, "err": 2.0 * N ** (-0.4 - 0.2 * k)} for N in (10, 100, 1000) for k in range(2)]
    mean, lo, hi, k = rate_with_interval(rows)
    half = scipy.stats.t.ppf(0.975, 1) * np.std([-0.4, -0.6], ddof=1) / np.sqrt(2)
    assert k == 2 and mean == pytest.approx(-0.5) and (lo, hi) == pytest.approx((-0.5 - half, -0.5 + half))
    assert np.isnan(rate_with_interval([{"N": 10, "rep": 0, "err": 1.0}])[0])
    assert np.isnan(rate_with_interval([r for r in rows if r["rep"] == 0])[1])
    with pytest.raises(ValueError, match="must be > 0"):
        rate_with_interval([{"N": 10, "rep": 0, "err": 0.0}, {"N": 20, "rep": 0, "err": 1.0}])


# --- the 2D studies --------------------------------------------------------------------------------------------------

VX_GRID = {"N": [250, 1000, 4000], "eps": [0.2], "rep": range(4), "nu": [1e-3], "T": [0.05], "dt": [0.05], "grid": [32]}


@pytest.fixture(scope="module")
def vortex_serial(tmp_path_factory):
    return run_sweep(vortex_task, VX_GRID, tmp_path_factory.mktemp("vx"), progress=False)


def test_vortex_tiny_sweep_monte_carlo_rate(vortex_serial):
    """At fixed eps against (16), with one step, the error is Monte Carlo: rate -1/2 in N within the interval over seeds
    (the interval must contain -1/2 and be narrower than 0.3); the reference stays inside its box."""
    table = vortex_serial
    assert set(table[0]) == {*VX_GRID, "err", "err_box", "sw2", "edge", "mesh_h"}
    assert all(0 < r["err_box"] < 0.2 and r["err"] > 0 and r["sw2"] > 0 and r["edge"] < 1e-3 and r["mesh_h"] == 0.025
               for r in table)
    for y in ("err_box", "err"):                                    # the box norm and the chapter's Hdot^-1 norm
        mean, lo, hi, k = rate_with_interval(table, y=y)
        assert k == 4 and lo < -0.5 < hi and hi - lo < 0.3, (y, mean, lo, hi)
    text = vortex_summary(table)
    assert f"rate in N {mean:.3f} [{lo:.3f}, {hi:.3f}], 95 % over 4 seeds" in text


def test_vortex_on_dask_gives_the_same_table(tmp_path, vortex_serial):
    "The vortex study on a dask.distributed LocalCluster (threads in this process): the same rows, bit for bit."
    import distributed
    grid = {**VX_GRID, "N": [250, 1000], "rep": [0, 3]}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        table = run_sweep(vortex_task, grid, tmp_path, executor=client.get_executor(), progress=False)
    serial = {(r["N"], r["rep"]): r for r in vortex_serial}
    assert table == [serial[r["N"], r["rep"]] for r in table]


def test_keller_segel_tiny_sweep_against_closed_forms(tmp_path):
    """Virial time 2 sigma2 M / (M^2/(2 pi) - 4 M) = 1/4 at 3 M_c (sigma2 = 1); below M_c it is inf, the classical solution is
    global (t_radial = inf) and the particles are not flagged; at 3 M_c every run flags, before the virial time."""
    grid = {"N": [300], "mass_ratio": [0.5, 3.0], "eps": [0.1], "dt": [0.004], "rep": range(3), "T": [0.25], "sigma2": [1.0]}
    table = run_sweep(keller_segel_task, grid, tmp_path, progress=False)
    low, high = [r for r in table if r["mass_ratio"] == 0.5], [r for r in table if r["mass_ratio"] == 3.0]
    assert all(r["t_virial"] == float("inf") and not r["blew_up"] and r["t_flag"] == float("inf") and r["criterion"] == "none"
               for r in low)
    assert all(r["t_virial"] == pytest.approx(0.25, rel=1e-14) and r["mass"] == pytest.approx(24 * np.pi) for r in high)
    assert all(r["blew_up"] and 0 < r["t_flag"] <= 0.25 and r["criterion"] != "none" for r in high)
    assert "t_radial" not in table[0] and "not computed" in keller_segel_summary(table)
    low = add_radial_times(low)                                   # sub-critical: global, and no radial solve needed
    from chaos_book import keller_segel as ks
    expected = float("inf") if hasattr(ks, "blowup_time_radial") else "unavailable"
    assert all(r["t_radial"] == expected for r in low)
    text = keller_segel_summary(low + high)
    assert "0/3 flagged, never flagged" in text and "3/3 flagged, t_flag" in text and "(95 %, 3 runs)" in text


def test_killed_keller_segel_cli_resumes(tmp_path):
    "SIGKILL `chaos-book keller-segel` after a few tasks, rerun: the same CSV as an uninterrupted run, no damaged file."
    import time, warnings
    argv = ["keller-segel", "--n", "400", "--mass", "0.9", "--eps", "0.1", "--dt", "0.01", "--T", "0.05", "--seeds", "30",
            "--workers", "1", "--quiet"]
    proc = subprocess.Popen([str(SCRIPT), *argv, "--out", str(tmp_path / "killed")], stdout=subprocess.DEVNULL)
    tasks, start = tmp_path / "killed" / "tasks", time.time()
    while len(list(tasks.glob("task-*.json"))) < 3 and time.time() - start < 60: time.sleep(0.005)
    proc.kill(); proc.wait()
    done = len(list(tasks.glob("task-*.json")))
    assert proc.returncode == -9 and 3 <= done < 30
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)               # a damaged file would warn
        assert main([*argv, "--out", str(tmp_path / "killed")]) == 0
    assert main([*argv, "--out", str(tmp_path / "clean")]) == 0
    assert (tmp_path / "killed" / "keller-segel.csv").read_text() == (tmp_path / "clean" / "keller-segel.csv").read_text()
