"""Particle-steps per second of the GPU path (chaos_book.gpu) at N = 1e6 .. 4e8, the CPU path at 1e6 in the same run,
and the fraction of the device's copy bandwidth that a step reaches.

One step reads the positions twice (deposit, fused move) and writes them once: 24 bytes per particle. The copy bandwidth is
measured in the same run by a device-to-device copy of the positions (8 N bytes read, 8 N written), so the fraction is
(24 N / step time) / (16 N / copy time). Driver LinearDriver(0.5, 1) (h_inv applied in the kernel), x0 ~ N(0, 1).
Run on a GPU:       python benchmarks/bench_gpu.py [--sizes 1e6 1e7 1e8 4e8] [--steps 20]
Check the script on the CPU (numba's CUDA simulator, tiny sizes, no timing meaning):
    NUMBA_ENABLE_CUDASIM=1 python benchmarks/bench_gpu.py --sizes 2000 --steps 2 --eps 0.3 --rtol 1e-2 --tpb 32 --blocks 2 --cpu-n 2000
"""
import argparse, os, time
import numpy as np
from numba import cuda
from chaos_book.drivers import LinearDriver
from chaos_book.particles import simulate
from chaos_book import gpu

DRV = LinearDriver(a=0.5, b=1.0)


def gpu_rate(n, a, x0=None):
    "Seconds per step (best of the timed steps), seconds per density, G, and seconds per device-to-device copy of x."
    x0 = np.random.default_rng(0).standard_normal(n) if x0 is None else x0
    d = gpu.DeviceParticles(DRV, a.eps, x0, seed=1, rtol=a.rtol, threads_per_block=a.tpb, blocks=a.blocks)
    d.step(0.0, a.dt)                                               # compile and warm up
    cuda.synchronize()
    steps = []
    for k in range(a.steps):
        c0 = time.perf_counter()
        d.step((k + 1) * a.dt, a.dt)                                # returns after the statistics reach the host
        steps.append(time.perf_counter() - c0)
    c0 = time.perf_counter()
    for _ in range(a.steps): d.density()
    cuda.synchronize()
    dens = (time.perf_counter() - c0) / a.steps
    dst = cuda.device_array_like(d.x)
    dst.copy_to_device(d.x)
    cuda.synchronize()
    c0 = time.perf_counter()
    for _ in range(a.steps): dst.copy_to_device(d.x)
    cuda.synchronize()
    copy = (time.perf_counter() - c0) / a.steps
    del dst
    return float(np.median(steps)), dens, d.G, copy, d.blocks, d.tpb


def cpu_rate(n, a):
    "Seconds per step of the CPU path (best of 3 runs, set-up excluded) and its grid size."
    x0 = np.random.default_rng(0).standard_normal(n)
    simulate(DRV, a.eps, x0[:1000], 2 * a.dt, a.dt, seed=0, rtol=a.rtol)  # compile
    best = min((simulate(DRV, a.eps, x0, a.steps * a.dt, a.dt, seed=1, rtol=a.rtol, method="fast") for _ in range(3)),
               key=lambda r: r.timings["total"] - r.timings["setup"])
    return (best.timings["total"] - best.timings["setup"]) / best.params["steps"], best.params["G_last"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=float, nargs="+", default=[1e6, 1e7, 1e8, 4e8])
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--eps", type=float, default=0.05)
    ap.add_argument("--rtol", type=float, default=1e-4)
    ap.add_argument("--dt", type=float, default=1e-3)
    ap.add_argument("--tpb", type=int, default=256)
    ap.add_argument("--blocks", type=int, default=None)
    ap.add_argument("--cpu-n", type=float, default=1e6)
    a = ap.parse_args()
    if not cuda.is_available():  # not an error for `make bench` on a machine without a GPU: nothing is measured
        print("skipped: bench_gpu.py needs a CUDA GPU (or NUMBA_ENABLE_CUDASIM=1 to check the script); no GPU figure measured")
        return
    sim = os.environ.get("NUMBA_ENABLE_CUDASIM") == "1"
    dev = "numba CUDA simulator (timings meaningless)" if sim else cuda.get_current_device().name
    dev = dev.decode() if isinstance(dev, bytes) else dev
    print(f"device: {dev}; eps = {a.eps}, rtol = {a.rtol}, dt = {a.dt}, {a.steps} timed steps; "
          f"CPU: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    cpu_step, cpu_G = cpu_rate(int(a.cpu_n), a)
    cpu_ps = int(a.cpu_n) / cpu_step
    print(f"{'path':<6}{'N':>10}{'G':>9}{'deposit':>9}{'ms/step':>10}{'ms dens.':>10}{'particle-steps/s':>18}"
          f"{'copy GB/s':>11}{'of copy bw':>12}{'vs CPU':>12}")
    print(f"{'cpu':<6}{int(a.cpu_n):>10.0e}{cpu_G:>9}{'-':>9}{cpu_step * 1e3:>10.2f}{'-':>10}{cpu_ps:>18.3e}{'-':>11}{'-':>12}{1.0:>12.1f}")
    for n in map(int, a.sizes):
        step, dens, G, copy, blocks, tpb = gpu_rate(n, a)
        bw = 16 * n / copy
        frac = (24 * n / step) / bw
        path = "shared" if G <= gpu.SHARED_NODES else "global"
        print(f"{'cuda':<6}{n:>10.0e}{G:>9}{path:>9}{step * 1e3:>10.3f}{dens * 1e3:>10.3f}{n / step:>18.3e}"
              f"{bw / 1e9:>11.1f}{frac:>12.2f}{n / step / cpu_ps:>12.1f}")
    print(f"launch: {blocks} blocks x {tpb} threads (last size); target of issue 13: 8e10 particle-steps/s on an H200 at N >= 1e8")


if __name__ == "__main__":
    main()
