// GET /api/v1/subscribers/export – the filtered list (same parameters as GET /api/v1/subscribers) as a
// streamed CSV download: constant memory for any size, one keyset page of 1,000 rows at a time.
import { getDb } from "@/db/client";
import { requireApiPrincipal } from "@/lib/auth";
import { searchParamsObject, withApiErrors } from "@/lib/http";
import { exportSubscribersCsv } from "@/lib/subscribers/export";
import { subscriberFiltersSchema } from "@/lib/subscribers/list-filters";

export const dynamic = "force-dynamic";

export const GET = withApiErrors(async (req: Request) => {
  const { tenantId } = await requireApiPrincipal(req, { role: "marketer" });
  const filters = subscriberFiltersSchema.parse(searchParamsObject(new URL(req.url).searchParams));
  const db = await getDb();
  const rows = exportSubscribersCsv(db, { tenantId, filters, now: new Date() });
  // the search is checked and the first query answers before the 200: a failure there is a JSON error, never a broken file
  const first = await rows.next();
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) controller.close();
      else controller.enqueue(encoder.encode(first.value));
    },
    async pull(controller) {
      try {
        const next = await rows.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      } catch (e) {
        controller.error(e);
      }
    },
    async cancel() {
      await rows.return(undefined);
    },
  });
  const stamp = new Date().toISOString().slice(0, 10);
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="subscribers-${stamp}.csv"`,
      "cache-control": "no-store",
    },
  });
});
