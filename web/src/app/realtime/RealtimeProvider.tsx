import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, type ReactNode } from "react";
import { useNavigate } from "react-router";
import type { Session } from "@/shared/session/session";
import { startRealtime } from "./realtime-client";

/**
 * Owns the socket for the signed-in session. A new token or another user means a new socket;
 * signing out closes it (App empties the cache), so nothing of the previous user remains.
 */
export function RealtimeProvider({ session, children }: { session: Session; children: ReactNode }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const navigateRef = useRef(navigate);
  useEffect(() => {
    navigateRef.current = navigate;
  }, [navigate]);

  useEffect(() => {
    const stop = startRealtime({ session, client, navigate: (to) => void navigateRef.current(to) });
    return stop;
    // The session object is replaced whenever the token or the user changes.
  }, [session, client]);

  return <>{children}</>;
}
