import { timeAgo } from "@/shared/lib/format";
import { usePresence } from "../api/get-presence";

/**
 * "Online now": the staff members and optometrists with an open tab anywhere in the cluster, at
 * the branches the viewer may see (or one branch). Kept current by presence.changed.
 */
export function OnlineNowPanel({ branchId = null }: { branchId?: number | null }) {
  const presence = usePresence(branchId);
  const people = presence.data ?? [];
  return (
    <section className="tile online-now" aria-labelledby="online-now-title" data-testid="online-now">
      <h3 id="online-now-title" className="online-now__title">
        Online now{presence.data ? ` · ${people.length}` : ""}
      </h3>
      {presence.isError ? (
        <p className="muted small">Could not ask who is online.</p>
      ) : !presence.data ? (
        <p className="muted small">Asking…</p>
      ) : people.length === 0 ? (
        <p className="muted small">No staff member or optometrist is online.</p>
      ) : (
        <ul className="online-now__list">
          {people.map((p) => (
            <li key={p.user.id} data-testid="online-now-person" data-user-id={p.user.id}>
              <span className="online-now__dot" aria-hidden="true" />
              <span className="online-now__name">{p.user.name}</span> <span className="muted small">{p.user.role}</span>
              <div className="muted small">
                connected {timeAgo(p.online_since)}
                {p.sockets > 1 ? ` · ${p.sockets} tabs` : ""}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
