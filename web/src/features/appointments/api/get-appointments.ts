import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { appointmentKeys } from "./keys";
import type { Appointment, AppointmentFilters } from "./types";

export const getAppointments = (filters: AppointmentFilters, signal?: AbortSignal) =>
  api.get<Appointment[]>("/api/appointments", { ...filters }, signal);

/** Scoped by the server to the caller; refreshed by appointment events, never polled. */
export function useAppointments(filters: AppointmentFilters) {
  return useQuery({
    queryKey: appointmentKeys.list(filters),
    queryFn: ({ signal }) => getAppointments(filters, signal),
  });
}
