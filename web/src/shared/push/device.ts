/** "Notify me on this device": the service worker, the browser's permission, a push subscription. */
import { api, request } from "@/shared/api/client";

const STORED = "oms.push-subscription-id";

export function pushSupported(): boolean {
  return "serviceWorker" in navigator && "PushManager" in window && "Notification" in window;
}

function keyBytes(base64url: string): Uint8Array<ArrayBuffer> {
  const padded = (base64url + "===".slice((base64url.length + 3) % 4)).replace(/-/g, "+").replace(/_/g, "/");
  const raw = atob(padded);
  const bytes = new Uint8Array(new ArrayBuffer(raw.length));
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

export async function registerServiceWorker(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register("/sw.js", { scope: "/" });
  return navigator.serviceWorker.ready;
}

export async function subscribeThisDevice(): Promise<number> {
  const permission = await Notification.requestPermission();
  if (permission !== "granted") throw new Error("Notifications are blocked for this site in the browser's settings.");
  const registration = await registerServiceWorker();
  const { public_key } = await api.get<{ public_key: string }>("/api/push/public-key");
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: keyBytes(public_key) }));
  const json = subscription.toJSON();
  const { id } = await api.post<{ id: number }>("/api/push/subscriptions", {
    endpoint: json.endpoint,
    keys: { p256dh: json.keys?.p256dh ?? "", auth: json.keys?.auth ?? "" },
  });
  localStorage.setItem(STORED, String(id));
  return id;
}

export async function unsubscribeThisDevice(): Promise<void> {
  const id = localStorage.getItem(STORED);
  if (id) await request(`/api/push/subscriptions/${id}`, { method: "DELETE" }).catch(() => undefined);
  localStorage.removeItem(STORED);
  const registration = await navigator.serviceWorker.getRegistration("/");
  await (await registration?.pushManager.getSubscription())?.unsubscribe();
}

export function deviceSubscribed(): boolean {
  return localStorage.getItem(STORED) !== null;
}
