// Any /api/v1 path that names no operation: the API's JSON 404 for every method (not Next's HTML page).
import { notFoundEverywhere } from "@/lib/api/serve";

export const dynamic = "force-dynamic";
export const { GET, POST, PUT, PATCH, DELETE, OPTIONS } = notFoundEverywhere();
