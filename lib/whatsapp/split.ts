// One Meta delivery can carry entries for several Phone Number IDs (and WABA-level changes). Each change
// belongs to the number its metadata names, or (no metadata) to the numbers of its WABA. These helpers
// list the changes and cut a delivery down to the changes one workspace may see.

export type ChangeRef = { entry: number; change: number; phoneNumberId: string | null; wabaId: string | null };

const idOf = (raw: unknown): string | null =>
  typeof raw === "string" && raw.trim() ? raw.trim() : typeof raw === "number" && Number.isFinite(raw) ? String(raw) : null;

/** Every entry[].changes[] of a Meta body, with the Phone Number ID or WABA it is addressed to. A plain walk: it runs before the answer. */
export function changeRefs(json: unknown): ChangeRef[] {
  const entries = (json as { entry?: unknown } | null)?.entry;
  if (!Array.isArray(entries)) return [];
  const refs: ChangeRef[] = [];
  entries.forEach((entry, e) => {
    const changes = (entry as { changes?: unknown } | null)?.changes;
    if (!Array.isArray(changes)) return;
    const wabaId = idOf((entry as { id?: unknown }).id);
    changes.forEach((change, c) => {
      const pnid = idOf((change as { value?: { metadata?: { phone_number_id?: unknown } } } | null)?.value?.metadata?.phone_number_id);
      refs.push({ entry: e, change: c, phoneNumberId: pnid, wabaId });
    });
  });
  return refs;
}

/** The body with only the kept changes (entries left without changes are dropped), as JSON text. */
export function cutDelivery(json: unknown, refs: ChangeRef[], keep: (ref: ChangeRef) => boolean): string {
  const body = json as { entry: { changes: unknown[] }[] };
  const kept = new Map<number, number[]>();
  for (const ref of refs) if (keep(ref)) kept.set(ref.entry, [...(kept.get(ref.entry) ?? []), ref.change]);
  const entry = [...kept].map(([e, changes]) => ({ ...body.entry[e], changes: changes.map((c) => body.entry[e]!.changes[c]) }));
  return JSON.stringify({ ...body, entry });
}
