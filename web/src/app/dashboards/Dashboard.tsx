import { Link } from "react-router";
import { AppointmentList, UPCOMING } from "@/features/appointments/components/AppointmentList";
import { OnlineNowPanel } from "@/features/connections/components/OnlineNowPanel";
import { useStock } from "@/features/inventory/api/get-stock";
import { useUnreadCount } from "@/features/notifications/api/get-unread-count";
import { useOrders } from "@/features/orders/api/get-orders";
import { useBranches } from "@/shared/api/reference";
import { todayIn, todayIso } from "@/shared/lib/format";
import { useUser, type SessionUser } from "@/shared/session/session";
import { PageTitle } from "@/shared/ui/PageTitle";

/** One dashboard per role, composed from the features (only the app layer may combine them). */
export function Dashboard() {
  const user = useUser();
  const greeting = `Hello, ${user.name}`;
  return (
    <section>
      <PageTitle title={greeting} />
      {user.role === "customer" && <CustomerDashboard />}
      {user.role === "staff" && <StaffDashboard user={user} />}
      {user.role === "optometrist" && <OptometristDashboard />}
      {user.role === "admin" && <AdminDashboard />}
    </section>
  );
}

function Tiles() {
  const unread = useUnreadCount();
  return (
    <div className="tiles">
      <Link to="/notifications" className="tile">
        <strong data-testid="tile-unread">{unread.data ?? "–"}</strong>
        <span>unread notifications</span>
      </Link>
    </div>
  );
}

function CustomerDashboard() {
  return (
    <div className="dash">
      <div className="dash__main">
        <div className="section-head">
          <h2>Your upcoming appointments</h2>
          <Link to="/appointments" className="btn btn--primary">
            Book an appointment
          </Link>
        </div>
        <AppointmentList filters={{ date_from: todayIso() }} only={UPCOMING} emptyHint="Book an eye exam at any branch in a few clicks." />
      </div>
      <aside className="dash__side">
        <Tiles />
        <OrdersTile forPatient />
        <Link to="/prescriptions" className="tile">
          <strong>Rx</strong>
          <span>your prescriptions</span>
        </Link>
      </aside>
    </div>
  );
}

/** Glasses orders at a glance: what is ready for pickup and (for the branch) what is late. */
function OrdersTile({ forPatient }: { forPatient: boolean }) {
  const orders = useOrders();
  const ready = orders.data?.filter((o) => o.status === "ready").length ?? 0;
  const late = orders.data?.filter((o) => o.late).length ?? 0;
  const label = forPatient ? `${ready} ready for pickup` : `${ready} ready · ${late} late`;
  return (
    <Link to="/orders" className={`tile ${late && !forPatient ? "tile--warning" : ""}`} data-testid="tile-orders">
      <strong>{orders.data ? label : "–"}</strong>
      <span>{forPatient ? "your glasses" : "glasses orders"}</span>
    </Link>
  );
}

function StockTile({ branchId }: { branchId: number }) {
  const stock = useStock(branchId);
  const low = stock.data?.filter((r) => r.status === "low").length;
  const out = stock.data?.filter((r) => r.status === "out").length;
  return (
    <Link to="/inventory" className={`tile ${out ? "tile--danger" : low ? "tile--warning" : ""}`}>
      <strong>{stock.data ? `${low} low · ${out} out` : "–"}</strong>
      <span>stock needing attention</span>
    </Link>
  );
}

function StaffDashboard({ user }: { user: SessionUser }) {
  const branchId = user.branch_ids[0];
  const branches = useBranches();
  const branch = branches.data?.find((b) => b.id === branchId);
  const name = branch?.name;
  // The desk's "today" is its branch's, wherever the browser's clock is set.
  const today = todayIn(branch?.timezone);
  return (
    <div className="dash">
      <div className="dash__main">
        <div className="section-head">
          <h2>Today{name ? ` at ${name}` : ""}</h2>
          <Link to="/appointments" className="btn">
            All appointments
          </Link>
        </div>
        <AppointmentList filters={{ date_from: today, date_to: today }} emptyHint="No appointments today yet. New bookings appear here live." />
        <h2>Coming up</h2>
        <AppointmentList filters={{ date_from: todayIn(branch?.timezone, 1) }} only={UPCOMING} limit={8} emptyHint="Nothing booked after today." />
      </div>
      <aside className="dash__side">
        <Tiles />
        {branchId !== undefined && <StockTile branchId={branchId} />}
        <OnlineNowPanel />
        <OrdersTile forPatient={false} />
      </aside>
    </div>
  );
}

function OptometristDashboard() {
  return (
    <div className="dash">
      <div className="dash__main">
        <h2>In the chair</h2>
        <AppointmentList filters={{ status: "in_progress" }} emptyHint="Start a confirmed appointment to see it here." />
        <h2>Your upcoming appointments</h2>
        <AppointmentList filters={{ date_from: todayIso() }} only={UPCOMING} limit={10} emptyHint="No upcoming appointments." />
      </div>
      <aside className="dash__side">
        <Tiles />
        <OrdersTile forPatient={false} />
        <Link to="/prescriptions/new" className="tile">
          <strong>+ Rx</strong>
          <span>write a prescription</span>
        </Link>
      </aside>
    </div>
  );
}

function AdminDashboard() {
  const branches = useBranches();
  return (
    <div className="dash">
      <div className="dash__main">
        <h2>Upcoming appointments, all branches</h2>
        <AppointmentList filters={{ date_from: todayIso() }} only={UPCOMING} limit={12} emptyHint="No upcoming appointments." />
      </div>
      <aside className="dash__side">
        <Tiles />
        {branches.data?.map((b) => (
          <div key={b.id}>
            <small className="muted">{b.name}</small>
            <StockTile branchId={b.id} />
          </div>
        ))}
        <Link to="/admin/send" className="tile">
          <strong>✉</strong>
          <span>send a notification</span>
        </Link>
        <Link to="/admin/connections" className="tile">
          <strong>⇄</strong>
          <span>live connections</span>
        </Link>
        <OnlineNowPanel />
      </aside>
    </div>
  );
}
