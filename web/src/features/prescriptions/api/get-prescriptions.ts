import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { prescriptionKeys } from "./keys";
import type { Prescription } from "./types";

export const getPrescriptions = (patientId: number | undefined, signal?: AbortSignal) =>
  api.get<Prescription[]>("/api/prescriptions", { patient_id: patientId }, signal);

/** Scoped by the server: customers see their own, optometrists the ones they issued. */
export function usePrescriptions(patientId?: number) {
  return useQuery({
    queryKey: prescriptionKeys.list(patientId),
    queryFn: ({ signal }) => getPrescriptions(patientId, signal),
  });
}
