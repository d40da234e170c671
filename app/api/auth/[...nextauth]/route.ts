// GET/POST /api/auth/* – Auth.js (sign-in, session, sign-out)
import { handlers } from "@/lib/auth";

export const { GET, POST } = handlers;
