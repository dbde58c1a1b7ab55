/** One way a verdict can go: the button's label, the value it posts, its style and its shortcut key. */
export interface VerdictChoice {
  label: string;
  value: string;
  style: 'danger' | 'primary';
  key: string;
}

/** The form an appraiser decides with: a required note and one button per outcome (evidence and complaints alike). */
export function VerdictForm(p: { action: string; field: string; choices: readonly [VerdictChoice, VerdictChoice] }) {
  return (
    <form class="stack panel" method="post" action={p.action}>
      <label>
        Note
        <textarea name="note" required maxlength={2000}></textarea>
      </label>
      <div class="actions">
        {p.choices.map((c) => (
          <button type="submit" name={p.field} value={c.value} class={c.style} data-key={c.key}>
            {c.label}
          </button>
        ))}
      </div>
    </form>
  );
}
