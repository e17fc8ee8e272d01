#!/usr/bin/env python3
"""A loopback OpenAI chat-completions server for ludus's llm tests.

It speaks the API with scripted "models" and misbehaves on purpose. Usage:
    python3 server.py [--delay-ms MS]      prints the port, serves until killed

Models (the request's "model"):
  rule     reads the mission and the text observation and walks to the
           object of a "go to" mission (a rule-based player)
  random   a legal action drawn from a hash of the request (seeded: the same
           request gets the same answer)
  hint     follows the actions of a past successful episode with the same
           start when the prompt's memory block lists one, or a Reflexion
           plan's first action at step 0, else as random
  A request whose system message starts "You review" (a Reflexion
  reflection) gets "Plan: start with X instead of Y, ..." where Y was the
  failed attempt's first action.
  A playbook reflector request (system "You are the reflector") gets JSON
  tagging the shown bullets of the same mission helpful after a success,
  harmful after a failure, with the reflection "For mission 'M': actions
  A, B, ..." (the episode's actions) after a success, "" after a failure;
  a curator request (system "You are the curator") gets an ADD of a
  non-empty reflection. hint also follows the actions of the best playbook
  bullet for its mission. A model name ending "-badpb" gets a reply
  without JSON from the reflector, "-badcur" broken JSON from the curator.
  Any of them + "-think": the reply starts with a <think> block naming
  another action, and reasoning_content names yet another.
  web      plays Web-click-button/-link and Web-enter-text from the mission and
           the accessibility tree (click [i], type [i] [word]); webbad replies
           text that names no action; weboob always "click [47]"
Other names get 404 (as OpenAI does for an unknown model); /v1/models lists
these three (each also with -think) and hint-badpb, hint-badcur.

POST /v1/embeddings answers a toy embedding of each input: a hashed bag
of words (each lower-cased word adds 1 to coordinate md5(salt + word) mod
64), scaled to unit length, so texts sharing words are near. Models: those
listed and "embed-a" (salt ""), and "embed-b" (salt "b": another model).
Its faults: noembed (404, as a server without embeddings), embedbad (200
with a body that is not JSON), embeddimxN (the first N replies have 48
dimensions).

Faults, chosen by a path prefix: http://127.0.0.1:PORT/f/KIND-TAG/v1. KIND
is one of the names below with an optional xN (the first N chat requests
misbehave, then the model answers); TAG only keeps counters apart.
  429xN      429 with Retry-After: 1
  429msxN    429 with retry-after-ms: 50
  503xN      503 "Loading model" (and /health answers 503 N times)
  health503xN  only /health answers 503 N times (a server still loading)
  500xN      500
  slowxN     answers after 3 s (a client timeout of 1 s gives up first)
  stallxN    headers and half a body, then silence for 3 s
  truncxN    Content-Length larger than the body, then the connection closes
  malformedxN  200 with a body that is not JSON
  html       502 with an HTML error page, always
  huge       200 with a 20 MiB body
  bad400     400 with an error message, always
  context400     400 "exceeds the available context size" for requests of more
             than 18 messages (a history window over 8)
  noretry    500 with x-should-retry: false
  toolnull   tool calls with content null and finish_reason "tool"
  With "stream": true the reply is server-sent events (see Handler.stream):
  bytes      every byte of the stream written on its own
  stallstreamxN  half the events, then 3 s of silence
  nodonexN   a stream without data: [DONE]
"""
import hashlib
import http.server
import json
import re
import sys
import threading
import time

MODELS = ["rule", "random", "hint", "web", "webbad", "weboob"]
DELAY_S = 0.0  # --delay-ms: a model's latency, added to every chat reply
LISTED = MODELS + [m + "-think" for m in MODELS] + ["hint-badpb", "hint-badcur"]
counters = {}
lock = threading.Lock()


def count(key):
    with lock:
        counters[key] = counters.get(key, 0) + 1
        return counters[key]


def actions_of(system):
    m = re.search(r"The actions you can take:\n((?:- .*\n)+)", system)
    return [line[2:] for line in m.group(1).splitlines()] if m else []


def current_obs(user):
    m = re.search(r"Current Observation \(step (\d+)\):\n(.*?)\n\n", user, re.S)
    return (int(m.group(1)), m.group(2)) if m else (0, "")


def pick_random(req, acts):
    h = hashlib.sha256(json.dumps(req["messages"], sort_keys=True).encode()).digest()
    return acts[h[0] % len(acts)]


