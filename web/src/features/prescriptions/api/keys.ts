export const prescriptionKeys = {
  all: ["prescriptions"] as const,
  list: (patientId?: number) => ["prescriptions", "list", { patientId }] as const,
  candidates: ["prescriptions", "candidate-appointments"] as const,
};
