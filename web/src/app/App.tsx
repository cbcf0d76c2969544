import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useEffect, useState, type ReactNode } from "react";
import { BrowserRouter, Link, Navigate, Route, Routes } from "react-router";
import { Toaster } from "sonner";
import { LoginPage } from "@/features/auth/components/LoginPage";
import { AppointmentsPage } from "@/features/appointments/components/AppointmentsPage";
import { ConnectionsPage } from "@/features/connections/components/ConnectionsPage";
import { DeliveryLogPage } from "@/features/deliveries/components/DeliveryLogPage";
import { SettingsPage } from "@/features/settings/components/SettingsPage";
import { InventoryPage } from "@/features/inventory/components/InventoryPage";
import { NotificationCentre } from "@/features/notifications/components/NotificationCentre";
import { SendNotificationForm } from "@/features/notifications/components/SendNotificationForm";
import { PrescriptionForm } from "@/features/prescriptions/components/PrescriptionForm";
import { PrescriptionsPage } from "@/features/prescriptions/components/PrescriptionsPage";
import { SchedulePage } from "@/features/schedules/components/SchedulePage";
import { UsersPage } from "@/features/users/components/UsersPage";
import { VisitLinkPage } from "@/features/visit-links/components/VisitLinkPage";
import { OrderForm } from "@/features/orders/components/OrderForm";
import { OrdersPage } from "@/features/orders/components/OrdersPage";
import { ApiError } from "@/shared/api/client";
import { getSession, setSession, subscribeSession, useSession, useUser, type Role, type Session } from "@/shared/session/session";
import { Announcer } from "@/shared/ui/Announcer";
import { Empty } from "@/shared/ui/states";
import { Dashboard } from "./dashboards/Dashboard";
import { AppShell } from "./layout/AppShell";
import { RealtimeProvider } from "./realtime/RealtimeProvider";

function makeQueryClient() {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Lists are kept fresh by events and by the catch-up after a reconnect: no polling,
        // no refetch on focus; a short staleTime so revisiting a page re-reads once.
        staleTime: 15_000,
        refetchOnWindowFocus: false,
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
      },
      // An action pressed offline fails at once with a message (the client refuses it), instead
      // of TanStack's default of pausing it silently and sending it whenever the network is back.
      mutations: { networkMode: "always" },
    },
  });
}

function RequireRole({ roles, children }: { roles: Role[]; children: ReactNode }) {
  const user = useUser();
  if (roles.includes(user.role)) return <>{children}</>;
  return (
    <Empty title="This page is not for your role.">
      <Link to="/">Back to your dashboard</Link>
    </Empty>
  );
}

/** Ends the session when the token expires, so nobody keeps a dead (or someone else's) session. */
function useExpiry(session: Session | null) {
  useEffect(() => {
    if (!session) return;
    const timer = setTimeout(() => setSession(null), Math.max(0, session.expiresAt - Date.now()));
    return () => clearTimeout(timer);
  }, [session]);
}

const identity = (session: Session | null) => (session ? `${session.user.id}:${session.token}` : "");

/** Another person (or nobody) signed in: drop every cached answer of the previous one at once. */
function useClearCacheOnSessionChange(client: QueryClient) {
  useEffect(() => {
    let last = identity(getSession());
    return subscribeSession(() => {
      const now = identity(getSession());
      if (now !== last) {
        last = now;
        client.clear();
      }
    });
  }, [client]);
}

function SignedIn({ session }: { session: Session }) {
  return (
    <RealtimeProvider session={session}>
      <AppShell>
        <Routes>
          <Route path="/" element={<Dashboard />} />
          <Route path="/appointments" element={<AppointmentsPage />} />
          <Route path="/inventory" element={<RequireRole roles={["admin", "staff"]}><InventoryPage /></RequireRole>} />
          <Route path="/prescriptions" element={<RequireRole roles={["admin", "staff", "optometrist", "customer"]}><PrescriptionsPage /></RequireRole>} />
          <Route path="/prescriptions/new" element={<RequireRole roles={["optometrist"]}><PrescriptionForm /></RequireRole>} />
          <Route path="/orders" element={<OrdersPage />} />
          <Route path="/orders/new" element={<RequireRole roles={["admin", "staff", "optometrist"]}><OrderForm /></RequireRole>} />
          <Route path="/notifications" element={<NotificationCentre />} />
          <Route path="/schedule" element={<RequireRole roles={["admin", "staff", "optometrist"]}><SchedulePage /></RequireRole>} />
          <Route path="/admin/send" element={<RequireRole roles={["admin"]}><SendNotificationForm /></RequireRole>} />
          <Route path="/admin/connections" element={<RequireRole roles={["admin"]}><ConnectionsPage /></RequireRole>} />
          <Route path="/admin/users" element={<RequireRole roles={["admin"]}><UsersPage /></RequireRole>} />
          <Route path="/settings" element={<SettingsPage />} />
          <Route path="/admin/deliveries" element={<RequireRole roles={["admin"]}><DeliveryLogPage /></RequireRole>} />
          <Route path="/login" element={<Navigate to="/" replace />} />
          <Route path="*" element={<Empty title="Page not found."><Link to="/">Back to your dashboard</Link></Empty>} />
        </Routes>
      </AppShell>
    </RealtimeProvider>
  );
}

export function App() {
  const [client] = useState(makeQueryClient);
  const session = useSession();
  useExpiry(session);
  useClearCacheOnSessionChange(client);
  return (
    <QueryClientProvider client={client}>
      <BrowserRouter>
        {/* Keyed by user: a different person gets fresh components, never the previous one's state. */}
        <Routes>
          {/* A reminder's confirm / cancel link: the patient may not be signed in on this device. */}
          <Route path="/visit/:action" element={<VisitLinkPage />} />
          <Route
            path="*"
            element={session ? <SignedIn key={identity(session)} session={session} /> : <LoginPage />}
          />
        </Routes>
        <Toaster position="bottom-right" richColors closeButton visibleToasts={4} toastOptions={{ className: "toast" }} />
        <Announcer />
      </BrowserRouter>
    </QueryClientProvider>
  );
}
