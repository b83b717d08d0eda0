/**
 * What `GET /sim/calls/corps/:corpId[?path=]` reports: calls made for the corp (of that path), and the most of them in
 * any 60 real seconds.
 */
export interface CorpCallWindow {
  corp_id: string;
  total: number;
  max_in_any_minute: number;
  by_path: Record<string, number>;
}

const MINUTE_MS = 60_000;
/** Times kept per corp: enough for any test or benchmark burst, bounded so a long run cannot grow without end. */
const KEEP = 200_000;

/**
 * When each call attributed to a corp arrived (real milliseconds), so a test can check that no more than a budget
 * reached "WeCom" in any one minute, whichever minute that was.
 */
export class CorpCallLog {
  private readonly times = new Map<string, number[]>();
  private readonly paths = new Map<string, Map<string, number>>();

  record(corpId: string, path: string, at: number = Date.now()): void {
    for (const key of [corpId, `${corpId} ${path}`]) {
      let list = this.times.get(key);
      if (!list) {
        list = [];
        this.times.set(key, list);
      }
      list.push(at);
      if (list.length > KEEP) list.splice(0, list.length - KEEP);
    }
    let byPath = this.paths.get(corpId);
    if (!byPath) {
      byPath = new Map();
      this.paths.set(corpId, byPath);
    }
    byPath.set(path, (byPath.get(path) ?? 0) + 1);
  }

  window(corpId: string, path?: string): CorpCallWindow {
    const list = this.times.get(path ? `${corpId} ${path}` : corpId) ?? [];
    let max = 0;
    for (let start = 0, end = 0; end < list.length; end++) {
      while (list[end] - list[start] >= MINUTE_MS) start++;
      max = Math.max(max, end - start + 1);
    }
    const byPath = Object.fromEntries(this.paths.get(corpId) ?? []);
    return { corp_id: corpId, total: list.length, max_in_any_minute: max, by_path: byPath };
  }

  reset(): void {
    this.times.clear();
    this.paths.clear();
  }
}
