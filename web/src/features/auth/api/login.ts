import { useMutation } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { setSession, type SessionUser } from "@/shared/session/session";

export interface LoginInput {
  email: string;
  password: string;
}

interface TokenOut {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  user: SessionUser;
}

export const login = (input: LoginInput) => api.post<TokenOut>("/api/auth/login", input);

export function useLogin() {
  return useMutation({
    mutationFn: login,
    onSuccess: (out) =>
      setSession({ token: out.access_token, expiresAt: Date.now() + out.expires_in * 1000, user: out.user }),
  });
}
