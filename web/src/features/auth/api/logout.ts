import { setSession } from "@/shared/session/session";

/**
 * Signing out is local (tokens are stateless): dropping the session makes the realtime owner
 * close the socket and the query cache clear, so nothing of this user survives.
 */
export function logout(): void {
  setSession(null);
}
