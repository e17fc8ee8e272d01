#!/usr/bin/env bash
# test_curriculum_cli.sh: `ludus train --curriculum` end to end: a short
# Robust PLR run on Maze-v0 writes the curriculum's metrics columns and
# resumes; the config JSON's "curriculum" key does the same as the flag;
# ALP-GMM over one and over two options trains and resumes; an unknown
# name (with the nearest), a knob out of range, ACCEL on a world without
# level blocks, a bad ALP-GMM option and misplaced knobs are one-line
# errors.
set -u
LUDUS=${1:?usage: test_curriculum_cli.sh path/to/ludus}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

expect_fail() {
  local want=$1 pat=$2; shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  if [ "$rc" = "$want" ] && [ "$(grep -c . "$tmp/err")" = 1 ] && grep -q -- "$pat" "$tmp/err"; then ok
  else bad "$* -> rc $rc (want $want, /$pat/), stderr: $(head -c 300 "$tmp/err")"; fi
}

expect_fail 2 "unknown curriculum 'plrr'; did you mean 'plr'?" \
  "$LUDUS" train Maze-v0 --steps 1000 --curriculum plrr --out "$tmp/x"
expect_fail 1 "curriculum accel needs levels as blocks" \
  "$LUDUS" train MiniGrid-Empty-5x5-v0 --steps 1000 --curriculum accel --out "$tmp/y"
echo '{"curriculum": "robust-plr", "curriculum_knobs": {"temperature": 500}}' > "$tmp/bad.json"
expect_fail 1 '"curriculum_knobs.temperature" = 500 is outside \[-1, 100\]' "$LUDUS" train Maze-v0 --config "$tmp/bad.json" --out "$tmp/z"
[ ! -e "$tmp/x" ] && ok || bad "a refused run left a folder"

# a short Robust PLR run: replays start once a fifth of 16 slots is full
cat > "$tmp/cfg.json" <<'JSON'
{"curriculum": "robust-plr", "num_envs": 4, "num_steps": 64, "minibatches": 2, "eval_episodes": 0,
 "curriculum_knobs": {"buffer_size": 16, "rho": 0.2}}
JSON
"$LUDUS" train Maze-v0 --config "$tmp/cfg.json" --steps 2560 --out "$tmp/run" 2>"$tmp/err" >/dev/null \
  && ok || bad "train --config robust-plr: $(tail -2 "$tmp/err")"
head -1 "$tmp/run/metrics.csv" | grep -q 'cur_trained,cur_batch_kind,cur_replay_fraction,cur_levels_seen' \
  && ok || bad "metrics.csv lacks the curriculum's columns: $(head -1 "$tmp/run/metrics.csv")"
grep -q '"curriculum": "robust-plr"' "$tmp/run/config.json" && ok || bad "config.json lacks the curriculum"
rows=$(($(wc -l < "$tmp/run/metrics.csv") - 1))
[ "$rows" = 10 ] && ok || bad "$rows metrics rows (want 10)"
"$LUDUS" train --resume "$tmp/run" --steps 3840 2>"$tmp/err" >/dev/null && ok || bad "resume: $(tail -2 "$tmp/err")"
rows=$(($(wc -l < "$tmp/run/metrics.csv") - 1))
[ "$rows" = 15 ] && ok || bad "$rows metrics rows after resume (want 15)"
expect_fail 2 "--curriculum cannot change it" "$LUDUS" train --resume "$tmp/run" --curriculum plr

# the flag on a seed-only world: PLR over 20 training levels
"$LUDUS" train MiniGrid-Empty-5x5-v0 --curriculum plr --train-levels 20 --steps 4096 --out "$tmp/plr" \
  2>"$tmp/err" >/dev/null && ok || bad "train --curriculum plr: $(tail -2 "$tmp/err")"
seen=$(tail -1 "$tmp/plr/metrics.csv" | awk -F, -v c="$(head -1 "$tmp/plr/metrics.csv" | tr ',' '\n' | grep -n '^cur_levels_seen$' | cut -d: -f1)" '{print $c}')
[ -n "$seen" ] && [ "$seen" -ge 1 ] && [ "$seen" -le 20 ] && ok || bad "PLR saw '$seen' of 20 levels"

