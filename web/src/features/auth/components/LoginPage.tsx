import { useEffect, useState, type FormEvent } from "react";
import { ApiError } from "@/shared/api/client";
import { Field } from "@/shared/ui/Field";
import { useLogin } from "../api/login";
import { SubmitButton } from "@/shared/ui/controls";

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** What is wrong with each field, in words a person uses (never the server's parser text). */
function check(email: string, password: string): { email?: string; password?: string } {
  const out: { email?: string; password?: string } = {};
  if (!email.trim()) out.email = "Enter your email address.";
  else if (!EMAIL.test(email.trim())) out.email = "Enter an email address like name@example.com.";
  if (!password) out.password = "Enter your password.";
  return out;
}

export function LoginPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [shown, setShown] = useState<{ email?: string; password?: string }>({});
  const login = useLogin();
  const server = login.error instanceof ApiError ? login.error.fieldErrors : {};
  const errors = {
    email: shown.email ?? (server.email ? "Enter an email address like name@example.com." : undefined),
    password: shown.password ?? (server.password ? "Enter your password." : undefined),
  };

  useEffect(() => {
    document.title = "Sign in · OMS";
  }, []);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems = check(email, password);
    setShown(problems);
    if (problems.email || problems.password) {
      document.querySelector<HTMLInputElement>(`[data-testid="${problems.email ? "login-email" : "login-password"}"]`)?.focus();
      return;
    }
    login.mutate({ email: email.trim(), password });
  };

  return (
    <main className="login">
      <div className="login__card">
        <div className="brand brand--large">
          <span className="brand__mark" aria-hidden="true" />
          <span>
            Everbright <strong>OMS</strong>
          </span>
        </div>
        <h1 className="login__title">Sign in</h1>
        <p className="muted">Sign in to manage appointments, stock and prescriptions.</p>
        <form onSubmit={submit} className="stack" noValidate>
          <Field label="Email" error={errors.email}>
            <input
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => {
                setEmail(e.target.value);
                setShown((old) => ({ ...old, email: undefined }));
              }}
              data-testid="login-email"
              name="email"
            />
          </Field>
          <Field label="Password" error={errors.password}>
            <input
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => {
                setPassword(e.target.value);
                setShown((old) => ({ ...old, password: undefined }));
              }}
              data-testid="login-password"
              name="password"
            />
          </Field>
          {login.isError && !errors.email && !errors.password && (
            <p className="form-error" role="alert">
              {login.error instanceof ApiError && login.error.status === 401
                ? login.error.message.includes("disabled")
                  ? "This account is disabled. Ask the clinic's admin."
                  : "That email and password do not match an account. Check them and try again."
                : login.error instanceof ApiError && login.error.status === 429
                  ? "Too many attempts. Wait a minute, then try again."
                  : login.error instanceof ApiError && login.error.status === 0
                    ? login.error.message
                    : "Signing in did not work. Try again in a moment."}
            </p>
          )}
          <SubmitButton pending={login.isPending} busy="Signing in…" testId="login-submit">
            Sign in
          </SubmitButton>
        </form>
      </div>
    </main>
  );
}