def rule_action(system, obs, acts):
    m = re.search(r"Mission: go to (?:the|a) (\w+) (\w+)", system)
    if not m:
        return "turn left"
    target = "%s %s" % (m.group(1), m.group(2))
    for line in obs.splitlines():
        line = line.strip()
        if not line.startswith(("a ", "an ")) or target not in line:
            continue
        fwd = re.search(r"(\d+) steps? forward", line)
        left = re.search(r"(\d+) steps? left", line)
        right = re.search(r"(\d+) steps? right", line)
        f = int(fwd.group(1)) if fwd else 0
        if f > 0 and not left and not right:
            return "go forward"
        if f > 0:
            return "go forward"
        if left:
            return "turn left"
        if right:
            return "turn right"
    return "turn left"


def reflection(user):
    """A Reflexion plan: start with another action than the failed attempt did."""
    m = re.search(r"Your actions, in order: ([^,\n]*)", user)
    first = m.group(1).strip() if m else ""
    other = {"turn left": "turn right", "turn right": "go forward"}.get(first, "turn left")
    return "Plan: start with %s instead of %s, then head for the target." % (other, first or "nothing")


def pb_reflector(user):
    mission = re.search(r"Mission: (.*)\n", user).group(1)
    won = "Outcome: SUCCEEDED" in user
    m = re.search(r"Your actions, in order: (.*)\n", user)
    tags = [{"id": int(i), "tag": "helpful" if won else "harmful"}
            for i, mis in re.findall(r"- \[b(\d+)\] For mission '([^']*)'", user) if mis == mission]
    rule = "For mission '%s': actions %s." % (mission, m.group(1)) if won and m else ""
    return json.dumps({"reflection": rule, "bullet_tags": tags})


def pb_curator(user):
    m = re.search(r"reflection on an episode that \w+ \(mission '[^']*'\): (.*)\n", user)
    return json.dumps({"operations": [{"type": "ADD", "content": m.group(1)}] if m and m.group(1) else []})


EMBED_DIM = 64


def toy_embedding(text, salt, dim):
    v = [0.0] * dim
    for w in re.findall(r"[a-z0-9]+", text.lower()):
        v[int(hashlib.md5((salt + w).encode()).hexdigest(), 16) % dim] += 1.0
    norm = sum(x * x for x in v) ** 0.5
    return [x / norm for x in v] if norm else v


def hint_action(system, step, req, acts):
    ms = re.search(r"Mission: (.*)\n", system)
    if ms:
        for mis, seq in re.findall(r"- \[b\d+\] For mission '([^']*)': actions ([a-z ,]+)\. \(", system):
            seq = [a.strip() for a in seq.split(",")]
            if mis == ms.group(1) and step < len(seq) and seq[step] in acts:
                return seq[step]
    r = re.search(r"Reflections on your earlier attempts at this mission:\n- Plan: start with ([a-z ]+?) instead", system)
    if r and step == 0 and r.group(1) in acts:
        return r.group(1)
    m = re.search(r"\[same start as now\] mission '[^']*': SUCCEEDED in \d+ steps with actions: (.*)\n", system)
    if m:
        seq = [a.strip() for a in m.group(1).split(",")]
        if step < len(seq) and seq[step] in acts:
            return seq[step]
    return pick_random(req, acts)


def web_action(system, obs):
    """web: a scripted player of Web-click-button/-link and Web-enter-text
    from the mission and the accessibility tree (BALROG's text view)."""
    m = re.search(r"Mission: (.*)", system)
    mission = m.group(1) if m else ""
    e = re.match(r"Enter '(\w+)' into", mission)
    if e:
        box = re.search(r"\[(\d+)\] textbox '[^']*'(?: value: '(\w+)')?", obs)
        if box and box.group(2) == e.group(1):
            b = re.search(r"\[(\d+)\] button", obs)
            return "click [%s]" % b.group(1) if b else "stop"
        return "type [%s] [%s]" % (box.group(1), e.group(1)) if box else "stop"
    w = re.search(r"'(\w+)'", mission)
    if w:
        for line in obs.splitlines():
            c = re.match(r"\s*\[(\d+)\] (?:button|link) '%s'$" % re.escape(w.group(1)), line)
            if c:
                return "click [%s]" % c.group(1)
    return "stop"


