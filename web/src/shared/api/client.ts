/**
 * The one HTTP client: adds the token, parses `{"error": {code, message, details}}` into ApiError,
 * and ends the session when the server says the token is no longer good.
 */
import { getSession, setSession } from "@/shared/session/session";

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  /** Per-field messages: a domain rule names one `field`; request parsing lists `fields`. */
  get fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    const fields = this.details.fields;
    if (Array.isArray(fields)) {
      for (const item of fields as FieldError[]) out[item.field] ??= item.message;
    }
    const field = this.details.field;
    if (typeof field === "string") {
      // "right_eye.sphere: must be ..." -> "must be ..."
      out[field] ??= this.message.startsWith(`${field}: `)
        ? this.message.slice(field.length + 2)
        : this.message;
    }
    return out;
  }
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  body?: unknown;
  query?: Query;
  signal?: AbortSignal;
  /** Absolute base (the gateway's ops endpoints); default: this origin. */
  base?: string;
  headers?: Record<string, string>;
}

/** Said when an action is pressed while the browser is offline: nothing is sent, nothing is
 * queued to happen silently later; the person tries again when back online. */
export const OFFLINE_MESSAGE = "You are offline, so nothing was sent. Try again when you are back online.";

export function isOffline(): boolean {
  return typeof navigator !== "undefined" && navigator.onLine === false;
}

function url(path: string, query: Query | undefined, base: string | undefined): string {
  const target = new URL(path, base ?? window.location.origin);
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") target.searchParams.set(name, String(value));
  }
  return base ? target.toString() : target.pathname + target.search;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const session = getSession();
  const method = options.method ?? "GET";
  if (method !== "GET" && isOffline()) throw new ApiError(0, "offline", OFFLINE_MESSAGE);
  const headers: Record<string, string> = { Accept: "application/json", ...options.headers };
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  if (session) headers.Authorization = `Bearer ${session.token}`;
  let response: Response;
  try {
    response = await fetch(url(path, options.query, options.base), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === "AbortError") throw error;
    if (isOffline()) throw new ApiError(0, "offline", OFFLINE_MESSAGE);
    throw new ApiError(0, "network_error", "The server cannot be reached, so nothing was saved. Try again in a moment.");
  }
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string; details?: Record<string, unknown> } })?.error;
    const apiError = new ApiError(
      response.status,
      error?.code ?? "http_error",
      error?.message ?? `${response.status} ${response.statusText}`,
      error?.details ?? {},
    );
    // An expired or forged token: sign out rather than keep failing (the socket closes with it).
    if (response.status === 401 && session && getSession()?.token === session.token) setSession(null);
    throw apiError;
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>(path, { query, signal }),
  post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
    request<T>(path, { method: "POST", body: body ?? {}, headers }),
  put: <T>(path: string, body: unknown) => request<T>(path, { method: "PUT", body }),
  patch: <T>(path: string, body: unknown) => request<T>(path, { method: "PATCH", body }),
};

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return "Something went wrong.";
}
