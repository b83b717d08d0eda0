import http from 'node:http';
import { percentile } from './support.js';

export interface OpenLoopOptions {
  url: string;
  /** called once per request, in order; `port` overrides the url's (spreading load over several processes) */
  next: (i: number) => { path: string; port?: number; method?: string; body?: string; headers?: Record<string, string> };
  rate: number;
  durationSeconds: number;
  maxSockets?: number;
}

export interface OpenLoopResult {
  sent: number;
  achieved: number;
  p50: number;
  p99: number;
  errors: number;
  statuses: Record<string, number>;
}

const TICK_MS = 1;

/**
 * A constant-rate (open-loop) load: request i is due at start + i/rate whatever happened to earlier ones, and
 * its latency counts from when it was due — so a stall shows in the numbers instead of silently lowering the
 * rate (coordinated omission). Requests go out every millisecond, not in one burst per second.
 */
export async function openLoop(o: OpenLoopOptions): Promise<OpenLoopResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.maxSockets ?? 128 });
  const target = new URL(o.url);
  const total = Math.round(o.rate * o.durationSeconds);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let sent = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];

  const fire = (i: number, due: number): Promise<void> =>
    new Promise((resolve) => {
      const r = o.next(i);
      const req = http.request(
        { host: target.hostname, port: r.port ?? target.port, path: r.path, method: r.method ?? 'GET', agent, headers: r.headers },
        (res) => {
          res.resume();
          res.on('end', () => {
            statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
            if ((res.statusCode ?? 500) >= 400) errors++;
            latencies.push(performance.now() - due);
            resolve();
          });
        },
      );
      req.setTimeout(10_000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        errors++;
        latencies.push(performance.now() - due);
        resolve();
      });
      req.end(r.body);
    });

  await new Promise<void>((done) => {
    const timer = setInterval(() => {
      const now = performance.now();
      while (sent < total && started + (sent * 1000) / o.rate <= now) {
        inFlight.push(fire(sent, started + (sent * 1000) / o.rate));
        sent++;
      }
      if (sent >= total) {
        clearInterval(timer);
        done();
      }
    }, TICK_MS);
  });
  await Promise.all(inFlight);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { sent, achieved: sent / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors, statuses };
}
