import { useEffect, useMemo, useState } from "react";
import { useConnectionState } from "@/shared/realtime/connection-state";
import { formatInstant, timeAgo } from "@/shared/lib/format";
import { PageTitle } from "@/shared/ui/PageTitle";
import { Empty, QueryState } from "@/shared/ui/states";
import { useBranches, type Branch } from "@/shared/api/reference";
import { useConnections } from "../api/get-connections";
import { OnlineNowPanel } from "./OnlineNowPanel";
import { Table } from "@/shared/ui/Table";

const ROLE_NAMES: Record<string, string> = { admin: "Admin", staff: "Staff", optometrist: "Optometrist", customer: "Customer" };

/** "branch.1" → "Emerald branch", "role.staff" → "All staff", "user.8" → "Own messages". */
function channelName(channel: string, branches: Branch[] | undefined): string {
  const [kind, id] = channel.split(".", 2);
  if (kind === "user") return "Own messages";
  if (kind === "role") return `All ${(ROLE_NAMES[id ?? ""] ?? id ?? "").toLowerCase()}${id === "staff" ? "" : "s"}`;
  if (kind === "branch") return `${branches?.find((b) => String(b.id) === id)?.name ?? `Branch ${id}`} branch`;
  return channel;
}

export function ConnectionsPage() {
  const connections = useConnections();
  const branches = useBranches();
  const { status } = useConnectionState();
  const { refetch } = connections;
  // Our own socket (re)connecting changes the list: read it again then (no polling).
  useEffect(() => {
    if (status === "connected") void refetch();
  }, [status, refetch]);
  const [filter, setFilter] = useState("");
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (connections.data ?? []).filter(
      (r) =>
        !needle ||
        [r.name, r.email, r.role, r.transport, ...r.channels.map((c) => channelName(c, branches.data))].some((v) => v.toLowerCase().includes(needle)),
    );
  }, [connections.data, filter, branches.data]);
  const byRole = useMemo(() => {
    const counts = new Map<string, number>();
    for (const r of connections.data ?? []) counts.set(r.role, (counts.get(r.role) ?? 0) + 1);
    return [...counts.entries()].sort();
  }, [connections.data]);

  return (
    <section>
      <PageTitle title="Live connections">
        <button type="button" className="btn" onClick={() => void connections.refetch()} disabled={connections.isFetching} data-testid="connections-refresh">
          Refresh now
        </button>
      </PageTitle>
      {connections.dataUpdatedAt > 0 && (
        <p className="muted small">
          Updates by itself as people come and go (as of {formatInstant(new Date(connections.dataUpdatedAt).toISOString())}). One row per open tab or app.
        </p>
      )}
      <div className="connections__presence">
        <OnlineNowPanel />
      </div>
      <QueryState query={connections} loading="Asking the gateway…">
        {(all) =>
          all.length === 0 ? (
            <Empty title="Nobody is connected." />
          ) : (
            <>
              <div className="summary">
                <div className="summary__item"><strong>{all.length}</strong> {all.length === 1 ? "socket" : "sockets"}</div>
                {byRole.map(([role, n]) => (
                  <div key={role} className="summary__item"><strong>{n}</strong> {(ROLE_NAMES[role] ?? role).toLowerCase()}</div>
                ))}
                <input type="search" placeholder="Filter" aria-label="Filter connections" value={filter} onChange={(e) => setFilter(e.target.value)} />
              </div>
              <Table columns={["User", "Role", "Transport", "Channels", "Connected", { label: "Last event", className: "num hide-narrow" }]} className="table--stack" testId="connections-table" region="Connected sockets">
                    {rows.map((r) => (
                      <tr key={r.sid} data-testid="connection-row" data-user-id={r.userId ?? undefined} title={`Socket ${r.sid}`}>
                        <th scope="row">
                          {r.name || `User ${r.userId ?? "?"}`}
                          {r.email && <div className="muted small">{r.email}</div>}
                        </th>
                        <td data-label="Role">{ROLE_NAMES[r.role] ?? r.role}</td>
                        <td data-label="Transport">{r.transport === "websocket" ? "WebSocket" : r.transport === "polling" ? "Long-polling" : r.transport || "—"}</td>
                        <td data-label="Receives">
                          <div className="chips">
                            {r.channels.map((c) => (
                              <span key={c} className="chip" title={c}>{channelName(c, branches.data)}</span>
                            ))}
                          </div>
                        </td>
                        <td data-label="Connected">{r.connectedAt ? <time dateTime={r.connectedAt} title={formatInstant(r.connectedAt)}>{timeAgo(r.connectedAt)}</time> : "—"}</td>
                        <td className="num hide-narrow" data-label="Last event">{r.lastEventId ?? "—"}</td>
                      </tr>
                    ))}
              </Table>
            </>
          )
        }
      </QueryState>
    </section>
  );
}
