#!/bin/bash
# The whole job, as a user runs it, this project's CLI against the reference: process start to PNGs on disk.
# Ours: `stylealigned generate` in text mode (loads UNet, VAE and text encoder, tokenizes and encodes the
# prompts, 1 reference + 4 targets with StyleAligned, CFG 7.5, decodes, writes PNGs, grid and set.json).
# Reference: diffusers 0.25 + sa_handler (bench/diffusers_compare.py --job): imports, loads UNet and VAE, the
# StyleAligned loop on random text embeddings (no text encoder: that favours the reference), decode, PNGs.
# The model's files are read once before the first run, so both start from a warm page cache; the two
# programs alternate, ROUNDS times. See docs/performance.md.
#
# usage: bench/compare_job.sh MODEL_DIR SIZE STEPS [ROUNDS]   (REF as in compare_real.sh, default /tmp/ref)
set -euo pipefail
model=${1:?model folder}; size=${2:-256}; steps=${3:-3}; rounds=${4:-2}
ref=${REF:-/tmp/ref}
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
find "$model" -type f -exec cat {} + >/dev/null  # warm page cache for both
for round in $(seq "$rounds"); do
    echo "== round $round: this project (stylealigned generate)"
    /usr/bin/time -f "whole process %e s, peak RSS %M KB" "$here/build/app/stylealigned" generate --model "$model" \
        --prompt "a cat" --prompt "a dog" --prompt "a tree" --prompt "a house" --prompt "a car" \
        --steps "$steps" --height "$size" --width "$size" --out "$out/ours" 2>&1 | grep -e "^done in" -e "^whole process"
    echo "== round $round: reference (diffusers 0.25 + sa_handler)"
    PYTHONPATH="$here/bench/pyshim:$ref/diffusers/src:$ref/hub/src:$ref/sa" /usr/bin/time -f "whole process %e s, peak RSS %M KB" \
        /usr/bin/python3 "$here/bench/diffusers_compare.py" --model "$model" --steps "$steps" --height "$size" \
        --width "$size" --job "$out/ref" 2>&1 | grep -e '^job:' -e '^whole process'
done
