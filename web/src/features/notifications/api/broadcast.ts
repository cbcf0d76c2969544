import { useMutation } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { BroadcastIn } from "@/shared/api/rest.gen";

export type NotificationType = BroadcastIn["type"];

export type BroadcastInput = BroadcastIn;

export const broadcast = (input: BroadcastInput) =>
  api.post<{ event_id: number; recipients: number }>("/api/notifications/broadcast", input);

export function useBroadcast() {
  return useMutation({ mutationFn: broadcast });
}
