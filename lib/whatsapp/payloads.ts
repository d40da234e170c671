// Meta Cloud API webhook bodies in the exact shape Meta sends (see the corpus), for the simulator,
// the benchmarks and tests. One function per kind; every id is supplied by the caller.
export type PayloadNumber = { phoneNumberId: string; displayPhoneNumber: string; wabaId: string };
export type PayloadSender = { waId: string; name: string | null };
export type PayloadReferral = {
  sourceUrl: string;
  sourceId: string;
  sourceType: "ad" | "post";
  headline: string;
  body: string;
  mediaType: "image" | "video";
  mediaUrl: string;
  thumbnailUrl?: string;
  ctwaClid?: string;
  welcomeText?: string;
};

/** One `messages` change of one WABA entry, with `value` spread after the metadata. */
export const webhookEnvelope = <V extends Record<string, unknown>>(n: PayloadNumber, value: V) => ({
  object: "whatsapp_business_account",
  entry: [
    {
      id: n.wabaId,
      changes: [
        {
          value: { messaging_product: "whatsapp", metadata: { display_phone_number: n.displayPhoneNumber, phone_number_id: n.phoneNumberId }, ...value },
          field: "messages",
        },
      ],
    },
  ],
});

const unix = (at: Date) => String(Math.floor(at.getTime() / 1000));

export function inboundMessage(
  n: PayloadNumber,
  m: {
    from: PayloadSender;
    wamid: string;
    at: Date;
    text?: string;
    referral?: PayloadReferral;
    type?: "text" | "image" | "location" | "reaction";
    reactTo?: string;
  },
) {
  const type = m.type ?? "text";
  const content =
    type === "text"
      ? { text: { body: m.text ?? "" } }
      : type === "image"
        ? { image: { id: `${m.wamid.length}${m.at.getTime()}`.slice(0, 16), mime_type: "image/jpeg", sha256: "x", caption: m.text ?? "" } }
        : type === "location"
          ? { location: { latitude: 55.7558, longitude: 37.6173, name: "Office", address: "Tverskaya 1, Moscow" } }
          : { reaction: { message_id: m.reactTo ?? "", emoji: "👍" } };
  const referral = m.referral
    ? {
        referral: {
          source_url: m.referral.sourceUrl,
          source_id: m.referral.sourceId,
          source_type: m.referral.sourceType,
          headline: m.referral.headline,
          body: m.referral.body,
          media_type: m.referral.mediaType,
          ...(m.referral.mediaType === "image"
            ? { image_url: m.referral.mediaUrl }
            : { video_url: m.referral.mediaUrl, thumbnail_url: m.referral.thumbnailUrl ?? m.referral.mediaUrl }),
          ...(m.referral.ctwaClid ? { ctwa_clid: m.referral.ctwaClid } : {}),
          ...(m.referral.welcomeText ? { welcome_message: { text: m.referral.welcomeText } } : {}),
        },
      }
    : {};
  return webhookEnvelope(n, {
    contacts: [{ profile: m.from.name ? { name: m.from.name } : {}, wa_id: m.from.waId }],
    messages: [{ from: m.from.waId, id: m.wamid, timestamp: unix(m.at), type, ...content, ...referral }],
  });
}

export function statusUpdates(
  n: PayloadNumber,
  statuses: { wamid: string; recipient: string; status: "sent" | "delivered" | "read" | "failed"; at: Date; error?: { code: number; title: string } }[],
) {
  return webhookEnvelope(n, {
    statuses: statuses.map((s) => ({
      id: s.wamid,
      status: s.status,
      timestamp: unix(s.at),
      recipient_id: s.recipient,
      ...(s.status === "failed" && s.error
        ? { errors: [{ code: s.error.code, title: s.error.title, message: s.error.title, error_data: { details: s.error.title } }] }
        : { pricing: { billable: true, pricing_model: "PMP", category: "utility", type: "regular" } }),
    })),
  });
}

/** A Cloud-API-looking message id. */
export function fakeWamid(seed: string): string {
  return `wamid.${Buffer.from(`sim:${seed}`).toString("base64").replace(/=+$/, "")}`;
}
