// Next.js calls register() once when a server process starts (not during `next build`); the self-hosted
// server (server.mjs) calls it itself before it listens, and Next's own call then finds it done.
const g = globalThis as unknown as { __clicktrailRegistered?: Promise<void> };

export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  g.__clicktrailRegistered ??= (async () => {
    // first: the sign-in throttle reads the TCP peer address from this header (lib/client-address.ts)
    const { installPeerAddressHeader } = await import("./lib/client-address");
    installPeerAddressHeader();
    const { startConsoleOrExit } = await import("./lib/startup");
    await startConsoleOrExit();
    // server.mjs answers webhooks with this before Next's pipeline (lib/webhook-server.ts)
    const [{ publishWebhookFastPath }, { getDb }] = await Promise.all([import("./lib/webhook-server"), import("./db/client")]);
    publishWebhookFastPath(getDb);
  })();
  await g.__clicktrailRegistered;
}
