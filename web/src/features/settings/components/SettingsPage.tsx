import { useState, type FormEvent } from "react";
import { ApiError, errorMessage } from "@/shared/api/client";
import { useUser } from "@/shared/session/session";
import { Field } from "@/shared/ui/Field";
import { PageTitle } from "@/shared/ui/PageTitle";
import { QueryState } from "@/shared/ui/states";
import { FAMILIES, usePreferences, useSavePreferences, type Channel, type Family, type Preferences } from "../api/preferences";
import { deviceSubscribed, pushSupported, subscribeThisDevice, unsubscribeThisDevice } from "@/shared/push/device";
import { Table } from "@/shared/ui/Table";
import { SubmitButton } from "@/shared/ui/controls";

const LABELS: Record<Family, string> = {
  appointment: "Appointments",
  reminder: "Appointment reminders",
  order: "Glasses orders",
  prescription: "Prescriptions",
  notification: "Announcements and alerts",
  schedule: "Schedules",
  inventory: "Stock alerts",
};
const CUSTOMER_FAMILIES: Family[] = ["appointment", "reminder", "order", "prescription", "notification"];

function DeviceButton() {
  const [subscribed, setSubscribed] = useState(deviceSubscribed);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (!pushSupported()) return <p className="muted small">This browser cannot receive notifications from OMS.</p>;
  const toggle = async () => {
    setBusy(true);
    setProblem(null);
    try {
      if (subscribed) await unsubscribeThisDevice();
      else await subscribeThisDevice();
      setSubscribed(!subscribed);
    } catch (error) {
      setProblem(errorMessage(error));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div>
      <button type="button" className="btn" onClick={() => void toggle()} disabled={busy} data-testid="push-device">
        {subscribed ? "Stop notifications on this device" : "Notify me on this device"}
      </button>
      {problem && <p className="form-error" role="alert">{problem}</p>}
    </div>
  );
}

function PreferencesForm({ saved }: { saved: Preferences }) {
  const user = useUser();
  const save = useSavePreferences();
  const [channels, setChannels] = useState(saved.channels);
  const [quietOn, setQuietOn] = useState(saved.quiet_hours !== null);
  const [start, setStart] = useState(saved.quiet_hours?.start ?? "21:00");
  const [end, setEnd] = useState(saved.quiet_hours?.end ?? "07:00");
  const [timezone, setTimezone] = useState(saved.quiet_hours?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone);
  // "Saved." stands while the form still shows what was saved; any change takes it away.
  const shown = JSON.stringify([channels, quietOn, start, end, timezone]);
  const [savedAs, setSavedAs] = useState<string | null>(null);
  const done = savedAs === shown;
  const errors = save.error instanceof ApiError ? save.error.fieldErrors : {};
  const families = user.role === "customer" ? CUSTOMER_FAMILIES : [...FAMILIES];

  const flip = (family: Family, channel: Channel) =>
    setChannels((current) => ({ ...current, [family]: { ...current[family], [channel]: !current[family][channel] } }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    save.mutate(
      { channels, quiet_hours: quietOn ? { start, end, timezone } : null },
      { onSuccess: () => setSavedAs(shown) },
    );
  };

  return (
    <form onSubmit={submit} className="card" aria-label="Notification preferences">
      <h2>How we reach you when you are not in OMS</h2>
      <p className="muted small">You always see everything here in OMS. Email and push are sent only for what you have not read within a minute; urgent alerts at once.</p>
      <Table columns={["What", "Email", "Push"]} testId="preferences-table">
            {families.map((family) => (
              <tr key={family}>
                <th scope="row">{LABELS[family]}</th>
                {(["email", "push"] as const).map((channel) => (
                  <td key={channel}>
                    <input
                      type="checkbox"
                      aria-label={`${LABELS[family]} by ${channel}`}
                      data-testid={`pref-${family}-${channel}`}
                      checked={channels[family][channel]}
                      onChange={() => flip(family, channel)}
                    />
                  </td>
                ))}
              </tr>
            ))}
      </Table>
      <h2>Quiet hours</h2>
      <label className="choice">
        <input type="checkbox" checked={quietOn} onChange={(e) => setQuietOn(e.target.checked)} data-testid="quiet-on" /> Hold everything but urgent alerts during these hours
      </label>
      {quietOn && (
        <div className="grid-2">
          <Field label="From" error={errors["quiet_hours.start"]}>
            <input type="time" value={start} onChange={(e) => setStart(e.target.value)} data-testid="quiet-start" required />
          </Field>
          <Field label="Until" error={errors["quiet_hours.end"]}>
            <input type="time" value={end} onChange={(e) => setEnd(e.target.value)} data-testid="quiet-end" required />
          </Field>
          <Field label="Time zone" error={errors["quiet_hours.timezone"]}>
            <input value={timezone} onChange={(e) => setTimezone(e.target.value)} data-testid="quiet-timezone" required />
          </Field>
        </div>
      )}
      {save.isError && !Object.keys(errors).length && <p className="form-error" role="alert">{errorMessage(save.error)}</p>}
      <div className="row">
        <SubmitButton pending={save.isPending} busy="Saving…" testId="preferences-save">
          Save
        </SubmitButton>
        {done && <span className="form-ok" role="status" data-testid="preferences-saved">Saved.</span>}
      </div>
    </form>
  );
}

export function SettingsPage() {
  const preferences = usePreferences();
  return (
    <section>
      <PageTitle title="Settings" />
      <div className="card">
        <h2>This device</h2>
        <DeviceButton />
      </div>
      <QueryState query={preferences} loading="Reading your preferences…">
        {(saved) => <PreferencesForm saved={saved} />}
      </QueryState>
    </section>
  );
}
