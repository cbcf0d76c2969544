import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { appointmentKeys } from "./keys";
import type { Appointment } from "./types";
import type { AppointmentIn } from "@/shared/api/rest.gen";

export type BookingInput = AppointmentIn;

export const bookAppointment = ({ idempotencyKey, ...input }: BookingInput & { idempotencyKey?: string }) =>
  api.post<Appointment>("/api/appointments", input, idempotencyKey ? { "Idempotency-Key": idempotencyKey } : undefined);

export function useBookAppointment() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: bookAppointment,
    onSettled: () => {
      // A refused slot (409) means someone else took it: refresh the slots either way.
      void client.invalidateQueries({ queryKey: appointmentKeys.all });
      void client.invalidateQueries({ queryKey: appointmentKeys.availabilityAll });
    },
  });
}
