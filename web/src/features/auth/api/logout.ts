import { api } from "@/shared/api/client";
import { setSession } from "@/shared/session/session";

/**
 * Signing out revokes the token on the server (`POST /api/auth/logout`: it stops working on every
 * route and its sockets close), then drops the session here, which makes the realtime owner close
 * the socket and the query cache clear, so nothing of this user survives. The local part happens
 * even when the server cannot be reached: the person asked to be signed out of this device.
 */
export async function logout(): Promise<void> {
  try {
    await api.post<void>("/api/auth/logout");
  } catch {
    // Already expired or revoked, or offline: nothing more to revoke from here.
  } finally {
    setSession(null);
  }
}
