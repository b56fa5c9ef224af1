#!/usr/bin/env bash
# Every GPU measurement the open issues wait for, in one call of the device machine (a start costs minutes):
# the GEMM at a size that is and one that is not a multiple of 4 (the vec4 padding), the 1 M-triplet probe (#6), GW,
# SmoothGrad and distillation kernels (#9, #11, #8) against PyTorch on the same GPU, then AligNet end to end and
# SmoothGrad of the 25 Langlois images as real jobs (#8, #11). Run from .gpu/ after the prelude `npm run bench:gpu`
# prints:  <prelude> bash ../bench/gpu-measure.sh
# Each step has its own time limit so that one that hangs leaves the others' results under $OUT; together they fit one
# device call (600 s at most: 560 s of limits, run it with timeout_s 590).
set -u
: "${OUT:?OUT must name the folder the results go to}"
node=/tmp/node
step() {
  local limit=$1 name=$2
  shift 2
  echo "== $name (limit ${limit} s)"
  local began=$SECONDS
  timeout "$limit" "$node" app/app.cjs "$@" > "$OUT/$name.log" 2>&1
  echo "   exit $? after $((SECONDS - began)) s"
  tail -n 3 "$OUT/$name.log"
}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader > "$OUT/gpu.txt" 2>&1
step 40 matmul1854 bench --only matmul --size 1854 --out "$OUT/matmul1854.json"
step 40 matmul1856 bench --only matmul --size 1856 --out "$OUT/matmul1856.json"
step 170 probe1m bench --only probe --size 1000000 --out "$OUT/probe1m.json"
step 130 kernels bench --only gw,saliency,distill --out "$OUT/kernels.json"
step 180 jobs jobs --out "$OUT/jobs.json"
