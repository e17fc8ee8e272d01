#!/usr/bin/env bash
# test_mcp_cli.sh: `ludus mcp`'s transports as a client meets them, without
# the SDK (tests/mcp/client.mjs drives the official client): over stdio,
# stdout holds only JSON-RPC lines, the server exits at the end of input,
# oversized lines are answered and skipped; over HTTP, curl checks the
# refusals (Origin, session and version headers, size) and the flags.
set -u
LUDUS=${1:?usage: test_mcp_cli.sh path/to/ludus}
pass=0; fail=0
ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
tmp=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

init='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"sh","version":"1"}}}'

# ---- stdio ---------------------------------------------------------------
{
  echo "$init"
  echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
  echo ''
  printf '{"jsonrpc":"2.0","id":2,"method":"ping"}\r\n'
  head -c 3000 /dev/zero | tr '\0' 'x'; echo
  echo '{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"make","arguments":{"world":"MiniGrid-Empty-5x5-v0"}}}'
  echo 'not json'
  printf '{"jsonrpc":"2.0","id":4,"method":"tools/list"}'   # no newline at the end
} | timeout 60 "$LUDUS" mcp --max-request 2048 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" = 0 ] && ok || bad "stdio: exit status $rc at the end of input (stderr: $(head -c 300 "$tmp/err"))"
/usr/bin/python3 - "$tmp/out" <<'PY' && ok || bad "stdio: the answers on stdout"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "stdout ends with a newline"
msgs = [json.loads(l) for l in lines[:-1]]          # every line is JSON
assert [m.get("id") for m in msgs] == [1, 2, None, 3, None, 4], [m.get("id") for m in msgs]
assert msgs[0]["result"]["protocolVersion"] == "2025-11-25"
assert msgs[1]["result"] == {}                      # CRLF line accepted
assert msgs[2]["error"]["code"] == -32600 and "2048" in msgs[2]["error"]["message"]
assert len(msgs[3]["result"]["structuredContent"]["handle"]) == 32
assert msgs[4]["error"]["code"] == -32700
assert len(msgs[5]["result"]["tools"]) == 8         # the last line without a newline
PY
[ ! -s "$tmp/err" ] && ok || bad "stdio: stderr should be empty: $(head -c 300 "$tmp/err")"

# An empty input: no output, status 0.
"$LUDUS" mcp </dev/null >"$tmp/out" 2>&1 && [ ! -s "$tmp/out" ] && ok || bad "stdio: empty input"

# ---- flags ----------------------------------------------------------------
for args in "--max-sessions 0" "--max-request 10" "--world-ttl -1" "--bogus" "--http" \
            "--http 0.0.0.0:0" "--http 127.0.0.1:99999" "--http nohost" "--http example.com:80"; do
  # shellcheck disable=SC2086
  "$LUDUS" mcp $args </dev/null >"$tmp/out" 2>"$tmp/err"; rc=$?
  if [ "$rc" != 0 ] && grep -q '^ludus: ' "$tmp/err" && [ ! -s "$tmp/out" ]; then ok
  else bad "ludus mcp $args -> rc $rc, stderr $(head -c 200 "$tmp/err")"; fi
done

# ---- HTTP with curl ---------------------------------------------------------
if "$LUDUS" mcp --http 127.0.0.1:0:0 </dev/null 2>&1 | grep -q 'built without the HTTP transport'; then
  echo "test_mcp_cli: this ludus has no HTTP transport (LUDUS_MCP_HTTP=OFF): HTTP checks left out"
elif ! command -v curl >/dev/null; then
  echo "test_mcp_cli: curl missing, HTTP checks skipped (scripts/setup-debian.sh installs it)"
  bad "curl missing"
else
  "$LUDUS" mcp --http 127.0.0.1:0 --max-request 4096 2>"$tmp/http.err" &
  pid=$!
  url=
  for _ in $(seq 300); do
    url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/http.err")
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] && ok || bad "http: no 'listening on' line: $(cat "$tmp/http.err")"
  post() { # post OUTFILE BODY [HEADER...]: prints the status code
    local out=$1 body=$2; shift 2
    local h=() x
    for x in "$@"; do h+=(-H "$x"); done
    curl -s -o "$out" -D "$tmp/headers" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
      -H 'Accept: application/json, text/event-stream' "${h[@]}" --data-binary "$body" "$url"
  }
  code=$(post "$tmp/r" "$init" "Origin: https://attacker.example")
  [ "$code" = 403 ] && ok || bad "http: bad Origin gives $code"
  code=$(post "$tmp/r" "$init")
  sid=$(tr -d '\r' <"$tmp/headers" | sed -n 's/^[Mm]cp-[Ss]ession-[Ii]d: //p')
  [ "$code" = 200 ] && [ ${#sid} = 32 ] && ok || bad "http: initialize gives $code, session '$sid'"
  list='{"jsonrpc":"2.0","id":2,"method":"tools/list"}'
  code=$(post "$tmp/r" "$list" "MCP-Protocol-Version: 2025-11-25")
  [ "$code" = 400 ] && ok || bad "http: no session header gives $code"
  code=$(post "$tmp/r" "$list" "Mcp-Session-Id: $sid")
  [ "$code" = 400 ] && ok || bad "http: no protocol version gives $code"
  code=$(post "$tmp/r" "$list" "Mcp-Session-Id: $sid" "MCP-Protocol-Version: 2024-11-05")
  [ "$code" = 400 ] && ok || bad "http: wrong protocol version gives $code"
  code=$(post "$tmp/r" "$list" "Mcp-Session-Id: $sid" "MCP-Protocol-Version: 2025-11-25")
  [ "$code" = 200 ] && grep -q '"list_worlds"' "$tmp/r" && ok || bad "http: tools/list gives $code"
  code=$(post "$tmp/r" '{"jsonrpc":"2.0","method":"notifications/initialized"}' "Mcp-Session-Id: $sid" \
         "MCP-Protocol-Version: 2025-11-25")
  [ "$code" = 202 ] && [ ! -s "$tmp/r" ] && ok || bad "http: a notification gives $code"
  big=$(head -c 5000 /dev/zero | tr '\0' ' ')
  code=$(post "$tmp/r" "$big$list" "Mcp-Session-Id: $sid" "MCP-Protocol-Version: 2025-11-25")
  [ "$code" = 413 ] && ok || bad "http: an oversized body gives $code"
  code=$(post "$tmp/r" '[1,2]' "Mcp-Session-Id: $sid" "MCP-Protocol-Version: 2025-11-25")
  [ "$code" = 200 ] && grep -q -- '-32600' "$tmp/r" && ok || bad "http: a batch gives $code"
  # Many sessions at once: 20 initializes in parallel against the default
  # limit of 16: each is answered, 16 with a session and the rest 503.
  posts=()
  for i in $(seq 20); do post "$tmp/m$i" "$init" >"$tmp/c$i" & posts+=($!); done
  wait "${posts[@]}"
  codes=$(for i in $(seq 20); do cat "$tmp/c$i"; echo; done | sort | uniq -c | tr -s ' ' | tr '\n' ';')
  # one session (sid) is open already: 15 more fit
  [ "$codes" = " 15 200; 5 503;" ] && ok || bad "http: 20 sessions at once give $codes"
  kill "$pid"; wait "$pid" 2>/dev/null; pid=
fi

echo "test_mcp_cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
