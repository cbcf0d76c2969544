import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app/App";
// The toasts' stylesheet, bundled: sonner also injects it at run time as an inline <style>, which
// the server's CSP allows only by hash (oms.api.security_headers); this keeps toasts styled even
// if a sonner upgrade changes that hash before the CSP follows.
import "sonner/dist/styles.css";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
