import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { prescriptionKeys } from "./keys";
import type { AppointmentOut } from "@/shared/api/rest.gen";

export type CandidateAppointment = AppointmentOut;

/**
 * The optometrist's own appointments, to choose the patient a prescription is for (usually the
 * one in progress). Optometrists cannot list users, but they can list their appointments.
 */
export const getCandidateAppointments = (signal?: AbortSignal) =>
  api.get<CandidateAppointment[]>("/api/appointments", undefined, signal);

export function useCandidateAppointments() {
  return useQuery({
    queryKey: prescriptionKeys.candidates,
    queryFn: ({ signal }) => getCandidateAppointments(signal),
    select: (rows) =>
      rows
        .filter((a) => a.status !== "cancelled" && a.status !== "no_show")
        .sort((a, b) => Number(b.status === "in_progress") - Number(a.status === "in_progress") || (b.date + b.start_time).localeCompare(a.date + a.start_time)),
  });
}
