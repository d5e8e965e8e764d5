#!/usr/bin/env bash
# The glide-shapes training recipe in one command (README, "Next"): the base, the upsampler and the CLIP pair from
# scratch in two phases, then float16 copies of the three (`keep`) small enough to bring back from a lent GPU
# machine and commit, and the probes of the result.
#   usage: recipe.sh OUT_DIR [PHASE1_MINUTES] [PHASE2_MINUTES] [DEVICE] [SEED]      (defaults 3, 5, cuda, 3)
# Phase 1 (OUT_DIR/frozen): the UNets start at ε̂ = x_t/rms (--identity-init) with their text side frozen, so the
# caption's variation cannot collapse before the image side reads it; the CLIP pair trains from scratch beside them.
# Phase 2 (OUT_DIR/trained): all three continue, the UNets' text side trainable, at lr 3e-4; the CLIP pair's
# batches now come in groups of four scenes that differ in one attribute (--contrast-group 4): random batches
# teach it colour but leave shapes and places at chance (README, "Reranking").
# OUT_DIR/kept then holds base.pt.gz, upsample.pt.gz and clip.pt.gz (float16) and their training logs.
# PYTHON, BATCH, PRECISION and the other train_all.sh variables pass through (e.g. BATCH=4 for a quick CPU check).
set -euo pipefail
out=${1:?usage: recipe.sh OUT_DIR [PHASE1_MINUTES] [PHASE2_MINUTES] [DEVICE] [SEED]}
phase1=${2:-3}
phase2=${3:-5}
device=${4:-cuda}
seed=${5:-3}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
python=${PYTHON:-python3}
mkdir -p "$out"
out=$(cd "$out" && pwd)

# The first-step loss for the base only: it keeps the base's backgrounds untinted (README, I5–I6), while the
# upsampler trained from scratch with it denoised worse and its first step came out no better (README, U).
export MODELS="base upsample clip" CROP=128 SNR_WEIGHT_MAX=20 HIGH_T_SHARE=0.3 HIGH_T_FROM=850 DROPOUT=0 \
    FIRST_STEP_WEIGHT=3000 FIRST_STEP_SHARE=0.1 FIRST_STEP_MODELS=base
echo "== phase 1: $phase1 min, text side frozen, identity init -> $out/frozen"
FREEZE_TEXT=1 IDENTITY_INIT=1 bash "$here/train_all.sh" "$out/frozen" "$phase1" "$device" "$seed"
echo "== phase 2: $phase2 min, text side trainable, lr 3e-4 -> $out/trained"
INIT_DIR="$out/frozen" LR=3e-4 CONTRAST_GROUP=4 bash "$here/train_all.sh" "$out/trained" "$phase2" "$device" "$seed"
cd "$here/.."
echo "== keep (float16) -> $out/kept"
"$python" -m glide_shapes keep --trained "$out/trained" --out "$out/kept"
echo "== probes (base: spread toward 0.69, alignment toward +1, chroma_gain near 1, colour_bias near 0;"
echo "   both: denoise_gain near 1; upsampler: first_step_error toward 0; clip: picks well above chance)"
"$python" -m glide_shapes probe "$out/trained/base.pt.gz" "$out/trained/upsample.pt.gz" "$out/trained/clip.pt.gz"
