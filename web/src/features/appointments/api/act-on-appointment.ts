import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { appointmentKeys } from "./keys";
import type { Appointment, AppointmentAction } from "./types";

export interface ActionInput {
  id: number;
  action: AppointmentAction;
  reason?: string;
}

export const actOnAppointment = ({ id, action, reason }: ActionInput) =>
  api.post<Appointment>(`/api/appointments/${id}/${action}`, reason ? { reason } : {});

export function useActOnAppointment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: actOnAppointment,
    onSettled: () => {
      void client.invalidateQueries({ queryKey: appointmentKeys.all });
      void client.invalidateQueries({ queryKey: appointmentKeys.availabilityAll });
    },
  });
}
