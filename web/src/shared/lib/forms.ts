/**
 * Forms: react-hook-form holds the values, a zod schema says what is wrong in words a person
 * uses. Errors appear when the form is sent (the first wrong field gets the focus) and a field's
 * error goes away as soon as it is changed — nothing is re-judged while typing, so a screen
 * reader is not told a new error at every keystroke. Schemas use zod/mini (tree-shaken: the
 * classic API added ~100 kB to the bundle).
 */
import { zodResolver } from "@hookform/resolvers/zod";
import { useForm, type DefaultValues, type FieldPath, type FieldValues, type UseFormReturn } from "react-hook-form";
import type { $ZodType } from "zod/v4/core";

export function useSchemaForm<Input extends FieldValues, Output>(
  schema: $ZodType<Output, Input>,
  defaultValues: DefaultValues<Input>,
): UseFormReturn<Input, unknown, Output> {
  return useForm<Input, unknown, Output>({
    resolver: zodResolver(schema),
    defaultValues,
    mode: "onSubmit",
    reValidateMode: "onSubmit",
    shouldFocusError: true,
  });
}

/** `register` plus "changing the field clears its error". */
export function fieldOf<Input extends FieldValues>(form: UseFormReturn<Input, unknown, unknown>, name: FieldPath<Input>) {
  return form.register(name, { onChange: () => form.clearErrors(name) });
}

/** The message to show for a field: the form's own check first, then what the server said. */
export function errorOf<Input extends FieldValues>(
  form: UseFormReturn<Input, unknown, unknown>,
  name: FieldPath<Input>,
  server: Record<string, string> = {},
): string | undefined {
  return form.getFieldState(name, form.formState).error?.message ?? server[name];
}
