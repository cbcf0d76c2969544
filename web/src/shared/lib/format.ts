/** Display helpers. Dates from the API are "YYYY-MM-DD" (no zone); instants are ISO 8601 UTC. */

export function formatDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  if (!y || !m || !d) return day;
  return new Date(y, m - 1, d).toLocaleDateString(undefined, {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
  });
}

export function formatInstant(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
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

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * The first day the server accepts for a booking, as "YYYY-MM-DD": the later of the browser's
 * today and UTC's today (the server compares dates with UTC's today).
 */
export function todayIso(offsetDays = 0): string {
  const local = new Date();
  local.setDate(local.getDate() + offsetDays);
  const utc = new Date(Date.now() + offsetDays * 86_400_000);
  const a = `${local.getFullYear()}-${pad(local.getMonth() + 1)}-${pad(local.getDate())}`;
  const b = `${utc.getUTCFullYear()}-${pad(utc.getUTCMonth() + 1)}-${pad(utc.getUTCDate())}`;
  return a > b ? a : b;
}

export function titleCase(snake: string): string {
  const text = snake.replace(/_/g, " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}
