import type { EyeOut } from "../lib/rx-rules";

export interface Prescription {
  id: number;
  number: string;
  patient: { id: number; name: string };
  optometrist: { id: number; name: string };
  appointment_id: number | null;
  right_eye: EyeOut;
  left_eye: EyeOut;
  issue_date: string;
  expiry_date: string;
  notes: string;
  created_at: string;
}

export interface PrescriptionInput {
  patient_id: number;
  appointment_id?: number;
  right_eye: EyeOut;
  left_eye: EyeOut;
  issue_date?: string;
  expiry_date?: string;
  notes?: string;
}
