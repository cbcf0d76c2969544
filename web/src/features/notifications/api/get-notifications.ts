import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { Level } from "@/shared/api/events.gen";
import { notificationKeys } from "./keys";

export interface InboxItem {
  id: number;
  event_id: number;
  event: string;
  title: string;
  message: string;
  level: Level;
  data: Record<string, unknown>;
  created_at: string;
  read_at: string | null;
}

export const PAGE_SIZE = 20;

export const getNotifications = (params: { before_id?: number; unread?: boolean }, signal?: AbortSignal) =>
  api.get<InboxItem[]>("/api/notifications", { ...params, limit: PAGE_SIZE, unread: params.unread || undefined }, signal);

/** Newest first; each further page continues before the oldest row shown (`before_id`). */
export function useNotifications(unread = false) {
  return useInfiniteQuery({
    queryKey: notificationKeys.list(unread),
    queryFn: ({ pageParam, signal }) => getNotifications({ before_id: pageParam, unread }, signal),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => (last.length < PAGE_SIZE ? undefined : last[last.length - 1]?.id),
  });
}
