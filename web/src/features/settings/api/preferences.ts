import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { FamilyChannels, PreferencesIn, PreferencesOut, QuietHoursOut } from "@/shared/api/rest.gen";

export const FAMILIES = ["appointment", "reminder", "order", "prescription", "notification", "schedule", "inventory"] as const;
export type Family = (typeof FAMILIES)[number];
export type Channel = "email" | "push";

export type QuietHours = QuietHoursOut;

/** The server answers every family, so the map is read by the families this app knows. */
export type Preferences = Omit<PreferencesOut, "channels"> & { channels: Record<Family, FamilyChannels> };

export type PreferencesInput = PreferencesIn;

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
