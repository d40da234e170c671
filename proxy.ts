// Next.js 16 proxy (formerly middleware): gives every page request a fresh CSP nonce. Not an auth
// boundary: pages, actions and routes authorise themselves (lib/auth.ts).
import { type NextRequest, NextResponse } from "next/server";
import { getEnv } from "@/lib/env";
import { newNonce, pageContentSecurityPolicy } from "@/lib/security-headers";

export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const policy = pageContentSecurityPolicy({ nonce, dev: getEnv().NODE_ENV === "development" });
  // Next.js reads the nonce from the request's policy and puts it on its own inline and bundle scripts
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("content-security-policy", policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set("Content-Security-Policy", policy);
  return response;
}

export const config = {
  matcher: [
    {
      // pages only: API routes get a static policy (next.config.ts), static files need none
      source: "/((?!api/|_next/static|_next/image|favicon.ico).*)",
      missing: [
        { type: "header", key: "next-router-prefetch" },
        { type: "header", key: "purpose", value: "prefetch" },
      ],
    },
  ],
};
