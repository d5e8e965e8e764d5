#!/usr/bin/env bash
# Train the three glide-shapes models side by side on one device for a fixed wall-clock time each.
#   usage: train_all.sh OUT_DIR [MINUTES] [DEVICE] [SEED]      (run from anywhere; python3 must have torch)
#   MODELS="base upsample" trains a subset; INIT_DIR=DIR continues each model from DIR/<model>.pt.gz (an earlier
#   run's EMA weights, its raw weights and Adam moments from DIR/<model>.state.pt; learning rate LR if set);
#   CROP=128 trains the upsampler on aligned crops; BATCH=N sets every model's batch (default: each model's own,
#   sized for a GPU; e.g. BATCH=4 for a quick CPU check);
#   TEXT_LR_MULT=5 raises the UNets' text-side learning rate; SNR_WEIGHT_MAX=20 weights the UNets' ε MSE by
#   clamp(1/SNR, 1, 20); HIGH_T_SHARE=0.5 draws that share of their samples from [HIGH_T_FROM, 1000) (default 600);
#   RESET_TEXT=1 (with INIT_DIR) keeps the UNets' image side and starts their text side afresh; FREEZE_TEXT=1
#   trains the UNets' image side only; DROPOUT, LOW_FREQ_WEIGHT_MAX, FIRST_STEP_WEIGHT and FIRST_STEP_SHARE pass
#   --dropout, --low-freq-weight-max, --first-step-weight and --first-step-share to the UNets (the last two only to
#   those FIRST_STEP_MODELS names, default "base upsample"); IDENTITY_INIT=1
#   starts fresh UNets at ε̂ = x_t/rms (--identity-init; not with INIT_DIR); PRECISION=bf16 runs the forward pass
#   under bf16 autocast on a CPU too (--precision; the default is bf16 on CUDA, fp32 on the CPU);
#   BASE_SET="num_res_blocks=1 channel_mult=2,2,2" overrides options of the base's `shapes` preset (a continued run
#   builds what its file recorded); CONTRAST_GROUP=4 builds the CLIP pair's batches from groups of scenes that
#   differ in one attribute (--contrast-group).
# Each model writes OUT_DIR/<model>.pt.gz (EMA weights, refreshed every minute), OUT_DIR/<model>.state.pt (what
# continuing needs besides) and OUT_DIR/train-<model>.log.
# The run exits non-zero if any model's training failed; the others still finish and keep their files.
set -uo pipefail
out=${1:?usage: train_all.sh OUT_DIR [MINUTES] [DEVICE] [SEED]}
minutes=${2:-7}
device=${3:-cuda}
seed=${4:-0}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
mkdir -p "$out"
logs=$(mktemp -d)
export PYTHONUNBUFFERED=1
models=${MODELS:-base upsample clip}
pids=()
for model in $models; do
    extra=()
    if [[ -n "${INIT_DIR:-}" ]]; then extra+=(--init "$(cd "$INIT_DIR" && pwd)/$model.pt.gz"); fi
    if [[ -n "${LR:-}" ]]; then extra+=(--lr "$LR"); fi
    if [[ -n "${BATCH:-}" ]]; then extra+=(--batch "$BATCH"); fi
    if [[ "$model" == upsample && -n "${CROP:-}" ]]; then extra+=(--crop "$CROP"); fi
    if [[ "$model" != clip && -n "${TEXT_LR_MULT:-}" ]]; then extra+=(--text-lr-mult "$TEXT_LR_MULT"); fi
    if [[ "$model" != clip && -n "${SNR_WEIGHT_MAX:-}" ]]; then extra+=(--snr-weight-max "$SNR_WEIGHT_MAX"); fi
    if [[ "$model" != clip && -n "${HIGH_T_SHARE:-}" ]]; then extra+=(--high-t-share "$HIGH_T_SHARE"); fi
    if [[ "$model" != clip && -n "${HIGH_T_FROM:-}" ]]; then extra+=(--high-t-from "$HIGH_T_FROM"); fi
    if [[ "$model" != clip && "${RESET_TEXT:-0}" == 1 ]]; then extra+=(--reset-text); fi
    if [[ "$model" != clip && "${FREEZE_TEXT:-0}" == 1 ]]; then extra+=(--freeze-text); fi
    if [[ "$model" != clip && -n "${DROPOUT:-}" ]]; then extra+=(--dropout "$DROPOUT"); fi
    if [[ "$model" != clip && -n "${LOW_FREQ_WEIGHT_MAX:-}" ]]; then
        extra+=(--low-freq-weight-max "$LOW_FREQ_WEIGHT_MAX"); fi
    if [[ "$model" != clip && " ${FIRST_STEP_MODELS:-base upsample} " == *" $model "* ]]; then
        if [[ -n "${FIRST_STEP_WEIGHT:-}" ]]; then extra+=(--first-step-weight "$FIRST_STEP_WEIGHT"); fi
        if [[ -n "${FIRST_STEP_SHARE:-}" ]]; then extra+=(--first-step-share "$FIRST_STEP_SHARE"); fi
    fi
    if [[ "$model" != clip && "${IDENTITY_INIT:-0}" == 1 ]]; then extra+=(--identity-init); fi
    if [[ -n "${PRECISION:-}" ]]; then extra+=(--precision "$PRECISION"); fi
    if [[ "$model" == clip && -n "${CONTRAST_GROUP:-}" ]]; then extra+=(--contrast-group "$CONTRAST_GROUP"); fi
    if [[ "$model" == base ]]; then for pair in ${BASE_SET:-}; do extra+=(--set "$pair"); done; fi
    (cd "$here" && exec "$python" -m glide_shapes train --model "$model" --out "$out" --minutes "$minutes" \
        --device "$device" --seed "$seed" "${extra[@]}") > "$logs/stdout-$model.txt" 2>&1 &
    pids+=($!)
done
rc=0
for i in "${!pids[@]}"; do
    if ! wait "${pids[$i]}"; then rc=1; fi
done
for model in $models; do
    echo "== $model"; tail -n 4 "$logs/stdout-$model.txt"
done
exit $rc
