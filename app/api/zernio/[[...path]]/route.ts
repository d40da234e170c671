// ANY /api/zernio/** – every other Zernio API path: 404 in the Zernio SDK's flat error shape, naming the calls Clicktrail answers (no auth)
import { zernioRouteNotFound } from "@/lib/zernio/errors";

export const dynamic = "force-dynamic";

const notFound = async (req: Request) => zernioRouteNotFound(req);

export { notFound as GET, notFound as HEAD, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE, notFound as OPTIONS };
