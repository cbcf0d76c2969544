import { useState, type FormEvent } from "react";
import { ApiError } from "@/shared/api/client";
import { Field } from "@/shared/ui/Field";
import { useLogin } from "../api/login";

export function LoginPage() {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useLogin();
  const errors = login.error instanceof ApiError ? login.error.fieldErrors : {};

  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ email, password });
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
        <p className="muted">Sign in to manage appointments, stock and prescriptions.</p>
        <form onSubmit={submit} className="stack" noValidate>
          <Field label="Email" error={errors.email}>
            <input
              type="email"
              autoComplete="username"
              required
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              data-testid="login-email"
            />
          </Field>
          <Field label="Password" error={errors.password}>
            <input
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="login-password"
            />
          </Field>
          {login.isError && !errors.email && !errors.password && (
            <p className="form-error" role="alert">
              {login.error instanceof ApiError && login.error.status === 401
                ? "That email and password do not match an account."
                : login.error.message}
            </p>
          )}
          <button type="submit" className="btn btn--primary" disabled={login.isPending} data-testid="login-submit">
            {login.isPending ? "Signing in…" : "Sign in"}
          </button>
        </form>
      </div>
    </main>
  );
}
