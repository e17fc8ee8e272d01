#!/usr/bin/env bash
# test_llm_cli.sh: `ludus agent` and `ludus eval --agent llm:...` against
# the loopback server tests/llm/server.py, which plays scripted models
# (rule-based, seeded random, memory-following) and misbehaves on purpose:
# golden success rates, logs independent of scheduling, retries on 429 /
# 503 / 500 / timeouts / stalls / truncated and malformed bodies, one-line
# errors for what is not retried, budgets (exit status 3), the key kept
# out of logs, and the case memory in SQLite across runs (retrieved by
# FTS5 or by the server's /v1/embeddings).
set -u
LUDUS=${1:?usage: test_llm_cli.sh path/to/ludus}
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
for _ in $(seq 1 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
port=$(head -n1 "$tmp/port")
[ -n "$port" ] || { echo "FAIL: the test server did not start: $(cat "$tmp/server.err")"; exit 1; }
url="http://127.0.0.1:$port"
W=BabyAI-GoToLocal-v0
agent() { timeout 120 "$LUDUS" agent "$@" >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/rc"; }
rc() { cat "$tmp/rc"; }
one_line() { [ "$(wc -l <"$tmp/err")" = 1 ]; }

# ---- golden success rates, and a log that does not depend on scheduling --
agent $W --base-url "$url/v1" --model rule --episodes 20 --log "$tmp/a.jsonl" --deterministic-log --parallel 16
[ "$(rc)" = 0 ] && grep -q "20 episodes, success 50.0%" "$tmp/out" && ok || bad "rule player on $W: $(cat "$tmp/out" "$tmp/err")"
agent $W --base-url "$url/v1" --model rule --episodes 20 --log "$tmp/b.jsonl" --deterministic-log --parallel 1
cmp -s <(grep -v '"type":"run"' "$tmp/a.jsonl") <(grep -v '"type":"run"' "$tmp/b.jsonl") && ok \
  || bad "the log differs between --parallel 16 and --parallel 1"
grep -q "1 in flight at most" "$tmp/out" && ok || bad "--parallel 1: one request in flight"
S=BabyAI-GoToLocalS6N2-v0
agent $S --base-url "$url/v1" --model random --episodes 20
[ "$(rc)" = 0 ] && grep -q "20 episodes, success 40.0%" "$tmp/out" && ok || bad "seeded random player: $(cat "$tmp/out" "$tmp/err")"
agent $S --base-url "$url/v1" --model rule --episodes 20 --log "$tmp/s.jsonl" --deterministic-log
[ "$(rc)" = 0 ] && grep -q "20 episodes, success 95.0%" "$tmp/out" && grep -q "16 in flight at most" "$tmp/out" && ok \
  || bad "rule player on $S, 16 in flight: $(cat "$tmp/out" "$tmp/err")"
python3 - "$tmp/a.jsonl" <<'PY' && ok || bad "the JSONL log's records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert recs[0]["type"] == "run" and recs[0]["model"] == "rule"
turns = [r for r in recs if r["type"] == "turn"]
eps = [r for r in recs if r["type"] == "episode"]
assert len(eps) == 20 and sum(e["success"] for e in eps) == 10
assert sum(e["steps"] for e in eps) == len(turns)
for t in turns:
    assert t["latency_ms"] == 0 and t["valid"] and t["method"] == "exact"
    assert t["messages"][0]["role"] == "system" and "Mission:" in t["messages"][0]["content"]
    assert t["content"] == t["action"] and "reward" in t and "usage" in t
    assert len(t["messages"]) <= 2 + 2 * 16   # history window 16
PY

# ---- reasoning is logged, never parsed; markers; tools --------------------
agent $S --base-url "$url/v1" --model rule-think --prompt robust --episodes 20 --log "$tmp/c.jsonl" --deterministic-log
python3 - "$tmp/s.jsonl" "$tmp/c.jsonl" <<'PY' && ok || bad "<think> and reasoning_content change nothing"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
c = [json.loads(l) for l in open(sys.argv[2])]
ta = [(r["episode"], r["t"], r["action"]) for r in a if r["type"] == "turn"]
tc = [(r["episode"], r["t"], r["action"]) for r in c if r["type"] == "turn"]
assert ta == tc
assert all(r["method"] == "marker" and r["reasoning_chars"] > 0 and "<think>" in r["content"]
           for r in c if r["type"] == "turn")
PY
agent $S --base-url "$url/v1" --model rule --prompt cot --episodes 20
grep -q "success 95.0%" "$tmp/out" && ok || bad "chain of thought: $(cat "$tmp/out" "$tmp/err")"
agent $W --base-url "$url/v1" --model rule --tools --episodes 4 --log "$tmp/d.jsonl"
[ "$(rc)" = 0 ] && grep -q '"method":"tool"' "$tmp/d.jsonl" && grep -q '"content_null"' "$tmp/d.jsonl" && ok \
  || bad "tool calls with content null: $(cat "$tmp/err")"
agent $W --base-url "$url/f/toolnullx3-a/v1" --model rule --episodes 4 --log "$tmp/e.jsonl"
[ "$(rc)" = 0 ] && grep -q '"finish_reason":"tool"' "$tmp/e.jsonl" && ok || bad "finish_reason tool with content null"

# ---- streamed replies: the same actions, whatever the stream's pieces -------
agent $S --base-url "$url/f/bytes-a/v1" --model rule-think --prompt robust --stream --episodes 20 --log "$tmp/st.jsonl" --deterministic-log
python3 - "$tmp/s.jsonl" "$tmp/st.jsonl" <<'PY' && ok || bad "streamed byte by byte: $(cat "$tmp/err")"
import json, sys
a = [json.loads(l) for l in open(sys.argv[1])]
c = [json.loads(l) for l in open(sys.argv[2])]
assert [(r["episode"], r["t"], r["action"]) for r in a if r["type"] == "turn"] == \
       [(r["episode"], r["t"], r["action"]) for r in c if r["type"] == "turn"]
for r in c:
    if r["type"] == "turn":
        assert r["streamed"] and r["reasoning"] == "Maybe drop? No: toggle." and r["method"] == "marker"
        assert r["total_tokens"] > 0
PY
agent $S --base-url "$url/v1" --model rule --tools --stream --episodes 20
grep -q "success 95.0%" "$tmp/out" && ok || bad "streamed tool calls: $(cat "$tmp/out" "$tmp/err")"
agent $S --base-url "$url/f/stallstreamx1-a/v1" --model rule --episodes 2 --stream --timeout-s 1 --parallel 1
[ "$(rc)" = 0 ] && grep -q "(1 retries)" "$tmp/out" && ok || bad "a stalled stream is retried: $(cat "$tmp/err")"
agent $S --base-url "$url/f/nodone-a/v1" --model rule --episodes 1 --stream --retries 1
[ "$(rc)" = 1 ] && one_line && grep -q "stream ended without \[DONE\]" "$tmp/err" && ok || bad "a stream without [DONE]: $(cat "$tmp/err")"

# ---- retried faults: the run succeeds, the retries are counted ----------
for f in 429x2 429msx2 500x1 malformedx1 truncx1; do
  agent $W --base-url "$url/f/$f-r/v1" --model rule --episodes 2 --parallel 1 --log "$tmp/f.jsonl"
  [ "$(rc)" = 0 ] && grep -q "success 100.0%" "$tmp/out" && grep -q "(${f##*x} retries)" "$tmp/out" && ok \
    || bad "fault $f: $(cat "$tmp/out" "$tmp/err")"
done
for f in slowx1 stallx1; do
  agent $W --base-url "$url/f/$f-r/v1" --model rule --episodes 2 --parallel 1 --timeout-s 1
  [ "$(rc)" = 0 ] && grep -q "(1 retries)" "$tmp/out" && ok || bad "fault $f: $(cat "$tmp/out" "$tmp/err")"
done
agent $W --base-url "$url/f/health503x3-r/v1" --model rule --episodes 2 --wait-health-s 30
[ "$(rc)" = 0 ] && grep -q "(0 retries)" "$tmp/out" && ok || bad "waiting for /health: $(cat "$tmp/out" "$tmp/err")"
agent $W --base-url "$url/f/503x2-s/v1" --model rule --episodes 1 --parallel 1
[ "$(rc)" = 0 ] && grep -q "(2 retries)" "$tmp/out" && ok || bad "503 while loading, retried: $(cat "$tmp/err")"

# ---- a context too small: the history window is halved once ---------------
agent $W --base-url "$url/f/context400-a/v1" --model rule --episodes 20 --log "$tmp/ctx.jsonl"
[ "$(rc)" = 0 ] && grep -q "success 50.0%" "$tmp/out" && grep -q '"history_cut_to":8' "$tmp/ctx.jsonl" && ok \
  || bad "history halved after a context error: $(cat "$tmp/out" "$tmp/err")"
agent $W --base-url "$url/f/context400-b/v1" --model rule --episodes 4 --history 40
[ "$(rc)" = 1 ] && one_line && grep -q "answered HTTP 400: the request (.* messages) exceeds the available context size" "$tmp/err" \
  && ok || bad "a context error after halving is final: $(cat "$tmp/err")"

# ---- not retried, or retried in vain: one line, status 1 -----------------
expect_error() { # name, pattern, args...
  local name=$1 pat=$2; shift 2
  agent "$@"
  [ "$(rc)" = 1 ] && one_line && grep -q -- "$pat" "$tmp/err" && ok || bad "$name: status $(rc): $(cat "$tmp/err")"
}
expect_error "400" "answered HTTP 400: the request exceeds the context size" $W --base-url "$url/f/bad400-a/v1" --model rule --episodes 1
expect_error "x-should-retry" "answered HTTP 500: do not retry me" $W --base-url "$url/f/noretry-a/v1" --model rule --episodes 1
expect_error "HTML page" "failed after 2 tries: HTTP 502: a text/html body that is not JSON" $W --base-url "$url/f/html-a/v1" --model rule --episodes 1 --retries 1
expect_error "huge body" "larger than 8388608 bytes" $W --base-url "$url/f/huge-a/v1" --model rule --episodes 1
expect_error "wrong model" "does not serve model 'gpt-9' (it has 'rule'" $W --base-url "$url/v1" --model gpt-9 --episodes 1
expect_error "unreachable" "cannot reach http://127.0.0.1:1/v1" $W --base-url "http://127.0.0.1:1/v1" --model rule --episodes 1
expect_error "timeouts" "failed after 2 tries: Timeout" $W --base-url "$url/f/slowx9-t/v1" --model rule --episodes 1 --timeout-s 1 --retries 1
agent --suite nope --base-url "$url/v1" --model rule
[ "$(rc)" = 2 ] && one_line && grep -q "unknown suite 'nope'" "$tmp/err" && ok || bad "unknown suite"
agent $W --base-url "$url/v1"
[ "$(rc)" = 2 ] && one_line && grep -q "no model" "$tmp/err" && ok || bad "no model"
agent $W --base-url "ftp://x/v1" --model rule
[ "$(rc)" = 1 ] && one_line && grep -q "must start with http" "$tmp/err" && ok || bad "bad base URL"
agent $W --base-url "$url/v1" --model rule --memory scrapbook --db "$tmp/x.db"
[ "$(rc)" = 2 ] && one_line && grep -q "must be none, cases, reflexion or playbook" "$tmp/err" && ok || bad "--memory scrapbook"

# ---- the key: sent, never logged -----------------------------------------
LUDUS_LLM_API_KEY=sk-test-secret agent $W --base-url "$url/v1" --model rule --episodes 2 --log "$tmp/k.jsonl"
[ "$(rc)" = 0 ] && ! grep -q "sk-test-secret" "$tmp/k.jsonl" "$tmp/out" "$tmp/err" && grep -q '"api_key":true' "$tmp/k.jsonl" && ok \
  || bad "the key is sent and kept out of the log"
LUDUS_LLM_API_KEY=sk-wrong agent $W --base-url "$url/v1" --model rule --episodes 1 --log "$tmp/k2.jsonl"
[ "$(rc)" = 1 ] && grep -q "HTTP 401: bad key" "$tmp/err" && ! grep -q "sk-wrong" "$tmp/err" "$tmp/k2.jsonl" && ok \
  || bad "a wrong key: $(cat "$tmp/err")"

# ---- budgets: a partial summary and exit status 3 ------------------------
agent $W --base-url "$url/v1" --model rule --episodes 5 --parallel 2 --max-requests 20
[ "$(rc)" = 3 ] && grep -q "PARTIAL: budget exhausted" "$tmp/out" && grep -q "20 requests" "$tmp/out" \
  && grep -q "budget exhausted: 20 requests" "$tmp/err" && ok || bad "request budget: status $(rc) $(cat "$tmp/out" "$tmp/err")"
agent $W --base-url "$url/v1" --model rule --episodes 5 --max-tokens-total 3000
[ "$(rc)" = 3 ] && grep -q "tokens (--max-tokens-total)" "$tmp/err" && ok || bad "token budget: $(cat "$tmp/err")"

# ---- memory: cases in SQLite, written on train levels, frozen on held-out --
M=BabyAI-GoToLocalS6N2-v0
mem() { agent $M --base-url "$url/v1" --model hint --episodes 20 --memory cases --db "$tmp/m.db" "$@"; }
mem; grep -q "success 40.0%" "$tmp/out" && ok || bad "memory run 1: $(cat "$tmp/out" "$tmp/err")"
mem; grep -q "success 60.0%" "$tmp/out" && ok || bad "memory run 2 (after a restart, the db read back): $(cat "$tmp/out" "$tmp/err")"
agent $M --base-url "$url/v1" --model hint --episodes 20
grep -q "success 40.0%" "$tmp/out" && ok || bad "the hint player without memory: $(cat "$tmp/out")"
count() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from cases').fetchone()[0])" "$tmp/m.db"; }
before=$(count)
mem --levels heldout
[ "$(rc)" = 0 ] && [ "$(count)" = "$before" ] && ok || bad "held-out levels must not write the memory ($before -> $(count))"
head -c 4096 /dev/urandom >"$tmp/corrupt.db"
agent $M --base-url "$url/v1" --model hint --episodes 1 --memory cases --db "$tmp/corrupt.db"
[ "$(rc)" = 1 ] && one_line && grep -q "not a SQLite database, or a corrupt one" "$tmp/err" && ok || bad "corrupt db: $(cat "$tmp/err")"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('create table t(x)'); c.commit()" "$tmp/foreign.db"
agent $M --base-url "$url/v1" --model hint --episodes 1 --memory cases --db "$tmp/foreign.db"
[ "$(rc)" = 1 ] && one_line && grep -q "not a ludus memory" "$tmp/err" && ok || bad "foreign db: $(cat "$tmp/err")"
agent $M --base-url "$url/v1" --model hint --episodes 1 --memory cases
[ "$(rc)" = 2 ] && grep -q "needs --db" "$tmp/err" && ok || bad "memory without --db"

# ---- the case bank retrieved by /v1/embeddings (toy vectors from the server) --
emb() { agent $M --base-url "$url/$1" --model hint --episodes 20 --memory cases --db "$tmp/$2" "${@:3}"; }
sq() { python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print('|'.join(str(r) for r in c.execute(sys.argv[2]).fetchone()))" "$tmp/$1" "$2"; }
emb v1 e.db --retrieval embeddings
[ "$(rc)" = 0 ] && grep -q "success 40.0%" "$tmp/out" && grep -q "^case retrieval: embeddings$" "$tmp/out" && ok \
  || bad "embeddings run 1: $(cat "$tmp/out" "$tmp/err")"
emb v1 e.db --retrieval embeddings --log "$tmp/e.jsonl"
[ "$(rc)" = 0 ] && grep -q "success 50.0%" "$tmp/out" && ok || bad "embeddings run 2 improves: $(cat "$tmp/out" "$tmp/err")"
grep -q '"retrieval":"embeddings","embed_model":"hint","embed_dim":64' "$tmp/e.jsonl" && grep -q '\[same start as now\]' "$tmp/e.jsonl" \
  && grep -q '\[similarity 0\.[0-9][0-9]\]' "$tmp/e.jsonl" && ok || bad "embeddings: the log's run line and memory blocks"
[ "$(sq e.db "select count(*) = count(embedding) and min(length(embedding)) = 256 and max(length(embedding)) = 256 from cases")" = 1 ] \
  && [ "$(sq e.db "pragma user_version")" = 2 ] \
  && [ "$(sq e.db "select group_concat(key || '=' || value) from ludus_meta where key like 'embed%'")" = "embed_model=hint,embed_dim=64" ] \
  && ok || bad "embeddings: every case has a float32 vector of 64, the model and dimension recorded"
cp "$tmp/e.db" "$tmp/e0.db"
emb v1 e.db --retrieval embeddings --levels heldout
[ "$(rc)" = 0 ] && cmp -s "$tmp/e.db" "$tmp/e0.db" && ok || bad "embeddings: held-out levels leave the db byte-unchanged"
emb f/noembed/v1 n.db --retrieval auto
[ "$(rc)" = 0 ] && grep -q "success 40.0%" "$tmp/out" && grep -q "^case retrieval: fts (no embeddings: .*HTTP 404" "$tmp/out" && ok \
  || bad "auto without /v1/embeddings: $(cat "$tmp/out" "$tmp/err")"
emb f/noembed/v1 n.db --retrieval auto
[ "$(rc)" = 0 ] && grep -q "success 60.0%" "$tmp/out" && [ "$(sq n.db "select count(embedding) from cases")" = 0 ] && ok \
  || bad "auto falls back to FTS5 (the FTS5 golden rate, no vectors): $(cat "$tmp/out" "$tmp/err")"
emb v1 a.db --retrieval auto --episodes 2
[ "$(rc)" = 0 ] && grep -q "^case retrieval: embeddings$" "$tmp/out" && ok || bad "auto with /v1/embeddings"
emb f/embedbad/v1 b.db --retrieval embeddings --retries 1
[ "$(rc)" = 1 ] && one_line && grep -q "embeddings failed after 2 tries: the reply is not JSON" "$tmp/err" && ok \
  || bad "a malformed embedding reply: $(cat "$tmp/err")"
emb f/embedbad/v1 b.db --retrieval auto --retries 0 --episodes 2
[ "$(rc)" = 0 ] && grep -q "^case retrieval: fts (no embeddings: .*not JSON)" "$tmp/out" && ok \
  || bad "auto with a malformed embedding reply falls back: $(cat "$tmp/out" "$tmp/err")"
emb f/embeddimx1-t1/v1 d.db --retrieval embeddings --episodes 2
[ "$(rc)" = 1 ] && one_line && grep -q "a vector of 64 dimensions, earlier ones had 48" "$tmp/err" && ok \
  || bad "vectors of changing dimension: $(cat "$tmp/err")"
emb v1 e.db --retrieval embeddings --embed-model embed-b --episodes 2
[ "$(rc)" = 1 ] && one_line && grep -q "its vectors come from embedding model 'hint' (64 dimensions), this run's from 'embed-b' (64)" "$tmp/err" \
  && cmp -s "$tmp/e.db" "$tmp/e0.db" && ok || bad "a db of another embedding model: $(cat "$tmp/err")"
emb f/embeddim/v1 e.db --retrieval auto --episodes 2
[ "$(rc)" = 1 ] && one_line && grep -q "this run's from 'hint' (48)" "$tmp/err" && ok || bad "a db of another dimension: $(cat "$tmp/err")"
agent $M --base-url "$url/v1" --model hint --memory reflexion --db "$tmp/x.db" --retrieval embeddings
[ "$(rc)" = 2 ] && one_line && grep -q "needs --memory cases" "$tmp/err" && ok || bad "--retrieval without the cases memory: $(cat "$tmp/err")"
emb v1 e.db --retrieval cosine
[ "$(rc)" = 2 ] && one_line && grep -q "must be fts, embeddings or auto" "$tmp/err" && ok || bad "--retrieval cosine: $(cat "$tmp/err")"
# a schema-1 file (no embedding column) opens, gains it, keeps its cases
cp "$tmp/m.db" "$tmp/v1.db"
python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('alter table cases drop column embedding'); c.execute('pragma user_version = 1'); c.commit()" "$tmp/v1.db"
old=$(sq v1.db "select count(*) from cases")
emb v1 v1.db --retrieval embeddings --episodes 4
[ "$(rc)" = 0 ] && [ "$(sq v1.db "pragma user_version")" = 2 ] && [ "$(sq v1.db "select count(*) >= $old from cases")" = 1 ] \
  && [ "$(sq v1.db "select count(embedding) > 0 from cases")" = 1 ] && ok || bad "migration from schema 1: $(cat "$tmp/err")"

# ---- Reflexion: a plan after each failed training episode, in later prompts --
ref() { agent $M --base-url "$url/v1" --model hint --episodes 20 --memory reflexion --db "$tmp/r.db" "$@"; }
ref --log "$tmp/r1.jsonl"
[ "$(rc)" = 0 ] && grep -q "success 40.0%, mean return 0.212, 582 steps, 0 invalid replies, 595 requests" "$tmp/out" && ok \
  || bad "reflexion run 1 (582 steps + /v1/models + 12 reflections): $(cat "$tmp/out" "$tmp/err")"
python3 - "$tmp/r1.jsonl" <<'PY' && ok || bad "one reflection per failed episode, logged"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
failed = {r["episode"] for r in recs if r["type"] == "episode" and not r["success"]}
refl = [r for r in recs if r["type"] == "reflection"]
assert {r["episode"] for r in refl} == failed and len(refl) == 12
assert all(r["text"].startswith("Plan: start with ") for r in refl)
PY
ref --log "$tmp/r2.jsonl"
python3 - "$tmp/r2.jsonl" <<'PY' && ok || bad "reflections reach the next run's prompts"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
hinted = [r for r in recs if r["type"] == "turn" and r["t"] == 0
          and "Reflections on your earlier attempts" in r["messages"][0]["content"]]
assert len(hinted) >= 12, len(hinted)
PY
grep -q "success 40.0%, mean return 0.172" "$tmp/out" && ok || bad "reflexion run 2: $(cat "$tmp/out")"
n=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from reflections').fetchone()[0])" "$tmp/r.db")
ref --levels heldout
n2=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from reflections').fetchone()[0])" "$tmp/r.db")
[ "$(rc)" = 0 ] && [ "$n" = "$n2" ] && [ "$n" = 24 ] && ok || bad "held-out levels write no reflection ($n -> $n2)"

# ---- the ACE playbook: reflector + curator after each training episode ------
pb() { agent $M --base-url "$url/v1" --model hint --episodes 20 --memory playbook --db "$tmp/p.db" "$@"; }
pbq() { python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])" "$tmp/p.db" "$1"; }
pb --log "$tmp/p1.jsonl"
[ "$(rc)" = 0 ] && grep -q "success 40.0%, mean return 0.212, 582 steps, 0 invalid replies, 623 requests" "$tmp/out" && ok \
  || bad "playbook run 1 (582 steps + /v1/models + 20 reflector + 20 curator requests): $(cat "$tmp/out" "$tmp/err")"
python3 - "$tmp/p1.jsonl" <<'PY' && ok || bad "one merged playbook update per training episode, a bullet per success"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
eps = {r["episode"]: r["success"] for r in recs if r["type"] == "episode"}
pb = [r for r in recs if r["type"] == "playbook"]
assert sorted(r["episode"] for r in pb) == sorted(eps) and all(r["stage"] == "merged" for r in pb), pb
assert sum(r["added"] for r in pb) == sum(eps.values()) == 8
PY
[ "$(pbq 'select count(*) from playbook')" = 8 ] && ok || bad "8 bullets after run 1"
pb; grep -q "success 55.0%, mean return 0.302" "$tmp/out" && ok || bad "playbook run 2 (after a restart, the db read back): $(cat "$tmp/out" "$tmp/err")"
pb --log "$tmp/p3.jsonl"; grep -q "success 70.0%, mean return 0.355" "$tmp/out" && ok || bad "playbook run 3: $(cat "$tmp/out" "$tmp/err")"
python3 - "$tmp/p3.jsonl" <<'PY' && ok || bad "the playbook reaches the prompts, best first"
import json, re, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
sys0 = [r["messages"][0]["content"] for r in recs if r["type"] == "turn" and r["t"] == 0]
assert all("Playbook (rules learned on earlier episodes, best first):" in s for s in sys0)
scores = [int(h) - int(b) for h, b in re.findall(r"\(helpful (\d+), harmful (\d+)\)", sys0[0])]
assert scores == sorted(scores, reverse=True) and len(scores) <= 16, scores
PY
[ "$(pbq 'select count(*) from playbook where retired = 1 and harmful - helpful > 1')" = 1 ] \
  && [ "$(pbq 'select count(*) from playbook where retired = 0 and harmful - helpful > 1')" = 0 ] && ok \
  || bad "a bullet harmful more than helpful by 2 is retired"
before=$(pbq 'select group_concat(id||":"||helpful||":"||harmful||":"||retired) from playbook')
pb --levels heldout --log "$tmp/ph.jsonl"
[ "$(rc)" = 0 ] && [ "$(pbq 'select group_concat(id||":"||helpful||":"||harmful||":"||retired) from playbook')" = "$before" ] \
  && ! grep -q '"type":"playbook"' "$tmp/ph.jsonl" && grep -q "success 25.0%" "$tmp/out" && ok \
  || bad "held-out levels read the playbook and never write it: $(cat "$tmp/out" "$tmp/err")"
timeout 120 "$LUDUS" eval --agent "llm:base-url=$url/v1,model=hint,memory=playbook,db=$tmp/p.db" $M --episodes 4 >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && [ "$(pbq 'select group_concat(id||":"||helpful||":"||harmful||":"||retired) from playbook')" = "$before" ] && ok \
  || bad "ludus eval reads the playbook, never writes it: $(cat "$tmp/out" "$tmp/err")"
# malformed reflector / curator replies: logged, nothing changes, the run goes on
for m in hint-badpb hint-badcur; do
  agent $M --base-url "$url/v1" --model $m --episodes 6 --memory playbook --db "$tmp/p.db" --log "$tmp/pbad.jsonl"
  [ "$(rc)" = 0 ] && [ "$(pbq 'select group_concat(id||":"||helpful||":"||harmful||":"||retired) from playbook')" = "$before" ] \
    && python3 -c "
import json,sys
pb=[r for r in map(json.loads, open(sys.argv[1])) if r['type'] == 'playbook']
assert len(pb) == 6 and all('error' in r and r['stage'] == sys.argv[2] for r in pb), pb" "$tmp/pbad.jsonl" \
      $([ $m = hint-badpb ] && echo reflector || echo curator) && ok || bad "$m: a bad reply changes nothing: $(cat "$tmp/out" "$tmp/err")"
done
agent $M --base-url "$url/v1" --model hint --episodes 1 --memory playbook
[ "$(rc)" = 2 ] && grep -q "memory playbook needs --db" "$tmp/err" && ok || bad "playbook without --db: $(cat "$tmp/err")"

# ---- the same agent in `ludus eval` -----------------------------------------
timeout 120 "$LUDUS" eval --agent "llm:base-url=$url/v1,model=rule" $W --episodes 6 --out "$tmp/eval.json" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] && python3 -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['agent']=='llm', d" "$tmp/eval.json" && ok \
  || bad "eval --agent llm: $(cat "$tmp/out" "$tmp/err")"
timeout 60 "$LUDUS" eval --agent "llm:model=rule" $W --episodes 2 >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "no base-url" "$tmp/err" && ok || bad "eval --agent llm without base-url: $(cat "$tmp/err")"
timeout 60 "$LUDUS" eval --agent "llm:base-url=$url/v1,model=rule,bogus=1" $W --episodes 2 >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] && grep -q "unknown option --bogus" "$tmp/err" && ok || bad "eval --agent llm with an unknown key: $(cat "$tmp/err")"

