// What a failed Custom Audience call means for a manager: Graph's message verbatim, a sentence they can act on, and
// whether the sync should try again (and when). Codes per docs/meta-custom-audiences.md; the permission and terms
// codes are [unverified] there, so the hints also match on the words Meta's messages use.
import type { GraphFailure } from "@/lib/graph/client";

export type AudienceErrorExplanation = {
  /** Graph's message verbatim (or the transport failure) */
  message: string;
  /** what to do about it, in plain words; null when there is nothing the manager can do */
  hint: string | null;
  retryable: boolean;
  /** from Retry-After, when Meta sent one */
  retryAfterMs?: number;
};

export const ADS_MANAGEMENT_HINT =
  "The access token needs the ads_management permission on this ad account. In Meta Business Settings, open Users → System users, " +
  'assign the ad account to the system user with "Manage campaigns", then generate a new token for it with the ads_management ' +
  "permission and save it on this audience.";

export const customAudienceTermsUrl = (adAccountId: string) =>
  `https://business.facebook.com/ads/manage/customaudiences/tos/?act=${encodeURIComponent(adAccountId.replace(/^act_/, ""))}`;

const RATE_LIMIT_CODES = new Set([4, 17, 32, 613, 80003, 80004]);
const TEMPORARY_CODES = new Set([1, 2]);
const PERMISSION_CODES = new Set([10, 200, 294]);
const TERMS_CODES = new Set([2655, 2663]);

/** The explanation of a failed audience call; `adAccountId` makes the terms link point at the right account. */
export function explainAudienceError(e: GraphFailure, opts: { adAccountId?: string } = {}): AudienceErrorExplanation {
  const retryAfter = e.retryAfterMs === undefined ? {} : { retryAfterMs: e.retryAfterMs };
  if (e.kind !== "graph") {
    const transient = e.kind === "timeout" || e.kind === "network" || (e.httpStatus ?? 0) >= 500 || e.httpStatus === 429;
    return {
      message: e.message,
      hint: transient ? "Meta's API could not be reached just now; the sync will try again by itself." : null,
      retryable: transient,
      ...retryAfter,
    };
  }
  const message = e.message;
  const code = e.code ?? -1;
  const words = `${message} ${e.details ?? ""}`.toLowerCase();
  const act = opts.adAccountId ?? "";

  if (TERMS_CODES.has(code) || /terms of service|custom audience terms|\btos\b/.test(words)) {
    return {
      message,
      hint: `The Custom Audience terms have not been accepted on this ad account. A person with access to the account must accept them at ${customAudienceTermsUrl(act)}, then sync again.`,
      retryable: false,
    };
  }
  if (code === 190 || e.httpStatus === 401) {
    return {
      message,
      hint: "The access token has expired or was revoked. Generate a new token (a System User token does not expire) with the ads_management permission and save it on this audience.",
      retryable: false,
    };
  }
  if (PERMISSION_CODES.has(code) || words.includes("ads_management")) {
    return { message, hint: ADS_MANAGEMENT_HINT, retryable: false };
  }
  if (code === 80004 || RATE_LIMIT_CODES.has(code) || (code >= 80000 && code <= 80014) || e.httpStatus === 429) {
    return {
      message,
      hint: "Meta is limiting how fast this ad account can be updated; the sync will continue by itself after a pause.",
      retryable: true,
      ...retryAfter,
    };
  }
  if (code === 100 || code === 803) {
    return {
      message,
      hint: "Meta does not know this audience or ad account, or this token cannot see it. Check the ad account id and that the audience was not deleted in Ads Manager; if it was, create the audience again.",
      retryable: false,
    };
  }
  if (TEMPORARY_CODES.has(code) || e.httpStatus >= 500) {
    return { message, hint: "Meta's API had a temporary problem; the sync will try again by itself.", retryable: true, ...retryAfter };
  }
  return { message, hint: null, retryable: false };
}
