// Stock socket.io-client v4 connections, as many as a Python test asks for, in one Node process
// (a process per socket cost the suite a Node start-up each), driven over stdin/stdout.
//
// stdin lines: {op: "open", socket, url, token?, last_event_id?, transports?} opens a connection
// named `socket`; {op: "join"|"leave", socket, channel, ref} (answered by an "ack" line with the
// same ref); {op: "emit", socket, event, data} (a client event the server must ignore);
// {op: "close", socket} (answered by a "closed" line). End of stdin closes everything and exits.
// stdout: one JSON object a line, {socket, type: "connected"|"connect_error"|"event"|"ack"|
// "disconnect"|"closed"|"upgraded", ...} ("upgraded": engine.io moved from polling to websocket).
import { createInterface } from "node:readline";
import { io } from "socket.io-client";

const sockets = new Map();
const print = (message) => process.stdout.write(JSON.stringify(message) + "\n");

function open(command) {
  const name = command.socket;
  const say = (message) => print({ socket: name, ...message });
  const auth = {};
  if (command.token !== undefined) auth.token = command.token;
  if (command.last_event_id !== undefined) auth.last_event_id = command.last_event_id;
  const socket = io(command.url, {
    auth,
    transports: command.transports ?? ["websocket"],
    reconnection: false,
    forceNew: true,
    timeout: 5000,
  });
  socket.on("connect", () => say({ type: "connected", id: socket.id }));
  socket.on("connect_error", (error) => {
    say({ type: "connect_error", message: error.message, data: error.data ?? null });
  });
  socket.on("disconnect", (reason) => say({ type: "disconnect", reason }));
  socket.io.on("open", () => {
    socket.io.engine.on("upgrade", (transport) => say({ type: "upgraded", transport: transport.name }));
  });
  socket.onAny((event, payload) => say({ type: "event", event, payload }));
  sockets.set(name, socket);
}

const lines = createInterface({ input: process.stdin });
lines.on("line", (line) => {
  const command = JSON.parse(line);
  if (command.op === "open") {
    open(command);
    return;
  }
  const socket = sockets.get(command.socket);
  if (command.op === "join" || command.op === "leave") {
    socket.emit(command.op, command.channel, (ack) => {
      print({ socket: command.socket, type: "ack", ref: command.ref, ack });
    });
  } else if (command.op === "emit") {
    socket.emit(command.event, command.data);
  } else if (command.op === "close") {
    socket.disconnect();
    sockets.delete(command.socket);
    print({ socket: command.socket, type: "closed" });
  }
});
lines.on("close", () => {
  for (const socket of sockets.values()) socket.disconnect();
  setTimeout(() => process.exit(0), 50);
});
