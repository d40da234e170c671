// Next.js calls register() once when a server process starts (not during `next build`).
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs" || process.env.NEXT_PHASE === "phase-production-build") return;
  const { startConsole } = await import("./lib/startup");
  try {
    await startConsole();
  } catch (e) {
    console.error(`\n[clicktrail] cannot start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  }
}
