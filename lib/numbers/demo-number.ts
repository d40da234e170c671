// Demo numbers (written by Load demo data) have no provider connection. Every path that would call Meta or
// Green API through a number asks here first and refuses with this reason, whatever the row holds.

export const DEMO_NUMBER_CODE = "demo_number";

/** Why nothing may go to a provider through this number, or null for a real one. */
export function demoNumberRefusal(number: { demo: boolean; label: string }): string | null {
  if (!number.demo) return null;
  return `${number.label} is a demo number: it has no provider connection, so nothing is sent, checked or fetched through it. Connect a real number for that.`;
}
