import { useMutation, useQueryClient, type InfiniteData } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { InboxItem } from "./get-notifications";
import { bumpUnreadCount } from "./get-unread-count";
import { notificationKeys } from "./keys";

export const markRead = (id: number) => api.post<InboxItem>(`/api/notifications/${id}/read`);

export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: markRead,
    onSuccess: (item) => {
      let changed = false;
      client.setQueriesData<InfiniteData<InboxItem[]>>({ queryKey: notificationKeys.lists }, (old) =>
        old && {
          ...old,
          pages: old.pages.map((page) =>
            page.map((row) => {
              if (row.id !== item.id) return row;
              if (row.read_at === null) changed = true;
              return item;
            }),
          ),
        },
      );
      if (changed) bumpUnreadCount(client, -1);
      else void client.invalidateQueries({ queryKey: notificationKeys.unreadCount });
    },
  });
}
