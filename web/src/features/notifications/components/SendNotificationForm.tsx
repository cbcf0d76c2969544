import { useMemo, useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "@/shared/api/client";
import { useBranches, useUsers } from "@/shared/api/reference";
import type { Role } from "@/shared/session/session";
import { Field } from "@/shared/ui/Field";
import { PageTitle } from "@/shared/ui/PageTitle";
import { useBroadcast, type NotificationType } from "../api/broadcast";
import { SubmitButton, NamedOptions, TextOptions } from "@/shared/ui/controls";

type Audience = "users" | "role" | "branch";
const ROLES: Role[] = ["customer", "staff", "optometrist", "admin"];
const TYPES: { value: NotificationType; label: string; hint: string }[] = [
  { value: "general", label: "General", hint: "information" },
  { value: "alert", label: "Alert", hint: "needs attention" },
  { value: "urgent", label: "Urgent", hint: "stays on screen until dismissed" },
];

export function SendNotificationForm() {
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState("");
  const [type, setType] = useState<NotificationType>("general");
  const [audience, setAudience] = useState<Audience>("role");
  const [role, setRole] = useState<Role>("staff");
  const [branchId, setBranchId] = useState<number | "">("");
  const [userIds, setUserIds] = useState<number[]>([]);
  const [filter, setFilter] = useState("");
  const branches = useBranches();
  const users = useUsers({}, audience === "users");
  const send = useBroadcast();
  const errors = send.error instanceof ApiError ? send.error.fieldErrors : {};
  const [local, setLocal] = useState<Record<string, string>>({});

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (users.data ?? []).filter(
      (u) => !needle || u.name.toLowerCase().includes(needle) || u.email.includes(needle) || u.role.includes(needle),
    );
  }, [users.data, filter]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    if (!title.trim()) problems.title = "Give the notification a title.";
    if (!message.trim()) problems.message = "Write the message.";
    if (audience === "users" && userIds.length === 0) problems.user_ids = "Choose at least one person.";
    if (audience === "branch" && branchId === "") problems.branch_id = "Choose a branch.";
    setLocal(problems);
    if (Object.keys(problems).length) return;
    send.mutate(
      {
        title: title.trim(),
        message: message.trim(),
        type,
        ...(audience === "users" ? { user_ids: userIds } : audience === "role" ? { role } : { branch_id: Number(branchId) }),
      },
      {
        onSuccess: () => {
          setTitle("");
          setMessage("");
        },
      },
    );
  };

  const err = (name: string) => local[name] ?? errors[name];
  return (
    <section>
      <PageTitle title="Send a notification" />
      <form className="card stack form-narrow" onSubmit={submit} noValidate data-testid="broadcast-form">
        <Field label="Title" error={err("title")}>
          <input value={title} maxLength={200} onChange={(e) => setTitle(e.target.value)} data-testid="broadcast-title" />
        </Field>
        <Field label="Message" error={err("message")}>
          <textarea rows={3} value={message} maxLength={2000} onChange={(e) => setMessage(e.target.value)} data-testid="broadcast-message" />
        </Field>
        <fieldset className="choices">
          <legend>Kind</legend>
          {TYPES.map((t) => (
            <label key={t.value} className={`choice choice--${t.value}`}>
              <input type="radio" name="type" value={t.value} checked={type === t.value} onChange={() => setType(t.value)} />
              <span>
                <span className="choice__label">{t.label}</span> <small className="muted">— {t.hint}</small>
              </span>
            </label>
          ))}
        </fieldset>
        <fieldset className="choices">
          <legend>Send to</legend>
          {(["role", "branch", "users"] as const).map((a) => (
            <label key={a} className="choice">
              <input type="radio" name="audience" value={a} checked={audience === a} onChange={() => setAudience(a)} />
              <span>{a === "role" ? "Everyone with a role" : a === "branch" ? "A branch's people" : "Chosen people"}</span>
            </label>
          ))}
        </fieldset>
        {audience === "role" && (
          <Field label="Role" error={err("role")}>
            <select value={role} onChange={(e) => setRole(e.target.value as Role)} data-testid="broadcast-role">
              <TextOptions values={ROLES} />
            </select>
          </Field>
        )}
        {audience === "branch" && (
          <Field label="Branch" error={err("branch_id")} hint="Its staff and the optometrists who work there.">
            <select value={branchId} onChange={(e) => setBranchId(e.target.value ? Number(e.target.value) : "")} data-testid="broadcast-branch">
              <option value="">Choose…</option>
              <NamedOptions items={branches.data} />
            </select>
          </Field>
        )}
        {audience === "users" && (
          <fieldset className="people">
            <legend>People {userIds.length > 0 && <span className="muted">({userIds.length} chosen)</span>}</legend>
            <input
              type="search"
              placeholder="Filter by name, email or role"
              aria-label="Filter people"
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
            {users.isPending ? (
              <p className="muted">Loading people…</p>
            ) : users.isError ? (
              <p className="form-error">{errorMessage(users.error)}</p>
            ) : (
              <ul className="people__list">
                {shown.map((u) => (
                  <li key={u.id}>
                    <label className="choice">
                      <input
                        type="checkbox"
                        checked={userIds.includes(u.id)}
                        data-testid="broadcast-user"
                        data-email={u.email}
                        onChange={(e) =>
                          setUserIds((ids) => (e.target.checked ? [...ids, u.id] : ids.filter((id) => id !== u.id)))
                        }
                      />
                      <span>
                        {u.name} <small className="muted">{u.email} · {u.role}</small>
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            )}
            {err("user_ids") && <small className="field__error">{err("user_ids")}</small>}
          </fieldset>
        )}
        {send.isError && !Object.keys(errors).length && <p className="form-error" role="alert">{errorMessage(send.error)}</p>}
        {send.isSuccess && (
          <p className="form-ok" role="status" data-testid="broadcast-result">
            Sent to {send.data.recipients} {send.data.recipients === 1 ? "person" : "people"}.
          </p>
        )}
        <div className="row">
          <SubmitButton pending={send.isPending} busy="Sending…" testId="broadcast-submit">
            Send
          </SubmitButton>
        </div>
      </form>
    </section>
  );
}
