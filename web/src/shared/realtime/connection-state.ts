/**
 * The state of the app's one socket, for the connection dot. Written only by the socket owner
 * (app/realtime); read anywhere through `useConnectionState`.
 *
 * connected: the gateway is live. reconnecting: connecting, or just lost and retrying.
 * disconnected: the gateway cannot be reached (a retry failed) or the socket was closed.
 */
import { useSyncExternalStore } from "react";

export type ConnectionStatus = "connected" | "reconnecting" | "disconnected";

export interface ConnectionState {
  status: ConnectionStatus;
  /** When the current status began (ms since epoch). */
  since: number;
  /** Why, in words, when not connected. */
  reason: string | null;
  /** Retry now (set by the socket owner). */
  retry: (() => void) | null;
}

let state: ConnectionState = { status: "disconnected", since: Date.now(), reason: null, retry: null };
const listeners = new Set<() => void>();

export function setConnectionState(next: Partial<ConnectionState>): void {
  const changed = next.status !== undefined && next.status !== state.status;
  state = { ...state, ...next, since: changed ? Date.now() : state.since };
  listeners.forEach((listener) => listener());
}

export function getConnectionState(): ConnectionState {
  return state;
}

export function useConnectionState(): ConnectionState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}
