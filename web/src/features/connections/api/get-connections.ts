import { useQuery } from "@tanstack/react-query";
import { request } from "@/shared/api/client";
import { env } from "@/shared/config/env";

/** One row per socket (DESIGN §4 Operations); two tabs are two rows. */
export interface ConnectionRow {
  sid: string;
  userId: number | null;
  name: string;
  email: string;
  role: string;
  branches: number[];
  transport: string;
  channels: string[];
  connectedAt: string | null;
  /** The newest event this socket has been sent (or replayed from). */
  lastEventId: number | null;
}

type Raw = Record<string, unknown>;

const str = (value: unknown) => (typeof value === "string" ? value : value == null ? "" : String(value));

/** The gateway's rows, read tolerantly: the operations endpoint is for people and tools alike. */
export function normalizeConnection(raw: Raw): ConnectionRow {
  const user = (typeof raw.user === "object" && raw.user !== null ? raw.user : {}) as Raw;
  const branches = raw.branch_ids ?? raw.branches ?? (raw.branch_id != null ? [raw.branch_id] : raw.branch != null ? [raw.branch] : []);
  return {
    sid: str(raw.sid ?? raw.socket_id ?? raw.id),
    userId: Number(raw.user_id ?? user.id ?? NaN) || null,
    name: str(user.name ?? raw.name ?? raw.user_name),
    email: str(user.email ?? raw.email),
    role: str(raw.role ?? user.role),
    branches: Array.isArray(branches) ? branches.map(Number).filter(Number.isFinite) : [],
    transport: str(raw.transport),
    channels: Array.isArray(raw.channels) ? raw.channels.map(str) : [],
    lastEventId: typeof raw.last_event_id === "number" ? raw.last_event_id : null,
    connectedAt: raw.connected_since ?? raw.connected_at ?? raw.since ? str(raw.connected_since ?? raw.connected_at ?? raw.since) : null,
  };
}

export const connectionKeys = { all: ["connections"] as const };

export async function getConnections(signal?: AbortSignal): Promise<ConnectionRow[]> {
  const data = await request<unknown>("/connections", { base: env.websocketUrl, signal });
  const rows = Array.isArray(data) ? data : ((data as Raw | null)?.connections ?? []);
  return (rows as Raw[]).map(normalizeConnection);
}

/** The cluster's sockets. Never polled: the gateway tells admins' sockets `connections.changed`
 * when any node's sockets change, and the dispatcher then invalidates `connectionKeys.all`, so an
 * open view re-reads (a closed one just goes stale). */
export function useConnections() {
  return useQuery({
    queryKey: connectionKeys.all,
    queryFn: ({ signal }) => getConnections(signal),
    staleTime: 0,
  });
}
