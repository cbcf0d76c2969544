/**
 * Display helpers. Appointment and schedule dates and times from the API are the branch's own
 * wall clock ("YYYY-MM-DD", "HH:MM"): shown as they are, never shifted by the browser's zone.
 * Instants are ISO 8601 with an offset: shown in the zone of the place they concern.
 */

const pad = (n: number) => String(n).padStart(2, "0");
const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function parseDay(day: string): Date | null {
  const [y, m, d] = day.split("-").map(Number);
  if (!y || !m || !d) return null;
  return new Date(Date.UTC(y, m - 1, d));
}

/** "Mon 30 Nov" (the year only when it is not this year). */
export function formatDay(day: string): string {
  const date = parseDay(day);
  if (!date) return day;
  const year = date.getUTCFullYear() === new Date().getFullYear() ? "" : ` ${date.getUTCFullYear()}`;
  return `${WEEKDAYS[date.getUTCDay()]} ${date.getUTCDate()} ${MONTHS[date.getUTCMonth()]}${year}`;
}

/** "2:00 pm" from "14:00". */
export function formatTime(hhmm: string): string {
  const [h, m] = hhmm.split(":").map(Number);
  if (h === undefined || m === undefined || Number.isNaN(h) || Number.isNaN(m)) return hhmm;
  return `${h % 12 || 12}:${pad(m)} ${h < 12 ? "am" : "pm"}`;
}

/** "Mon 30 Nov, 2:00 pm": a visit as people read it, in its branch's own time. */
export function formatWhen(day: string, hhmm: string): string {
  return `${formatDay(day)}, ${formatTime(hhmm)}`;
}

/** An instant in `timeZone` (the browser's when none is known). */
export function formatInstant(iso: string, timeZone?: string): string {
  try {
    return new Date(iso).toLocaleString("en-GB", {
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "numeric",
      minute: "2-digit",
      hour12: true,
      timeZone,
    });
  } catch {
    return new Date(iso).toLocaleString();
  }
}

export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((now - new Date(iso).getTime()) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  return formatInstant(iso);
}

/** "YYYY-MM-DD" of today (plus `offsetDays`) in `timeZone`, the browser's when none is given. */
export function todayIn(timeZone?: string, offsetDays = 0): string {
  const moment = new Date(Date.now() + offsetDays * 86_400_000);
  try {
    // en-CA writes dates as YYYY-MM-DD.
    return moment.toLocaleDateString("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  } catch {
    return `${moment.getFullYear()}-${pad(moment.getMonth() + 1)}-${pad(moment.getDate())}`;
  }
}

/**
 * The earliest "today" of any branch (for lists across branches): a visit is upcoming until its
 * own branch's day is over, and no branch is more than a day behind another.
 */
export function todayIso(offsetDays = 0): string {
  return todayIn("Pacific/Pago_Pago", offsetDays) < todayIn(undefined, offsetDays)
    ? todayIn("Pacific/Pago_Pago", offsetDays)
    : todayIn(undefined, offsetDays);
}

export function titleCase(snake: string): string {
  const text = snake.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
