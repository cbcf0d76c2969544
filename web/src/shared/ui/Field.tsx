import { useId, type ReactElement, cloneElement } from "react";

/** A label, one control and its error, wired for screen readers (aria-invalid, describedby). */
export function Field(props: {
  label: string;
  error?: string | null;
  hint?: string;
  className?: string;
  children: ReactElement<Record<string, unknown>>;
}) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  const describedBy = [props.hint ? hintId : null, props.error ? errorId : null].filter(Boolean).join(" ");
  return (
    <div className={`field ${props.error ? "field--invalid" : ""} ${props.className ?? ""}`}>
      <label htmlFor={id}>{props.label}</label>
      {cloneElement(props.children, {
        id,
        "aria-invalid": props.error ? true : undefined,
        "aria-describedby": describedBy || undefined,
      })}
      {props.hint && !props.error && (
        <small id={hintId} className="field__hint">
          {props.hint}
        </small>
      )}
      {props.error && (
        <small id={errorId} className="field__error" role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}
