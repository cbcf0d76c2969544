import { useQuery, type QueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { notificationKeys } from "./keys";

export const getUnreadCount = (signal?: AbortSignal) =>
  api.get<{ count: number }>("/api/notifications/unread-count", undefined, signal);

export function useUnreadCount() {
  return useQuery({
    queryKey: notificationKeys.unreadCount,
    queryFn: ({ signal }) => getUnreadCount(signal),
    select: (out) => out.count,
  });
}

/** A live event added one unread row to this user's inbox. While the count is being read from
 * the server, that read may have been taken before the row existed and would overwrite a bump:
 * read it again instead (the new read starts after the row was committed). */
export function bumpUnreadCount(client: QueryClient, by = 1): void {
  const state = client.getQueryState(notificationKeys.unreadCount);
  if (state?.data === undefined || state.fetchStatus === "fetching") {
    void client.invalidateQueries({ queryKey: notificationKeys.unreadCount });
    return;
  }
  client.setQueryData<{ count: number }>(notificationKeys.unreadCount, (old) =>
    old ? { count: Math.max(0, old.count + by) } : old,
  );
}

/** The server's own count, e.g. after this user read rows in another tab. */
export function setUnreadCount(client: QueryClient, count: number): void {
  client.setQueryData<{ count: number }>(notificationKeys.unreadCount, { count });
}
