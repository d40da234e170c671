// Green API, played on loopback: instances with their token and state.
import { type FakeServer, startFakeServer } from "./http-fake";

export type FakeGreenInstance = { id: string; token: string; state: string; delayMs?: number };
export type FakeGreenApi = FakeServer & { addInstance(i: FakeGreenInstance): void };

export async function startFakeGreenApi(opts: { port?: number } = {}): Promise<FakeGreenApi> {
  const server = await startFakeServer(opts);
  const instances = new Map<string, FakeGreenInstance>();
  server.on("GET", /^\/waInstance(\d+)\/getStateInstance\/([^/]+)$/, (_req, match) => {
    const instance = instances.get(match[1]!);
    // Green API answers 401 for an unknown instance or a wrong token
    if (!instance || instance.token !== match[2]) return { status: 401, text: "Unauthorized" };
    return { json: { stateInstance: instance.state }, delayMs: instance.delayMs };
  });
  return { ...server, addInstance: (i) => void instances.set(i.id, i) };
}
