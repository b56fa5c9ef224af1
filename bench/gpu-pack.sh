#!/usr/bin/env bash
# `npm run bench:gpu`: bundles bench/gpu.ts with Node and Dawn into .gpu/ for a bare GPU machine (no Node, no
# network), using the project's shared pack script. Then, on that machine, from the repository root:
#   <the prelude pack.sh prints>  /tmp/node gpu.cjs --out "$OUT/gpu.json"
set -euo pipefail
cd "$(dirname "$0")/.."
pack=../shared/gpu/pack.sh
if [ ! -x "$pack" ] && [ ! -f "$pack" ]; then
  echo "bench:gpu needs $pack (the developers' GPU toolkit beside this repository); it is not here." >&2
  exit 1
fi
bash "$pack" bench/gpu.ts
