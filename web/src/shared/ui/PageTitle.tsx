import { useEffect, type ReactNode } from "react";

export function PageTitle({ title, children }: { title: string; children?: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · OMS`;
  }, [title]);
  return (
    <div className="page-title">
      <h1 tabIndex={-1}>{title}</h1>
      {children && <div className="page-title__actions">{children}</div>}
    </div>
  );
}
