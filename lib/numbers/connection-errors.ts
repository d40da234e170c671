// What a failed connection check means, in words a manager can act on. The provider's error is
// stored and shown verbatim; the hint is our plain-language reading of the common codes.
import type { GraphError, GraphFailure, TransportError } from "@/lib/graph/client";

export type ConnectionError =
  | (Omit<GraphError, "raw"> & { hint: string | null }) // Graph's whole error object is not kept (check-connection.ts)
  | (TransportError & { hint: string | null })
  | { kind: "mismatch"; message: string; hint: string; expected: string; actual: string }
  | { kind: "green_state"; message: string; hint: string; state: string }
  | { kind: "provider_http"; httpStatus: number; message: string; hint: string }
  | { kind: "refused"; message: string; hint: string }
  | { kind: "not_configured"; message: string; hint: string | null }
  /** Written by a WABA account_update webhook (lib/whatsapp/ingest-account.ts); `details` is Meta's change value verbatim */
  | { kind: "account_update"; event: string; message: string; hint: string; details: Record<string, unknown> };

export function graphErrorHint(error: GraphFailure): string | null {
  if (error.kind === "timeout") return "Meta did not answer in time. Check that this server can reach the Graph API, then test again.";
  if (error.kind === "network") return "The Graph API could not be reached from this server (DNS, firewall or proxy). Check outbound HTTPS access.";
  if (error.kind !== "graph") return "The Graph API answered in an unexpected way. Check GRAPH_API_BASE and try again.";
  const code = error.code;
  if (code === 190 || code === 102 || code === 463 || code === 467) {
    return "The access token has expired or was revoked. Create a permanent System User token (Business Settings → Users → System users) with whatsapp_business_messaging and whatsapp_business_management, then replace it here.";
  }
  if (code === 100 || code === 33) {
    return "Meta does not recognise this Phone Number ID, or the token has no access to it. Copy the ID from WhatsApp → API Setup and make sure the system user is assigned to this WhatsApp account.";
  }
  if (code === 10 || (code !== null && code >= 200 && code <= 299)) {
    return "The token lacks a permission. Give the system user whatsapp_business_management and whatsapp_business_messaging for this WhatsApp account and generate a new token.";
  }
  if (code === 4 || code === 17 || code === 32 || code === 613 || code === 80007 || code === 130429) {
    return "Meta's rate limit was reached. Wait a few minutes and test again.";
  }
  if (code === 1 || code === 2 || code === 131000 || error.httpStatus >= 500) {
    return "Meta reported a temporary error. Test again in a minute.";
  }
  if (code === 368) return "Meta has restricted this account for a policy violation. See the WhatsApp Manager for details.";
  return null;
}

const GREEN_STATE_HINTS: Record<string, string> = {
  notAuthorized: "The instance is not logged in. Open the Green API console and scan the QR code with the phone.",
  blocked: "WhatsApp has banned this account. It cannot send until the ban is lifted.",
  sleepMode: "The phone is off or offline. Turn it on and make sure it has internet access.",
  starting: "The instance is starting (this can take up to 5 minutes). Test again shortly; reboot it in the Green API console if it stays like this.",
  yellowCard: "Sending is suspended for spam-like activity. Messages are kept for 24 hours; reboot the instance in the Green API console to continue.",
};

export function greenStateError(answered: string): ConnectionError {
  const state = answered.length > 100 ? `${answered.slice(0, 99)}…` : answered;
  return {
    kind: "green_state",
    state,
    message: `Green API instance state is "${state}", not "authorized"`,
    hint: GREEN_STATE_HINTS[state] ?? "The instance is not ready to send. Check it in the Green API console.",
  };
}

/** One line for lists: "Graph error 190: Error validating access token…" */
export function describeConnectionError(error: ConnectionError): string {
  if (error.kind === "graph") return `Graph error ${error.code ?? error.httpStatus}: ${error.message}`;
  return error.message;
}
