import { QueryClient, type InfiniteData } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { InboxItem } from "./get-notifications";
import { notificationKeys } from "./keys";
import { applyMarkRead } from "./mark-read";

const row = (id: number, read_at: string | null) => ({ id, read_at }) as unknown as InboxItem;

describe("marking one row read", () => {
  it("keeps the count the server's inbox.read already set when it arrived before the response", () => {
    const client = new QueryClient();
    // Two unread rows; the socket's inbox.read for row 2 came first and set the server's count, 1.
    client.setQueryData<InfiniteData<InboxItem[]>>(notificationKeys.list(false), {
      pages: [[row(2, null), row(1, null)]],
      pageParams: [undefined],
    });
    client.setQueryData(notificationKeys.unreadCount, { count: 1 });

    applyMarkRead(client, row(2, "2026-11-27T10:00:00Z"));

    expect(client.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 1 });
    expect(client.getQueryState(notificationKeys.unreadCount)?.isInvalidated).toBe(true);
    const list = client.getQueryData<InfiniteData<InboxItem[]>>(notificationKeys.list(false));
    expect(list?.pages[0]?.map((item) => item.read_at)).toEqual(["2026-11-27T10:00:00Z", null]);
  });
});
