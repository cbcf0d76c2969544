import type { AppointmentOut } from "@/shared/api/rest.gen";

export type Appointment = AppointmentOut;
export type AppointmentStatus = AppointmentOut["status"];
export type AppointmentType = AppointmentOut["type"];
export type AppointmentAction = "confirm" | "start" | "complete" | "cancel" | "no-show";

export const APPOINTMENT_TYPES: { value: AppointmentType; label: string; minutes: number }[] = [
  { value: "eye_exam", label: "Eye exam", minutes: 30 },
  { value: "contact_fitting", label: "Contact lens fitting", minutes: 30 },
  { value: "follow_up", label: "Follow-up", minutes: 30 },
  { value: "consultation", label: "Consultation", minutes: 30 },
  { value: "emergency", label: "Emergency visit", minutes: 30 },
];



export interface AppointmentFilters {
  status?: AppointmentStatus;
  date_from?: string;
  date_to?: string;
  branch_id?: number;
}

/** The status machine (DESIGN §3), so only possible actions are offered. */
export const ACTIONS_FROM: Record<AppointmentStatus, AppointmentAction[]> = {
  scheduled: ["confirm", "cancel", "no-show"],
  confirmed: ["start", "cancel", "no-show"],
  in_progress: ["complete"],
  completed: [],
  cancelled: [],
  no_show: [],
};

export const RESCHEDULABLE: AppointmentStatus[] = ["scheduled", "confirmed"];
