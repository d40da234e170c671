// /api/v1/conversions/whatsapp: report a conversion (seeds/002 SendWhatsAppConversionRequest) to Meta's Conversions API for Business Messaging: 202 queued, 200 for a repeated eventId. Declared, handled and documented in lib/openapi/operations-conversions.ts.
import { serveAt } from "@/lib/api/route";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = serveAt("/api/v1/conversions/whatsapp");
