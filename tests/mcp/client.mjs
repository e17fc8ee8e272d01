// client.mjs: drives `ludus mcp` with the official MCP TypeScript SDK client
// (@modelcontextprotocol/sdk, pinned by package-lock.json) over stdio and
// over Streamable HTTP, and checks the HTTP transport's refusals with raw
// requests.
//
//   node tests/mcp/client.mjs LUDUS            the test (exit status 1 on failure)
//   node tests/mcp/client.mjs LUDUS --bench N  tool calls per second and step latency
//
// The SDK validates every structuredContent against the tool's outputSchema,
// so a passing run also checks the schemas.
import { spawn } from "node:child_process";
import net from "node:net";
import http from "node:http";
import { setMaxListeners } from "node:events";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// The v2 line of the official SDK (a package of its own), as a second peer.
import * as v2 from "@modelcontextprotocol/client";
import { StdioClientTransport as V2Stdio } from "@modelcontextprotocol/client/stdio";

const ludus = process.argv[2];
const benchIdx = process.argv.indexOf("--bench");
const benchN = benchIdx > 0 ? Number(process.argv[benchIdx + 1]) : 0;
if (!ludus) {
  console.error("usage: node client.mjs LUDUS [--bench N]");
  process.exit(2);
}

// The SDK's HTTP transport adds an abort listener per request to one
// signal; long runs would print Node's leak warning.
setMaxListeners(0);

let failures = 0, passes = 0;
function check(cond, what) {
  if (cond) passes++;
  else {
    failures++;
    console.error(`FAIL: ${what}`);
  }
}

const WORLD = "MiniGrid-Empty-5x5-v0";
const TOOLS = ["close", "list_worlds", "make", "observe", "reset", "restore", "snapshot", "step"];

