import { z } from "zod/mini";
import { ApiError } from "@/shared/api/client";
import { errorOf, fieldOf, useSchemaForm } from "@/shared/lib/forms";
import { BrandCard } from "@/shared/ui/BrandCard";
import { SubmitButton } from "@/shared/ui/controls";
import { Field } from "@/shared/ui/Field";
import { useLogin } from "../api/login";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const EMAIL_LIKE = "Enter an email address like name@example.com.";
const PASSWORD = "Enter your password.";

/** What is wrong with each field, in words a person uses (never the server's parser text). */
const signIn = z.object({
  email: z.string().check(z.trim(), z.minLength(1, "Enter your email address."), z.regex(EMAIL, EMAIL_LIKE)),
  password: z.string().check(z.minLength(1, PASSWORD)),
});

/** Why signing in did not work, when no field is to blame. */
function refusal(error: unknown): string {
  if (!(error instanceof ApiError)) return "Signing in did not work. Try again in a moment.";
  if (error.status === 401)
    return error.message.includes("disabled")
      ? "This account is disabled. Ask the clinic's admin."
      : "That email and password do not match an account. Check them and try again.";
  if (error.status === 429) return "Too many attempts. Wait a minute, then try again.";
  if (error.status === 0) return error.message;
  return "Signing in did not work. Try again in a moment.";
}

export function LoginPage() {
  const form = useSchemaForm(signIn, { email: "", password: "" });
  const login = useLogin();
  // The server's per-field refusals, in the same words as the form's own.
  const fields = login.error instanceof ApiError ? login.error.fieldErrors : {};
  const server = { ...(fields.email && { email: EMAIL_LIKE }), ...(fields.password && { password: PASSWORD }) };
  const errors = { email: errorOf(form, "email", server), password: errorOf(form, "password", server) };

  return (
    <BrandCard title="Sign in">
      <p className="muted">Sign in to manage appointments, stock and prescriptions.</p>
      <form onSubmit={form.handleSubmit((input) => login.mutate(input))} className="stack" noValidate>
        <Field label="Email" error={errors.email}>
          <input type="email" autoComplete="username" required {...fieldOf(form, "email")} data-testid="login-email" />
        </Field>
        <Field label="Password" error={errors.password}>
          <input type="password" autoComplete="current-password" required {...fieldOf(form, "password")} data-testid="login-password" />
        </Field>
        {login.isError && !errors.email && !errors.password && (
          <p className="form-error" role="alert">
            {refusal(login.error)}
          </p>
        )}
        <SubmitButton pending={login.isPending} busy="Signing in…" testId="login-submit">
          Sign in
        </SubmitButton>
      </form>
    </BrandCard>
  );
}
