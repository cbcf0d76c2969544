import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "@/shared/api/client";
import type { Member } from "@/shared/api/reference";
import type { Role } from "@/shared/session/session";

/** `PATCH /api/users/{id}`: only the fields sent change. Disabling a user, or changing their role
 * or branch, signs them out everywhere (their tokens are revoked and their sockets closed). */
export interface UserChanges {
  name?: string;
  phone?: string;
  role?: Role;
  branch_ids?: number[];
  is_active?: boolean;
}

export const updateUser = (id: number, changes: UserChanges) => api.patch<Member>(`/api/users/${id}`, changes);

export function useUpdateUser() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ id, changes }: { id: number; changes: UserChanges }) => updateUser(id, changes),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["users"] }),
  });
}
