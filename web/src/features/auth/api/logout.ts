import { unsubscribeThisDevice, deviceSubscribed } from "@/shared/push/device";
import { setSession } from "@/shared/session/session";

/**
 * Signing out is local (tokens are stateless): dropping the session makes the realtime owner
 * close the socket and the query cache clear, so nothing of this user survives. This browser's
 * push subscription goes too (while the token still works to delete it): otherwise the next person
 * to use the browser would see the previous one's notifications.
 */
export function logout(): void {
  if (deviceSubscribed()) {
    void unsubscribeThisDevice().finally(() => setSession(null));
    return;
  }
  setSession(null);
}
