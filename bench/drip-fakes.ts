// The fake Cloud API and Green API of `npm run bench:drip`, in a process of their own (forked by bench/drip.ts):
// a provider is another machine, so its work is not counted against the dispatcher's event loop. Each send is
// folded into per-number, per-second counts at arrival; the parent asks for them over IPC.
import { startFakeGraph } from "../e2e/fakes/fake-graph";
import { startFakeGreenApi } from "../e2e/fakes/fake-green-api";
import { serveCloudMessages, serveGreenSendMessage } from "../e2e/fakes/fake-senders";

export type FakesStart = { type: "start"; cloud: Record<string, string>; green: Record<string, string>; delayMs: number };
export type FakesReport = {
  type: "report";
  /** sender → [second, sends][] */
  perSecond: [string, [number, number][]][];
  sends: number;
  /** sends to a recipient that had one already */
  duplicates: number;
  firstAt: number;
  lastAt: number;
};

const send = (m: unknown) => process.send?.(m);

process.on("message", async (m: { type: string } & Partial<FakesStart>) => {
  if (m.type !== "start") return;
  const graph = await startFakeGraph();
  const green = await startFakeGreenApi();
  const answer = { delayMs: m.delayMs ?? 0 };
  const cloud = serveCloudMessages(graph, m.cloud ?? {}, answer);
  const greenSends = serveGreenSendMessage(green, m.green ?? {}, answer);
  const perSecond = new Map<string, Map<number, number>>();
  const recipients = new Set<string>();
  let sends = 0;
  let duplicates = 0;
  let firstAt = Infinity;
  let lastAt = 0;
  const fold = () => {
    graph.requests.length = 0;
    green.requests.length = 0;
    for (const s of [...cloud.sends.splice(0), ...greenSends.sends.splice(0)]) {
      sends++;
      const to = String(s.body.to ?? s.body.chatId).replace(/\D/g, "");
      if (recipients.has(to)) duplicates++;
      else recipients.add(to);
      const second = Math.floor(s.at / 1000);
      const counts = perSecond.get(s.sender) ?? new Map<number, number>();
      perSecond.set(s.sender, counts);
      counts.set(second, (counts.get(second) ?? 0) + 1);
      firstAt = Math.min(firstAt, s.at);
      lastAt = Math.max(lastAt, s.at);
    }
  };
  const timer = setInterval(fold, 1_000);
  process.on("message", async (n: { type: string }) => {
    if (n.type === "report") {
      fold();
      const report: FakesReport = {
        type: "report",
        perSecond: [...perSecond].map(([sender, counts]) => [sender, [...counts]]),
        sends,
        duplicates,
        firstAt,
        lastAt,
      };
      send(report);
    } else if (n.type === "close") {
      clearInterval(timer);
      await graph.close();
      await green.close();
      process.exit(0);
    }
  });
  send({ type: "ready", graphUrl: graph.url, greenUrl: green.url });
});
