// The reference server for bench/run.py: Node socket.io 4.8 with the seed's shape.
//
// - JWT in `auth.token`, verified with a shared secret (HS256, issuer "oms": the OMS token, so one
//   set of tokens serves both servers); refused at connect with {message, code} like the seed.
// - On connect the socket joins user.{id}, role.{role} and, for staff/optometrists, branch.{id}.
// - POST /publish {room, event, payload} emits `event` to `room` (the seed's Laravel -> Node push).
// - GET /stats returns and clears the GC pauses seen since the last call (perf_hooks), plus
//   connection count and RSS.
// - With REDIS_URL it uses @socket.io/redis-adapter, so several processes share rooms.
//
// env: PORT (0 = any), SECRET_HEX (the JWT key, hex), REDIS_URL (optional), PING_INTERVAL_MS and
// PING_TIMEOUT_MS (optional).
// Prints one line `listening <port>` when ready.
import { createServer } from "node:http";
import { PerformanceObserver } from "node:perf_hooks";
import jwt from "jsonwebtoken";
import { Server } from "socket.io";

const secret = Buffer.from(process.env.SECRET_HEX ?? "", "hex");
const httpServer = createServer(handle);
// PING_INTERVAL_MS / PING_TIMEOUT_MS (bench/sockets.py): engine.io's heartbeat, socket.io's
// defaults (25 s / 20 s) unless given, as the OMS side's SOCKET_PING_*_SECONDS.
const io = new Server(httpServer, {
  cors: { origin: "*" },
  pingInterval: Number(process.env.PING_INTERVAL_MS ?? 25000),
  pingTimeout: Number(process.env.PING_TIMEOUT_MS ?? 20000),
});

if (process.env.REDIS_URL) {
  const { createClient } = await import("redis");
  const { createAdapter } = await import("@socket.io/redis-adapter");
  const pub = createClient({ url: process.env.REDIS_URL });
  const sub = pub.duplicate();
  await Promise.all([pub.connect(), sub.connect()]);
  io.adapter(createAdapter(pub, sub));
}

io.use((socket, next) => {
  const token = socket.handshake.auth?.token;
  if (!token) return next(refusal("auth_required", "an access token is required"));
  try {
    socket.data.claims = jwt.verify(token, secret, { algorithms: ["HS256"], issuer: "oms" });
    next();
  } catch (error) {
    const expired = error.name === "TokenExpiredError";
    next(
      expired
        ? refusal("token_expired", "the access token has expired")
        : refusal("invalid_token", "the access token is not valid"),
    );
  }
});

function refusal(code, message) {
  const error = new Error(message);
  error.data = { message, code };
  return error;
}

io.on("connection", (socket) => {
  const { sub, role, branches = [] } = socket.data.claims;
  const rooms = [`user.${sub}`, `role.${role}`];
  if (role === "staff" || role === "optometrist") {
    for (const branch of branches) rooms.push(`branch.${branch}`);
  }
  socket.join(rooms);
});

let gcPauses = [];
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) gcPauses.push(entry.duration);
}).observe({ entryTypes: ["gc"] });

function handle(request, response) {
  if (request.method === "POST" && request.url === "/publish") {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => {
      const { room, event, payload } = JSON.parse(Buffer.concat(chunks).toString());
      io.to(room).emit(event, payload);
      response.writeHead(204).end();
    });
    return;
  }
  if (request.method === "GET" && request.url === "/stats") {
    const body = JSON.stringify({
      gc_pauses_ms: gcPauses,
      connections: io.engine.clientsCount,
      rss: process.memoryUsage.rss(),
    });
    gcPauses = [];
    response.writeHead(200, { "content-type": "application/json" }).end(body);
    return;
  }
  // socket.io answers /socket.io/ itself before this handler sees the request.
  response.writeHead(404).end();
}

httpServer.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  console.log(`listening ${httpServer.address().port}`);
});
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    io.close();
    process.exit(0);
  });
}
