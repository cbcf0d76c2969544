import { useInfiniteQuery } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { notificationKeys } from "./keys";
import type { NotificationOut } from "@/shared/api/rest.gen";

export type InboxItem = NotificationOut;

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

/**
 * The newest event in this user's inbox (0 when it is empty): where a browser that has never
 * seen an event starts, so a reconnect can replay what it missed since.
 */
export async function getLatestEventId(): Promise<number> {
  const rows = await api.get<InboxItem[]>("/api/notifications", { limit: 1 });
  return rows[0]?.event_id ?? 0;
}
