#!/bin/sh
# offline_gap.sh: the generalization gap of offline learners, after
# Mediratta et al., "The Generalization Gap in Offline RL" (ICLR 2024),
# with ludus's own commands (docs/offline-gap.md).
#
#   1. PPO on the first TRAIN_LEVELS levels for PPO_STEPS frames, keeping a
#      checkpoint every CKPT_EVERY updates (the expert; its early checkpoint
#      is the first kept one at or past EARLY_STEPS frames);
#   2. datasets on the training levels: expert (EPISODES episodes of the
#      final checkpoint), mixed (EPISODES/2 of the early checkpoint,
#      EPISODES/4 of the final one, EPISODES/4 of a random player, merged
#      with `ludus dataset merge`);
#   3. "more diverse data against more data": a second PPO on DIV_LEVELS
#      levels (same frames), then EPISODES episodes of it on the first
#      TRAIN_LEVELS levels (repeated) and on all DIV_LEVELS (diverse);
#   4. BC and CQL for OFF_STEPS transitions on each dataset;
#   5. every policy evaluated on its training levels and on held-out levels
#      (EVAL_EPISODES each, 95% bootstrap intervals), beside the online PPO
#      experts (PPO_STEPS frames), for each seed in SEEDS;
#   6. one markdown table on stdout (bench/offline_gap_table.py).
#
# Usage: bench/offline_gap.sh OUT_DIR
# Rerun with the same OUT_DIR and knobs to continue after an interruption:
# each step that finished (OUT_DIR/.done) is skipped, an unfinished one's
# output is removed and the step run again.
# Knobs (environment): LUDUS (the binary; default build/ludus), ENV_ID,
# PPO_STEPS, TRAIN_LEVELS, DIV_LEVELS, CKPT_EVERY, EARLY_STEPS, EPISODES,
# OFF_STEPS, EVAL_EPISODES, SEEDS, PPO_CONFIG (extra PPO keys, a JSON
# object's inside, e.g. '"num_envs": 8'). Logs go to OUT_DIR/log.txt;
# OUT_DIR/cpu.txt holds each command's CPU seconds (user + system).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
LUDUS=${LUDUS:-$here/../build/ludus}
ENV_ID=${ENV_ID:-MiniGrid-DoorKey-6x6-v0}
PPO_STEPS=${PPO_STEPS:-200000}
TRAIN_LEVELS=${TRAIN_LEVELS:-10}
DIV_LEVELS=${DIV_LEVELS:-100}
CKPT_EVERY=${CKPT_EVERY:-5}
EARLY_STEPS=${EARLY_STEPS:-40000}
EPISODES=${EPISODES:-200}
OFF_STEPS=${OFF_STEPS:-200000}
EVAL_EPISODES=${EVAL_EPISODES:-1000}
SEEDS=${SEEDS:-1}
PPO_CONFIG=${PPO_CONFIG:-}

[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
OUT=$1
[ -x "$LUDUS" ] || { echo "$0: no ludus binary at $LUDUS (set LUDUS)" >&2; exit 2; }
for n in "$PPO_STEPS" "$TRAIN_LEVELS" "$DIV_LEVELS" "$CKPT_EVERY" "$EARLY_STEPS" "$EPISODES" "$OFF_STEPS" \
         "$EVAL_EPISODES"; do
    case $n in ''|*[!0-9]*) echo "$0: every count must be a positive integer, got '$n'" >&2; exit 2;; esac
done
[ "$EPISODES" -ge 4 ] || { echo "$0: EPISODES must be at least 4 (the mixed dataset's quarters)" >&2; exit 2; }
mkdir -p "$OUT/.done"
OUT=$(cd "$OUT" && pwd)
log=$OUT/log.txt
rows=$OUT/rows.tsv
: >"$rows"