def choose(req):
    msgs = req["messages"]
    system = msgs[0]["content"]
    user = msgs[-1]["content"]
    acts = actions_of(system)
    step, obs = current_obs(user)
    base = req["model"].split("-")[0]
    if base == "rule":
        a = rule_action(system, obs, acts)
    elif base == "hint":
        a = hint_action(system, step, req, acts)
    elif base == "web":
        a = web_action(system, obs)
    elif base == "webbad":
        a = "I am not sure what to do here."      # names no action
    elif base == "weboob":
        a = "click [47]"                          # a slot no page of these tasks fills
    else:
        a = pick_random(req, acts)
    return a, user


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def send_json(self, code, obj, headers=()):
        body = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def fault(self):
        m = re.match(r"^/f/([^/]+)(/.*)$", self.path)
        if not m:
            return None, None, self.path
        key = m.group(1)
        kind = key.split("-")[0]
        n = re.match(r"^(\w+?)x(\d+)$", kind)
        limit = int(n.group(2)) if n else None
        name = n.group(1) if n else kind
        return name, (key, limit), m.group(2)

    def do_GET(self):
        name, lim, path = self.fault()
        if path == "/health":
            if name in ("503", "health503") and count(lim[0] + "/health") <= lim[1]:
                return self.send_json(503, {"error": {"code": 503, "message": "Loading model",
                                                      "type": "unavailable_error"}})
            return self.send_json(200, {"status": "ok"})
        if path == "/v1/models":
            return self.send_json(200, {"object": "list",
                                        "data": [{"id": m, "object": "model"} for m in LISTED]})
        self.send_json(404, {"error": {"message": "no such path %s" % path}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        name, lim, path = self.fault()
        if path == "/v1/embeddings":
            return self.embeddings(raw, name, lim)
        if path != "/v1/chat/completions":
            return self.send_json(404, {"error": {"message": "no such path %s" % path}})
        if self.headers.get("Authorization", "") not in ("", "Bearer sk-test-secret"):
            return self.send_json(401, {"error": {"message": "bad key"}})
        active = False
        if name is not None and name != "health503":
            key, limit = lim
            active = limit is None or count(key) <= limit
        if active:
            if name == "429":
                return self.send_json(429, {"error": {"message": "rate limited"}}, [("Retry-After", "1")])
            if name == "429ms":
                return self.send_json(429, {"error": {"message": "rate limited"}}, [("retry-after-ms", "50")])
            if name == "503":
                return self.send_json(503, {"error": {"code": 503, "message": "Loading model",
                                                      "type": "unavailable_error"}})
            if name == "500":
                return self.send_json(500, {"error": {"message": "internal error"}})
            if name == "noretry":
                return self.send_json(500, {"error": {"message": "do not retry me"}},
                                      [("x-should-retry", "false")])
            if name == "bad400":
                return self.send_json(400, {"error": {"message": "the request exceeds the context size"}})
            if name == "html":
                body = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>\n"
                self.send_response(502)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if name == "slow":
                time.sleep(3)
            if name == "stall":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "1000")
                self.end_headers()
                self.wfile.write(b'{"choices": [')
                self.wfile.flush()
                time.sleep(3)
                self.close_connection = True
                return
            if name == "trunc":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "500")
                self.end_headers()
                self.wfile.write(b'{"choices": [{"message": {"content": "go')
                self.close_connection = True
                return
            if name == "malformed":
                body = b'{"choices": [{"message": {"content": "go forward"'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if name == "huge":
                body = b'{"pad": "' + b"x" * (20 << 20) + b'"}'
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except OSError:
                    pass
                self.close_connection = True
                return
        req = json.loads(raw)
        if name == "context400" and len(req["messages"]) > 18:
            return self.send_json(400, {"error": {"message": "the request (%d messages) exceeds the available "
                                                  "context size" % len(req["messages"]), "type": "exceed_context_size_error"}})
        if req.get("model", "").split("-")[0] not in MODELS:
            return self.send_json(404, {"error": {"message": "The model '%s' does not exist" % req.get("model"),
                                                  "type": "invalid_request_error", "code": "model_not_found"}})
        sysmsg = req["messages"][0]["content"]
        if sysmsg.startswith(("You review", "You are the reflector", "You are the curator")):
            user = req["messages"][-1]["content"]
            if sysmsg.startswith("You review"):
                text = reflection(user)
            elif sysmsg.startswith("You are the reflector"):
                text = "It went fine, I think." if "-badpb" in req["model"] else pb_reflector(user)
            else:
                text = '{"operations": [{"type": "ADD", "content": ' if "-badcur" in req["model"] else pb_curator(user)
            if req["model"].endswith("-think"):
                text = "<think>what went wrong?</think>" + text
            return self.send_json(200, {"id": "chatcmpl-test", "object": "chat.completion", "model": req["model"],
                                        "choices": [{"index": 0, "finish_reason": "stop",
                                                     "message": {"role": "assistant", "content": text}}],
                                        "usage": {"prompt_tokens": 50, "completion_tokens": 20, "total_tokens": 70}})
        action, user = choose(req)
        if DELAY_S:
            time.sleep(DELAY_S)
        think = req["model"].endswith("-think")
        msg = {"role": "assistant"}
        finish = "stop"
        if req.get("tools") or (active and name == "toolnull"):
            msg["content"] = None
            msg["tool_calls"] = [{"id": "call_1", "type": "function",
                                  "function": {"name": "act", "arguments": json.dumps({"action": action})}}]
            finish = "tool" if name == "toolnull" else "tool_calls"
        elif "<|ACTION|>" in user:
            msg["content"] = "<|ACTION|>%s<|END|>" % action
        elif "Action: <one action" in user:
            msg["content"] = "The mission says where to go; I move accordingly.\nAction: %s" % action
        else:
            msg["content"] = action
        if think and msg.get("content") and req["model"].startswith("web"):
            msg["content"] = "<think>Maybe click [0]? Or stop.</think>\n" + msg["content"]
            msg["reasoning_content"] = "type [1] [zoe]? No."
        elif think and msg.get("content"):
            msg["content"] = "<think>I could pick up or toggle here.</think>\n" + msg["content"]
            msg["reasoning_content"] = "Maybe drop? No: toggle."
        prompt_chars = sum(len(m.get("content") or "") for m in req["messages"])
        if req.get("stream"):
            return self.stream(req, msg, finish, prompt_chars, name if active else None)
        self.send_json(200, {"id": "chatcmpl-test", "object": "chat.completion", "model": req["model"],
                             "system_fingerprint": "ludus-test-server",
                             "choices": [{"index": 0, "message": msg, "finish_reason": finish}],
                             "usage": {"prompt_tokens": prompt_chars // 4, "completion_tokens": 3,
                                       "total_tokens": prompt_chars // 4 + 3}})


    def embeddings(self, raw, name, lim):
        if self.headers.get("Authorization", "") not in ("", "Bearer sk-test-secret"):
            return self.send_json(401, {"error": {"message": "bad key"}})
        if name == "noembed":
            return self.send_json(404, {"error": {"message": "no such path /v1/embeddings"}})
        if name == "embedbad":
            body = b'{"data": [{"embedding": [0.1, 0.2'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        req = json.loads(raw)
        model = req.get("model", "")
        if model not in LISTED + ["embed-a", "embed-b"]:
            return self.send_json(404, {"error": {"message": "The model '%s' does not exist" % model,
                                                  "code": "model_not_found"}})
        dim = EMBED_DIM
        if name == "embeddim" and (lim[1] is None or count(lim[0] + "/emb") <= lim[1]):
            dim = 48
        inputs = req["input"] if isinstance(req["input"], list) else [req["input"]]
        data = [{"object": "embedding", "index": i, "embedding": toy_embedding(t, "b" if model == "embed-b" else "", dim)}
                for i, t in enumerate(inputs)]
        tokens = sum(len(t.split()) for t in inputs)
        self.send_json(200, {"object": "list", "model": model, "data": data,
                             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    def stream(self, req, msg, finish, prompt_chars, fault):
        """The reply as server-sent events: content in 3-character deltas,
        tool-call arguments over 5 deltas, a ':' ping, usage in a last
        chunk, then [DONE]. Faults: bytes (every byte its own write),
        stallstream (half the events, then silence), nodone (no [DONE])."""
        def ev(delta, fr=None):
            return {"id": "chatcmpl-test", "object": "chat.completion.chunk", "model": req["model"],
                    "choices": [{"index": 0, "delta": delta, "finish_reason": fr}]}
        events = [ev({"role": "assistant"})]
        if msg.get("reasoning_content"):
            r = msg["reasoning_content"]
            events += [ev({"reasoning_content": r[i:i + 4]}) for i in range(0, len(r), 4)]
        if msg.get("content"):
            c = msg["content"]
            events += [ev({"content": c[i:i + 3]}) for i in range(0, len(c), 3)]
        if msg.get("tool_calls"):
            call = msg["tool_calls"][0]
            args = call["function"]["arguments"]
            events.append(ev({"tool_calls": [{"index": 0, "id": call["id"], "type": "function",
                                              "function": {"name": "act", "arguments": ""}}]}))
            k = max(1, -(-len(args) // 5))
            events += [ev({"tool_calls": [{"index": 0, "function": {"arguments": args[i:i + k]}}]})
                       for i in range(0, len(args), k)]
        events.append(ev({}, finish))
        usage = {"prompt_tokens": prompt_chars // 4, "completion_tokens": 3, "total_tokens": prompt_chars // 4 + 3}
        events.append({"id": "chatcmpl-test", "object": "chat.completion.chunk", "choices": [], "usage": usage})
        parts = ["data: %s\n\n" % json.dumps(e) for e in events]
        parts.insert(2, ": ping\n\n")
        if fault != "nodone":
            parts.append("data: [DONE]\n\n")
        if fault == "stallstream":
            parts = parts[:len(parts) // 2]
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        data = "".join(parts).encode()
        try:
            if fault == "bytes":
                for i in range(len(data)):
                    self.wfile.write(data[i:i + 1])
            else:
                self.wfile.write(data)
            self.wfile.flush()
            if fault == "stallstream":
                time.sleep(3)
        except OSError:
            pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256


def main():
    global DELAY_S
    if len(sys.argv) == 3 and sys.argv[1] == "--delay-ms":
        DELAY_S = float(sys.argv[2]) / 1000
    srv = Server(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
