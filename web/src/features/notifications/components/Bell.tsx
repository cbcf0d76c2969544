import { Link } from "react-router";
import { useUnreadCount } from "../api/get-unread-count";

/** The header bell: unread count from the server, bumped live by the event dispatcher. */
export function Bell() {
  const count = useUnreadCount();
  const n = count.data ?? 0;
  const label = count.isPending ? "Notifications" : `Notifications: ${n} unread`;
  return (
    <Link to="/notifications" className="bell" aria-label={label} title={label} data-testid="bell">
      <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true">
        <path
          fill="currentColor"
          d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z"
        />
      </svg>
      {/* No number until the server's count is in: a "0" shown while it loads would be read
          (by people and by tests) as the count, and then jump. */}
      <span
        className={`bell__count ${n === 0 ? "bell__count--zero" : ""}`}
        data-testid="bell-count"
        data-count={count.isPending ? undefined : n}
      >
        {count.isPending ? "" : n > 99 ? "99+" : n}
      </span>
    </Link>
  );
}
