import { useMutation } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { Role } from "@/shared/session/session";

export type NotificationType = "general" | "alert" | "urgent";

export interface BroadcastInput {
  title: string;
  message: string;
  type: NotificationType;
  user_ids?: number[];
  role?: Role;
  branch_id?: number;
  data?: Record<string, unknown>;
}

export const broadcast = (input: BroadcastInput) =>
  api.post<{ event_id: number; recipients: number }>("/api/notifications/broadcast", input);

export function useBroadcast() {
  return useMutation({ mutationFn: broadcast });
}
