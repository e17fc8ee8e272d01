#!/usr/bin/env bash
# test_web_llm.sh: the language-model runner (`ludus agent`) plays the web
# worlds' text view: BALROG's accessibility tree as the observation, the
# world's text grammar (click [i], type [i] [text], stop ...) as the
# action, against the loopback server tests/llm/server.py, whose "web"
# model is a scripted player written from the tree (a reference solver of
# click-button, click-link and enter-text). Malformed replies and actions
# the mask forbids count as invalid replies and play the default (stop);
# with --options mask=0 every parsed action reaches the world.
set -u
LUDUS=${1:?usage: test_web_llm.sh /abs/path/to/ludus}
here="$(cd "$(dirname "$0")" && pwd)"
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

python3 "$here/llm/server.py" >"$tmp/port" 2>"$tmp/server.err" &
pid=$!
for _ in $(seq 1 300); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(head -n1 "$tmp/port")
[ -n "$port" ] || { echo "FAIL: the test server did not start: $(cat "$tmp/server.err")"; exit 1; }
url="http://127.0.0.1:$port/v1"
agent() { timeout 120 "$LUDUS" agent "$@" --base-url "$url" --wait-health-s 30 >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; }
rc() { cat "$tmp/rc"; }
got() { cat "$tmp/out" "$tmp/err"; }

# ---- a scripted model plays to success through the text view --------------
agent Web-click-button-v0 --model web --episodes 20 --log "$tmp/a.jsonl" --deterministic-log
[ "$(rc)" = 0 ] && grep -q "20 episodes, success 100.0%, mean return 1.000, 20 steps, 0 invalid replies" "$tmp/out" \
  && ok || bad "web model on click-button: $(got)"
python3 - "$tmp/a.jsonl" <<'PY' && ok || bad "click-button's log: the tree in, click [i] out"
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
turns = [r for r in recs if r["type"] == "turn"]
assert len(turns) == 20
for t in turns:
    system, user = t["messages"][0]["content"], t["messages"][-1]["content"]
    assert "Mission: Click on the '" in system and "An action has 3 parts" in system
    assert "- part 1, one of: click, type, select, scroll up, scroll down, go back, stop" in system
    assert re.search(r"\[\d+\] button '", user), user            # the accessibility tree
    assert t["valid"] and t["method"] == "exact" and t["content"] == t["action"].replace(" <unk>", ""), t
PY
agent Web-enter-text-v0 --model web --episodes 20 --prompt cot
[ "$(rc)" = 0 ] && grep -q "20 episodes, success 100.0%, mean return 1.000, 40 steps, 0 invalid replies" "$tmp/out" \
  && ok || bad "type then submit, replies ending 'Action: ...': $(got)"
agent Web-click-link-v0 --model web --episodes 20 --prompt robust --levels heldout
[ "$(rc)" = 0 ] && grep -q "20 episodes, success 100.0%" "$tmp/out" && ok || bad "<|ACTION|> markers, held-out levels: $(got)"
agent Web-click-button-v0 --model web --episodes 8 --tools
[ "$(rc)" = 0 ] && grep -q "8 episodes, success 100.0%" "$tmp/out" && ok || bad "an act tool with free text: $(got)"
agent Web-click-button-v0 --model web-think --episodes 20 --log "$tmp/b.jsonl" --deterministic-log
python3 - "$tmp/a.jsonl" "$tmp/b.jsonl" <<'PY' && ok || bad "reasoning naming other actions changes nothing"
import json, sys
a, b = ([(r["episode"], r["action"]) for r in map(json.loads, open(p)) if r["type"] == "turn"] for p in sys.argv[1:])
assert a == b
assert all("<think>" in r["content"] for r in map(json.loads, open(sys.argv[2])) if r["type"] == "turn")
PY
agent Web-click-button-v0 --model web --episodes 20 --options split=test,holdout=skin
[ "$(rc)" = 0 ] && grep -q "20 episodes, success 100.0%" "$tmp/out" && ok || bad "held-out skins through --options: $(got)"

# ---- malformed replies and forbidden actions are invalid replies ----------
agent Web-click-button-v0 --model webbad --episodes 20 --log "$tmp/c.jsonl" --deterministic-log
[ "$(rc)" = 0 ] && grep -q "20 episodes, success 0.0%, mean return -1.000, 20 steps, 20 invalid replies" "$tmp/out" \
  && ok || bad "replies naming no action: $(got)"
python3 - "$tmp/c.jsonl" <<'PY' && ok || bad "an invalid reply is logged invalid and plays stop"
import json, sys
turns = [r for r in map(json.loads, open(sys.argv[1])) if r["type"] == "turn"]
assert len(turns) == 20
assert all(not t["valid"] and t["method"] == "invalid" and t["action"].startswith("stop") for t in turns)
PY
agent Web-click-button-v0 --model weboob --episodes 5
[ "$(rc)" = 0 ] && grep -q "5 episodes, success 0.0%, mean return -1.000, 5 steps, 5 invalid replies" "$tmp/out" \
  && ok || bad "click [47], an element the mask forbids: $(got)"
agent Web-click-button-v0 --model weboob --episodes 5 --options mask=0
[ "$(rc)" = 0 ] && grep -q "5 episodes, success 0.0%, mean return 0.000, 50 steps, 0 invalid replies" "$tmp/out" \
  && ok || bad "mask=0: click [47] reaches the world each step, to the step limit: $(got)"
agent Web-click-button-v0 --model web --episodes 2 --options mask=2
[ "$(rc)" = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ] && grep -q "mask" "$tmp/err" && ok || bad "a bad world option: $(got)"

echo "test_web_llm: $pass passed, $fail failed"
[ "$fail" = 0 ]
