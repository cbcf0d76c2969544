import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { familyLabel, wordingFor } from "@/shared/lib/event-wording";
import { useUser } from "@/shared/session/session";
import { PageTitle } from "@/shared/ui/PageTitle";
import { Empty, ErrorState, Loading } from "@/shared/ui/states";
import { timeAgo, formatInstant } from "@/shared/lib/format";
import { errorMessage } from "@/shared/api/client";
import { useNotifications, type InboxItem } from "../api/get-notifications";
import { useMarkRead } from "../api/mark-read";
import { useReadAll } from "../api/read-all";
import { useUnreadCount } from "../api/get-unread-count";

export function NotificationCentre() {
  const [unreadOnly, setUnreadOnly] = useState(false);
  const list = useNotifications(unreadOnly);
  const readAll = useReadAll();
  const unread = useUnreadCount();
  const sentinel = useRef<HTMLDivElement>(null);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = list;

  // Load the next page when the end of the list scrolls into view (a button does it by keyboard).
  useEffect(() => {
    const node = sentinel.current;
    if (!node || !hasNextPage) return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting) && !isFetchingNextPage) void fetchNextPage();
    });
    observer.observe(node);
    return () => observer.disconnect();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const rows = list.data?.pages.flat() ?? [];
  return (
    <section>
      <PageTitle title="Notifications">
        <button
          type="button"
          className="btn"
          onClick={() => readAll.mutate()}
          disabled={readAll.isPending || (unread.data ?? 0) === 0}
          data-testid="read-all"
        >
          Mark all read
        </button>
      </PageTitle>
      <div className="tabs" role="group" aria-label="Filter">
        <button type="button" className="tab" aria-pressed={!unreadOnly} onClick={() => setUnreadOnly(false)}>
          All
        </button>
        <button type="button" className="tab" aria-pressed={unreadOnly} onClick={() => setUnreadOnly(true)}>
          Unread {unread.data ? `(${unread.data})` : ""}
        </button>
      </div>
      {readAll.isError && <p className="form-error">{errorMessage(readAll.error)}</p>}
      {list.isPending ? (
        <Loading label="Loading notifications…" />
      ) : list.isError ? (
        <ErrorState error={list.error} retry={() => void list.refetch()} />
      ) : rows.length === 0 ? (
        <Empty title={unreadOnly ? "You are all caught up." : "No notifications yet."}>
          New appointments, stock alerts and messages appear here as they happen.
        </Empty>
      ) : (
        <ul className="inbox" data-testid="notification-list">
          {rows.map((item) => (
            <InboxRow key={item.id} item={item} />
          ))}
        </ul>
      )}
      <div ref={sentinel} />
      {hasNextPage && (
        <div className="center">
          <button type="button" className="btn" onClick={() => void fetchNextPage()} disabled={isFetchingNextPage}>
            {isFetchingNextPage ? "Loading…" : "Load older"}
          </button>
        </div>
      )}
      {list.isFetchNextPageError && <ErrorState error={list.error} retry={() => void fetchNextPage()} />}
    </section>
  );
}

function InboxRow({ item }: { item: InboxItem }) {
  const markRead = useMarkRead();
  const user = useUser();
  const unread = item.read_at === null;
  const words = wordingFor(item.event, item.data, item, user);
  return (
    <li
      className={`inbox__row level--${item.level} ${unread ? "inbox__row--unread" : ""}`}
      data-testid="notification-row"
      data-event={item.event}
      data-read={unread ? "false" : "true"}
    >
      <span className="inbox__marker" aria-hidden="true" />
      <div className="inbox__body">
        <div className="inbox__title">
          <strong>{words.title}</strong>
          <time dateTime={item.created_at} title={formatInstant(item.created_at)}>
            {timeAgo(item.created_at)}
          </time>
        </div>
        <p>{words.message}</p>
        <small className="muted">
          {familyLabel(item.event)}
          {unread ? " · unread" : ""}
        </small>
      </div>
      <div className="inbox__actions">
        {words.link !== "/notifications" && (
          <Link
            className="btn btn--small"
            to={words.link}
            onClick={() => unread && markRead.mutate(item.id)}
            aria-label={`Open: ${words.title}`}
            data-testid="notification-open"
          >
            Open
          </Link>
        )}
        {unread && (
          <button
            type="button"
            className="btn btn--small"
            onClick={() => markRead.mutate(item.id)}
            disabled={markRead.isPending}
            aria-label={`Mark read: ${words.title}`}
            data-testid="notification-mark-read"
          >
            Mark read
          </button>
        )}
      </div>
    </li>
  );
}
