import type { ReactNode } from "react";

/** A form's main button: says what it is doing while the request is in flight, and cannot be
 * pressed twice meanwhile. */
export function SubmitButton(props: { pending: boolean; busy: string; testId: string; disabled?: boolean; children: ReactNode }) {
  return (
    <button type="submit" className="btn btn--primary" disabled={props.pending || props.disabled} data-testid={props.testId}>
      {props.pending ? props.busy : props.children}
    </button>
  );
}

/** `<option>`s for rows with an id and a name (branches, people); the value is the id. */
export function NamedOptions({ items }: { items: readonly { id: number; name: string }[] | undefined }) {
  return (
    <>
      {items?.map((item) => (
        <option key={item.id} value={item.id}>
          {item.name}
        </option>
      ))}
    </>
  );
}

/** `<option>`s whose value is their text (roles). */
export function TextOptions({ values }: { values: readonly string[] }) {
  return (
    <>
      {values.map((value) => (
        <option key={value} value={value}>
          {value}
        </option>
      ))}
    </>
  );
}
