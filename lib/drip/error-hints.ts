// What a message's error code means, in words a manager can act on. The provider's code and message stay on the row
// verbatim and are shown beside the hint; this is our plain-language reading of the common ones: Meta's Cloud API
// (and the legacy 470 that BSPs still pass through), Gupshup's own codes, Green API's statuses and HTTP answers, and
// the drip's own reasons. Sources: shared/specs/whatsapp-cloud-webhooks.md §12 and other-providers.md.

export type ErrorHint = {
  /** What happened, in a few words: "Outside the 24-hour window" */
  title: string;
  /** What to do about it, one or two sentences */
  action: string;
  /**
   * `stop`: not an error but a reason the message was not sent on purpose (a manager cancelled it, the customer
   * opted out, the lead converted): shown as a neutral note, never as a failure.
   */
  kind: "error" | "stop";
};

const error = (title: string, action: string): ErrorHint => ({ title, action, kind: "error" });
const stop = (title: string, action: string): ErrorHint => ({ title, action, kind: "stop" });

const OUTSIDE_WINDOW = error(
  "Outside the 24-hour window",
  "More than 24 hours have passed since the customer last wrote. Only an approved Meta template can reach them now: bind one to this template, then retry.",
);
const UNDELIVERABLE = error(
  "Not deliverable to this number",
  "The number is not on WhatsApp, uses an old app version, has not accepted WhatsApp's terms, or blocked you. Check the number or reach the customer another way; retrying will not help.",
);
const TOKEN = error(
  "The number's access was refused",
  "The access token or API token has expired, was revoked or lacks a permission. Open the number in Numbers, replace the token and test the connection, then retry.",
);
const META_RATE = error(
  "Sending too fast",
  "Meta's throughput limit was reached. The queue retries by itself with a pause; spread large sends over more time.",
);
const TEMPORARY = error("A temporary provider error", "The provider had a passing problem. Retry in a few minutes; it usually goes through.");

