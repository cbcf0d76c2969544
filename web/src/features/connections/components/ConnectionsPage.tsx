import { useEffect, useMemo, useState } from "react";
import { useConnectionState } from "@/shared/realtime/connection-state";
import { formatInstant, timeAgo } from "@/shared/lib/format";
import { PageTitle } from "@/shared/ui/PageTitle";
import { Empty, QueryState } from "@/shared/ui/states";
import { useConnections } from "../api/get-connections";
import { OnlineNowPanel } from "./OnlineNowPanel";

export function ConnectionsPage() {
  const connections = useConnections();
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
      (r) => !needle || [r.name, r.email, r.role, r.transport, ...r.channels].some((v) => v.toLowerCase().includes(needle)),
    );
  }, [connections.data, filter]);
  const byRole = useMemo(() => {
    const counts = new Map<string, number>();
    for (const r of connections.data ?? []) counts.set(r.role, (counts.get(r.role) ?? 0) + 1);
    return [...counts.entries()].sort();
  }, [connections.data]);

  return (
    <section>
      <PageTitle title="Live connections">
        <button type="button" className="btn" onClick={() => void connections.refetch()} disabled={connections.isFetching} data-testid="connections-refresh">
          {connections.isFetching ? "Refreshing…" : "Refresh"}
        </button>
      </PageTitle>
      {connections.dataUpdatedAt > 0 && (
        <p className="muted small">As of {formatInstant(new Date(connections.dataUpdatedAt).toISOString())}. One row per open tab or client.</p>
      )}
      <OnlineNowPanel />
      <QueryState query={connections} loading="Asking the gateway…">
        {(all) =>
          all.length === 0 ? (
            <Empty title="Nobody is connected." />
          ) : (
            <>
              <div className="summary">
                <div className="summary__item"><strong>{all.length}</strong> sockets</div>
                {byRole.map(([role, n]) => (
                  <div key={role} className="summary__item"><strong>{n}</strong> {role}</div>
                ))}
                <input type="search" placeholder="Filter" aria-label="Filter connections" value={filter} onChange={(e) => setFilter(e.target.value)} />
              </div>
              <div className="table-wrap">
                <table className="table" data-testid="connections-table">
                  <thead>
                    <tr>
                      <th scope="col">User</th>
                      <th scope="col">Role</th>
                      <th scope="col">Transport</th>
                      <th scope="col">Channels</th>
                      <th scope="col">Connected</th>
                      <th scope="col" className="num hide-narrow">Last event</th>
                      <th scope="col" className="hide-narrow">Socket</th>
                    </tr>
                  </thead>
                  <tbody>
                    {rows.map((r) => (
                      <tr key={r.sid} data-testid="connection-row" data-user-id={r.userId ?? undefined}>
                        <th scope="row">
                          {r.name || `User ${r.userId ?? "?"}`}
                          {r.email && <div className="muted small">{r.email}</div>}
                        </th>
                        <td>{r.role}</td>
                        <td>{r.transport || "—"}</td>
                        <td>
                          <div className="chips">
                            {r.channels.map((c) => (
                              <code key={c} className="chip">{c}</code>
                            ))}
                          </div>
                        </td>
                        <td>{r.connectedAt ? <time dateTime={r.connectedAt} title={formatInstant(r.connectedAt)}>{timeAgo(r.connectedAt)}</time> : "—"}</td>
                        <td className="num hide-narrow">{r.lastEventId ?? "—"}</td>
                        <td className="hide-narrow"><code className="small">{r.sid}</code></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          )
        }
      </QueryState>
    </section>
  );
}
