/**
 * Two visually hidden live regions for what a screen reader must hear without moving focus:
 * `announce(text)` politely (connection changes, a booking done), `announce(text, "assertive")`
 * at once (an urgent message). Lists are not live regions themselves: a changed list would be
 * read out whole; one short sentence is announced instead.
 */
import { useSyncExternalStore } from "react";

type Politeness = "polite" | "assertive";

let said: Record<Politeness, string> = { polite: "", assertive: "" };
const listeners = new Set<() => void>();

export function announce(text: string, politeness: Politeness = "polite"): void {
  // The same sentence twice in a row is still announced: clear first, then set.
  said = { ...said, [politeness]: "" };
  listeners.forEach((listener) => listener());
  queueMicrotask(() => {
    said = { ...said, [politeness]: text };
    listeners.forEach((listener) => listener());
  });
}

function useSaid() {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => said,
  );
}

export function Announcer() {
  const now = useSaid();
  return (
    <>
      <div className="sr-only" role="status" aria-live="polite" data-testid="announce-polite">
        {now.polite}
      </div>
      <div className="sr-only" role="alert" aria-live="assertive" data-testid="announce-assertive">
        {now.assertive}
      </div>
    </>
  );
}
