import { useEffect, type ReactNode } from "react";

/** The one card of a page outside the app's shell (sign-in, a reminder's link): the brand, the
 * page's heading (also the document's title) and what the page says. */
export function BrandCard({ title, className, children }: { title: string; className?: string; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · OMS`;
  }, [title]);
  return (
    <main className="login">
      <div className={["login__card", className].filter(Boolean).join(" ")}>
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true" />
          <span>
            Everbright <strong>OMS</strong>
          </span>
        </div>
        <h1 className="login__title">{title}</h1>
        {children}
      </div>
    </main>
  );
}
