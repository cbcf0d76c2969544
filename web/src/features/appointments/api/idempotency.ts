/** A random key for the `Idempotency-Key` header (crypto.randomUUID needs a secure context;
 * getRandomValues works everywhere). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
