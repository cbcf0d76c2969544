/**
 * What a toast and an inbox row say, to the person reading it. The server's title and message
 * are one text for every recipient (and for email); here an appointment is "your eye exam" to
 * its patient, "you" is whoever acted, and dates read like "Mon 30 Nov, 2:00 pm" in the branch's
 * own time. Also where each item opens. Shared by the dispatcher (toasts) and the inbox.
 */
import { formatWhen } from "./format";

interface Person {
  id: number;
  name: string;
}

interface AppointmentLike {
  id: number;
  date: string;
  time: string;
  status: string;
  type: string;
  patient: Person;
  optometrist: Person;
  branch: Person;
}

export interface Viewer {
  id: number;
  role: string;
}

export interface Wording {
  title: string;
  message: string;
  /** Where "Open" goes: the item itself. */
  link: string;
}

const NOUNS: Record<string, string> = {
  eye_exam: "eye exam",
  contact_fitting: "contact lens fitting",
  follow_up: "follow-up",
  consultation: "consultation",
  emergency: "emergency visit",
};

const capital = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** Human names for event families, where a label is needed instead of `appointment.created`. */
export const FAMILY_LABEL: Record<string, string> = {
  appointment: "Appointment",
  inventory: "Stock",
  notification: "Message",
  prescription: "Prescription",
  schedule: "Schedule",
  order: "Glasses order",
};

export function familyLabel(event: string): string {
  return FAMILY_LABEL[event.split(".", 1)[0] ?? ""] ?? "Update";
}

function appointmentWording(
  name: string,
  a: AppointmentLike,
  by: Person | null | undefined,
  viewer: Viewer,
  fallback: { title: string; message: string },
): Wording {
  const noun = NOUNS[a.type] ?? a.type.replace(/_/g, " ");
  const mine = viewer.id === a.patient.id;
  const whose = mine ? `your ${noun}` : `${a.patient.name}'s ${noun}`;
  const actor = by ? (by.id === viewer.id ? "You" : by.name) : null;
  const when = formatWhen(a.date, a.time);
  const where = `at ${a.branch.name} on ${when}`;
  const link = `/appointments?focus=${a.id}`;
  const verb = name.split(".", 2)[1] ?? "";
  const article = /^[aeiou]/.test(noun) ? "an" : "a";
  const forWhom = by && by.id !== a.patient.id;
  const created =
    actor === "You"
      ? `You booked ${mine ? `${article} ${noun}` : `${article} ${noun} for ${a.patient.name}`} ${where}`
      : mine
        ? `${actor ?? "The clinic"} booked your ${noun} ${where}`
        : forWhom
          ? `${actor} booked ${article} ${noun} for ${a.patient.name} ${where}`
          : `${a.patient.name} booked ${article} ${noun} ${where}`;
  const sentence: Record<string, string> = {
    created,
    confirmed: `${capital(whose)} ${where} is confirmed${actor && actor !== "You" && !mine ? ` by ${actor}` : ""}`,
    completed: `${capital(whose)} ${where} is completed`,
    cancelled: `${capital(whose)} ${where} was cancelled${actor ? ` by ${actor === "You" ? "you" : actor}` : ""}`,
    no_show: `${capital(whose)} ${where} was missed`,
  };
  if (verb === "updated") {
    const started = a.status === "in_progress";
    const title = started ? `${capital(noun)} started` : fallback.title;
    const message = started
      ? `${capital(whose)} with ${a.optometrist.name} has started`
      : fallback.message.replace(/^.*?'s [a-z -]+ at /, `${capital(whose)} at `);
    return { title, message, link };
  }
  const reason = fallback.message.includes(": ") ? fallback.message.slice(fallback.message.lastIndexOf(": ")) : "";
  const message = sentence[verb] ? `${sentence[verb]}${verb === "cancelled" || verb === "no_show" ? reason : ""}` : fallback.message;
  return { title: fallback.title, message, link };
}

/** Title, message and link of an event (a live payload or an inbox row's data) for `viewer`. */
export function wordingFor(
  name: string,
  data: Record<string, unknown>,
  fallback: { title: string; message: string },
  viewer: Viewer,
): Wording {
  const family = name.split(".", 1)[0];
  if (family === "appointment" && typeof data.appointment === "object" && data.appointment) {
    return appointmentWording(name, data.appointment as AppointmentLike, data.by as Person | null, viewer, fallback);
  }
  if (family === "prescription") {
    const rx = data.prescription as { id?: number } | undefined;
    return { ...fallback, link: rx?.id ? `/prescriptions?focus=${rx.id}` : "/prescriptions" };
  }
  if (family === "inventory") {
    const product = data.product as { id?: number } | undefined;
    const branch = data.branch as { id?: number } | undefined;
    return { ...fallback, link: product?.id && branch?.id ? `/inventory?branch=${branch.id}&focus=${product.id}` : "/inventory" };
  }
  if (family === "schedule") return { ...fallback, link: "/schedule" };
  return { ...fallback, link: "/notifications" };
}
