// Auth.js v5: email + password credentials, JWT sessions. Roles are checked on the server in
// every page (requireUser), action (lib/action.ts) and route (requireApiPrincipal); the session
// only carries the user id and the user's session version: role, tenant and the version are re-read
// from the database on each check, so signing out or a password change (which bump the version)
// ends every other session of that user at its next request. The active workspace is chosen per
// browser (the ct_workspace cookie) and is only a preference: every request checks it against the
// user's memberships, so a removed membership ends access to that workspace at the next request.
// While an account's password is one an admin chose (users.password_change_required), pages send it
// to /account?required=password, actions other than the account's refuse, and cookie API calls 403.
import { createHmac } from "node:crypto";
import NextAuth, { CredentialsSignin, type DefaultSession } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { cookies, headers } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { z } from "zod";
import { getDb } from "@/db/client";
import { bumpSessionVersion, getSessionUser } from "@/db/queries";
import type { Role } from "@/db/schema";
import { signInSchema } from "./accounts/schemas";
import { signInWithPassword } from "./accounts/sign-in";
import { authenticateApiKey } from "./api-keys";
import { clientAddress } from "./client-address";
import { safeEqual } from "./crypto";
import { requireSameOriginWrite } from "./csrf";
import { getEnv } from "./env";
import { AppError } from "./errors";
import { bearerToken } from "./http";
import { hasRole } from "./roles";
import { safeCallbackPath } from "./safe-redirect";

declare module "next-auth" {
  interface Session {
    user: { id: string } & DefaultSession["user"];
    /** users.session_version when the session was issued (absent on tokens from before it existed: 0) */
    sessionVersion?: number;
  }
  interface User {
    sessionVersion?: number;
  }
}

/** Thrown from authorize() when the email is throttled; `code` carries the wait in seconds. */
class ThrottledSignIn extends CredentialsSignin {
  constructor(seconds: number) {
    super();
    this.code = `throttled:${seconds}`;
  }
}

/**
 * Proof, made on the server only, that this session may move to session version `sv` (after its
 * own password change or "sign out other sessions"). A browser can ask Auth.js to update its token
 * (POST /api/auth/session) with any data it likes, so the jwt callback takes a new version only
 * with this HMAC, which never leaves the server: an ended session cannot revive itself.
 */
function reissueProof(uid: string, sv: number): string {
  return createHmac("sha256", getEnv().AUTH_SECRET).update(`session-reissue:${uid}:${sv}`).digest("base64url");
}

const reissueSchema = z.object({ reissue: z.object({ sv: z.number().int().nonnegative(), proof: z.string().max(100) }) });

export const { handlers, auth, signIn, signOut, unstable_update } = NextAuth(() => ({
  secret: getEnv().AUTH_SECRET,
  trustHost: true, // self-hosted behind any host name; Auth.js otherwise refuses under `next start`
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  pages: { signIn: "/login" },
  logger: { error: (e) => (e instanceof CredentialsSignin ? undefined : console.error("[auth]", e)) },
  providers: [
    Credentials({
      credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
      async authorize(raw, request) {
        const parsed = signInSchema.safeParse(raw);
        if (!parsed.success) return null;
        const address = clientAddress(request.headers, { trustProxy: getEnv().TRUST_PROXY });
        const result = await signInWithPassword(await getDb(), { ...parsed.data, clientAddress: address, now: new Date() });
        if (result.ok) return { id: result.userId, sessionVersion: result.sessionVersion };
        if (result.reason === "throttled") throw new ThrottledSignIn(result.retryAfterSeconds);
        return null;
      },
    }),
  ],
  callbacks: {
    jwt({ token, user, trigger, session }) {
      if (user?.id) {
        token.uid = user.id;
        token.sv = user.sessionVersion ?? 0;
      }
      if (trigger === "update" && typeof token.uid === "string") {
        const asked = reissueSchema.safeParse(session);
        if (asked.success && safeEqual(asked.data.reissue.proof, reissueProof(token.uid, asked.data.reissue.sv))) {
          token.sv = asked.data.reissue.sv;
        }
      }
      return token;
    },
    session({ session, token }) {
      if (typeof token.uid === "string") session.user.id = token.uid;
      session.sessionVersion = typeof token.sv === "number" ? token.sv : 0;
      return session;
    },
    // only paths on this origin after sign-in/out, whatever callbackUrl a link carried
    redirect({ url, baseUrl }) {
      const path = url.startsWith(`${baseUrl}/`) ? url.slice(baseUrl.length) : url;
      return new URL(safeCallbackPath(path, baseUrl), baseUrl).toString();
    },
  },
  events: {
    // signing out ends the user's other sessions too (their tokens carry the old version)
    async signOut(message) {
      const uid = "token" in message ? message.token?.uid : undefined;
      if (typeof uid === "string") await bumpSessionVersion(await getDb(), uid);
    },
  },
}));

export type SessionUser = NonNullable<Awaited<ReturnType<typeof getSessionUser>>>;

