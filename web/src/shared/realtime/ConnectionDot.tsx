import { useEffect, useRef } from "react";
import { announce } from "@/shared/ui/Announcer";
import { useConnectionState } from "./connection-state";

const LABELS = {
  connected: "Live",
  reconnecting: "Reconnecting…",
  disconnected: "Offline",
} as const;

const SPOKEN = {
  connected: "Live updates are back on.",
  reconnecting: "Live updates lost; reconnecting.",
  disconnected: "Live updates are off.",
} as const;

/**
 * Green connected, amber while (re)connecting and retrying, red only when it is really off (the
 * device is offline or the server closed the connection). Clicking it when not live retries now.
 * Changes are announced to screen readers once, politely.
 */
export function ConnectionDot() {
  const { status, reason, retry } = useConnectionState();
  const previous = useRef(status);
  const seenLive = useRef(false);
  useEffect(() => {
    if (previous.current === status) return;
    previous.current = status;
    // The first connection after loading the page is not news; every later change is.
    if (status === "connected" && !seenLive.current) {
      seenLive.current = true;
      return;
    }
    announce(SPOKEN[status]);
  }, [status]);
  const label = status === "reconnecting" && reason === "connecting" ? "Connecting…" : LABELS[status];
  const title =
    status === "connected"
      ? "Live updates are on"
      : status === "reconnecting"
        ? `Reconnecting to live updates${reason && reason !== "connecting" ? ` (${reason})` : ""}…`
        : `Live updates are off${reason ? ` (${reason})` : ""}. Click to retry now.`;
  return (
    <button
      type="button"
      className={`connection connection--${status}`}
      data-testid="connection-dot"
      data-state={status}
      title={title}
      aria-label={`Connection: ${label}. ${title}`}
      onClick={() => status !== "connected" && retry?.()}
    >
      <span className="connection__dot" aria-hidden="true" />
      <span className="connection__label">{label}</span>
    </button>
  );
}
