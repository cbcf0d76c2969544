/* OMS service worker: shows a Web Push message and opens its item on click (DESIGN §10).
 * The payload is {title, message, level, url, event, event_id} (a reminder adds links.confirm
 * and links.cancel); the browser decrypted it. */
self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("push", (event) => {
  let data;
  try {
    data = event.data ? event.data.json() : {};
  } catch {
    data = { title: event.data ? event.data.text() : "OMS" };
  }
  const title = typeof data.title === "string" && data.title ? data.title : "OMS";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof data.message === "string" ? data.message : "",
      // One notification per event: a repeated push replaces it instead of adding another.
      tag: data.event_id != null ? `oms-event-${data.event_id}` : undefined,
      requireInteraction: data.event === "notification.urgent",
      // A reminder carries its confirm and cancel pages: offered as the notification's buttons.
      actions: data.links ? [{ action: "confirm", title: "Confirm" }, { action: "cancel", title: "Cancel" }] : undefined,
      data: { url: typeof data.url === "string" ? data.url : "/", links: data.links ?? null },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const chosen = event.action ? event.notification.data?.links?.[event.action] : undefined;
  const target = new URL(typeof chosen === "string" ? chosen : (event.notification.data?.url ?? "/"), self.location.origin);
  // Only our own pages: a payload cannot send the person elsewhere.
  const url = target.origin === self.location.origin ? target.href : self.location.origin + "/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if ("focus" in client && "navigate" in client) return client.navigate(url).then((c) => (c ?? client).focus());
      }
      return self.clients.openWindow(url);
    }),
  );
});