/** The browser's chosen workspace (a tenant id). Not a credential: it only picks among the user's memberships. */
export const ACTIVE_WORKSPACE_COOKIE = "ct_workspace";

/** Read from the request's Cookie header (as auth() reads the session), so it works wherever auth() does. */
async function chosenWorkspace(): Promise<string | null> {
  const header = (await headers()).get("cookie") ?? "";
  const value = header
    .split(";")
    .map((part) => part.trim().split("="))
    .find(([name]) => name === ACTIVE_WORKSPACE_COOKIE)?.[1];
  const parsed = z.uuid().safeParse(value);
  return parsed.success ? parsed.data : null;
}

/** Remembers the workspace for this browser; call only after checking the user is a member of it. */
export async function setActiveWorkspace(tenantId: string) {
  (await cookies()).set(ACTIVE_WORKSPACE_COOKIE, tenantId, {
    httpOnly: true,
    sameSite: "lax",
    secure: getEnv().APP_URL.startsWith("https:"),
    path: "/",
    maxAge: 365 * 86_400,
  });
}

/**
 * The signed-in user in the active workspace, read once per request (layout and page share it):
 * the cookie's workspace when they are a member there, otherwise their oldest membership; null
 * when signed out, when the session is over, or when the user belongs to no workspace at all.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const uid = session?.user?.id;
  if (!uid) return null;
  const user = await getSessionUser(await getDb(), { userId: uid, tenantId: await chosenWorkspace() });
  return user && sessionIsCurrent(user, session.sessionVersion) ? user : null;
});

/** A session is over once the user's version moved past the one it was issued with (sign-out, password change). */
export function sessionIsCurrent(user: { sessionVersion: number }, tokenVersion: number | undefined): boolean {
  return (tokenVersion ?? 0) === user.sessionVersion;
}

/** Where a user whose password an admin chose is held until they choose their own. */
export const PASSWORD_CHANGE_PATH = "/account?required=password";

export const passwordChangeRequiredError = () =>
  new AppError("forbidden", "An admin set your password: choose your own on your Account page first", undefined, "password_change_required");

/**
 * For pages: the signed-in user, or a redirect to /login; a role below `role` renders 403. An
 * account whose password an admin set is sent to the Account page (only it passes `allowPasswordChange`).
 */
export async function requireUser(opts: { role?: Role; allowPasswordChange?: boolean } = {}): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  if (user.passwordChangeRequired && !opts.allowPasswordChange) redirect(PASSWORD_CHANGE_PATH);
  if (opts.role && !hasRole(user.role, opts.role)) forbidden();
  return user;
}

/** For actions: like requireUser, but throws AppError (the action wrapper turns it into a result). */
export async function requireActionUser(role: Role, opts: { allowPasswordChange?: boolean } = {}): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw new AppError("unauthorized", "Your session has ended. Sign in again.");
  if (user.passwordChangeRequired && !opts.allowPasswordChange) throw passwordChangeRequiredError();
  if (!hasRole(user.role, role)) throw new AppError("forbidden", `This needs the ${role} role or higher`);
  return user;
}

/**
 * After the user's own password change or "sign out other sessions" bumped their session version:
 * moves THIS browser's session to the new version, so only the other sessions end.
 */
export async function keepThisSession(userId: string, sessionVersion: number): Promise<void> {
  // the change is made either way: if this fails, the browser simply signs in again
  await unstable_update({ reissue: { sv: sessionVersion, proof: reissueProof(userId, sessionVersion) } } as never).catch((e: unknown) =>
    console.error("[auth] could not re-issue the session after its version moved", e),
  );
}

export type ApiPrincipal =
  { kind: "api_key"; tenantId: string; apiKeyId: string; userId: null; role: Role } | { kind: "session"; tenantId: string; userId: string; role: Role };

/** For /api/v1: `Authorization: Bearer <API key>` (acts as admin of its tenant) or a console session. */
export async function requireApiPrincipal(req: Request, opts: { role?: Role } = {}): Promise<ApiPrincipal> {
  const required = opts.role ?? "marketer";
  const token = bearerToken(req.headers.get("authorization"));
  if (token) {
    const key = await authenticateApiKey(await getDb(), { secret: token, now: new Date() });
    return { kind: "api_key", ...key, userId: null, role: "admin" };
  }
  if (req.headers.get("authorization")) throw new AppError("unauthorized", "Use `Authorization: Bearer <API key>`");
  // cookie-authenticated: a write must come from the console's own pages (CSRF), as JSON
  requireSameOriginWrite(req, { appUrl: () => getEnv().APP_URL });
  const user = await currentUser();
  if (!user) throw new AppError("unauthorized", "Send `Authorization: Bearer <API key>` or sign in to the console");
  if (user.passwordChangeRequired) throw passwordChangeRequiredError();
  if (!hasRole(user.role, required)) throw new AppError("forbidden", `This needs the ${required} role or higher`);
  return { kind: "session", tenantId: user.tenantId, userId: user.id, role: user.role };
}
