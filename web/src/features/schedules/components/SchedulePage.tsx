import { useState } from "react";
import { ApiError, errorMessage } from "@/shared/api/client";
import { useBranches, useUsers } from "@/shared/api/reference";
import { formatTime } from "@/shared/lib/format";
import { useUser } from "@/shared/session/session";
import { announce } from "@/shared/ui/Announcer";
import { PageTitle } from "@/shared/ui/PageTitle";
import { Empty, QueryState } from "@/shared/ui/states";
import { useSaveSchedule, useSchedule, type ScheduleRow, type ScheduleRowInput } from "../api/schedule";
import { Table } from "@/shared/ui/Table";
import { SubmitButton, NamedOptions } from "@/shared/ui/controls";

export const DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

const toInput = (row: ScheduleRow): ScheduleRowInput => ({
  branch_id: row.branch.id,
  day_of_week: row.day_of_week,
  start_time: row.start_time,
  end_time: row.end_time,
  is_active: row.is_active,
});

/**
 * An optometrist's week: where and when they work. Admins edit it (saving tells the optometrist
 * and the branch's staff, and open booking forms refresh their free times); the optometrist and
 * the branch's staff see it.
 */
export function SchedulePage() {
  const user = useUser();
  const isAdmin = user.role === "admin";
  const optometrists = useUsers({ role: "optometrist" }, user.role !== "optometrist");
  const [chosen, setChosen] = useState<number | undefined>(user.role === "optometrist" ? user.id : undefined);
  const optometristId = chosen ?? optometrists.data?.[0]?.id;
  const week = useSchedule(optometristId);
  return (
    <section>
      <PageTitle title={user.role === "optometrist" ? "Your schedule" : "Schedules"}>
        {user.role !== "optometrist" && (
          <label className="inline-field">
            Optometrist
            <select value={optometristId ?? ""} onChange={(e) => setChosen(Number(e.target.value))} data-testid="schedule-optometrist">
              <NamedOptions items={optometrists.data} />
            </select>
          </label>
        )}
      </PageTitle>
      {optometristId === undefined ? (
        <QueryState query={optometrists}>{() => <Empty title="No optometrist to show." />}</QueryState>
      ) : (
        <QueryState query={week} loading="Loading the schedule…">
          {(data) => (isAdmin ? <ScheduleEditor key={data.optometrist.id} optometristId={data.optometrist.id} rows={data.rows} /> : <ScheduleView rows={data.rows} />)}
        </QueryState>
      )}
    </section>
  );
}

function sorted<T extends { day_of_week: number }>(rows: T[]): T[] {
  return [...rows].sort((a, b) => a.day_of_week - b.day_of_week);
}

/** The week a day at a time: an optometrist who works at two branches on a Monday reads both
 * under one "Monday", in the order of the day, then of the branches' opening (switched-off rows
 * last). */
function ScheduleView({ rows }: { rows: ScheduleRow[] }) {
  if (rows.length === 0) return <Empty title="No working hours yet." />;
  const days = DAYS.map((name, day) => ({ name, rows: ofDay(rows, day) })).filter((day) => day.rows.length > 0);
  return (
    <ul className="appts" data-testid="schedule-view">
      {days.map((day) => (
        <li key={day.name} className="appt schedule-line" data-testid="schedule-day">
          <div className="appt__when">
            <strong>{day.name}</strong>
          </div>
          <div className="appt__what">
            {day.rows.map((row) => (
              <div key={row.branch.id} data-testid="schedule-row" className={row.is_active ? undefined : "muted"}>
                {row.is_active ? (
                  <>
                    <span className="nowrap">{`${formatTime(row.start_time)}–${formatTime(row.end_time)}`}</span> at {row.branch.name}
                  </>
                ) : (
                  `Not working at ${row.branch.name}`
                )}
              </div>
            ))}
          </div>
        </li>
      ))}
    </ul>
  );
}

