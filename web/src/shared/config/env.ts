/**
 * The app's configuration, parsed once at start-up. A bad value fails loudly, naming the variable.
 *
 * VITE_WEBSOCKET_URL: where the real-time gateway is (e.g. http://localhost:6001). Default: the
 * origin that served the app, whose /socket.io path reaches the same gateway.
 */
export interface Env {
  /** Origin of the real-time gateway (also serves /connections and /health). */
  readonly websocketUrl: string;
  /** The socket.io path on that origin. */
  readonly websocketPath: string;
}

export function parseEnv(raw: Record<string, string | undefined>, origin: string): Env {
  const value = raw.VITE_WEBSOCKET_URL?.trim();
  if (!value) return { websocketUrl: origin, websocketPath: "/socket.io" };
  let url: URL;
  try {
    url = new URL(value, origin);
  } catch {
    throw new Error(`VITE_WEBSOCKET_URL is not a URL: ${JSON.stringify(value)}`);
  }
  if (!["http:", "https:", "ws:", "wss:"].includes(url.protocol)) {
    throw new Error(`VITE_WEBSOCKET_URL must be http(s) or ws(s), got ${url.protocol}`);
  }
  // A path in the URL ("http://host:6001/rt/socket.io") becomes the socket.io path.
  const path = url.pathname === "/" ? "/socket.io" : url.pathname.replace(/\/$/, "");
  const scheme = url.protocol === "wss:" ? "https:" : url.protocol === "ws:" ? "http:" : url.protocol;
  return { websocketUrl: `${scheme}//${url.host}`, websocketPath: path };
}

const origin = typeof window === "undefined" ? "http://localhost" : window.location.origin;
export const env: Env = parseEnv(import.meta.env, origin);
