/**
 * The app's ONE socket: opened after log-in with {token, last_event_id}, closed at log-out.
 * Feeds events to the dispatcher, drives the connection dot, and after every (re)connection lets
 * the bell and the lists catch up once the replay of missed events has gone quiet.
 */
import type { QueryClient } from "@tanstack/react-query";
import { io, type Socket } from "socket.io-client";
import { toast } from "sonner";
import type { EventPayloads } from "@/shared/api/events.gen";
import { env } from "@/shared/config/env";
import { getLatestEventId } from "@/features/notifications/api/get-notifications";
import { setConnectionState } from "@/shared/realtime/connection-state";
import { EventCursor } from "@/shared/session/last-event-id";
import { setSession, type Session } from "@/shared/session/session";
import { CONNECTIONS_CHANGED, dispatchEvent, isEventName, onConnectionsChanged, resetReplaySummary } from "./dispatcher";

// The replay is over when no event has come for this long (or at the latest after CATCH_UP_MAX).
const CATCH_UP_QUIET_MS = 400;
const CATCH_UP_MAX_MS = 3000;
const AUTH_CODES = new Set(["auth_required", "invalid_token", "token_expired", "token_revoked"]);

const isBrowserOffline = () => typeof navigator !== "undefined" && navigator.onLine === false;

export interface RealtimeOptions {
  session: Session;
  client: QueryClient;
  navigate: (to: string) => void;
}

export function startRealtime({ session, client, navigate }: RealtimeOptions): () => void {
  const cursor = new EventCursor(session.user.id);
  let catchingUp = false;
  let everConnected = false;
  let quietTimer: ReturnType<typeof setTimeout> | undefined;
  let maxTimer: ReturnType<typeof setTimeout> | undefined;
  let eventsDuringCatchUp = 0;
  let stopped = false;

  const socket: Socket = io(env.websocketUrl, {
    path: env.websocketPath,
    // WebSocket first (no sticky sessions needed across gateway nodes), long-polling if it fails.
    transports: ["websocket", "polling"],
    tryAllTransports: true,
    // A function, so every reconnection sends the latest position, not the one at log-in.
    auth: (send) => {
      const last = cursor.lastEventId;
      send(last === null ? { token: session.token } : { token: session.token, last_event_id: last });
    },
    reconnectionDelay: 500,
    reconnectionDelayMax: 3000,
    // Connected below, once the cursor has a position.
    autoConnect: false,
  });

  const finishCatchUp = (reconnected: boolean) => {
    clearTimeout(quietTimer);
    clearTimeout(maxTimer);
    if (!catchingUp) return;
    catchingUp = false;
    // The server's counts and lists now include everything replayed: take them as the truth.
    if (reconnected || eventsDuringCatchUp > 0) void client.invalidateQueries();
  };

  const startCatchUp = (reconnected: boolean) => {
    catchingUp = true;
    eventsDuringCatchUp = 0;
    resetReplaySummary();
    quietTimer = setTimeout(() => finishCatchUp(reconnected), CATCH_UP_QUIET_MS);
    maxTimer = setTimeout(() => finishCatchUp(reconnected), CATCH_UP_MAX_MS);
  };

  socket.on("connect", () => {
    const reconnected = everConnected;
    everConnected = true;
    setConnectionState({ status: "connected", reason: null });
    startCatchUp(reconnected);
  });

  // Sent just before the server disconnects us on purpose; "revoked": signed out, a role or
  // branch change, or a password change elsewhere. This token is dead: end the session.
  socket.on("disconnect_reason", (data: { reason?: string } | undefined) => {
    if (stopped || data?.reason !== "revoked") return;
    toast.error("You have been signed out", { description: "Your access changed. Please sign in again." });
    setSession(null);
  });

  socket.on(CONNECTIONS_CHANGED, () => {
    if (!stopped) onConnectionsChanged(client);
  });

  socket.on("disconnect", (reason) => {
    if (stopped) return;
    if (reason === "io server disconnect") {
      // The server closed us on purpose; socket.io will not retry by itself. Try once more: a
      // refused token then ends the session through connect_error.
      setConnectionState({ status: "disconnected", reason: "closed by the server" });
      setTimeout(() => !stopped && socket.connect(), 1000);
      return;
    }
    setConnectionState(
      isBrowserOffline() ? { status: "disconnected", reason: "this device is offline" } : { status: "reconnecting", reason },
    );
  });

  socket.on("connect_error", (error: Error & { data?: { code?: string; message?: string } }) => {
    if (stopped) return;
    const code = error.data?.code ?? error.message;
    if (AUTH_CODES.has(code)) {
      toast.error("Your session has ended", { description: "Please sign in again." });
      setSession(null);
      return;
    }
    // socket.io keeps retrying (with backoff) after a failed attempt: that is "reconnecting",
    // amber. Red is for when it is really off: the browser is offline, or retrying stopped.
    if (isBrowserOffline()) setConnectionState({ status: "disconnected", reason: "this device is offline" });
    else if (socket.active) setConnectionState({ status: "reconnecting", reason: "the server cannot be reached yet; retrying" });
    else setConnectionState({ status: "disconnected", reason: "the server cannot be reached" });
  });

  const onOffline = () => setConnectionState({ status: "disconnected", reason: "this device is offline" });
  const onOnline = () => {
    if (stopped || socket.connected) return;
    setConnectionState({ status: "reconnecting", reason: "back online; reconnecting" });
    socket.connect();
  };
  window.addEventListener("offline", onOffline);
  window.addEventListener("online", onOnline);

  socket.onAny((name: string, payload: unknown) => {
    if (!isEventName(name) || typeof payload !== "object" || payload === null) return;
    const event = payload as EventPayloads[typeof name];
    if (typeof event.event_id === "number" && !cursor.advance(event.event_id)) return; // duplicate
    if (catchingUp) {
      eventsDuringCatchUp += 1;
      clearTimeout(quietTimer);
      quietTimer = setTimeout(() => finishCatchUp(everConnected), CATCH_UP_QUIET_MS);
    }
    dispatchEvent(name, event, { client, navigate, catchingUp, viewer: session.user });
  });

  setConnectionState({
    status: "reconnecting",
    reason: "connecting",
    retry: () => {
      if (!socket.connected) {
        setConnectionState({ status: "reconnecting" });
        socket.connect();
      }
    },
  });

  // Without a position the gateway could not replay anything missed during a later outage, so a
  // browser signing in here for the first time starts from the newest event in the inbox.
  void (async () => {
    if (cursor.lastEventId === null) {
      try {
        cursor.seed(await getLatestEventId());
      } catch {
        // Offline or refused: connect anyway; the catch-up after connecting refetches the lists.
      }
    }
    if (!stopped) socket.connect();
  })();

  return () => {
    stopped = true;
    window.removeEventListener("offline", onOffline);
    window.removeEventListener("online", onOnline);
    clearTimeout(quietTimer);
    clearTimeout(maxTimer);
    socket.offAny();
    socket.removeAllListeners();
    socket.disconnect();
    setConnectionState({ status: "disconnected", reason: "signed out", retry: null });
  };
}
