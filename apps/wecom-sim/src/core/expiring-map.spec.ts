import { ExpiringMap } from './expiring-map.js';

describe('ExpiringMap', () => {
  it('keeps expired entries for the grace period, then forgets them', () => {
    const map = new ExpiringMap<{ expiresAt: number }>(1000);
    map.set('a', { expiresAt: 100 }, 0);
    map.set('b', { expiresAt: 200 }, 50);
    map.prune(1099);
    expect(map.get('a')).toEqual({ expiresAt: 100 });
    map.prune(1100);
    expect(map.get('a')).toBeUndefined();
    expect(map.size).toBe(1);
    map.set('c', { expiresAt: 5000 }, 1200);
    expect(map.get('b')).toBeUndefined();
  });
});
