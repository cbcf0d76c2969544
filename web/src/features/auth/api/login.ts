import { useMutation } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import { setSession } from "@/shared/session/session";
import type { LoginIn, TokenOut } from "@/shared/api/rest.gen";

export type LoginInput = LoginIn;

export const login = (input: LoginInput) => api.post<TokenOut>("/api/auth/login", input);

export function useLogin() {
  return useMutation({
    mutationFn: login,
    onSuccess: (out) =>
      setSession({ token: out.access_token, expiresAt: Date.now() + out.expires_in * 1000, user: out.user }),
  });
}
