// The load generator for bench/run.py: stock socket.io-client 4.8 sockets (websocket transport)
// and the publisher, in one Node process, so send and receipt times share one clock.
//
// Driven over stdin/stdout, one JSON object per line. Commands:
//   {op: "connect", urls, users: [{id, token}], parallel}     -> {type: "connected", ...}
//   {op: "stream", kind: "broadcast"|"targeted", count, rate, publish, first_event_id, seed}
//       publishes `count` events at `rate`/s and waits for every receipt -> {type: "stream", ...}
//       broadcast: one event to every connected bench customer (room role.customer);
//       targeted: each event to one random connected customer (room user.{id}).
//       publish: {mode: "http", urls} (the first Node server's POST /publish) or
//                {mode: "redis", url, channel} (the OMS bus: committed-event envelopes).
//   {op: "e2e", api_url, admin_token, branch_id, product_id, rounds, pause_ms}
//       the OMS REST path: stock adjust (-> staff + admins), broadcast to one user, broadcast to
//       the customer role; each timed from just before the request to the last receipt.
//   {op: "e2e_node", publish_urls, rounds, pause_ms}   the Node equivalent (POST /publish).
//   {op: "role_once", mode: "rest"|"node", api_url, admin_token, publish_url, event_id, timeout_ms}
//       one broadcast to the customer role (OMS: POST /api/notifications/broadcast, persisted;
//       Node: POST /publish to room role.customer, in memory), waiting for every connected
//       customer of this process -> {type: "role_once", sent_at, stored_at, last_at, count,
//       expected}, times in ms since the epoch (performance.timeOrigin + now), so that the
//       receipts of another load generator process on this machine compare (bench/broadcast.py).
//   {op: "listen", timeout_ms}   the receipts of the next event above the ones seen, on this
//       process's customers -> {type: "heard", last_at, count, expected}.
//   {op: "quit"}
import { readFileSync } from "node:fs";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const print = (message) => process.stdout.write(JSON.stringify(message) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// BENCH_TRANSPORTS (comma-separated, default "websocket"): "polling,websocket" measures polling
// clients that upgrade, which python-socketio serves (the gateway's own endpoint serves the rest).
const transports = (process.env.BENCH_TRANSPORTS || "websocket").split(",");

const sockets = []; // {socket, user, role, last}
let customers = []; // entries of `sockets` whose user is a customer
let disconnects = 0;
let listener = null; // (entry, event, payload, now) during a phase

function connectOne(url, user) {
  return new Promise((resolve) => {
    const socket = io(url, {
      auth: { token: user.token },
      transports,
      reconnection: false,
      forceNew: true,
      timeout: 60000,
    });
    const entry = { socket, user, last: 0 };
    socket.onAny((event, payload) => {
      if (listener) listener(entry, event, payload, performance.now());
    });
    socket.on("disconnect", () => {
      disconnects += 1;
    });
    socket.once("connect", () => resolve(entry));
    socket.once("connect_error", (error) => resolve({ error: error.message }));
  });
}

async function connect({ urls, users, parallel = 100 }) {
  const started = performance.now();
  let failed = 0;
  let firstError = null;
  for (let i = 0; i < users.length; i += parallel) {
    const batch = users.slice(i, i + parallel).map((user, j) => connectOne(urls[(i + j) % urls.length], user));
    for (const entry of await Promise.all(batch)) {
      if (entry.error) {
        failed += 1;
        firstError ??= entry.error;
      } else {
        sockets.push(entry);
      }
    }
  }
  customers = sockets.filter((entry) => entry.user.role === "customer");
  print({
    type: "connected",
    count: sockets.length,
    failed,
    error: firstError,
    seconds: (performance.now() - started) / 1000,
  });
}

// The load generator's own GC pauses: a pause here delays receipts and shows up as latency of
// whichever server is measured, so each stream reports them beside its figures.
const ownGcPauses = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) ownGcPauses.push(entry.duration);
}).observe({ entryTypes: ["gc"] });

function summary(values) {
  if (!values.length) return { count: 0, p50: null, p95: null, p99: null, max: null };
  const sorted = Float64Array.from(values).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const round = (v) => Math.round(v * 1000) / 1000;
  return { count: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), p99: round(at(0.99)), max: round(sorted.at(-1)) };
}

// A tiny seeded PRNG, so both servers get the same sequence of targets.
function random(seed) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

