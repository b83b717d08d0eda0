import { TokenStore } from './token-store.js';

describe('TokenStore', () => {
  it('hands out the same token for its whole validity, and a new one only once it has expired', () => {
    const store = new TokenStore();
    const first = store.issueOrReuse('suite', 's1', 7200, 0);
    expect(first.fresh).toBe(true);
    const again = store.issueOrReuse('suite', 's1', 7200, 7_199_999);
    expect(again).toEqual({ token: first.token, expiresAt: 7_200_000, fresh: false });
    expect(store.lookup('suite', first.token, 7_199_999).status).toBe('valid');
    const next = store.issueOrReuse('suite', 's1', 7200, 7_200_000);
    expect(next).toEqual({ token: next.token, expiresAt: 14_400_000, fresh: true });
    expect(next.token).not.toBe(first.token);
    expect(store.lookup('suite', first.token, 7_200_000).status).toBe('expired');
  });

  it('answers expired for an old token and unknown for a foreign one', () => {
    const store = new TokenStore();
    const first = store.issueOrReuse('corp', 's|c', 10, 0);
    store.issueOrReuse('corp', 's|c', 10, 10_000);
    expect(store.lookup('corp', first.token, 10_000).status).toBe('expired');
    expect(store.lookup('suite', first.token, 0).status).toBe('unknown');
    expect(store.lookup('corp', 'nope', 0).status).toBe('unknown');
  });

  it('forgets tokens older than the previous one', () => {
    const store = new TokenStore();
    const a = store.issueOrReuse('corp', 'x', 1, 0);
    store.issueOrReuse('corp', 'x', 1, 1000);
    store.issueOrReuse('corp', 'x', 1, 2000);
    expect(store.lookup('corp', a.token, 2000).status).toBe('unknown');
  });

  it('invalidates early, per subject or by filter', () => {
    const store = new TokenStore();
    const a = store.issueOrReuse('corp', 's1|c1', 7200, 0);
    const b = store.issueOrReuse('corp', 's1|c2', 7200, 0);
    const c = store.issueOrReuse('suite', 's1', 7200, 0);
    expect(store.invalidate('corp', 's1|c1', 5)).toBe(true);
    expect(store.lookup('corp', a.token, 5).status).toBe('expired');
    expect(store.invalidateWhere((kind) => kind === 'corp', 6)).toBe(1);
    expect(store.lookup('corp', b.token, 6).status).toBe('expired');
    expect(store.lookup('suite', c.token, 6).status).toBe('valid');
    expect(store.issueOrReuse('corp', 's1|c1', 7200, 7).token).not.toBe(a.token);
  });
});
