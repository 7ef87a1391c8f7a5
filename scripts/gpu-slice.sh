#!/usr/bin/env bash
# The GPU slice: on a machine with one GPU and no internet, in under 8 minutes,
#   1. the smoke paper tier on CUDA (every paper-tier case end to end at toy size, stand-ins for absent data),
#   2. the perf benchmarks: PGD-10 and PGD-10 adversarial-training throughput of PreAct ResNet-18 and
#      WRN-28-10 on CIFAR-shaped data, fp32 and bf16, as a fraction of the GPU's bf16 peak,
#   3. `--gpus 2` with both workers on the one device (a short mini-tier slice through the launcher).
# Each step has its own time limit (the three sum to 460 s); a step that runs out is reported, the
# next one still runs. Output: $OUT (default results/gpu-slice), a summary at the end.
#
#   scripts/gpu-slice.sh [--dry-run] [--data-root DIR]
#
# --dry-run prints the commands and the budget and runs nothing (needs no GPU): tests/harness/test_gpu_slice.py.
set -uo pipefail
cd "$(dirname "$0")/.."
DRY=0
DATA_ROOT="${ROBUSTSUITE_DATA_ROOT:-../shared/data}"
while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY=1 ;;
    --data-root) DATA_ROOT="$2"; shift ;;
    *) echo "gpu-slice.sh: unknown argument $1 (allowed: --dry-run, --data-root DIR)" >&2; exit 2 ;;
  esac
  shift
done
OUT="${OUT:-results/gpu-slice}"
export OMP_WAIT_POLICY=PASSIVE PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
COMMON=(-q -p no:cacheprovider --results-dir "$OUT" --cache-dir "$OUT/cache" --data-root "$DATA_ROOT")
SMOKE_S=240 PERF_S=160 SHARE_S=60
STATUS=()

step() {  # step NAME SECONDS CMD...: run CMD under a time limit, record its exit status
  local name=$1 limit=$2; shift 2
  echo "== $name (limit ${limit}s): $*"
  if [ "$DRY" = 1 ]; then STATUS+=("$name: dry-run"); return; fi
  local start=$SECONDS
  timeout --signal=INT --kill-after=10 "$limit" "$@"
  local rc=$?
  STATUS+=("$name: exit $rc in $((SECONDS - start))s$([ $rc -eq 124 ] && echo ' (time limit)')")
}

echo "gpu-slice: budget ${SMOKE_S}+${PERF_S}+${SHARE_S} = $((SMOKE_S + PERF_S + SHARE_S)) s; output $OUT"
if [ "$DRY" = 0 ]; then
  python -c "import torch, sys; ok = torch.cuda.is_available(); print('device:', torch.cuda.get_device_name(0) if ok else 'no CUDA'); sys.exit(0 if ok else 3)" \
    || { echo "gpu-slice: no CUDA device; use --dry-run to check the commands" >&2; exit 3; }
fi

step smoke-paper "$SMOKE_S" python -m pytest benchmarks --tier paper --smoke --device cuda -m "not perf" \
  --run smoke-paper --benchmark-disable "${COMMON[@]}"
step perf "$PERF_S" python -m pytest benchmarks/perf/test_attack_speed.py::test_pgd_over_its_floor \
  benchmarks/perf/test_training_speed.py --tier paper --device cuda --run perf "${COMMON[@]}"
step gpus2-one-device "$SHARE_S" python -m pytest benchmarks/thesis/test_ch4_linear.py --tier mini --gpus 2 \
  --device cuda --run gpus2 "${COMMON[@]}"

if [ "$DRY" = 0 ] && [ -f "$OUT/runs/perf/benchmark.json" ]; then
  python - "$OUT/runs/perf/benchmark.json" <<'PY'
import json, sys
for b in json.load(open(sys.argv[1]))["benchmarks"]:
    e = b.get("extra_info", {})
    ips = e.get("images_per_second")
    ips = ips.get("pgd") if isinstance(ips, dict) else ips
    print(f"{b['name']:<75} {e.get('precision', '?'):>5}  images/s {ips}  TFLOP/s {e.get('achieved_tflops')}  "
          f"of bf16 peak {e.get('fraction_of_bf16_peak')}")
PY
fi
echo "gpu-slice summary:"; printf '  %s\n' "${STATUS[@]}"