function payloadFor(eventId, sentAt) {
  return {
    event_id: eventId,
    event: "notification.general",
    type: "general",
    title: "Bench broadcast",
    message: "Stock take at 17:00 - please count frames and lenses before closing.",
    level: "info",
    timestamp: new Date().toISOString(),
    data: { sent_at: sentAt, source: "bench" },
  };
}

async function makePublisher(publish) {
  if (publish.mode === "http") {
    // Always the first server: with several (redis-adapter) processes, one publisher keeps the
    // events in order, as one Laravel backend pushing to one Node server would.
    // Requests go one after another (a chain), so the server receives them in publish order;
    // a saturated server makes the chain wait, and that wait counts in the measured latency.
    const url = publish.urls[0];
    let chain = Promise.resolve();
    const post = async (room, payload) => {
      const response = await fetch(`${url}/publish`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ room, event: payload.event, payload: { id: 0, ...payload } }),
      });
      await response.arrayBuffer();
      if (response.status !== 204) throw new Error(`publish: ${response.status}`);
    };
    return {
      send({ room, payload }) {
        const sent = chain.then(() => post(room, payload));
        chain = sent.catch(() => {});
        return sent;
      },
      async close() {},
    };
  }
  const { createClient } = await import("redis");
  const client = createClient({ url: publish.url });
  await client.connect();
  return {
    async send({ recipients, payload }) {
      // Exactly what oms.events.recorder publishes after a commit (oms.events.redis_bus).
      const envelope = { i: payload.event_id, n: payload.event, p: payload, u: recipients.users, b: recipients.inboxes };
      await client.publish(publish.channel, JSON.stringify([envelope]));
    },
    async close() {
      await client.quit();
    },
  };
}

async function stream({ kind, count, rate, publish, first_event_id: firstId, seed = 1, settle_s = 10, cap_s = 180 }) {
  const publisher = await makePublisher(publish);
  const pick = random(seed);
  const sentAt = new Map();
  const latencies = [];
  let started = performance.now();
  let expected = 0;
  let delivered = 0;
  let errors = 0; // duplicates or out of order on one socket
  let unexpected = 0;
  let lastReceipt = 0;
  const disconnectsBefore = disconnects;
  ownGcPauses.length = 0;
  for (const entry of sockets) entry.last = firstId - 1;
  listener = (entry, event, payload, now) => {
    const id = payload?.event_id;
    const sent = sentAt.get(id);
    if (sent === undefined) {
      unexpected += 1;
      return;
    }
    if (id <= entry.last) errors += 1;
    entry.last = id;
    delivered += 1;
    latencies.push(now - sent);
    if (now - sent > slowest.latency) slowest = { latency: now - sent, sent_after_ms: sent - started };
    lastReceipt = now;
  };
  let slowest = { latency: 0, sent_after_ms: 0 };
  // The broadcast recipients' envelope list is built once (a committed event's inbox rows).
  const everyone = {
    users: customers.map((entry) => entry.user.id),
    inboxes: customers.map((_entry, index) => 1_000_000 + index),
  };
  started = performance.now();
  const sends = [];
  for (let n = 0; n < count; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const eventId = firstId + n;
    const now = performance.now();
    sentAt.set(eventId, now);
    const payload = payloadFor(eventId, Date.now());
    if (kind === "broadcast") {
      expected += customers.length;
      sends.push(publisher.send({ room: "role.customer", recipients: everyone, payload }).catch(() => (errors += 1)));
    } else {
      const target = customers[Math.floor(pick() * customers.length)];
      expected += 1;
      sends.push(
        publisher.send({ room: `user.${target.user.id}`, recipients: { users: [target.user.id], inboxes: [eventId] }, payload }).catch(() => (errors += 1)),
      );
    }
  }
  const sendSeconds = (performance.now() - started) / 1000;
  await Promise.all(sends);
  // Wait for every receipt; stop early only when nothing arrives for settle_s (bounded by cap_s).
  let seen = delivered;
  let quietSince = performance.now();
  while (delivered < expected && performance.now() - started < cap_s * 1000) {
    await sleep(20);
    if (delivered !== seen) {
      seen = delivered;
      quietSince = performance.now();
    } else if (performance.now() - quietSince > settle_s * 1000) break;
  }
  listener = null;
  await publisher.close();
  const spanSeconds = ((lastReceipt || performance.now()) - started) / 1000;
  print({
    type: "stream",
    kind,
    events: count,
    recipients: kind === "broadcast" ? customers.length : 1,
    expected,
    delivered,
    errors,
    unexpected,
    disconnects: disconnects - disconnectsBefore,
    send_seconds: sendSeconds,
    span_seconds: spanSeconds,
    deliveries_per_s: delivered / spanSeconds,
    latency_ms: summary(latencies),
    slowest_ms: { latency: slowest.latency, sent_after: slowest.sent_after_ms },
    load_generator_gc_ms: { count: ownGcPauses.length, max: Math.max(0, ...ownGcPauses), over_10: ownGcPauses.filter((d) => d >= 10).map((d) => Math.round(d)) },
  });
}

