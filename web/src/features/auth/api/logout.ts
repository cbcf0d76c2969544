import { api } from "@/shared/api/client";
import { deviceSubscribed, unsubscribeThisDevice } from "@/shared/push/device";
import { setSession } from "@/shared/session/session";

/**
 * Signing out, in this order while the token still works: this browser's push subscription goes
 * (otherwise the next person to use the browser would see the previous one's notifications), then
 * the token is revoked on the server (`POST /api/auth/logout`: it stops working on every route and
 * its sockets close). Then the session is dropped here, which makes the realtime owner close the
 * socket and the query cache clear, so nothing of this user survives. The local part happens even
 * when the server cannot be reached: the person asked to be signed out of this device.
 */
export async function logout(): Promise<void> {
  try {
    if (deviceSubscribed()) await unsubscribeThisDevice();
    await api.post<void>("/api/auth/logout");
  } catch {
    // Already expired or revoked, or offline: nothing more to revoke from here.
  } finally {
    setSession(null);
  }
}
