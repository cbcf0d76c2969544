import { useState, type ReactNode } from "react";
import { NavLink, useLocation } from "react-router";
import { logout } from "@/features/auth/api/logout";
import { Bell } from "@/features/notifications/components/Bell";
import { ConnectionDot } from "@/shared/realtime/ConnectionDot";
import { useUser, type Role } from "@/shared/session/session";

interface NavItem {
  to: string;
  label: string;
  roles: Role[];
}

const NAV: NavItem[] = [
  { to: "/", label: "Dashboard", roles: ["admin", "staff", "optometrist", "customer"] },
  { to: "/appointments", label: "Appointments", roles: ["admin", "staff", "optometrist", "customer"] },
  { to: "/inventory", label: "Inventory", roles: ["admin", "staff"] },
  { to: "/prescriptions", label: "Prescriptions", roles: ["admin", "staff", "optometrist", "customer"] },
  { to: "/orders", label: "Orders", roles: ["admin", "staff", "optometrist", "customer"] },
  { to: "/notifications", label: "Notifications", roles: ["admin", "staff", "optometrist", "customer"] },
  { to: "/admin/send", label: "Send notification", roles: ["admin"] },
  { to: "/admin/connections", label: "Connections", roles: ["admin"] },
];

const ROLE_LABEL: Record<Role, string> = { admin: "Admin", staff: "Staff", optometrist: "Optometrist", customer: "Customer" };

export function AppShell({ children }: { children: ReactNode }) {
  const user = useUser();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const items = NAV.filter((item) => item.roles.includes(user.role));
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <div className="header__inner">
          <button
            type="button"
            className="header__menu"
            aria-label="Menu"
            aria-expanded={menuOpen}
            aria-controls="nav"
            onClick={() => setMenuOpen((open) => !open)}
          >
            ☰
          </button>
          <NavLink to="/" className="brand" aria-label="Everbright OMS, dashboard">
            <span className="brand__mark" aria-hidden="true" />
            <span className="brand__text">
              Everbright <strong>OMS</strong>
            </span>
          </NavLink>
          <div className="header__status">
            <ConnectionDot />
            <Bell />
            <div className="user-chip" title={user.email} data-testid="current-user" data-email={user.email}>
              <span className="user-chip__name">{user.name}</span>
              <span className="user-chip__role">{ROLE_LABEL[user.role]}</span>
            </div>
            <button type="button" className="btn btn--small btn--ghost" onClick={logout} data-testid="logout">
              Sign out
            </button>
          </div>
        </div>
        <nav id="nav" className={`nav ${menuOpen ? "nav--open" : ""}`} aria-label="Main">
          {items.map((item) => (
            <NavLink
              key={item.to}
              to={item.to}
              end={item.to === "/"}
              className={({ isActive }) => `nav__link ${isActive ? "nav__link--active" : ""}`}
              onClick={() => setMenuOpen(false)}
            >
              {item.label}
            </NavLink>
          ))}
        </nav>
      </header>
      <main id="main" className="main" key={location.pathname}>
        {children}
      </main>
    </div>
  );
}
