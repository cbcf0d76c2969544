import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";

export const FAMILIES = ["appointment", "reminder", "order", "prescription", "notification", "schedule", "inventory"] as const;
export type Family = (typeof FAMILIES)[number];
export type Channel = "email" | "push";

export interface QuietHours {
  start: string;
  end: string;
  timezone: string;
}

export interface Preferences {
  channels: Record<Family, Record<Channel, boolean>>;
  quiet_hours: QuietHours | null;
}

export interface PreferencesInput {
  channels?: Partial<Record<Family, Partial<Record<Channel, boolean>>>>;
  quiet_hours?: QuietHours | null;
}

export const preferenceKeys = { mine: ["preferences", "me"] as const };

export function usePreferences() {
  return useQuery({ queryKey: preferenceKeys.mine, queryFn: () => api.get<Preferences>("/api/me/preferences") });
}

export function useSavePreferences() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: PreferencesInput) => api.put<Preferences>("/api/me/preferences", input),
    onSuccess: (saved) => client.setQueryData(preferenceKeys.mine, saved),
  });
}
