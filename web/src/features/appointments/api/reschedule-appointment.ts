import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { appointmentKeys } from "./keys";
import type { Appointment } from "./types";

export interface RescheduleInput {
  id: number;
  date?: string;
  start_time?: string;
  end_time?: string;
  notes?: string;
}

export const rescheduleAppointment = ({ id, ...changes }: RescheduleInput) =>
  api.patch<Appointment>(`/api/appointments/${id}`, changes);

export function useRescheduleAppointment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: rescheduleAppointment,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: appointmentKeys.all });
      void client.invalidateQueries({ queryKey: appointmentKeys.availabilityAll });
    },
  });
}
