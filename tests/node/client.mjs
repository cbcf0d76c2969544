// One stock socket.io-client v4 connection, driven by a Python test over stdin/stdout.
//
// argv[2]: JSON {url, token?, last_event_id?, transports?}. Every line written to stdout is one
// JSON object: {type: "connected"|"connect_error"|"event"|"ack"|"disconnect", ...}.
// stdin lines: {op: "join"|"leave", channel, ref} (answered by an "ack" line with the same ref),
// {op: "emit", event, data} (a client event the server must ignore), {op: "close"}.
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const options = JSON.parse(process.argv[2]);
const print = (message) => process.stdout.write(JSON.stringify(message) + "\n");

const auth = {};
if (options.token !== undefined) auth.token = options.token;
if (options.last_event_id !== undefined) auth.last_event_id = options.last_event_id;

const socket = io(options.url, {
  auth,
  transports: options.transports ?? ["websocket"],
  reconnection: false,
  forceNew: true,
  timeout: 5000,
});

socket.on("connect", () => print({ type: "connected", id: socket.id }));
socket.on("connect_error", (error) => {
  print({ type: "connect_error", message: error.message, data: error.data ?? null });
});
socket.on("disconnect", (reason) => print({ type: "disconnect", reason }));
socket.onAny((event, payload) => print({ type: "event", event, payload }));

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const command = JSON.parse(line);
  if (command.op === "join" || command.op === "leave") {
    socket.emit(command.op, command.channel, (ack) => print({ type: "ack", ref: command.ref, ack }));
  } else if (command.op === "emit") {
    socket.emit(command.event, command.data);
  } else if (command.op === "close") {
    socket.disconnect();
    lines.close();
  }
});
lines.on("close", () => {
  socket.disconnect();
  setTimeout(() => process.exit(0), 50);
});
