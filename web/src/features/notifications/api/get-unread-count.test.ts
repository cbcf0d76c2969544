import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { bumpUnreadCount } from "./get-unread-count";
import { notificationKeys } from "./keys";

describe("a live event and the bell's count", () => {
  it("adds one to a count that is in", () => {
    const client = new QueryClient();
    client.setQueryData(notificationKeys.unreadCount, { count: 2 });
    bumpUnreadCount(client);
    expect(client.getQueryData(notificationKeys.unreadCount)).toEqual({ count: 3 });
  });

  it("reads the count again when the event comes while it is being read", () => {
    const client = new QueryClient();
    // The first read is in flight (it never answers here): it may predate the event's row.
    void client.prefetchQuery({ queryKey: notificationKeys.unreadCount, queryFn: () => new Promise(() => {}) });
    bumpUnreadCount(client);
    const state = client.getQueryState(notificationKeys.unreadCount);
    expect(state?.data).toBeUndefined();
    expect(state?.isInvalidated).toBe(true);
  });
});
