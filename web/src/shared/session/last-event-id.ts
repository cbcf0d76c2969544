/**
 * The highest event_id seen, per user, so a reconnect (or a reload) asks the gateway to replay
 * exactly what was missed. Per user: a shared computer must not hand one person's position to
 * another. Each tab keeps its own high-water mark in memory (two tabs each deserve their own
 * replay and toasts) and localStorage keeps the highest one across reloads.
 */
const key = (userId: number) => `oms.lastEventId.${userId}`;

export function storedLastEventId(userId: number): number | null {
  const value = Number(localStorage.getItem(key(userId)));
  return Number.isInteger(value) && value > 0 ? value : null;
}

export class EventCursor {
  private last: number | null;

  constructor(private readonly userId: number) {
    this.last = storedLastEventId(userId);
  }

  get lastEventId(): number | null {
    return this.last;
  }

  /** Start from `eventId` when this browser has no position yet (a first sign-in here). */
  seed(eventId: number): void {
    if (this.last === null) this.last = eventId;
  }

  /** True when the event is new to this tab; false for a duplicate (already seen here). */
  advance(eventId: number): boolean {
    if (this.last !== null && eventId <= this.last) return false;
    this.last = eventId;
    if (eventId > (storedLastEventId(this.userId) ?? 0)) {
      localStorage.setItem(key(this.userId), String(eventId));
    }
    return true;
  }
}
