import type { PrescriptionCreateIn, PrescriptionOut } from "@/shared/api/rest.gen";

export type Prescription = PrescriptionOut;
export type PrescriptionInput = PrescriptionCreateIn;
