// Load generator for bench/latency.py: N stock socket.io-client v4 connections, then API calls,
// timing each from just before the HTTP request to the arrival of its socket event.
//
// argv[2]: a JSON file {api_url, socket_url, app_key, users: [{id, token}], targeted, fanout,
// pause_ms}. Prints one JSON object with the figures.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { performance } from "node:perf_hooks";

// One install serves the tests and the bench: tests/node has socket.io-client.
const require = createRequire(new URL("../../tests/node/package.json", import.meta.url));
const { io } = require("socket.io-client");

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const received = new Map(); // event_id -> [arrival ms, ...]
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function connect(user) {
  return new Promise((resolve, reject) => {
    const socket = io(config.socket_url, {
      auth: { token: user.token },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: 20000,
    });
    socket.onAny((_event, payload) => {
      const now = performance.now();
      const list = received.get(payload.event_id);
      if (list) list.push(now);
      else received.set(payload.event_id, [now]);
    });
    socket.once("connect", () => resolve(socket));
    socket.once("connect_error", (error) => reject(error));
  });
}

async function connectAll(users, parallel = 50) {
  const sockets = [];
  for (let i = 0; i < users.length; i += parallel) {
    sockets.push(...(await Promise.all(users.slice(i, i + parallel).map(connect))));
  }
  return sockets;
}

async function broadcast(body) {
  const started = performance.now();
  const response = await fetch(`${config.api_url}/api/notifications/broadcast`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-app-key": config.app_key },
    body: JSON.stringify({ title: "bench", message: "latency probe", ...body }),
  });
  if (response.status !== 201) throw new Error(`broadcast: ${response.status} ${await response.text()}`);
  const { event_id: eventId } = await response.json();
  return { eventId, started };
}

async function arrivals(eventId, count, timeoutMs = 10000) {
  const deadline = performance.now() + timeoutMs;
  while ((received.get(eventId)?.length ?? 0) < count && performance.now() < deadline) {
    await sleep(1);
  }
  return received.get(eventId) ?? [];
}

function summary(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (v) => Math.round(v * 100) / 100;
  return { count: sorted.length, p50_ms: round(at(0.5)), p99_ms: round(at(0.99)), max_ms: round(sorted.at(-1)) };
}

const t0 = performance.now();
const sockets = await connectAll(config.users);
const connectSeconds = (performance.now() - t0) / 1000;

// Targeted: one recipient per call, a different connected user each time.
const targeted = [];
let missing = 0;
for (let i = 0; i < config.targeted; i++) {
  const user = config.users[(i * 7919) % config.users.length];
  const { eventId, started } = await broadcast({ user_ids: [user.id] });
  const times = await arrivals(eventId, 1);
  if (times.length === 1) targeted.push(times[0] - started);
  else missing += 1;
  await sleep(config.pause_ms);
}

// Fan-out: every connected client is a recipient (role customer).
const fanoutAll = [];
const fanoutLast = [];
for (let i = 0; i < config.fanout; i++) {
  const { eventId, started } = await broadcast({ role: "customer" });
  const times = await arrivals(eventId, sockets.length);
  missing += sockets.length - times.length;
  for (const time of times) fanoutAll.push(time - started);
  if (times.length) fanoutLast.push(Math.max(...times) - started);
  await sleep(config.pause_ms * 5);
}

for (const socket of sockets) socket.disconnect();
console.log(JSON.stringify({
  clients: sockets.length,
  connect_seconds: Math.round(connectSeconds * 100) / 100,
  missing,
  targeted: summary(targeted),
  fanout_each_recipient: summary(fanoutAll),
  fanout_last_recipient: summary(fanoutLast),
}));
process.exit(0);