function ofDay(rows: ScheduleRow[], day: number): ScheduleRow[] {
  return rows
    .filter((row) => row.day_of_week === day)
    .sort((a, b) => Number(b.is_active) - Number(a.is_active) || a.start_time.localeCompare(b.start_time) || a.branch.id - b.branch.id);
}

function ScheduleEditor({ optometristId, rows }: { optometristId: number; rows: ScheduleRow[] }) {
  const branches = useBranches();
  const save = useSaveSchedule();
  const [draft, setDraft] = useState<ScheduleRowInput[]>(() => sorted(rows.map(toInput)));
  // A schedule saved elsewhere (another admin) replaces the draft (adjusted while rendering, as
  // React advises for state that follows a prop, rather than one render later in an effect).
  const [draftOf, setDraftOf] = useState(rows);
  if (draftOf !== rows) {
    setDraftOf(rows);
    setDraft(sorted(rows.map(toInput)));
  }
  const fields = save.error instanceof ApiError ? save.error.fieldErrors : {};
  const change = (index: number, patch: Partial<ScheduleRowInput>) =>
    setDraft((old) => old.map((row, i) => (i === index ? { ...row, ...patch } : row)));
  const firstBranch = branches.data?.[0]?.id;
  return (
    <form
      className="card stack"
      onSubmit={(event) => {
        event.preventDefault();
        if (save.isPending) return;
        save.mutate({ optometristId, rows: draft }, { onSuccess: () => announce("Schedule saved.") });
      }}
      data-testid="schedule-form"
    >
      <Table columns={["Day", "Branch", "From", "To", "Working", { label: <span className="sr-only">Remove</span> }]} className="table--compact schedule-table" region="Working hours">
            {draft.map((row, index) => {
              // Two rows of one day (two branches) are told apart by their branch.
              const where = `${DAYS[row.day_of_week]} at ${branches.data?.find((b) => b.id === row.branch_id)?.name ?? "a branch"}`;
              return (
                <tr key={index} data-testid="schedule-edit-row">
                  <td>
                    <select aria-label={`Day of row ${index + 1}`} value={row.day_of_week} onChange={(e) => change(index, { day_of_week: Number(e.target.value) })} data-testid="schedule-day">
                      {DAYS.map((day, i) => (
                        <option key={day} value={i}>{day}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <select aria-label={`Branch of row ${index + 1}`} value={row.branch_id} onChange={(e) => change(index, { branch_id: Number(e.target.value) })} data-testid="schedule-branch">
                      <NamedOptions items={branches.data} />
                    </select>
                  </td>
                  <td>
                    <input type="time" aria-label={`From, ${where}`} value={row.start_time} onChange={(e) => change(index, { start_time: e.target.value })} data-testid="schedule-start" />
                  </td>
                  <td>
                    <input type="time" aria-label={`To, ${where}`} value={row.end_time} onChange={(e) => change(index, { end_time: e.target.value })} data-testid="schedule-end" />
                    {fields[`rows.${index}.end_time`] && <div className="field__error">{fields[`rows.${index}.end_time`]}</div>}
                  </td>
                  <td>
                    <input type="checkbox" aria-label={`Working on ${where}`} checked={row.is_active} onChange={(e) => change(index, { is_active: e.target.checked })} />
                  </td>
                  <td>
                    <button type="button" className="btn btn--small" onClick={() => setDraft((old) => old.filter((_, i) => i !== index))} aria-label={`Remove ${where}`}>
                      Remove
                    </button>
                  </td>
                </tr>
              );
            })}
      </Table>
      {save.isError && <p className="form-error" role="alert">{errorMessage(save.error)}</p>}
      <div className="row">
        <button
          type="button"
          className="btn"
          disabled={firstBranch === undefined}
          onClick={() =>
            setDraft((old) => [...old, { branch_id: firstBranch ?? 0, day_of_week: 0, start_time: "09:00", end_time: "17:00", is_active: true }])
          }
          data-testid="schedule-add"
        >
          Add a working day
        </button>
        <SubmitButton pending={save.isPending} busy="Saving…" testId="schedule-save">
          Save schedule
        </SubmitButton>
      </div>
    </form>
  );
}
