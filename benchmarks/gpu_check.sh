#!/usr/bin/env bash
# The one prepared command for a machine with an NVIDIA GPU (issue 13), printing everything in one pass:
#   1. the device; 2. installs chaos-book[gpu] into $VENV; 3. tests/test_gpu.py on the device (no simulator);
#   4. benchmarks/bench_gpu.py; 5. W1 of CPU and GPU runs at N = 1e6 against the same PDE solution u^eps(T).
# Usage (from anywhere):  bash benchmarks/gpu_check.sh
# Environment: PY (python for the venv, default python3), VENV (default .venv-gpu; an existing one is reused),
#   PIP_ARGS (e.g. "--no-index --find-links wheels/" on a machine without network), SIZES (default "1e6 1e7 1e8 4e8"),
#   STEPS (timed steps, default 20), SEEDS (W1 seeds per path, default 4), BENCH_ARGS (more bench_gpu.py options),
#   W1_N, W1_EPS, W1_T, W1_DT, W1_RTOL (the W1 comparison; defaults 1e6, 0.1, 0.2, 1e-3, 1e-4).
# A dry run of the whole script on a machine without a GPU (numba's simulator, tiny sizes, the existing venv, no install):
#   SKIP_INSTALL=1 GPU_CHECK_SIM=1 VENV=.venv SIZES=2000 STEPS=2 SEEDS=2 W1_N=1000 W1_EPS=0.3 W1_RTOL=1e-2 W1_T=0.004 \
#   W1_DT=2e-3 BENCH_ARGS="--eps 0.3 --rtol 1e-2 --tpb 32 --blocks 2 --cpu-n 2000" bash benchmarks/gpu_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-python3}; VENV=${VENV:-.venv-gpu}; SIZES=${SIZES:-1e6 1e7 1e8 4e8}; STEPS=${STEPS:-20}; SEEDS=${SEEDS:-4}
if [ "${GPU_CHECK_SIM:-0}" = 1 ]; then export NUMBA_ENABLE_CUDASIM=1; else unset NUMBA_ENABLE_CUDASIM; fi
status=()
section() { echo; echo "=== $(date +%T) $*"; }

section "device"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.memory --format=csv || echo "nvidia-smi not found"

section "install chaos-book[gpu] into $VENV"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
# shellcheck disable=SC2086
if [ "${SKIP_INSTALL:-0}" = 1 ]; then status+=("install: skipped (SKIP_INSTALL=1)")
elif "$VENV/bin/python" -m pip install -q ${PIP_ARGS:-} -e '.[gpu]' pytest; then status+=("install: ok")
else status+=("install: FAILED"); fi
"$VENV/bin/python" -c "import numba, numba.cuda as c; print('numba', numba.__version__, '| cuda target:', getattr(c, 'implementation', '?'), '| available:', c.is_available())"

section "tests/test_gpu.py on the device"
if "$VENV/bin/python" -m pytest -q -p no:cacheprovider -m cudasim tests/test_gpu.py; then status+=("tests on the device: passed")
else status+=("tests on the device: FAILED"); fi

section "benchmark: particle-steps per second"
# shellcheck disable=SC2086
if "$VENV/bin/python" benchmarks/bench_gpu.py --sizes $SIZES --steps "$STEPS" ${BENCH_ARGS:-}; then status+=("benchmark: ran")
else status+=("benchmark: FAILED"); fi

section "W1 against the PDE solution at N = ${W1_N:-1e6}: CPU and GPU"
if SEEDS="$SEEDS" "$VENV/bin/python" -W ignore - <<'EOF'
import os, time
import numpy as np
from chaos_book.drivers import LinearDriver
from chaos_book.fokker_planck import solve
from chaos_book.particles import sample_density, simulate
from chaos_book.wasserstein import wasserstein

env = lambda k, d: float(os.environ.get(k, d))
drv, S = LinearDriver(a=0.5, b=1.0), int(os.environ["SEEDS"])
eps, T, dt, N, rtol = env("W1_EPS", 0.1), env("W1_T", 0.2), env("W1_DT", 1e-3), int(env("W1_N", 1e6)), env("W1_RTOL", 1e-4)
L, h = 6.0 * np.sqrt(1 + 9 * T), min(0.02, eps / 8)
x = np.linspace(-L, L, 2 * int(np.ceil(L / h)) + 1)
u0 = np.exp(-x**2 / 2) / np.sqrt(2 * np.pi)
c0 = time.perf_counter()
uT = solve(drv, u0, x, eps, T, method="midpoint", rtol=1e-4).u[-1]
print(f"PDE (9): eps = {eps}, T = {T}, {x.size} cells, midpoint, rtol 1e-4: {time.perf_counter() - c0:.1f} s")
F = np.concatenate([[0.0], np.cumsum(0.5 * (uT[1:] + uT[:-1]) * np.diff(x))])
F /= F[-1]
band = np.sqrt(2 / (np.pi * N)) * np.trapezoid(np.sqrt(F * (1 - F)), x)   # mean W1 of N i.i.d. samples of u^eps(T)
w = {}
for backend in ("cpu", "cuda"):
    rows = []
    for s in range(S):
        x0 = sample_density(u0, N, seed=100 + s, x=x)
        c0 = time.perf_counter()
        r = simulate(drv, eps, x0, T, dt, seed=200 + s, rtol=rtol, backend=backend)
        rows.append(wasserstein(r.x, (x, uT)))
        print(f"  {backend:<4} seed {s}: W1 = {rows[-1]:.3e}  ({time.perf_counter() - c0:.1f} s, {r.params['steps']} steps)")
    w[backend] = np.array(rows)
m = {k: v.mean() for k, v in w.items()}
se = {k: v.std(ddof=1) / np.sqrt(v.size) for k, v in w.items()}
diff, se_diff = m["cuda"] - m["cpu"], np.hypot(se["cpu"], se["cuda"])
print(f"mean W1 to u^eps(T): CPU {m['cpu']:.3e} ± {se['cpu']:.1e}, GPU {m['cuda']:.3e} ± {se['cuda']:.1e}; "
      f"i.i.d. sampling band (mean W1 of {N:.0e} exact samples) {band:.3e}")
ok = all(m[k] <= 2 * band for k in m) and abs(diff) <= 4 * se_diff
print(f"GPU - CPU = {diff:+.2e} ({diff / se_diff:+.1f} standard errors); both within twice the band: {all(m[k] <= 2 * band for k in m)}")
print("W1 check:", "PASS" if ok else "FAIL")
raise SystemExit(0 if ok else 1)
EOF
then status+=("W1 against the PDE: PASS"); else status+=("W1 against the PDE: FAIL"); fi

section "summary"
printf '%s\n' "${status[@]}"
printf '%s\n' "${status[@]}" | grep -q -E "FAIL" && exit 1 || exit 0
