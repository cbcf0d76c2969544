import { describe, expect, it } from "vitest";
import { parseEnv } from "./env";

const origin = "https://oms.example.test";

describe("parseEnv", () => {
  it("defaults to the origin that served the app", () => {
    expect(parseEnv({}, origin)).toEqual({ websocketUrl: origin, websocketPath: "/socket.io" });
    expect(parseEnv({ VITE_WEBSOCKET_URL: "  " }, origin).websocketUrl).toBe(origin);
  });

  it("takes the seed's gateway URL, and a path in it as the socket.io path", () => {
    expect(parseEnv({ VITE_WEBSOCKET_URL: "http://localhost:6001" }, origin)).toEqual({
      websocketUrl: "http://localhost:6001",
      websocketPath: "/socket.io",
    });
    expect(parseEnv({ VITE_WEBSOCKET_URL: "wss://rt.example.test/rt/socket.io/" }, origin)).toEqual({
      websocketUrl: "https://rt.example.test",
      websocketPath: "/rt/socket.io",
    });
  });

  it("fails naming the variable", () => {
    expect(() => parseEnv({ VITE_WEBSOCKET_URL: "ftp://x" }, origin)).toThrow(/VITE_WEBSOCKET_URL/);
    expect(() => parseEnv({ VITE_WEBSOCKET_URL: "http://[" }, origin)).toThrow(/VITE_WEBSOCKET_URL/);
  });
});
