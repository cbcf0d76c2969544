import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { notificationKeys } from "./keys";

export const readAll = () => api.post<{ count: number }>("/api/notifications/read-all");

export function useReadAll() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: readAll,
    onSuccess: () => {
      client.setQueryData(notificationKeys.unreadCount, { count: 0 });
      // ...then the server's own count: an event recorded after the read-all committed may
      // already have been counted on the socket, and zero would hide it.
      void client.invalidateQueries({ queryKey: notificationKeys.unreadCount });
      void client.invalidateQueries({ queryKey: notificationKeys.lists });
    },
  });
}
