import type { ReactNode } from "react";

/** A column heading: its text (or nodes, e.g. a screen-reader-only label) and an optional class. */
export type Column = string | { label: ReactNode; className?: string };

/**
 * A table in its scrolling wrapper, with a header row of column headings; the rows are the
 * children (they go in the tbody). With `region`, the wrapper is a focusable, named region so a
 * keyboard can scroll a table wider than the screen.
 */
export function Table(props: {
  columns: Column[];
  className?: string;
  testId?: string;
  region?: string;
  children: ReactNode;
}) {
  const region = props.region ? { tabIndex: 0, role: "region", "aria-label": props.region } : {};
  return (
    <div className="table-wrap" {...region}>
      <table className={["table", props.className].filter(Boolean).join(" ")} data-testid={props.testId}>
        <thead>
          <tr>
            {props.columns.map((column, index) => {
              const { label, className } = typeof column === "string" ? { label: column, className: undefined } : column;
              return (
                <th key={index} scope="col" className={className}>
                  {label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}
