#!/bin/bash
# One run of this project's bench and the reference's (diffusers 0.25 + sa_handler) on the same diffusers
# folder, size and step count: load, text encoding / VAE decode / inversion apart, the denoising loop plain and
# StyleAligned, peak RSS. See docs/performance.md.
#
# usage: bench/compare_real.sh MODEL_DIR SIZE STEPS   (REF: folder with diffusers/src, hub/src and sa/sa_handler.py;
#                                                     default /tmp/ref)
set -euo pipefail
model=${1:?model folder}; size=${2:-256}; steps=${3:-3}
ref=${REF:-/tmp/ref}
here=$(cd "$(dirname "$0")/.." && pwd)
echo "== this project"
"$here/build/bench/stylealigned-bench" --model "$model" --steps "$steps" --height "$size" --width "$size" --repeat 1 --skip-rerun
echo "== reference"
PYTHONPATH="$here/bench/pyshim:$ref/diffusers/src:$ref/hub/src:$ref/sa" /usr/bin/python3 "$here/bench/diffusers_compare.py" \
    --model "$model" --steps "$steps" --height "$size" --width "$size" --repeat 1 --warmup 0 2>&1 |
    grep -v -i -e accelerate -e '^```' -e '^\.$'