// --- end to end ------------------------------------------------------------------------------------

// Calls are sequential, so the events a call causes are the ones above the highest id seen so far.
let floor = 0;

async function timed(request, prefix, expectedCount, timeoutMs = 10000) {
  const times = [];
  const started = performance.now();
  let top = floor;
  listener = (entry, event, payload, now) => {
    if (!event.startsWith(prefix) || !(payload?.event_id > floor)) return;
    top = Math.max(top, payload.event_id);
    times.push(now - started);
  };
  await request();
  const deadline = started + timeoutMs;
  while (times.length < expectedCount && performance.now() < deadline) await sleep(1);
  listener = null;
  floor = top;
  return times;
}

async function e2e({ api_url: api, admin_token: adminToken, branch_id: branch, product_id: product, rounds, pause_ms: pause, seed = 7 }) {
  const pick = random(seed);
  const headers = { "content-type": "application/json", authorization: `Bearer ${adminToken}` };
  const staff = sockets.filter((entry) => entry.user.role === "staff" || entry.user.role === "admin").length;
  const rows = { stock_adjust: [], broadcast_one: [], broadcast_role: [] };
  let missing = 0;
  const record = (row, times, expected) => {
    missing += expected - times.length;
    if (times.length) rows[row].push(Math.max(...times));
  };
  const disconnectsBefore = disconnects;
  // The first call of each route after start-up is cold (FastAPI builds the route's dependency
  // state on first match, anyio imports its asyncio backend on the first threadpool call,
  // SQLAlchemy compiles each statement once): ~150-500 ms. Timed once here and reported apart
  // (`first`), so the rounds measure the steady state. The adjust pair leaves the stock as it was.
  const first = {};
  for (const [row, delta] of [["stock_adjust", -10], ["stock_adjust_back", 10]]) {
    const times = await timed(() => post(`${api}/api/branches/${branch}/stock/${product}/adjust`, headers, { delta, reason: "bench warm-up" }), "inventory.", staff);
    missing += staff - times.length;
    if (row === "stock_adjust") first[row] = Math.max(...times);
    await sleep(pause);
  }
  {
    const target = customers[0];
    const times = await timed(() => post(`${api}/api/notifications/broadcast`, headers, { title: "bench", message: "warm-up", user_ids: [target.user.id] }), "notification.", 1);
    missing += 1 - times.length;
    first.broadcast_one = Math.max(...times);
    await sleep(pause);
  }
  for (let n = 0; n < rounds; n++) {
    // Alternate out of stock / back in stock: every call crosses a band, so every call is an alert.
    const delta = n % 2 === 0 ? -10 : 10;
    const adjust = { delta, reason: "bench" };
    record("stock_adjust", await timed(() => post(`${api}/api/branches/${branch}/stock/${product}/adjust`, headers, adjust), "inventory.", staff), staff);
    await sleep(pause);
    const target = customers[Math.floor(pick() * customers.length)];
    const one = { title: "bench", message: "one", user_ids: [target.user.id] };
    record("broadcast_one", await timed(() => post(`${api}/api/notifications/broadcast`, headers, one), "notification.", 1), 1);
    await sleep(pause);
    if (n % 5 === 0) {
      const all = { title: "bench", message: "all", role: "customer" };
      const times = await timed(() => post(`${api}/api/notifications/broadcast`, headers, all), "notification.", customers.length, 30000);
      record("broadcast_role", times, customers.length);
      await sleep(pause * 5);
    }
  }
  // `rounds`: every call's time in call order, so an outlier can be placed (which round, after what).
  print({ type: "e2e", missing, disconnects: disconnects - disconnectsBefore, ...Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, summary(v)])), first, rounds: rows });
}

async function post(url, headers, body) {
  const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body) });
  const text = await response.text();
  if (response.status >= 300) throw new Error(`${url}: ${response.status} ${text}`);
}

