import { useMutation, useQueryClient, type InfiniteData, type QueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { InboxItem } from "./get-notifications";
import { notificationKeys } from "./keys";

export const markRead = (id: number) => api.post<InboxItem>(`/api/notifications/${id}/read`);

/** The server answered a mark-read: show the row as it now is, and take the server's count. */
export function applyMarkRead(client: QueryClient, item: InboxItem): void {
  client.setQueriesData<InfiniteData<InboxItem[]>>({ queryKey: notificationKeys.lists }, (old) =>
    old && {
      ...old,
      pages: old.pages.map((page) => page.map((row) => (row.id === item.id ? item : row))),
    },
  );
  // The server's count, not this count minus one: the server's `inbox.read` for this very read
  // can arrive on the socket before this response and has already set the count, so subtracting
  // here as well would count the row twice (the bell one too low).
  void client.invalidateQueries({ queryKey: notificationKeys.unreadCount });
}

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({ mutationFn: markRead, onSuccess: (item) => applyMarkRead(client, item) });
}
