import { TOKEN_KINDS, TokenKind } from './token-store.js';
import { CallSubject } from './rate-limiter.js';
import { CorpCallLog } from './corp-call-log.js';

export interface CallCounts {
  total: number;
  by_path: Record<string, number>;
  by_suite: Record<string, Record<string, number>>;
  by_corp: Record<string, Record<string, number>>;
  tokens_issued: Record<TokenKind, number>;
}

function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/** Counts WeCom API calls per path (and per suite / corp once the caller is known) and tokens minted. */
export class CallCounter {
  private total = 0;
  private readonly byPath = new Map<string, number>();
  private readonly bySuite = new Map<string, Map<string, number>>();
  private readonly byCorp = new Map<string, Map<string, number>>();
  private readonly issued = new Map<TokenKind, number>();
  /** when each call attributed to a corp arrived (`GET /sim/calls/corps/:corpId`) */
  readonly corpLog = new CorpCallLog();

  call(path: string): void {
    this.total++;
    bump(this.byPath, path);
  }

  attribute(path: string, subject: CallSubject): void {
    if (subject.suiteId !== undefined) this.nested(this.bySuite, subject.suiteId, path);
    if (subject.corpId !== undefined) {
      this.nested(this.byCorp, subject.corpId, path);
      this.corpLog.record(subject.corpId, path);
    }
  }

  tokenIssued(kind: TokenKind): void {
    bump(this.issued, kind);
  }

  pathCount(path: string): number {
    return this.byPath.get(path) ?? 0;
  }

  issuedCount(kind: TokenKind): number {
    return this.issued.get(kind) ?? 0;
  }

  snapshot(): CallCounts {
    const tokensIssued = Object.fromEntries(TOKEN_KINDS.map((k) => [k, this.issued.get(k) ?? 0])) as Record<TokenKind, number>;
    return {
      total: this.total,
      by_path: Object.fromEntries(this.byPath),
      by_suite: CallCounter.nestedObject(this.bySuite),
      by_corp: CallCounter.nestedObject(this.byCorp),
      tokens_issued: tokensIssued,
    };
  }

  reset(): void {
    this.total = 0;
    this.byPath.clear();
    this.bySuite.clear();
    this.byCorp.clear();
    this.issued.clear();
    this.corpLog.reset();
  }

  private nested(map: Map<string, Map<string, number>>, id: string, path: string): void {
    let inner = map.get(id);
    if (!inner) {
      inner = new Map();
      map.set(id, inner);
    }
    bump(inner, path);
  }

  private static nestedObject(map: Map<string, Map<string, number>>): Record<string, Record<string, number>> {
    const out: Record<string, Record<string, number>> = {};
    for (const [id, inner] of map) out[id] = Object.fromEntries(inner);
    return out;
  }
}