async function e2eNode({ publish_urls: urls, rounds, pause_ms: pause, first_event_id: firstId, seed = 7 }) {
  const pick = random(seed);
  const publisher = await makePublisher({ mode: "http", urls });
  const rows = { broadcast_one: [], broadcast_role: [] };
  let missing = 0;
  let eventId = firstId;
  floor = firstId - 1;
  const disconnectsBefore = disconnects;
  // The same untimed-in-the-rounds first call as the OMS side (reported as `first`).
  const first = {};
  {
    const times = await timed(() => publisher.send({ room: `user.${customers[0].user.id}`, payload: payloadFor(eventId++, Date.now()) }), "notification.", 1);
    missing += 1 - times.length;
    first.broadcast_one = Math.max(...times);
    await sleep(pause);
  }
  for (let n = 0; n < rounds; n++) {
    const target = customers[Math.floor(pick() * customers.length)];
    const one = { room: `user.${target.user.id}`, payload: payloadFor(eventId++, Date.now()) };
    let times = await timed(() => publisher.send(one), "notification.", 1);
    missing += 1 - times.length;
    if (times.length) rows.broadcast_one.push(Math.max(...times));
    await sleep(pause);
    if (n % 5 === 0) {
      const all = { room: "role.customer", payload: payloadFor(eventId++, Date.now()) };
      times = await timed(() => publisher.send(all), "notification.", customers.length, 30000);
      missing += customers.length - times.length;
      if (times.length) rows.broadcast_role.push(Math.max(...times));
      await sleep(pause * 5);
    }
  }
  print({ type: "e2e", missing, disconnects: disconnects - disconnectsBefore, ...Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, summary(v)])), first, rounds: rows });
}

// --- role broadcasts (bench/broadcast.py) ---------------------------------------------------------

const epochNow = () => performance.timeOrigin + performance.now();

async function receiptsOfNext(timeoutMs, request) {
  const seen = new Set();
  let lastAt = 0;
  let top = floor;
  listener = (entry, event, payload) => {
    if (!event.startsWith("notification.") || !(payload?.event_id > floor)) return;
    top = Math.max(top, payload.event_id);
    seen.add(entry);
    lastAt = epochNow();
  };
  const requested = request ? await request() : null;
  const deadline = performance.now() + timeoutMs;
  while (seen.size < customers.length && performance.now() < deadline) await sleep(1);
  listener = null;
  floor = top;
  return { requested, last_at: lastAt, count: seen.size, expected: customers.length };
}

async function roleOnce({ mode, api_url: api, admin_token: adminToken, publish_url: publishUrl, event_id: eventId, timeout_ms: timeoutMs = 30000 }) {
  const sentAt = epochNow();
  const request = async () => {
    if (mode === "rest") {
      const headers = { "content-type": "application/json", authorization: `Bearer ${adminToken}` };
      await post(`${api}/api/notifications/broadcast`, headers, { title: "bench", message: "all", role: "customer" });
    } else {
      const payload = payloadFor(eventId, Date.now());
      await post(`${publishUrl}/publish`, { "content-type": "application/json" }, { room: "role.customer", event: payload.event, payload: { id: 0, ...payload } });
    }
    return epochNow();
  };
  const heard = await receiptsOfNext(timeoutMs, request);
  print({ type: "role_once", sent_at: sentAt, stored_at: heard.requested, last_at: heard.last_at, count: heard.count, expected: heard.expected });
}

async function listen({ timeout_ms: timeoutMs = 30000 }) {
  print({ type: "listening" });
  const heard = await receiptsOfNext(timeoutMs, null);
  print({ type: "heard", last_at: heard.last_at, count: heard.count, expected: heard.expected });
}

const commands = createInterface({ input: process.stdin });
for await (const line of commands) {
  const command = JSON.parse(line.startsWith("@") ? readFileSync(line.slice(1), "utf8") : line);
  try {
    if (command.op === "connect") await connect(command);
    else if (command.op === "stream") await stream(command);
    else if (command.op === "e2e") await e2e(command);
    else if (command.op === "e2e_node") await e2eNode(command);
    else if (command.op === "role_once") await roleOnce(command);
    else if (command.op === "listen") await listen(command);
    else if (command.op === "disconnect") {
      for (const entry of sockets) entry.socket.disconnect();
      sockets.length = 0;
      customers = [];
      print({ type: "disconnected" });
    } else if (command.op === "quit") break;
  } catch (error) {
    print({ type: "error", message: String(error?.stack ?? error) });
  }
}
for (const entry of sockets) entry.socket.disconnect();
process.exit(0);
