import { ApiKeyRepository, PrismaService } from '@app/store';

export async function createApiKeyIn(prisma: PrismaService, suiteId: string | null): Promise<string> {
  const { key } = await new ApiKeyRepository(prisma).create('faults', suiteId ? [`suite:${suiteId}`] : ['admin']);
  return key;
}

export interface ProbeReport {
  served: number;
  /**
   * served already expired by its own `expires_at`, or refused by WeCom as expired/invalid without an early revocation
   * to explain it. (A token near its end is served with its true expires_at: WeCom hands out no other before it.)
   */
  stale: number;
  /** refused because WeCom revoked every token early; the probe reports them as a service would and gets a new one */
  revokedEarly: number;
  /** the token API answered 5xx (WeCom unavailable and nothing fresh cached) */
  unavailable: number;
  distinctTokens: number;
  /** how often each token API error code came back (5xx), and each reason a served token counted as stale */
  reasons: Record<string, number>;
}

/**
 * Plays a vendor service: asks the token API for each corp's token every 200 ms, uses it against WeCom (the
 * simulator's agent/get, outside the injected faults) and reports a refused token through the invalidate route.
 */
export class TokenProbe {
  private invalidatedAt = Infinity;
  private readonly firstSeen = new Map<string, number>();

  constructor(
    private readonly authUrl: string,
    private readonly simUrl: string,
    private readonly suiteId: string,
    private readonly key: string,
    private readonly corps: { corpId: string; agentId: number | null }[],
  ) {}

  markInvalidation(): void {
    this.invalidatedAt = Date.now();
  }

  async run(durationMs: number): Promise<ProbeReport> {
    const report: ProbeReport = { served: 0, stale: 0, revokedEarly: 0, unavailable: 0, distinctTokens: 0, reasons: {} };
    const end = Date.now() + durationMs;
    while (Date.now() < end) {
      await Promise.all(this.corps.map((corp) => this.probe(corp, report)));
      await new Promise((r) => setTimeout(r, 200));
    }
    report.distinctTokens = this.firstSeen.size;
    return report;
  }

  private async probe(corp: { corpId: string; agentId: number | null }, report: ProbeReport): Promise<void> {
    const base = `${this.authUrl}/api/v1/suites/${this.suiteId}/corps/${corp.corpId}/access-token`;
    const headers = { authorization: `Bearer ${this.key}` };
    const res = await fetch(base, { headers });
    if (res.status >= 500) {
      const error = ((await res.json().catch(() => ({}))) as { code?: string }).code ?? String(res.status);
      report.unavailable++;
      count(report, `unavailable ${error}`);
      return;
    }
    const body = (await res.json()) as { access_token: string; expires_at: string };
    const servedAt = Date.now();
    report.served++;
    if (!this.firstSeen.has(body.access_token)) this.firstSeen.set(body.access_token, servedAt);
    if (new Date(body.expires_at).getTime() <= servedAt) {
      report.stale++;
      count(report, 'stale: served past its expires_at');
    }
    const check = (await (await fetch(`${this.simUrl}/cgi-bin/agent/get?access_token=${body.access_token}&agentid=${corp.agentId}`)).json()) as { errcode: number };
    if (check.errcode === 0) return;
    if (this.firstSeen.get(body.access_token)! < this.invalidatedAt + 1000 && Date.now() >= this.invalidatedAt) report.revokedEarly++;
    else {
      report.stale++;
      const since = this.firstSeen.get(body.access_token)! - this.invalidatedAt;
      count(report, `stale: WeCom errcode ${check.errcode}, first seen ${Number.isFinite(since) ? `${Math.round(since / 1000)} s after` : 'before'} the revocation`);
    }
    await fetch(`${base}/invalidate`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ access_token: body.access_token }) });
  }
}

function count(report: ProbeReport, reason: string): void {
  report.reasons[reason] = (report.reasons[reason] ?? 0) + 1;
}
