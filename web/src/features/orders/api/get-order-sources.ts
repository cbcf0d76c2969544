/** What an order is placed from: the prescriptions the signed-in person may use, and frames. */
import { useQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { orderKeys } from "./keys";
import type { PrescriptionOut, ProductOut } from "@/shared/api/rest.gen";

export type RxChoice = PrescriptionOut;

export type FrameChoice = ProductOut;

export const getRxChoices = (signal?: AbortSignal) => api.get<RxChoice[]>("/api/prescriptions", undefined, signal);
export const getFrames = (signal?: AbortSignal) =>
  api.get<FrameChoice[]>("/api/products", { category: "frames" }, signal);

export function useRxChoices() {
  return useQuery({ queryKey: orderKeys.prescriptions, queryFn: ({ signal }) => getRxChoices(signal) });
}

export function useFrames() {
  return useQuery({ queryKey: orderKeys.frames, queryFn: ({ signal }) => getFrames(signal) });
}
