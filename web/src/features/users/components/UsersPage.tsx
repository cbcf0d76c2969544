import { useMemo, useState, type FormEvent } from "react";
import { toast } from "sonner";
import { ApiError, errorMessage } from "@/shared/api/client";
import { useBranches, useUsers, type Branch, type Member, type UserRow } from "@/shared/api/reference";
import { useUser, type Role } from "@/shared/session/session";
import { Field } from "@/shared/ui/Field";
import { PageTitle } from "@/shared/ui/PageTitle";
import { Empty, QueryState } from "@/shared/ui/states";
import { useUpdateUser, type UserChanges } from "../api/update-user";
import { Table } from "@/shared/ui/Table";
import { SubmitButton, NamedOptions, TextOptions } from "@/shared/ui/controls";

const ROLES: Role[] = ["admin", "staff", "optometrist", "customer"];
// Staff work at exactly one branch; a customer may have a home branch; the others none.
const HAS_BRANCH: Record<Role, "required" | "optional" | "none"> = {
  staff: "required",
  customer: "optional",
  admin: "none",
  optometrist: "none",
};

/** Admins: every user, and an editor for role, branch and whether the account is active. */
export function UsersPage() {
  const users = useUsers({});
  const branches = useBranches();
  const [filter, setFilter] = useState("");
  const [editing, setEditing] = useState<number | null>(null);
  const rows = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (users.data ?? []).filter((u) => !needle || [u.name, u.email, u.role].some((v) => v.toLowerCase().includes(needle)));
  }, [users.data, filter]);
  const branchName = (id: number | null) => branches.data?.find((b) => b.id === id)?.name ?? "—";
  // An optometrist works where their weekly schedule puts them (edited on the Schedule page).
  const branchCell = (u: Member) =>
    u.role === "optometrist" ? (
      <>
        {u.branch_ids.map((id) => branchName(id)).join(", ") || "—"}
        <div className="muted small">by schedule</div>
      </>
    ) : (
      branchName(u.branch_id)
    );

  return (
    <section>
      <PageTitle title="Users" />
      <p className="muted small">Disabling a user, or changing their role or branch, signs them out on every device at once.</p>
      <QueryState query={users} loading="Loading users…">
        {(all) =>
          all.length === 0 ? (
            <Empty title="No users yet." />
          ) : (
            <>
              <div className="summary">
                <input type="search" placeholder="Filter" aria-label="Filter users" value={filter} onChange={(e) => setFilter(e.target.value)} />
              </div>
              <Table columns={["User", "Role", "Branch", "Status", ""]} testId="users-table">
                    {rows.map((u) =>
                      editing === u.id ? (
                        <tr key={u.id} data-testid="user-row" data-user-id={u.id}>
                          <td colSpan={5}>
                            <UserEditor user={u} branches={branches.data ?? []} onDone={() => setEditing(null)} />
                          </td>
                        </tr>
                      ) : (
                        <tr key={u.id} data-testid="user-row" data-user-id={u.id}>
                          <th scope="row">
                            {u.name}
                            <div className="muted small">{u.email}</div>
                          </th>
                          <td>{u.role}</td>
                          <td>{branchCell(u)}</td>
                          <td>{u.is_active ? "Active" : "Disabled"}</td>
                          <td>
                            <button type="button" className="btn btn--small" onClick={() => setEditing(u.id)} data-testid="user-edit">
                              Edit
                            </button>
                          </td>
                        </tr>
                      ),
                    )}
              </Table>
            </>
          )
        }
      </QueryState>
    </section>
  );
}

function UserEditor({ user, branches, onDone }: { user: UserRow; branches: Branch[]; onDone: () => void }) {
  const me = useUser();
  const update = useUpdateUser();
  const [role, setRole] = useState<Role>(user.role);
  const [branchId, setBranchId] = useState<number | null>(user.branch_id);
  const [active, setActive] = useState(user.is_active);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const itself = me.id === user.id;
  const branchRule = HAS_BRANCH[role];

  const save = (event: FormEvent) => {
    event.preventDefault();
    const changes: UserChanges = {};
    if (role !== user.role) changes.role = role;
    const branch = branchRule === "none" ? null : branchId;
    if (branch !== user.branch_id || role !== user.role) changes.branch_ids = branch === null ? [] : [branch];
    if (active !== user.is_active) changes.is_active = active;
    if (branchRule === "required" && branch === null) {
      setErrors({ branch_ids: "Staff must belong to a branch." });
      return;
    }
    update.mutate(
      { id: user.id, changes },
      {
        onSuccess: () => {
          toast.success(`${user.name} updated`);
          onDone();
        },
        onError: (error) => {
          const field = error instanceof ApiError ? String(error.details.field ?? "") : "";
          setErrors(field ? { [field]: error.message } : { form: errorMessage(error) });
        },
      },
    );
  };

  return (
    <form className="card stack form-narrow" onSubmit={save} data-testid="user-editor" noValidate>
      <strong>{user.name}</strong> <span className="muted small">{user.email}</span>
      <Field label="Role" error={errors.role}>
        <select value={role} onChange={(e) => setRole(e.target.value as Role)} disabled={itself} data-testid="user-role">
          <TextOptions values={ROLES} />
        </select>
      </Field>
      {branchRule !== "none" && (
        <Field label={role === "staff" ? "Branch" : "Home branch"} error={errors.branch_ids}>
          <select
            value={branchId ?? ""}
            onChange={(e) => setBranchId(e.target.value ? Number(e.target.value) : null)}
            data-testid="user-branch"
          >
            <option value="">{role === "staff" ? "Choose a branch" : "None"}</option>
            <NamedOptions items={branches} />
          </select>
        </Field>
      )}
      <label className="choice">
        <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} disabled={itself} data-testid="user-active" />{" "}
        Active
      </label>
      {errors.form && (
        <p className="form-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="row">
        <SubmitButton pending={update.isPending} busy="Saving…" testId="user-save">
          Save
        </SubmitButton>
        <button type="button" className="btn btn--ghost" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
