#!/usr/bin/env bash
# Export trained glide-shapes models (train_all.sh's OUT_DIR: base.pt.gz, upsample.pt.gz, clip.pt.gz) into an ONNX
# model directory with the exporter, using the CLIP logit scale and any preset overrides the training recorded, and
# naming ancestral upsampling in the manifest (its "sampling": DDIM keeps the upsampler's grain).
#   usage: release.sh TRAINED_DIR [MODEL_DIR]        (MODEL_DIR defaults to src/models/glide-shapes)
# The model directory is replaced only when the export succeeds; training.json beside the graphs records how each
# model was trained (steps, samples, seconds, options; for continued runs the runs before and the totals).
set -euo pipefail
trained=$(cd "${1:?usage: release.sh TRAINED_DIR [MODEL_DIR]}" && pwd)
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${2:-$here/../models/glide-shapes}
python=${PYTHON:-python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$here"
facts=$("$python" -m glide_shapes checkpoints --trained "$trained" --out "$tmp/ckpt" | tail -n 1)
sets=$("$python" -c 'import json, sys
facts = json.loads(sys.argv[1])
print("clip.logit_scale=%r" % facts["logit_scale"])
print("\n".join(facts["set"]))' "$facts")
args=()
for s in $sets; do args+=(--set "$s"); done
"$python" -m glide_export convert --config shapes --checkpoints "$tmp/ckpt" --models base,upsample,clip \
    --out "$tmp/models" --upsample-sampler ancestral "${args[@]}"
cp "$tmp/ckpt/training.json" "$tmp/models/training.json"
rm -rf "$out.old"
if [[ -d "$out" ]]; then mv "$out" "$out.old"; fi
mkdir -p "$(dirname "$out")"
mv "$tmp/models" "$out"
rm -rf "$out.old"
echo "exported to $out with" $sets
du -sh "$out"
