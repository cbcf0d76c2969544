import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { ScheduleOut, ScheduleRowIn, ScheduleRowOut } from "@/shared/api/rest.gen";

export type ScheduleRow = ScheduleRowOut;

export type WeeklySchedule = ScheduleOut;

export type ScheduleRowInput = ScheduleRowIn;

export const scheduleKeys = {
  all: ["schedule"] as const,
  one: (optometristId: number) => ["schedule", optometristId] as const,
};

export const getSchedule = (optometristId: number, signal?: AbortSignal) =>
  api.get<WeeklySchedule>(`/api/optometrists/${optometristId}/schedule`, undefined, signal);

/** Refreshed by schedule.updated events (the dispatcher invalidates `scheduleKeys.all`). */
export function useSchedule(optometristId: number | undefined) {
  return useQuery({
    queryKey: scheduleKeys.one(optometristId ?? 0),
    queryFn: ({ signal }) => getSchedule(optometristId ?? 0, signal),
    enabled: optometristId !== undefined,
  });
}

export const saveSchedule = ({ optometristId, rows }: { optometristId: number; rows: ScheduleRowInput[] }) =>
  api.put<WeeklySchedule>(`/api/optometrists/${optometristId}/schedule`, { rows });

export function useSaveSchedule() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: saveSchedule,
    onSuccess: (week) => client.setQueryData(scheduleKeys.one(week.optometrist.id), week),
  });
}
