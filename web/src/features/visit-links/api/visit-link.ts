/**
 * A reminder's signed link (DESIGN §11): GET reads what it will do, POST does it. No session is
 * needed: the link's token is the authority, for one action on one appointment until it starts.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { request } from "@/shared/api/client";
import type { AppointmentOut, LinkPreviewOut } from "@/shared/api/rest.gen";

export type VisitAction = "confirm" | "cancel";

export type VisitAppointment = AppointmentOut;

export type VisitLinkPreview = LinkPreviewOut;

const path = (appointmentId: string, action: VisitAction) =>
  `/api/appointments/${encodeURIComponent(appointmentId)}/${action}-link`;

export function useVisitLinkPreview(appointmentId: string, action: VisitAction, token: string) {
  return useQuery({
    queryKey: ["visit-link", appointmentId, action, token],
    queryFn: ({ signal }) => request<VisitLinkPreview>(path(appointmentId, action), { query: { token }, signal }),
    enabled: appointmentId !== "" && token !== "",
  });
}

export function useFollowVisitLink(appointmentId: string, action: VisitAction, token: string) {
  return useMutation({
    mutationFn: () => request<VisitAppointment>(path(appointmentId, action), { method: "POST", query: { token } }),
  });
}
