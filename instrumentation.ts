// Next.js calls register() once when a server process starts (not during `next build`).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  // first: the sign-in throttle reads the TCP peer address from this header (lib/client-address.ts)
  const { installPeerAddressHeader } = await import("./lib/client-address");
  installPeerAddressHeader();
  const { startConsoleOrExit } = await import("./lib/startup");
  await startConsoleOrExit();
}
