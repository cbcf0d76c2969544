import { describe, expect, it } from "vitest";
import { wordingFor } from "./event-wording";
import { formatTime } from "./format";

const appointment = {
  id: 5, date: "2026-11-30", time: "14:00", end_time: "14:30", status: "scheduled", type: "eye_exam",
  patient: { id: 1, name: "Maria Cruz", email: "m@x" }, optometrist: { id: 2, name: "Dr. Ana Prieto" }, branch: { id: 1, name: "Emerald" },
};
const fallback = { title: "Eye exam booked", message: "server text" };

describe("event wording", () => {
  it("addresses the patient as 'your eye exam' and says who acted", () => {
    const data = { appointment, by: { id: 7, name: "Emerald Front Desk" } };
    expect(wordingFor("appointment.created", data, fallback, { id: 1, role: "customer" }).message).toBe(
      "Emerald Front Desk booked your eye exam at Emerald on Mon 30 Nov, 2:00 pm",
    );
    expect(wordingFor("appointment.created", data, fallback, { id: 2, role: "optometrist" }).message).toBe(
      "Emerald Front Desk booked an eye exam for Maria Cruz at Emerald on Mon 30 Nov, 2:00 pm",
    );
    expect(wordingFor("appointment.created", data, fallback, { id: 7, role: "staff" }).message).toBe(
      "You booked an eye exam for Maria Cruz at Emerald on Mon 30 Nov, 2:00 pm",
    );
  });

  it("titles a started exam and links to the appointment itself", () => {
    const started = { appointment: { ...appointment, status: "in_progress" }, by: { id: 2, name: "Dr. Ana Prieto" } };
    const words = wordingFor("appointment.updated", started, { title: "Eye exam started", message: "x" }, { id: 1, role: "customer" });
    expect(words.title).toBe("Eye exam started");
    expect(words.message).toBe("Your eye exam with Dr. Ana Prieto has started");
    expect(words.link).toBe("/appointments?focus=5");
  });

  it("reads times as people do", () => {
    expect(formatTime("00:30")).toBe("12:30 am");
    expect(formatTime("12:00")).toBe("12:00 pm");
    expect(formatTime("09:05")).toBe("9:05 am");
  });
});
