/**
 * The signed-in user and their token, kept in localStorage so a reload stays signed in.
 * A tiny external store: React reads it through `useSession`, everything else through `getSession`.
 */
import { useSyncExternalStore } from "react";

import type { MemberOut } from "@/shared/api/rest.gen";

export type Role = MemberOut["role"];

export type SessionUser = MemberOut;

export interface Session {
  token: string;
  /** When the token stops working (ms since epoch). */
  expiresAt: number;
  user: SessionUser;
}

const KEY = "oms.session";
type Listener = () => void;
const listeners = new Set<Listener>();

function load(): Session | null {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as Session;
    return session.expiresAt > Date.now() ? session : null;
  } catch {
    return null;
  }
}

let current: Session | null = load();

export function getSession(): Session | null {
  return current;
}

export function setSession(next: Session | null): void {
  current = next;
  if (next) localStorage.setItem(KEY, JSON.stringify(next));
  else localStorage.removeItem(KEY);
  listeners.forEach((listener) => listener());
}

export function subscribeSession(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): Session | null {
  return useSyncExternalStore(subscribeSession, getSession);
}

/** For components that only render behind the sign-in gate. */
export function useUser(): SessionUser {
  const session = useSession();
  if (!session) throw new Error("useUser outside a signed-in page");
  return session.user;
}

// Another tab signing in or out is this tab's business too: never stay signed in as someone else.
if (typeof window !== "undefined") {
  window.addEventListener("storage", (event) => {
    if (event.key === KEY) {
      current = load();
      listeners.forEach((listener) => listener());
    }
  });
}
