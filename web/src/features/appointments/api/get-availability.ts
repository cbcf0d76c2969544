import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { appointmentKeys } from "./keys";
import type { AvailabilityOut } from "@/shared/api/rest.gen";

export type Availability = AvailabilityOut;

export interface AvailabilityQuery {
  optometrist_id: number;
  branch_id: number;
  date: string;
  duration: number;
}

export const getAvailability = (q: AvailabilityQuery, signal?: AbortSignal) =>
  api.get<Availability>("/api/appointments/availability", { ...q }, signal);

/** Free slots; appointment and schedule events invalidate them, so a taken slot disappears. */
export function useAvailability(q: Partial<AvailabilityQuery>) {
  const ready = q.optometrist_id !== undefined && q.branch_id !== undefined && !!q.date && q.duration !== undefined;
  return useQuery({
    queryKey: appointmentKeys.availability(q as AvailabilityQuery),
    queryFn: ({ signal }) => getAvailability(q as AvailabilityQuery, signal),
    enabled: ready,
  });
}