# the command under nice, its output to the log, its CPU seconds (user +
# system of it and its children, getrusage) to cpu.txt
RUN_PY='
import resource, subprocess, sys
cpu, name, log = sys.argv[1:4]
with open(log, "a") as f:
    rc = subprocess.call(["nice", "-n", "10"] + sys.argv[4:], stdout=f, stderr=subprocess.STDOUT)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(cpu, "a") as f:
    f.write("%s %.2f\n" % (name, ru.ru_utime + ru.ru_stime))
sys.exit(rc)'
# run NAME OUTPUT CMD...: unless OUTPUT was finished before, remove it, run
# the command under nice, and mark OUTPUT finished
run() {
    what=$1 output=$2
    shift 2
    mark=$OUT/.done/$(echo "${output#$OUT/}" | tr / _)
    [ -e "$mark" ] && return 0
    rm -rf "$output"
    echo "+ $*" >>"$log"
    python3 -c "$RUN_PY" "$OUT/cpu.txt" "$what" "$log" "$@" ||
        { echo "$0: '$*' failed; see $log" >&2; tail -3 "$log" >&2; exit 1; }
    : >"$mark"
}
# steps of a dataset (its metadata.json)
steps_of() {
    python3 -c "import json,sys; print(json.load(open(sys.argv[1] + '/data/metadata.json'))['total_steps'])" "$1"
}
# row SEED DATASET_LABEL TRANSITIONS LEARNER TRAIN_LEVELS EVAL_JSON
row() {
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$rows"
}

