#!/usr/bin/env bash
# `npm run bench:gpu`: packs HumanAlign for a bare GPU machine (no Node, no network) into .gpu/: Node, Dawn and the
# GPU loaders (the project's shared pack script), one bundle of the app for every role (bench/gpuApp.ts) with stub
# entries for the job runner's worker threads, the native modules the jobs need (sharp, better-sqlite3) and the
# bundled MobileNetV2 (from nsfwjs). The working tree travels with .gpu/ (64 MiB in all), so the bundle and the
# native modules go compressed. Then, on that machine, from the repository root:
#   <the prelude this prints> /tmp/node app/app.cjs bench --out "$OUT/gpu.json"     (kernels against PyTorch)
#                             /tmp/node app/app.cjs jobs --out "$OUT/jobs.json"     (AligNet and SmoothGrad as jobs)
#   or all the measurements the open issues wait for, each with its own time limit:  <the prelude> bash ../bench/gpu-measure.sh
set -euo pipefail
cd "$(dirname "$0")/.."
pack=../shared/gpu/pack.sh
if [ ! -f "$pack" ]; then
  echo "bench:gpu needs $pack (the developers' GPU toolkit beside this repository); it is not here." >&2
  exit 1
fi
bash "$pack" >/dev/null
rm -rf .gpu/app .gpu/gpu.cjs .gpu/resources && mkdir -p .gpu/app
npx --yes esbuild bench/gpuApp.ts --bundle --platform=node --format=cjs --outfile=.gpu/app/app.cjs --log-level=warning \
  --external:webgpu --external:sharp --external:better-sqlite3 --external:electron \
  --external:@tensorflow/tfjs-node --external:@tensorflow/tfjs-node-gpu
# The runner starts its workers by file name (src-main/jobs): each stub names its role (WORKERS in bench/gpuApp.ts),
# then runs the one bundle.
for role in jobWorker taskWorker bootstrapWorker gwProductWorker sinkhornWorker rowProductsWorker attentionWorker; do
  echo "globalThis.HUMANALIGN_ROLE = '$role'; require('./app.cjs')" > ".gpu/app/$role.js"
done
tar -C .gpu -cf - app | xz -T2 -6 > .gpu/app.tar.xz && rm -rf .gpu/app
if [ ! -f .gpu/native.tar.xz ] || [ package-lock.json -nt .gpu/native.tar.xz ]; then
  tar -C node_modules -cf - sharp @img/sharp-linux-x64 @img/sharp-libvips-linux-x64 @img/colour detect-libc semver \
    better-sqlite3/package.json better-sqlite3/lib better-sqlite3/build/Release/better_sqlite3.node bindings file-uri-to-path |
    xz -T2 -6 > .gpu/native.tar.xz
fi
# The model loader resolves nsfwjs from the bundle's folder: its package.json, entry and one model suffice.
nsfw=.gpu/node_modules/nsfwjs
rm -rf "$nsfw" && mkdir -p "$nsfw/dist/models"
cp node_modules/nsfwjs/package.json "$nsfw/"
cp -r node_modules/nsfwjs/dist/cjs "$nsfw/dist/"
cp -r node_modules/nsfwjs/dist/models/mobilenet_v2 node_modules/nsfwjs/dist/models/package.json "$nsfw/dist/models/"
du -sh .gpu
cat <<'PRELUDE'
On the GPU machine, run `run` with carry [".gpu"] and start the command with:
for f in .gpu/debs/*.deb; do dpkg -x $f /; done; ldconfig; xz -dc .gpu/node.xz > /tmp/node && chmod +x /tmp/node && gunzip -c .gpu/dawn.node.gz > .gpu/node_modules/webgpu/dist/linux-x64/dawn.node && tar -C .gpu -xJf .gpu/app.tar.xz && tar -C .gpu/node_modules -xJf .gpu/native.tar.xz; export XDG_RUNTIME_DIR=/tmp; cd .gpu &&
PRELUDE
