import { useConnectionState } from "./connection-state";

const LABELS = {
  connected: "Live",
  reconnecting: "Reconnecting…",
  disconnected: "Offline",
} as const;

/** Green connected, amber reconnecting, red disconnected. Clicking it when offline retries now. */
export function ConnectionDot() {
  const { status, reason, retry } = useConnectionState();
  const label = status === "reconnecting" && reason === "connecting" ? "Connecting…" : LABELS[status];
  const title =
    status === "connected"
      ? "Live updates are on"
      : status === "reconnecting"
        ? "Reconnecting to live updates…"
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
