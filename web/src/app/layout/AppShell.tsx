import { useEffect, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
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
  { to: "/schedule", label: "Schedules", roles: ["admin", "staff", "optometrist"] },
  { to: "/admin/send", label: "Send notification", roles: ["admin"] },
  { to: "/admin/connections", label: "Connections", roles: ["admin"] },
  { to: "/admin/users", label: "Users", roles: ["admin"] },
  { to: "/admin/deliveries", label: "Delivery log", roles: ["admin"] },
  { to: "/settings", label: "Settings", roles: ["admin", "staff", "optometrist", "customer"] },
];

const ROLE_LABEL: Record<Role, string> = { admin: "Admin", staff: "Staff", optometrist: "Optometrist", customer: "Customer" };

export function AppShell({ children }: { children: ReactNode }) {
  const user = useUser();
  const [menuOpen, setMenuOpen] = useState(false);
  const location = useLocation();
  const items = NAV.filter((item) => item.roles.includes(user.role));
  const menuButton = useRef<HTMLButtonElement>(null);
  const firstPath = useRef(location.pathname);

  // After moving to another page, put focus on its heading (as a page load would), not on the
  // nav link that was clicked: a screen reader then reads where the person arrived.
  useEffect(() => {
    if (location.pathname === firstPath.current) return;
    firstPath.current = "";
    const heading = document.querySelector<HTMLElement>("#main h1");
    (heading ?? document.getElementById("main"))?.focus();
  }, [location.pathname]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === "Escape" && menuOpen) {
      setMenuOpen(false);
      menuButton.current?.focus();
    }
  };
  return (
    <div className="shell" onKeyDown={onKeyDown}>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="header">
        <div className="header__inner">
          <button
            ref={menuButton}
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
            <span className="user-initials" aria-hidden="true" title={`${user.name} (${ROLE_LABEL[user.role]})`}>
              {initials(user.name)}
            </span>
            <button type="button" className="btn btn--small btn--ghost" onClick={() => void logout()} data-testid="logout">
              Sign out
            </button>
          </div>
        </div>
        <nav id="nav" className={`nav ${menuOpen ? "nav--open" : ""}`} aria-label="Main">
          <p className="nav__who" data-testid="nav-who">
            Signed in as <strong>{user.name}</strong> · {ROLE_LABEL[user.role]}
          </p>
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
      <main id="main" className="main" key={location.pathname} tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

function initials(name: string): string {
  return name
    .split(/\s+/)
    .filter((part) => /^[A-Za-z]/.test(part))
    .slice(0, 2)
    .map((part) => part[0]?.toUpperCase())
    .join("");
}