for seed in $SEEDS; do
    S=$OUT/seed$seed
    mkdir -p "$S"
    printf '{"eval_episodes": 0, "keep_checkpoints": 1, "checkpoint_every": %s%s}\n' "$CKPT_EVERY" "${PPO_CONFIG:+, $PPO_CONFIG}" \
        >"$S/ppo.json"
    # 1. the expert, on the training levels, and the diverse-levels expert
    run "s$seed.ppo" "$S/ppo" "$LUDUS" train "$ENV_ID" --steps "$PPO_STEPS" --train-levels "$TRAIN_LEVELS" --seed "$seed" \
        --config "$S/ppo.json" --out "$S/ppo" --no-report
    run "s$seed.ppo-eval" "$S/ppo/eval.json" "$LUDUS" eval "$S/ppo" --episodes "$EVAL_EPISODES" --seed "$seed" --out "$S/ppo/eval.json"
    run "s$seed.ppo-div" "$S/ppo-div" "$LUDUS" train "$ENV_ID" --steps "$PPO_STEPS" --train-levels "$DIV_LEVELS" --seed "$seed" \
        --config "$S/ppo.json" --out "$S/ppo-div" --no-report
    run "s$seed.ppo-div-eval" "$S/ppo-div/eval.json" "$LUDUS" eval "$S/ppo-div" --episodes "$EVAL_EPISODES" --seed "$seed" \
        --out "$S/ppo-div/eval.json"
    echo '{"eval_episodes": 0}' >"$S/offline.json"
    early=$(ls "$S/ppo/checkpoints" | sed 's/\.safetensors$//' | sort -n |
            awk -v e="$EARLY_STEPS" '$1 >= e { print; exit }')
    [ -n "$early" ] || { echo "$0: no checkpoint at or past $EARLY_STEPS frames in $S/ppo/checkpoints" >&2; exit 1; }
    early_n=$(expr "$early" + 0)
    run "s$seed.early-eval" "$S/early.eval.json" "$LUDUS" eval "$S/ppo/checkpoints/$early.safetensors" --train-levels "$TRAIN_LEVELS" \
        --episodes "$EVAL_EPISODES" --seed "$seed" --out "$S/early.eval.json"
    final=$S/ppo/checkpoint.safetensors
    # the world options the expert trained with (the random player uses them too)
    opts=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['env_options'])" "$S/ppo/config.json")

    # 2. expert and mixed datasets on the training levels
    D=$S/datasets
    half=$((EPISODES / 2)) quarter=$((EPISODES / 4))
    run "s$seed.collect" "$D/gap/expert-v0" "$LUDUS" collect "$ENV_ID" --agent "$final" --episodes "$EPISODES" --train-levels "$TRAIN_LEVELS" \
        --seed "$seed" --out "$D" --name gap/expert-v0
    run "s$seed.collect" "$D/part/early-v0" "$LUDUS" collect "$ENV_ID" --agent "$S/ppo/checkpoints/$early.safetensors" --episodes "$half" \
        --train-levels "$TRAIN_LEVELS" --seed "$seed" --out "$D" --name part/early-v0
    run "s$seed.collect" "$D/part/final-v0" "$LUDUS" collect "$ENV_ID" --agent "$final" --episodes "$quarter" --train-levels "$TRAIN_LEVELS" \
        --seed "$((seed + 1000))" --out "$D" --name part/final-v0
    run "s$seed.collect" "$D/part/random-v0" "$LUDUS" collect "$ENV_ID" --agent random --episodes "$quarter" --train-levels "$TRAIN_LEVELS" \
        --options "$opts" --seed "$seed" --out "$D" --name part/random-v0
    run "s$seed.collect" "$D/gap/mixed-v0" "$LUDUS" dataset merge --out "$D" --name gap/mixed-v0 \
        "$D/part/early-v0" "$D/part/final-v0" "$D/part/random-v0"
    # 3. the same number of episodes on few levels (repeated) and on many (diverse)
    run "s$seed.collect" "$D/gap/repeated-v0" "$LUDUS" collect "$ENV_ID" --agent "$S/ppo-div/checkpoint.safetensors" --episodes "$EPISODES" \
        --train-levels "$TRAIN_LEVELS" --seed "$seed" --out "$D" --name gap/repeated-v0
    run "s$seed.collect" "$D/gap/diverse-v0" "$LUDUS" collect "$ENV_ID" --agent "$S/ppo-div/checkpoint.safetensors" --episodes "$EPISODES" \
        --train-levels "$DIV_LEVELS" --seed "$seed" --out "$D" --name gap/diverse-v0

    row "$seed" "online PPO (the expert), $TRAIN_LEVELS levels" "$PPO_STEPS frames" "PPO" "$TRAIN_LEVELS" "$S/ppo/eval.json"
    row "$seed" "online PPO, early checkpoint" "$early_n frames" "PPO" "$TRAIN_LEVELS" "$S/early.eval.json"
    row "$seed" "online PPO, $DIV_LEVELS levels" "$PPO_STEPS frames" "PPO" "$DIV_LEVELS" "$S/ppo-div/eval.json"

    # 4-5. BC and CQL on each dataset, evaluated on its levels and held out
    for d in expert:"expert, $TRAIN_LEVELS levels":$TRAIN_LEVELS mixed:"mixed, $TRAIN_LEVELS levels":$TRAIN_LEVELS \
             repeated:"$TRAIN_LEVELS levels repeated (div. expert)":$TRAIN_LEVELS \
             diverse:"$DIV_LEVELS levels (div. expert)":$DIV_LEVELS; do
        name=${d%%:*} rest=${d#*:}
        label=${rest%:*} levels=${rest##*:}
        n=$(steps_of "$D/gap/$name-v0")
        for algo in bc cql; do
            greedy=
            [ "$algo" = cql ] && greedy=--greedy
            r=$S/$algo-$name
            run "s$seed.$algo" "$r" "$LUDUS" train "$ENV_ID" --algo "$algo" --dataset "$D/gap/$name-v0" --steps "$OFF_STEPS" \
                --train-levels "$levels" --seed "$seed" --config "$S/offline.json" --out "$r" --no-report
            run "s$seed.$algo-eval" "$r/eval.json" "$LUDUS" eval "$r" $greedy --episodes "$EVAL_EPISODES" --seed "$seed" --out "$r/eval.json"
            row "$seed" "$label" "$n" "$(echo $algo | tr a-z A-Z)" "$levels" "$r/eval.json"
        done
    done
done

# 6. the table
python3 "$here/offline_gap_table.py" "$rows" "$OUT/cpu.txt"
