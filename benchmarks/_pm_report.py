"""Timing and the printed table shared by the particle-mesh benchmarks (bench_vortex.py, bench_keller_segel.py)."""
import os
import time


def best(f, reps):
    "(best wall seconds, best thread-CPU seconds) over reps calls."
    ts, cs = [], []
    for _ in range(reps):
        c0, t0 = time.thread_time(), time.perf_counter()
        f()
        ts.append(time.perf_counter() - t0); cs.append(time.thread_time() - c0)
    return min(ts), min(cs)


def report(title, unit, rows, numpy_label, t_np, c_np, phase, target_ms, load0, what):
    """Print the header, the ours-vs-numpy table (rows: (threads, wall s, CPU s, bit-identical)) with the target
    (<= target_ms and >= 2x numpy), and the phase breakdown (phase: {threads: {name: ms}})."""
    load1 = os.getloadavg()
    print(title)
    print(f"load average (1 min) {load0[0]:.2f} before, {load1[0]:.2f} after, on {os.cpu_count()} cores")
    print(f"\n| path | ms per {unit} (wall) | CPU ms (1 thread) | speed-up vs numpy | target <= {target_ms:.0f} ms and >= 2x | bit-identical |")
    print("|---|---|---|---|---|---|")
    for th, t, c, same in rows:
        ok = 1e3 * t <= target_ms and t_np / t >= 2
        print(f"| ours, {th} thread{'s' * (th > 1)} | {1e3 * t:.1f} | {f'{1e3 * c:.1f}' if th == 1 else '-'} | {t_np / t:.2f} | "
              f"{'met' if ok else 'missed'} | {same} |")
    print(f"| {numpy_label} | {1e3 * t_np:.1f} | {1e3 * c_np:.1f} | 1.00 | | |")
    threads = list(phase)
    print(f"\nWhere our {what} goes (wall ms, best of reps):")
    print("| phase | " + " | ".join(f"{th} thread{'s' * (th > 1)}" for th in threads) + " |")
    print("|---|" + "---|" * len(threads))
    for k in phase[threads[0]]:
        print(f"| {k} | " + " | ".join(f"{phase[th][k]:.1f}" for th in threads) + " |")
    print("| sum of phases | " + " | ".join(f"{sum(phase[th].values()):.1f}" for th in threads) + " |")