const HINTS: Record<string, ErrorHint> = {
  // Meta Cloud API
  "131047": OUTSIDE_WINDOW,
  "470": OUTSIDE_WINDOW, // the On-Premises code for the same rule; Gupshup passes it through
  "131026": UNDELIVERABLE,
  "131048": error(
    "Spam rate limit",
    "Too many of this number's messages were blocked or reported, so Meta throttles it. Pause marketing sends, check the number's quality rating in WhatsApp Manager and make messages more relevant.",
  ),
  "131049": error(
    "Held back by Meta to keep engagement healthy",
    "Meta limits how many marketing messages one person receives. Do not resend at once: wait a day or more, or send a utility template if the message is not marketing.",
  ),
  "131050": stop("The customer stopped marketing messages", "They turned off your marketing messages in WhatsApp. Only they can turn them back on."),
  "131051": error(
    "Unsupported message type",
    "WhatsApp cannot deliver this kind of message. Change the template's content (plain text works everywhere), then retry.",
  ),
  "131056": error(
    "Too many messages to this person at once",
    "WhatsApp allows about one message every 6 seconds to the same person. The queue retries by itself; space the templates' delays apart.",
  ),
  "130429": META_RATE,
  "131057": error("The number is in maintenance", "Meta is upgrading this number (usually about a minute). Retry shortly."),
  "131042": error("Payment problem", "Meta could not charge the WhatsApp Business Account. Fix the payment method in WhatsApp Manager → Billing, then retry."),
  "131031": error("The business account is locked", "Meta restricted this WhatsApp Business Account. See WhatsApp Manager for the reason and how to appeal."),
  "368": error("Blocked for a policy violation", "Meta temporarily restricted this account for a policy violation. See WhatsApp Manager → Account quality."),
  "132000": error(
    "Template parameters do not match",
    "The number of variables sent differs from the approved Meta template's. Check the variable mapping of the bound template, then retry.",
  ),
  "132001": error(
    "The Meta template does not exist",
    "No approved template with this name exists in this language (or it was deleted). Bind an approved template in Templates, then retry.",
  ),
  "132015": error("The Meta template is paused", "Meta paused the template for low quality. Edit it or bind another approved template, then retry."),
  "132016": error("The Meta template is disabled", "Meta disabled the template after repeated pauses. Create a new template and bind it, then retry."),
  "131052": error("Media could not be downloaded", "WhatsApp could not fetch the file. Check that its link is public and the file type and size are allowed."),
  "131053": error("Media could not be uploaded", "WhatsApp rejected the file. Check its type and size, then retry."),
  "133010": error("The number is not registered", "The phone number is not registered with the Cloud API. Register it in WhatsApp Manager, then retry."),
  "190": TOKEN,
  "10": TOKEN,
  "100": error(
    "Meta refused the request",
    "A parameter was invalid; Meta's details (under Provider response) say which. Check the number and the template, then retry.",
  ),
  "131000": TEMPORARY,
  "1": TEMPORARY,
  "2": TEMPORARY,
  "4": META_RATE,
  "80007": META_RATE,
  // Gupshup
  "1001": error("Sender mismatch (Gupshup)", "The Gupshup app is not linked to this sender. Check the app and source number in Gupshup."),
  "1002": UNDELIVERABLE,
  "1003": error("Gupshup wallet balance is low", "Top up the Gupshup wallet, then retry."),
  "1004": OUTSIDE_WINDOW,
  "1005": OUTSIDE_WINDOW,
  "1006": error("Not opted in (Gupshup)", "Gupshup requires the customer's opt-in for this app. Record the opt-in in Gupshup, then retry."),
  "1007": OUTSIDE_WINDOW,
  "1008": error("Not opted in and outside the window (Gupshup)", "Record the customer's opt-in in Gupshup and send an approved template."),
  "1010": error("Invalid media link (Gupshup)", "The file's link could not be read. Use a public HTTPS link."),
  "1011": error("Media too large (Gupshup)", "The file is larger than WhatsApp allows. Use a smaller file."),
  "1012": stop("The customer opted out (Gupshup)", "Gupshup marks this number as opted out, so it will not send to it."),
  "4001": error("Gupshup rate limit", "Too many requests to Gupshup. The queue retries by itself; spread large sends over more time."),
  "4003": error("No matching template (Gupshup)", "Gupshup found no approved template matching the text. Bind an approved template, then retry."),
  "4005": error("The template is paused (Gupshup)", "Edit the template or bind another approved one, then retry."),
  // Green API
  noAccount: UNDELIVERABLE,
  yellowCard: error(
    "Sending suspended for spam (Green API)",
    "WhatsApp gave the instance a yellow card for spam-like activity. Reboot the instance in the Green API console and slow down sending.",
  ),
  notInGroup: error("Not a member of the group (Green API)", "Add the phone to the group, or send to the person instead."),
  SWE004: error("WhatsApp did not send it (Green API)", "The phone could not send this message. Check that it is online in the Green API console, then retry."),
  http_401: TOKEN,
  http_403: TOKEN,
  http_429: error("Sending too fast", "The provider limited the request rate. The queue retries by itself."),
  http_466: error(
    "Green API plan limit reached",
    "The instance's tariff allows no more chats or messages this month. Upgrade the plan in the Green API console, then retry.",
  ),
  http_400: error("The provider refused the request", "Its answer (beside this, and under Provider response) says why; usually the phone number is not valid."),
  http_500: TEMPORARY,
  http_502: TEMPORARY,
  http_503: TEMPORARY,
  timeout: error("The provider did not answer in time", "The queue retries by itself. If it keeps happening, check the number's connection in Numbers."),
  network: error(
    "The provider could not be reached",
    "This server could not connect to the provider. The queue retries by itself; check outbound internet access if it persists.",
  ),
  bad_response: TEMPORARY,
  // the drip's own reasons
  outside_window: OUTSIDE_WINDOW,
  no_number: error("No number to send from", "Connect a WhatsApp number in Numbers, then re-enroll the lead in Leads."),
  template_inactive: error("The template is inactive", "Activate the template in Templates, then retry."),
  unknown_variables: error("The template uses unknown variables", "Fix the variable names in the template (Templates lists the ones you can use), then retry."),
  too_long: error("The message is too long", "WhatsApp allows 4,096 characters. Shorten the template, then retry."),
  not_configured: TOKEN,
  unsupported: error("Green API cannot send Meta templates", "Send from a Cloud API number, or unbind the Meta template so the text is sent as it is."),
  demo_number: error(
    "A demo number cannot send",
    "Demo numbers only show how the console works. Connect a real WhatsApp number in Numbers and re-enroll the lead.",
  ),
  unsupported_provider: error("This number cannot send drip messages", "Send the drip from a Cloud API or Green API number."),
  send_unconfirmed: error(
    "It may or may not have been sent",
    "The run stopped before the provider answered. Check the chat in Inbox: retry only if the customer did not get it.",
  ),
  // stopped on purpose
  cancelled_by_user: stop("Cancelled by a manager", "Nothing to fix. Queue it again if it was cancelled by mistake."),
  campaign_stopped: stop("The lead's campaign was stopped", "A manager stopped the campaign in Leads. Start it again there to send the rest."),
  opted_out: stop("The customer opted out", "They asked not to be messaged. Nothing is sent until they opt in again (for example by writing START)."),
  blocked: stop("The customer is blocked", "Your team blocked this subscriber; unblock them on their page to message them again."),
  marketing_stopped: stop("The customer stopped marketing messages", "They turned off your marketing messages in WhatsApp. Only they can turn them back on."),
  lead_replied: stop("The lead replied", "This template stops when the lead writes: continue the conversation in Inbox."),
  converted: stop("The lead converted", "A conversion that ends the drip was recorded for them, so the rest of the series was stopped."),
  template_deleted: stop("The template was deleted", "The template this message came from no longer exists."),
  lead_deleted: stop("The lead was deleted", "The lead this message was for no longer exists."),
};

/** Our plain-language reading of an error code (Meta's number, Gupshup's, Green API's word or ours), or null. */
export function errorHint(code: string | number | null | undefined): ErrorHint | null {
  if (code == null) return null;
  const key = String(code).trim();
  return Object.hasOwn(HINTS, key) ? (HINTS[key] ?? null) : null;
}

/** Codes of a manager's own cancellation: shown as a note, and offered "Queue again" rather than Retry. */
export const MANAGER_CANCEL_CODES: readonly string[] = ["cancelled_by_user"];

/** Whether a stopped message was stopped on purpose (a manager, the customer, a rule), not by a failure. */
export function isDeliberateStop(code: string | null | undefined): boolean {
  return errorHint(code)?.kind === "stop";
}