# ---- suites: BALROG's five BabyAI tasks of BabyAI-MixedTrainLocal-v0 ---------
# The rule player only knows "go to": goto 100% (4 of 4), the others 0%, the
# suite's mean 20.0% with BALROG's standard errors (all 0 here).
agent --suite balrog-babyai --base-url "$url/v1" --model rule --episodes 4 --parallel 16
[ "$(rc)" = 0 ] && grep -q "^  goto              progress 100.0% +- 0.0 (4 episodes)" "$tmp/out" \
  && [ "$(grep -c "^  [a-z_]* *progress 0.0% +- 0.0 (4 episodes)" "$tmp/out")" = 4 ] \
  && grep -q "^  pick_up_seq_go_to progress" "$tmp/out" \
  && grep -q "^BabyAI-MixedTrainLocal-v0/open (train levels): 4 episodes" "$tmp/out" \
  && grep -q "^balrog-babyai: progress 20.0% +- 0.0 (train levels)" "$tmp/out" && ok \
  || bad "balrog-babyai suite: $(cat "$tmp/out" "$tmp/err")"

# balrog-crafter: progress = achievements unlocked / 22 per episode, with
# BALROG's standard error (the seeded random player: golden figures).
agent --suite balrog-crafter --base-url "$url/v1" --model random --episodes 8 --parallel 16
[ "$(rc)" = 0 ] && grep -q "^  crafter           progress 7.4% +- 1.4 (8 episodes)" "$tmp/out" \
  && grep -q "^balrog-crafter: progress 7.4% +- 1.4 (train levels)" "$tmp/out" && ok \
  || bad "balrog-crafter suite: $(cat "$tmp/out" "$tmp/err")"

