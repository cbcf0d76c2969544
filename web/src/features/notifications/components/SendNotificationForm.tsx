import { useMemo, useState } from "react";
import { z } from "zod/mini";
import { ApiError, errorMessage } from "@/shared/api/client";
import { useBranches, useUsers } from "@/shared/api/reference";
import type { Role } from "@/shared/session/session";
import { errorOf, fieldOf, useSchemaForm } from "@/shared/lib/forms";
import { Field } from "@/shared/ui/Field";
import { PageTitle } from "@/shared/ui/PageTitle";
import { useBroadcast, type NotificationType } from "../api/broadcast";
import { SubmitButton, NamedOptions, TextOptions } from "@/shared/ui/controls";

const ROLES: Role[] = ["customer", "staff", "optometrist", "admin"];
const TYPES: { value: NotificationType; label: string; hint: string }[] = [
  { value: "general", label: "General", hint: "information" },
  { value: "alert", label: "Alert", hint: "needs attention" },
  { value: "urgent", label: "Urgent", hint: "stays on screen until dismissed" },
];

/** What the form must hold before it is sent, in words for the admin. */
const message = z
  .object({
    title: z.string().check(z.trim(), z.minLength(1, "Give the notification a title.")),
    message: z.string().check(z.trim(), z.minLength(1, "Write the message.")),
    type: z.enum(["general", "alert", "urgent"]),
    audience: z.enum(["role", "branch", "users"]),
    role: z.enum(["customer", "staff", "optometrist", "admin"]),
    branch_id: z.string(),
    user_ids: z.array(z.number()),
  })
  .check(
    z.superRefine((value, context) => {
      if (value.audience === "users" && value.user_ids.length === 0)
        context.addIssue({ code: "custom", path: ["user_ids"], message: "Choose at least one person." });
      if (value.audience === "branch" && value.branch_id === "")
        context.addIssue({ code: "custom", path: ["branch_id"], message: "Choose a branch." });
    }),
  );

export function SendNotificationForm() {
  const form = useSchemaForm(message, {
    title: "",
    message: "",
    type: "general",
    audience: "role",
    role: "staff",
    branch_id: "",
    user_ids: [],
  });
  const [filter, setFilter] = useState("");
  const audience = form.watch("audience");
  const userIds = form.watch("user_ids");
  const branches = useBranches();
  const users = useUsers({}, audience === "users");
  const send = useBroadcast();
  const errors = send.error instanceof ApiError ? send.error.fieldErrors : {};

  const shown = useMemo(() => {
    const needle = filter.trim().toLowerCase();
    return (users.data ?? []).filter(
      (u) => !needle || u.name.toLowerCase().includes(needle) || u.email.includes(needle) || u.role.includes(needle),
    );
  }, [users.data, filter]);

  const submit = form.handleSubmit((value) =>
    send.mutate(
      {
        title: value.title,
        message: value.message,
        type: value.type,
        ...(value.audience === "users"
          ? { user_ids: value.user_ids }
          : value.audience === "role"
            ? { role: value.role }
            : { branch_id: Number(value.branch_id) }),
      },
      { onSuccess: () => form.reset({ ...form.getValues(), title: "", message: "" }) },
    ),
  );

  const err = (name: "title" | "message" | "role" | "branch_id" | "user_ids") => errorOf(form, name, errors);
  const choose = (id: number, chosen: boolean) => {
    form.setValue("user_ids", chosen ? [...userIds, id] : userIds.filter((other) => other !== id));
    form.clearErrors("user_ids");
  };
  return (
    <section>
      <PageTitle title="Send a notification" />
      <form className="card stack form-narrow" onSubmit={submit} noValidate data-testid="broadcast-form">
        <Field label="Title" error={err("title")}>
          <input maxLength={200} {...fieldOf(form, "title")} data-testid="broadcast-title" />
        </Field>
        <Field label="Message" error={err("message")}>
          <textarea rows={3} maxLength={2000} {...fieldOf(form, "message")} data-testid="broadcast-message" />
        </Field>
        <fieldset className="choices">
          <legend>Kind</legend>
          {TYPES.map((t) => (
            <label key={t.value} className={`choice choice--${t.value}`}>
              <input type="radio" value={t.value} {...form.register("type")} />
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
              <input type="radio" value={a} {...form.register("audience")} />
              <span>{a === "role" ? "Everyone with a role" : a === "branch" ? "A branch's people" : "Chosen people"}</span>
            </label>
          ))}
        </fieldset>
        {audience === "role" && (
          <Field label="Role" error={err("role")}>
            <select {...fieldOf(form, "role")} data-testid="broadcast-role">
              <TextOptions values={ROLES} />
            </select>
          </Field>
        )}
        {audience === "branch" && (
          <Field label="Branch" error={err("branch_id")} hint="Its staff and the optometrists who work there.">
            <select {...fieldOf(form, "branch_id")} data-testid="broadcast-branch">
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
                        onChange={(e) => choose(u.id, e.target.checked)}
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
