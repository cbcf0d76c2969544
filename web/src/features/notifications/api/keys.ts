export const notificationKeys = {
  all: ["notifications"] as const,
  list: (unread: boolean) => ["notifications", "list", { unread }] as const,
  lists: ["notifications", "list"] as const,
  unreadCount: ["notifications", "unread-count"] as const,
};
