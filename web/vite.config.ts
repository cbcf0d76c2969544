/// <reference types="vitest/config" />
import { fileURLToPath, URL } from "node:url";
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// In dev, everything that is not the app goes to a running `oms serve` (OMS_DEV_SERVER).
const backend = process.env.OMS_DEV_SERVER ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { "@": fileURLToPath(new URL("./src", import.meta.url)) } },
  server: {
    proxy: {
      "/api": backend,
      "/connections": backend,
      "/health": backend,
      "/socket.io": { target: backend, ws: true },
    },
  },
  // No source maps: a production server must not publish the original sources (DESIGN §13).
  build: { outDir: "dist", sourcemap: false },
  test: { environment: "node", include: ["src/**/*.test.ts"] },
});
