import { formatTime } from "@/shared/lib/format";
import { ErrorState } from "@/shared/ui/states";
import { useAvailability } from "../api/get-availability";

export interface Slot {
  start_time: string;
  end_time: string;
}

/** The free slots of one optometrist at one branch on one day, as a keyboard-friendly radio group. */
export function SlotPicker(props: {
  optometristId?: number;
  branchId?: number;
  date: string;
  duration: number;
  value: Slot | null;
  onChange: (slot: Slot | null) => void;
}) {
  const availability = useAvailability({
    optometrist_id: props.optometristId,
    branch_id: props.branchId,
    date: props.date,
    duration: props.duration,
  });
  if (props.optometristId === undefined || props.branchId === undefined || !props.date)
    return <p className="muted">Choose a branch, an optometrist and a day to see free times.</p>;
  if (availability.isPending) return <p className="muted">Looking for free times…</p>;
  if (availability.isError) return <ErrorState error={availability.error} retry={() => void availability.refetch()} />;
  const slots = availability.data.slots;
  if (slots.length === 0)
    return (
      <p className="state state--empty" data-testid="no-slots">
        No free times left that day: the optometrist is not working there then, is fully booked, or the day is over. Try another day.
      </p>
    );
  const chosen = props.value && slots.some((s) => s.start_time === props.value?.start_time) ? props.value : null;
  return (
    <fieldset className="slots">
      <legend>Free times ({slots.length})</legend>
      <div className="slots__grid">
        {slots.map((slot) => (
          <label key={slot.start_time} className="slot">
            <input
              type="radio"
              name="slot"
              value={slot.start_time}
              checked={chosen?.start_time === slot.start_time}
              onChange={() => props.onChange(slot)}
              data-testid="slot"
            />
            <span>{formatTime(slot.start_time)}</span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
