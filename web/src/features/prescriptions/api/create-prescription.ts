import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { prescriptionKeys } from "./keys";
import type { Prescription, PrescriptionInput } from "./types";

export const createPrescription = (input: PrescriptionInput) => api.post<Prescription>("/api/prescriptions", input);

export function useCreatePrescription() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: createPrescription,
    onSuccess: () => void client.invalidateQueries({ queryKey: prescriptionKeys.all }),
  });
}
