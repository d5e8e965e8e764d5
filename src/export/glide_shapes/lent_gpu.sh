#!/usr/bin/env bash
# What a session lent a GPU for one short call runs: the committed models (kept/: base, upsampler, noised-CLIP pair)
# continued one after another with the options each recorded, then float16 copies of those trained in OUT_DIR/kept
# and the trainings' output in OUT_DIR/stdout.txt — at most 8 files come back from such a call, each under 16 MiB, so
# no fp32 snapshots or optimizer states.
#   usage: lent_gpu.sh OUT_DIR [BASE_MINUTES] [UPSAMPLE_MINUTES] [CLIP_MINUTES] [DEVICE] [DEADLINE_SECONDS]
#   (defaults 6.5, 0, 1.5, cuda, 560: the base, then the CLIP pair, each run also spending about 30 s starting and
#   probing; a model given 0 minutes is not trained and its committed file stays as it is. BATCH_BASE,
#   BATCH_UPSAMPLE, BATCH_CLIP set the batches, e.g. 4 for a CPU check;
#   the CLIP pair's default is 512, its GPU batch; RETENTION_PER_SHAPE, RETENTION_PAIRS and RETENTION_STARTS size the
#   retention check of a trained base at the end: 16 scenes per shape and 32 pairs from the retention command's
#   starts by default)
#   One after another, because one GPU shared by several trainings gives each a fraction: G's base ran at 1,045
#   samples/s beside the other two and 2,250 alone (README, "Fifteen minutes of a lent H100"). SIDE_BY_SIDE=1 runs
#   them at once instead, as G's first call did.
#   The float32 snapshots with their optimizer state stay in WORK_DIR (default: a new temporary directory, printed),
#   so a second call on the still-warm machine can `train --continue WORK_DIR/base` for what time is left.
# Each training is stopped when DEADLINE_SECONDS have passed since the script started, if it has not finished (its
# last snapshot, refreshed every minute, is what is kept), so the copies are written before the call's own limit.
set -uo pipefail
out=${1:?usage: lent_gpu.sh OUT_DIR [BASE_MINUTES] [UPSAMPLE_MINUTES] [CLIP_MINUTES] [DEVICE] [DEADLINE_SECONDS]}
base_minutes=${2:-6.5}
upsample_minutes=${3:-0}
clip_minutes=${4:-1.5}
device=${5:-cuda}
deadline=${6:-560}
trained=()  # the models given time, in the order they train
for pair in "base:$base_minutes" "clip:$clip_minutes" "upsample:$upsample_minutes"; do
    if ! [[ ${pair#*:} =~ ^[0-9]+([.][0-9]+)?$ ]]; then
        echo "lent_gpu.sh: ${pair%%:*}'s minutes must be a number of minutes, 0 to leave it as committed;" \
            "got '${pair#*:}'" >&2
        exit 2
    fi
    if awk -v m="${pair#*:}" 'BEGIN { exit !(m > 0) }'; then trained+=("${pair%%:*}"); fi
done
if ((${#trained[@]} == 0)); then
    echo "lent_gpu.sh: every model was given 0 minutes; nothing to train" >&2
    exit 2
fi
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
python=${PYTHON:-python3}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=${WORK_DIR:-$(mktemp -d)}
mkdir -p "$work"
echo "== float32 snapshots and optimizer state: $work"
export PYTHONUNBUFFERED=1
cd "$here"

started=$SECONDS
train() {  # model, minutes, then train's options; output to OUT_DIR/stdout.txt (its lines say whose)
    local model=$1 minutes=$2 left
    shift 2
    left=$((deadline - (SECONDS - started)))
    if ((left < 10)); then
        echo "== $model: not started, the deadline ($deadline s) has passed" | tee -a "$out/stdout.txt"
        return 1
    fi
    timeout -s INT -k 20 "$left" "$python" -m glide_shapes train --model "$model" --out "$work/$model" \
        --minutes "$minutes" --device "$device" "$@" >> "$out/stdout.txt" 2>&1
}

# Each model continues its committed snapshot in kept/ with every option it recorded (the base: lr 3e-4, text side at a
# tenth, SNR weight 20, 30 % from t >= 850 (50 % from 600 here, below), the first-step loss, batch 256, EMA 0.999; the
# upsampler: 128×128 crops, SNR weight 20, 30 % from t >= 850, no dropout). G's first call, when kept/ held only the
# base, set those and started the other two from scratch; to start models over, use recipe.sh. The CLIP pair goes on
# with batches of contrast groups (--contrast-group 4: a scene beside three variants with one shape, colour or layout
# changed), which its committed snapshot predates; as a reranker it needs them (README, "Reranking"). Its batch and EMA
# are set to its GPU ones (512, 0.999) in case a CPU run recorded others. Every model snapshots every minute, which the
# deadline relies on.
declare -A run_minutes=([base]=$base_minutes [upsample]=$upsample_minutes [clip]=$clip_minutes)
declare -A batch=([base]=${BATCH_BASE:-} [upsample]=${BATCH_UPSAMPLE:-} [clip]=${BATCH_CLIP:-512})
# The base's extra samples: half of them from t >= 600, where it loses what it still gets wrong (its recorded 30 % came
# from t >= 850). The retention probe: G keeps the rendered shape in 97 % of single-object scenes sampled back from t =
# 408, 84 % from 612, 56 % from 816, 41 % from noise, and both colours of a pair in place in 100 % from 408, 89 % from
# 612 and 816, 32 % from noise; so shapes go at t = 600-820, pairs' colours above, and below t = 600 nothing is lost
# (README, "Where the shapes are lost"). With the first-step loss's 10 % at t = 999, t = 600-850 gets 39 % of all
# samples instead of 16 %, t >= 850 34 % instead of 46 %, t < 600 27 % instead of 38 %.
declare -A extra=([base]="--high-t-from 600 --high-t-share 0.5" [upsample]=""
    [clip]="--ema 0.999 --contrast-group 4")
echo "== training ${trained[*]} ($([[ ${SIDE_BY_SIDE:-0} == 1 ]] && echo side by side || echo one after another))"
rc=0
pids=()
for model in "${trained[@]}"; do
    # shellcheck disable=SC2086  # extra holds whole options
    set -- "$model" "${run_minutes[$model]}" --continue glide_shapes/kept --save-every 60 \
        ${batch[$model]:+--batch "${batch[$model]}"} ${extra[$model]}
    if [[ ${SIDE_BY_SIDE:-0} == 1 ]]; then
        train "$@" &
        pids+=($!)
    else
        train "$@" || rc=1
    fi
done
for pid in "${pids[@]}"; do
    wait "$pid" || rc=1
done
mkdir -p "$work/all"
for model in "${trained[@]}"; do
    if [[ -f "$work/$model/$model.pt.gz" ]]; then
        cp "$work/$model/$model.pt.gz" "$work/$model/train-$model.log" "$work/all/"
    else
        echo "== $model: no snapshot"; rc=1
    fi
done
grep -h '"event": "done"\|Error' "$out/stdout.txt"
"$python" -m glide_shapes keep --trained "$work/all" --out "$out/kept" || rc=1
ls -l "$out/kept"
# Where the trained base loses shapes, into stdout.txt (seconds on a GPU; RETENTION_PER_SHAPE=0 skips it). It runs
# after the copies are written, so a call that reaches its own limit here loses only this.
if [[ -f "$work/all/base.pt.gz" && ${RETENTION_PER_SHAPE:-16} != 0 ]]; then
    echo "== shape retention of the trained base" | tee -a "$out/stdout.txt"
    timeout -k 5 25 "$python" -m glide_shapes retention "$work/all/base.pt.gz" --device "$device" \
        --per-shape "${RETENTION_PER_SHAPE:-16}" --pairs "${RETENTION_PAIRS:-32}" \
        ${RETENTION_STARTS:+--starts "$RETENTION_STARTS"} 2>&1 \
        | tee -a "$out/stdout.txt"
fi
exit $rc
