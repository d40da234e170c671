// A constant-arrival-rate load generator (open loop, as wrk2 or k6's constant-arrival-rate): request i is
// due at start + i / rate, whatever happened to the earlier ones, over at most `connections` keep-alive
// sockets. Latency is counted from the moment a request was due, so a server that falls behind shows it
// (no coordinated omission). autocannon's `overallRate` is not this: each connection's per-second quota
// resets every second, so the whole second's quota leaves in a burst at its start and the latencies it
// reports are the queueing inside that burst.
import http from "node:http";

export type ConstantRateOptions = {
  url: string;
  /** the same path for every request, or request i's own */
  path: string | ((i: number) => string);
  method?: string;
  /** requests per second */
  rate: number;
  connections: number;
  /** run for this long, or until `amount` requests were sent */
  seconds?: number;
  amount?: number;
  request: (i: number) => { body: string; headers: Record<string, string> };
  onResponse?: (status: number, body: string, i: number) => void;
};

export type ConstantRateResult = {
  sent: number;
  completed: number;
  errors: number;
  non2xx: number;
  /** completed requests per second over the run (first due time to last answer) */
  achievedRate: number;
  /** ms from the due time to the whole answer, sorted ascending */
  latencies: number[];
};

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

export async function constantRate(opts: ConstantRateOptions): Promise<ConstantRateResult> {
  const targetOf = (i: number) => new URL(typeof opts.path === "string" ? opts.path : opts.path(i), opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const total = opts.amount ?? Math.round(opts.rate * (opts.seconds ?? 10));
  const interval = 1000 / opts.rate;
  const latencies: number[] = [];
  let sent = 0;
  let completed = 0;
  let errors = 0;
  let non2xx = 0;
  let lastAnswer = 0;
  const start = performance.now();

  const fire = (i: number, due: number) =>
    new Promise<void>((resolve) => {
      const { body, headers } = opts.request(i);
      const req = http.request(
        targetOf(i),
        { method: opts.method ?? "POST", agent, headers: { ...headers, "content-length": Buffer.byteLength(body) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            lastAnswer = performance.now();
            latencies.push(lastAnswer - due);
            completed++;
            const status = res.statusCode ?? 0;
            if (status < 200 || status >= 300) non2xx++;
            opts.onResponse?.(status, Buffer.concat(chunks).toString("utf8"), i);
            resolve();
          });
        },
      );
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(body);
    });

  const inFlight: Promise<void>[] = [];
  await new Promise<void>((done) => {
    const tick = () => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        inFlight.push(fire(sent, start + sent * interval));
        sent++;
      }
      if (sent >= total) return done();
      setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  await Promise.all(inFlight);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { sent, completed, errors, non2xx, achievedRate: (completed / (lastAnswer - start)) * 1000, latencies };
}
