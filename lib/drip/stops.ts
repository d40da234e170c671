// Why the drip stopped listening to a lead: the reasons written on the rows it cancels (error_code and the
// words the queue monitor and GET /api/v1/queue show), and the quiet hours' note on a row it moved.

/** An inbound message from the lead (not history, a system notice or a reaction): series with stop_on_reply end. */
export const LEAD_REPLIED = { code: "lead_replied", message: "The lead replied, so this series stopped (the template stops when the lead replies)" } as const;

/** A conversion of one of the workspace's stop events (tenants.drip_stop_events) was recorded for the lead. */
export const CONVERTED_CODE = "converted";
export const convertedReason = (eventName: string) => ({
  code: CONVERTED_CODE,
  message: `A ${eventName} conversion was recorded for the lead, so the drip stopped`,
});