# ALP-GMM over Maze-v0's wall count: fitted once 20 episodes ended
cat > "$tmp/alp.json" <<'JSON'
{"curriculum": "alp-gmm", "num_envs": 4, "num_steps": 64, "minibatches": 2, "eval_episodes": 0,
 "curriculum_knobs": {"alp_option": "walls", "alp_fit_rate": 20, "alp_max_k": 3}}
JSON
"$LUDUS" train Maze-v0 --config "$tmp/alp.json" --steps 10240 --out "$tmp/alp" 2>"$tmp/err" >/dev/null \
  && ok || bad "train alp-gmm: $(tail -2 "$tmp/err")"
col=$(head -1 "$tmp/alp/metrics.csv" | tr ',' '\n' | grep -n '^cur_gmm_k$' | cut -d: -f1)
k=$(tail -1 "$tmp/alp/metrics.csv" | cut -d, -f"$col")
[ -n "$k" ] && [ "$k" -ge 2 ] && [ "$k" -le 3 ] && ok || bad "ALP-GMM's fit has '$k' components (want 2..3)"
# ALP-GMM over two options (walls and the goal's distance), then resumed
cat > "$tmp/alp2d.json" <<'JSON'
{"curriculum": "alp-gmm", "num_envs": 4, "num_steps": 64, "minibatches": 2, "eval_episodes": 0,
 "curriculum_knobs": {"alp_space": "walls=0:60,goal_dist=1:20", "alp_fit_rate": 20, "alp_max_k": 3}}
JSON
"$LUDUS" train Maze-v0 --config "$tmp/alp2d.json" --steps 10240 --out "$tmp/alp2d" 2>"$tmp/err" >/dev/null \
  && ok || bad "train alp-gmm over two options: $(tail -2 "$tmp/err")"
k=$(tail -1 "$tmp/alp2d/metrics.csv" | cut -d, -f"$col")
[ -n "$k" ] && [ "$k" -ge 2 ] && [ "$k" -le 3 ] && ok || bad "2-D ALP-GMM's fit has '$k' components (want 2..3)"
"$LUDUS" train --resume "$tmp/alp2d" --steps 12800 2>"$tmp/err" >/dev/null && ok || bad "resume 2-D ALP-GMM: $(tail -2 "$tmp/err")"
echo '{"curriculum": "alp-gmm", "curriculum_knobs": {"alp_space": "walls=0:60,goal_dits=1:20"}}' > "$tmp/alp3.json"
expect_fail 1 "ALP-GMM option \"goal_dits\" is not an option of Maze-v0; did you mean 'goal_dist'?" \
  "$LUDUS" train Maze-v0 --config "$tmp/alp3.json" --out "$tmp/alp3"
echo '{"curriculum": "alp-gmm", "curriculum_knobs": {"alp_space": "walls=0:60,max_steps=50:250"}}' > "$tmp/alp4.json"
expect_fail 1 "does not change Maze-v0's levels" "$LUDUS" train Maze-v0 --config "$tmp/alp4.json" --out "$tmp/alp4"
echo '{"curriculum": "accel", "curriculum_knobs": {"accel_start": "eazy"}}' > "$tmp/acc.json"
expect_fail 2 "accel_start 'eazy' is unknown; did you mean 'easy'?" "$LUDUS" train Maze-v0 --config "$tmp/acc.json" --out "$tmp/acc"
echo '{"curriculum": "robust-plr", "curriculum_knobs": {"sequential_start": 1}}' > "$tmp/seq.json"
expect_fail 2 "sequential_start applies to plr" "$LUDUS" train Maze-v0 --config "$tmp/seq.json" --out "$tmp/seq"
echo '{"curriculum": "alp-gmm"}' > "$tmp/alp2.json"
expect_fail 2 "alp-gmm needs alp_option" "$LUDUS" train Maze-v0 --config "$tmp/alp2.json" --out "$tmp/alp2"

echo "test_curriculum_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