async function connectStdio() {
  const transport = new StdioClientTransport({ command: ludus, args: ["mcp"], stderr: "inherit" });
  const client = new Client({ name: "ludus-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

// Starts `ludus mcp --http 127.0.0.1:0 ARGS` and resolves with the child and its URL.
function startHttp(extra = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(ludus, ["mcp", "--http", "127.0.0.1:0", ...extra], { stdio: ["ignore", "inherit", "pipe"] });
    let err = "";
    child.stderr.on("data", (d) => {
      err += d.toString();
      const m = err.match(/listening on (http:\/\/[^\s]+)/);
      if (m) resolve({ child, url: m[1] });
    });
    child.on("exit", (code) => reject(new Error(`ludus mcp --http exited (${code}): ${err}`)));
  });
}

async function connectHttp(url, token) {
  const opts = token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {};
  const transport = new StreamableHTTPClientTransport(new URL(url), opts);
  const client = new Client({ name: "ludus-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

const call = (client, name, args) => client.callTool({ name, arguments: args });

// The whole scenario, over any transport.
async function scenario(client, label) {
  check(["2025-11-25", "2025-06-18"].includes(client.transport.protocolVersion ?? "2025-11-25"),
        `${label}: negotiated version`);
  const { tools } = await client.listTools();
  check(JSON.stringify(tools.map((t) => t.name).sort()) === JSON.stringify(TOOLS), `${label}: tool names`);
  for (const t of tools) {
    check(t.inputSchema?.type === "object" && t.outputSchema?.type === "object", `${label}: ${t.name} schemas`);
  }

  const list = await call(client, "list_worlds", { family: "minigrid", contains: "empty" });
  check(!list.isError && list.structuredContent.count >= 1, `${label}: list_worlds filters`);
  check(list.structuredContent.worlds.every((w) => w.family === "minigrid" && /empty/i.test(w.id)),
        `${label}: list_worlds only matching worlds`);

  const made = await call(client, "make", { world: WORLD });
  check(!made.isError && /^[0-9a-f]{32}$/.test(made.structuredContent.handle), `${label}: make returns a handle`);
  const handle = made.structuredContent.handle;
  const actions = made.structuredContent.actions;
  check(actions.includes("go forward"), `${label}: action names`);

  const reset = await call(client, "reset", { handle, seed: 7 });
  check(!reset.isError && reset.structuredContent.step === 0, `${label}: reset`);
  check(reset.structuredContent.mission.length > 0, `${label}: mission`);

  const obs = await call(client, "observe", { handle });
  const img = obs.content.find((c) => c.type === "image");
  check(img && img.mimeType === "image/png" && Buffer.from(img.data, "base64").subarray(1, 4).toString() === "PNG",
        `${label}: observe image block is a PNG`);
  const fields = obs.structuredContent.tensor.fields;
  check(fields.length >= 1 && fields[0].data.length === fields[0].shape.reduce((a, b) => a * b, 1),
        `${label}: observe tensor shape and data agree`);
  check(obs.content[0].type === "text" && obs.content[0].text.length > 0, `${label}: observe text rendering`);

  // An episode: right, forward, forward, right, forward, forward reaches the goal of Empty-5x5.
  let last = null, steps = 0;
  for (const a of ["turn right", 2, "go forward", "turn right", "go forward", "go forward"]) {
    last = await call(client, "step", { handle, action: a });
    check(!last.isError, `${label}: step ${a}`);
    steps++;
    if (last.structuredContent.terminated || last.structuredContent.truncated) break;
  }
  check(last.structuredContent.step === steps, `${label}: step counter`);
  // Play on until the episode ends, with lists of actions.
  while (!last.structuredContent.terminated && !last.structuredContent.truncated) {
    last = await call(client, "step", { handle, actions: ["go forward", "turn left", "go forward", "turn right"] });
    check(!last.isError, `${label}: step with a list`);
  }
  check(last.structuredContent.terminated || last.structuredContent.truncated, `${label}: an episode ends`);

  // Snapshot, play k steps, restore, play them again: the same results.
  await call(client, "reset", { handle, seed: 3 });
  await call(client, "step", { handle, actions: ["go forward", "turn left"] });
  const snap = await call(client, "snapshot", { handle });
  check(!snap.isError && snap.structuredContent.state.length > 0, `${label}: snapshot`);
  const play = async () => {
    const out = [];
    for (const a of ["turn right", "go forward", "toggle", "go forward"]) {
      const r = await call(client, "step", { handle, action: a });
      out.push(JSON.stringify(r.structuredContent));
    }
    return out;
  };
  const first = await play();
  const back = await call(client, "restore", { handle, state: snap.structuredContent.state });
  check(!back.isError && back.structuredContent.step === 2, `${label}: restore`);
  const second = await play();
  check(JSON.stringify(first) === JSON.stringify(second), `${label}: the same steps after restore`);

  // Tool errors: shown to the model, the world left as it was.
  const before = (await call(client, "snapshot", { handle })).structuredContent.state;
  const bad = await call(client, "step", { handle, action: "fly" });
  check(bad.isError && /invalid action 'fly'.*go forward/.test(bad.content[0].text), `${label}: illegal action`);
  const badList = await call(client, "step", { handle, actions: ["go forward", 99] });
  check(badList.isError, `${label}: a list with an illegal action`);
  check((await call(client, "snapshot", { handle })).structuredContent.state === before,
        `${label}: an illegal action changes nothing`);
  const damaged = Buffer.from(before, "base64");
  damaged.fill(0xff, 0, 16);
  const refused = await call(client, "restore", { handle, state: damaged.toString("base64") });
  check(refused.isError && /refused/.test(refused.content[0].text), `${label}: a damaged state is refused`);
  check((await call(client, "snapshot", { handle })).structuredContent.state === before,
        `${label}: a refused restore changes nothing`);
  const notb64 = await call(client, "restore", { handle, state: "@@@@" });
  check(notb64.isError, `${label}: restore of non-base64`);
  const unknown = await call(client, "step", { handle: "0".repeat(32), action: 0 });
  check(unknown.isError && /unknown or expired handle/.test(unknown.content[0].text), `${label}: unknown handle`);
  const noWorld = await call(client, "make", { world: "MiniGrid-Empty-5x5-v9" });
  check(noWorld.isError && /MiniGrid-Empty-5x5-v0/.test(noWorld.content[0].text), `${label}: unknown world suggests`);
  let threw = null;
  try {
    await call(client, "teleport", {});
  } catch (e) {
    threw = e;
  }
  check(threw && threw.code === -32602, `${label}: unknown tool is a JSON-RPC error`);

  const closed = await call(client, "close", { handle });
  check(!closed.isError && closed.structuredContent.closed === true, `${label}: close`);
  const after = await call(client, "step", { handle, action: 0 });
  check(after.isError, `${label}: a closed handle is refused`);
}

// Raw requests against the HTTP transport: what the SDK never sends.
async function httpNegative(url) {
  const init = {
    jsonrpc: "2.0", id: 1, method: "initialize",
    params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
  };
  const hdr = { "Content-Type": "application/json", Accept: "application/json, text/event-stream" };
  const post = (body, extra = {}) => fetch(url, { method: "POST", headers: { ...hdr, ...extra }, body });

  let r = await post(JSON.stringify(init), { Origin: "http://evil.example" });
  check(r.status === 403, `http: bad Origin is 403 (got ${r.status})`);
  r = await post(JSON.stringify(init), { Origin: "http://localhost:3000" });
  check(r.status === 200, `http: a localhost Origin is accepted (got ${r.status})`);
  const sid = r.headers.get("mcp-session-id");
  check(/^[0-9a-f]{32}$/.test(sid ?? ""), "http: initialize returns Mcp-Session-Id");
  const body = await r.json();
  check(body.result.protocolVersion === "2025-11-25", "http: negotiated 2025-11-25");

  const list = JSON.stringify({ jsonrpc: "2.0", id: 2, method: "tools/list" });
  r = await post(list, { "MCP-Protocol-Version": "2025-11-25" });
  check(r.status === 400, `http: missing session header is 400 (got ${r.status})`);
  r = await post(list, { "Mcp-Session-Id": "f".repeat(32), "MCP-Protocol-Version": "2025-11-25" });
  check(r.status === 404, `http: unknown session is 404 (got ${r.status})`);
  r = await post(list, { "Mcp-Session-Id": sid });
  check(r.status === 400, `http: missing MCP-Protocol-Version is 400 (got ${r.status})`);
  r = await post(list, { "Mcp-Session-Id": sid, "MCP-Protocol-Version": "1999-01-01" });
  check(r.status === 400, `http: unsupported MCP-Protocol-Version is 400 (got ${r.status})`);
  r = await post(list, { "Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-06-18" });
  check(r.status === 400, `http: a version other than the negotiated one is 400 (got ${r.status})`);
  const ok = { "Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25" };
  r = await post(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), ok);
  check(r.status === 202, `http: a notification is 202 (got ${r.status})`);
  r = await post(list, ok);
  check(r.status === 200 && (await r.json()).result.tools.length === TOOLS.length, "http: tools/list");
  r = await post("{not json", ok);
  check(r.status === 200 && (await r.json()).error.code === -32700, "http: malformed JSON is -32700");
  r = await post(JSON.stringify({ jsonrpc: "2.0", id: 3, method: "no/such" }), ok);
  check((await r.json()).error.code === -32601, "http: unknown method is -32601");
  // An oversized body announced by Content-Length is refused before it is
  // read: send only the headers and read the answer.
  const u = new URL(url);
  const early = await new Promise((resolve) => {
    let got = "";
    const sock = net.connect(Number(u.port), u.hostname, () => {
      sock.write(`POST /mcp HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\n` +
                 `Content-Length: ${4 << 20}\r\nMcp-Session-Id: ${sid}\r\nMCP-Protocol-Version: 2025-11-25\r\n\r\n`);
    });
    sock.on("data", (d) => { got += d.toString(); if (got.includes("\r\n\r\n")) { sock.destroy(); resolve(got); } });
    sock.on("error", () => resolve(got));
    sock.on("close", () => resolve(got));
  });
  check(/^HTTP\/1\.1 413/.test(early), `http: an oversized Content-Length is 413 (got ${early.split("\r\n")[0]})`);
  // One sent in chunks (no length known in advance) is read, dropped and refused.
  const chunk = new TextEncoder().encode("x".repeat(64 * 1024));
  let sent = 0;
  const stream = new ReadableStream({
    pull(ctl) { if (sent++ < 32) ctl.enqueue(chunk); else ctl.close(); },
  });
  r = await fetch(url, { method: "POST", headers: { ...hdr, ...ok }, body: stream, duplex: "half" });
  check(r.status === 413, `http: an oversized chunked body is 413 (got ${r.status})`);
  r = await fetch(url, { method: "PUT", headers: { ...hdr, ...ok }, body: list });
  check(r.status === 405, `http: PUT is 405 (got ${r.status})`);
  r = await fetch(url, { method: "GET", headers: { Accept: "text/event-stream", ...ok } });
  check(r.status === 405, `http: GET (no SSE stream offered) is 405 (got ${r.status})`);
  r = await fetch(url.replace("/mcp", "/other"), { method: "POST", headers: { ...hdr }, body: list });
  check(r.status === 404, `http: another path is 404 (got ${r.status})`);
  r = await post(list, { ...ok, "Content-Type": "text/plain" });
  check(r.status === 415, `http: a non-JSON body is 415 (got ${r.status})`);

  // A client that disconnects in the middle of its body: the server stays up.
  await new Promise((resolve) => {
    const sock = net.connect(Number(u.port), u.hostname, () => {
      sock.write(`POST /mcp HTTP/1.1\r\nHost: ${u.host}\r\nContent-Type: application/json\r\n` +
                 `Content-Length: 1000\r\nMcp-Session-Id: ${sid}\r\nMCP-Protocol-Version: 2025-11-25\r\n\r\n{"jsonrpc":`);
      setTimeout(() => { sock.destroy(); resolve(); }, 50);
    });
    sock.on("error", resolve);
  });
  r = await post(list, ok);
  check(r.status === 200, "http: the server answers after a client disconnected mid-body");

  r = await fetch(url, { method: "DELETE", headers: ok });
  check(r.status === 200, `http: DELETE ends the session (got ${r.status})`);
  r = await post(list, ok);
  check(r.status === 404, `http: a deleted session is 404 (got ${r.status})`);
}

async function sessionLimit(url) {
  // The server was started with --max-sessions 3: the 4th initialize is refused.
  const clients = [];
  for (let i = 0; i < 3; i++) clients.push(await connectHttp(url));
  let refused = false;
  try {
    await connectHttp(url);
  } catch {
    refused = true;
  }
  check(refused, "http: sessions beyond --max-sessions are refused");
  // Sessions are independent: each plays its own world at once.
  const results = await Promise.all(clients.map(async (c, i) => {
    const h = (await call(c, "make", { world: WORLD })).structuredContent.handle;
    await call(c, "reset", { handle: h, seed: i });
    return (await call(c, "step", { handle: h, action: "go forward" })).structuredContent.step;
  }));
  check(results.every((s) => s === 1), "http: concurrent sessions");
  for (const c of clients) {
    await c.transport.terminateSession();
    await c.close();
  }
}

async function tokenCheck() {
  const { child, url } = await startHttp(["--token", "s3cret"]);
  try {
    let refused = false;
    try {
      await connectHttp(url);
    } catch {
      refused = true;
    }
    check(refused, "http: no bearer token is refused");
    const c = await connectHttp(url, "s3cret");
    check((await c.listTools()).tools.length === TOOLS.length, "http: the right bearer token is accepted");
    await c.close();
  } finally {
    child.kill("SIGTERM");
  }
}

// The v2 client: an episode, snapshot/restore and a tool error, over both
// transports (it negotiates 2025-11-25 with ludus).
async function v2Client(url) {
  for (const [label, make] of [
    ["v2 stdio", () => new V2Stdio({ command: ludus, args: ["mcp"], stderr: "inherit" })],
    ["v2 http", () => new v2.StreamableHTTPClientTransport(new URL(url))],
  ]) {
    const c = new v2.Client({ name: "ludus-test-v2", version: "1.0.0" });
    await c.connect(make());
    const { tools } = await c.listTools();
    check(tools.length === TOOLS.length, `${label}: tools/list`);
    const handle = (await call(c, "make", { world: WORLD })).structuredContent.handle;
    await call(c, "reset", { handle, seed: 5 });
    const snap = (await call(c, "snapshot", { handle })).structuredContent.state;
    const a = await call(c, "step", { handle, actions: ["turn right", "go forward", "go forward"] });
    await call(c, "restore", { handle, state: snap });
    const b = await call(c, "step", { handle, actions: ["turn right", "go forward", "go forward"] });
    check(!a.isError && JSON.stringify(a.structuredContent) === JSON.stringify(b.structuredContent),
          `${label}: the same steps after restore`);
    const bad = await call(c, "step", { handle, action: "fly" });
    check(bad.isError === true, `${label}: an illegal action is a tool error`);
    await c.close();
  }
}

// ---- benchmark -----------------------------------------------------------------

async function benchOne(client, n) {
  const h = (await call(client, "make", { world: WORLD })).structuredContent.handle;
  await call(client, "reset", { handle: h, seed: 0 });
  const lat = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const r = await call(client, "step", { handle: h, action: i % 3 });
    lat.push(performance.now() - s);
    if (r.structuredContent.terminated || r.structuredContent.truncated) await call(client, "reset", { handle: h });
  }
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  await call(client, "close", { handle: h });
  return { rate: n / secs, p50: lat[Math.floor(n / 2)], p99: lat[Math.floor(n * 0.99)] };
}

// The same step calls as plain JSON-RPC over one keep-alive connection
// (node:http, no SDK): what the server itself costs per call.
async function benchRaw(url, n) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const u = new URL(url);
  let sid = null;
  const post = (obj) => new Promise((resolve, reject) => {
    const body = JSON.stringify(obj);
    const headers = { "Content-Type": "application/json", Accept: "application/json, text/event-stream",
                      "Content-Length": Buffer.byteLength(body) };
    if (sid) Object.assign(headers, { "Mcp-Session-Id": sid, "MCP-Protocol-Version": "2025-11-25" });
    const req = http.request({ agent, host: u.hostname, port: u.port, path: u.pathname, method: "POST", headers }, (res) => {
      let data = "";
      res.on("data", (d) => (data += d));
      res.on("end", () => resolve({ res, data }));
    });
    req.on("error", reject);
    req.end(body);
  });
  const init = await post({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-11-25" } });
  sid = init.res.headers["mcp-session-id"];
  const callRaw = async (name, args) =>
    JSON.parse((await post({ jsonrpc: "2.0", id: 2, method: "tools/call", params: { name, arguments: args } })).data).result;
  const h = (await callRaw("make", { world: WORLD })).structuredContent.handle;
  await callRaw("reset", { handle: h, seed: 0 });
  const lat = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const s = performance.now();
    const r = await callRaw("step", { handle: h, action: i % 3 });
    lat.push(performance.now() - s);
    if (r.structuredContent.terminated || r.structuredContent.truncated) await callRaw("reset", { handle: h });
  }
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  agent.destroy();
  return { rate: n / secs, p50: lat[Math.floor(n / 2)], p99: lat[Math.floor(n * 0.99)] };
}

async function bench(n) {
  const fmt = (label, r) =>
    console.log(`${label}: ${r.rate.toFixed(0)} step calls/s, latency p50 ${(r.p50 * 1000).toFixed(0)} us, ` +
                `p99 ${(r.p99 * 1000).toFixed(0)} us`);
  const s = await connectStdio();
  fmt("stdio, 1 client", await benchOne(s, n));
  await s.close();
  const { child, url } = await startHttp();
  try {
    fmt("http, plain keep-alive JSON-RPC (node:http, no SDK)", await benchRaw(url, n));
    const c = await connectHttp(url);
    fmt("http, 1 client", await benchOne(c, n));
    await c.close();
    for (const k of [4]) {
      const cs = await Promise.all(Array.from({ length: k }, () => connectHttp(url)));
      const t0 = performance.now();
      const rs = await Promise.all(cs.map((c) => benchOne(c, n)));
      const secs = (performance.now() - t0) / 1000;
      console.log(`http, ${k} clients: ${(k * n / secs).toFixed(0)} step calls/s in all, latency p50 ` +
                  `${(rs.reduce((a, r) => a + r.p50, 0) / k * 1000).toFixed(0)} us (mean of the clients' medians)`);
      for (const c of cs) await c.close();
    }
  } finally {
    child.kill("SIGTERM");
  }
}

// ---- main ------------------------------------------------------------------------

try {
  if (benchN > 0) {
    await bench(benchN);
  } else {
    const s = await connectStdio();
    await scenario(s, "stdio");
    await s.close();

    const { child, url } = await startHttp(["--max-sessions", "3"]);
    try {
      const c = await connectHttp(url);
      await scenario(c, "http");
      await c.transport.terminateSession(); // DELETE: frees the session for sessionLimit
      await c.close();
      await httpNegative(url);
      await sessionLimit(url);
      await v2Client(url);
    } finally {
      child.kill("SIGTERM");
    }
    await tokenCheck();
  }
} catch (e) {
  failures++;
  console.error("FAIL: exception:", e);
}
if (!benchN) console.log(`${passes} checks passed, ${failures} failed`);
process.exit(failures ? 1 : 0);