# ---- --protocol before-after: one table of success before and after memory ----
# The hint player replays a remembered success from the same start: after
# the learning pass it does better on the training levels (40 -> 60%) and
# not on held-out ones (40 -> 25%: no case there has its start).
agent $S --base-url "$url/v1" --model hint --episodes 20 --memory cases --db "$tmp/ba.db" --protocol before-after
[ "$(rc)" = 0 ] && grep -q "^| train | training (from 0) | 40.0 +- 11.0 | 60.0 +- 11.0 | +20.0 |$" "$tmp/out" \
  && grep -q "^| heldout | held-out (from 2^31) | 40.0 +- 11.0 | 25.0 +- 9.7 | -15.0 |$" "$tmp/out" \
  && grep -q "^learning pass on the training levels (memory written): 40.0 +- 11.0$" "$tmp/out" \
  && [ "$(grep -c "memory frozen" "$tmp/out")" = 4 ] && ok \
  || bad "--protocol before-after: $(cat "$tmp/out" "$tmp/err")"
agent $S --base-url "$url/v1" --model hint --episodes 2 --protocol before-after
[ "$(rc)" = 2 ] && one_line && grep -q "needs a --memory" "$tmp/err" && ok || bad "before-after without memory: $(cat "$tmp/err")"
agent --suite balrog-babyai --base-url "$url/v1" --model hint --memory cases --db "$tmp/ba.db" --protocol before-after
[ "$(rc)" = 2 ] && one_line && grep -q "one world, not a suite" "$tmp/err" && ok || bad "before-after with a suite: $(cat "$tmp/err")"
agent $S --base-url "$url/v1" --model hint --protocol after-before
[ "$(rc)" = 2 ] && one_line && grep -q "must be before-after" "$tmp/err" && ok || bad "--protocol after-before: $(cat "$tmp/err")"

echo "test_llm_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
