#!/usr/bin/env bash
# `npm run bench:gpu`: bundles bench/gpu.ts with Node and Dawn into .gpu/ for a bare GPU machine (no Node, no
# network), using the project's shared pack script, and puts the bundled MobileNetV2 (from nsfwjs) beside it. Then,
# on that machine, from the repository root:
#   <the prelude pack.sh prints>  /tmp/node gpu.cjs --out "$OUT/gpu.json"
set -euo pipefail
cd "$(dirname "$0")/.."
pack=../shared/gpu/pack.sh
if [ ! -f "$pack" ]; then
  echo "bench:gpu needs $pack (the developers' GPU toolkit beside this repository); it is not here." >&2
  exit 1
fi
bash "$pack" bench/gpu.ts
# The model loader resolves nsfwjs from the bundle's folder: its package.json, entry and one model suffice.
nsfw=.gpu/node_modules/nsfwjs
rm -rf "$nsfw" && mkdir -p "$nsfw/dist/models"
cp node_modules/nsfwjs/package.json "$nsfw/"
cp -r node_modules/nsfwjs/dist/cjs "$nsfw/dist/"
cp -r node_modules/nsfwjs/dist/models/mobilenet_v2 node_modules/nsfwjs/dist/models/package.json "$nsfw/dist/models/"
# The gw case reads the bundled SPoSE embedding.
mkdir -p .gpu/resources/examples/things
cp resources/examples/things/spose_embedding66d_rescaled.csv .gpu/resources/examples/things/
du -sh .gpu
