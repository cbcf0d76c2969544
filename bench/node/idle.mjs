// One share of the idle sockets of bench/sockets.py: stock socket.io-client 4.8 sockets
// (websocket transport, no reconnection: a dropped socket stays dropped and is counted), opened
// from the loopback source addresses it is given, then left idle; they answer pings, as any
// client does, and record when one broadcast arrives. Several of these processes together make
// the load: each stays under the process's open-file limit.
//
// Driven over stdin/stdout, one JSON object per line (a line `@path` reads the command from a file):
//   {op: "connect", url, tokens, addresses, parallel}  -> {type: "connected", count, failed, error,
//        started_ms, ended_ms}   (opens one socket per token, `parallel` handshakes in flight)
//   {op: "stats"}                       -> {type: "stats", sockets, pings, disconnects, reasons}
//   {op: "arm", event_id}               -> {type: "armed"}  (then the broadcast is published)
//   {op: "receipts", timeout_ms}        -> {type: "receipts", count, first_ms, last_ms}
//        (waits until every open socket has it, or nothing new arrived for timeout_ms)
//   {op: "quit"}
// Times are epoch milliseconds (performance.timeOrigin + performance.now()), so the receipts of
// several processes compare with each other and with the publisher's clock.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const print = (message) => process.stdout.write(JSON.stringify(message) + "\n");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();

const sockets = [];
let pings = 0;
let disconnects = 0;
const reasons = {};
let expecting = null; // {eventId, count, first, last}

function connectOne(url, token, localAddress) {
  return new Promise((resolve) => {
    const socket = io(url, {
      auth: { token },
      transports: ["websocket"],
      reconnection: false,
      forceNew: true,
      timeout: 120000,
      localAddress,
    });
    socket.io.on("ping", () => {
      pings += 1;
    });
    socket.onAny((_event, payload) => {
      if (expecting && payload?.event_id === expecting.eventId) {
        const at = now();
        expecting.count += 1;
        expecting.first ??= at;
        expecting.last = at;
      }
    });
    socket.on("disconnect", (reason) => {
      disconnects += 1;
      reasons[reason] = (reasons[reason] ?? 0) + 1;
    });
    socket.once("connect", () => resolve({ socket }));
    socket.once("connect_error", (error) => {
      socket.close();
      resolve({ error: error.message });
    });
  });
}

async function connect({ url, tokens, addresses, parallel = 50 }) {
  const started = now();
  let failed = 0;
  let error = null;
  let next = 0;
  // A pool: `parallel` handshakes in flight at any time (not batches that wait for their slowest).
  const worker = async () => {
    while (next < tokens.length) {
      const n = next++;
      const opened = await connectOne(url, tokens[n], addresses[n % addresses.length]);
      if (opened.error) {
        failed += 1;
        error ??= opened.error;
      } else {
        sockets.push(opened.socket);
      }
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  print({ type: "connected", count: sockets.length, failed, error, started_ms: started, ended_ms: now() });
}

async function receipts({ timeout_ms: timeout = 10000 }) {
  let seen = -1;
  let quietSince = now();
  while (expecting.count < sockets.length) {
    if (expecting.count !== seen) {
      seen = expecting.count;
      quietSince = now();
    } else if (now() - quietSince > timeout) break;
    await sleep(5);
  }
  const { count, first, last } = expecting;
  expecting = null;
  print({ type: "receipts", count, first_ms: first ?? null, last_ms: last ?? null });
}

const commands = createInterface({ input: process.stdin });
for await (const line of commands) {
  const command = JSON.parse(line.startsWith("@") ? readFileSync(line.slice(1), "utf8") : line);
  try {
    if (command.op === "connect") await connect(command);
    else if (command.op === "stats") {
      print({ type: "stats", sockets: sockets.length, pings, disconnects, reasons });
    } else if (command.op === "arm") {
      expecting = { eventId: command.event_id, count: 0, first: null, last: null };
      print({ type: "armed" });
    } else if (command.op === "receipts") await receipts(command);
    else if (command.op === "quit") break;
  } catch (error) {
    print({ type: "error", message: String(error?.stack ?? error) });
  }
}
// The kernel closes the sockets with the process; closing 5,000 one by one first only takes time.
process.exit(0);
