import { AuthAppError } from '../auth-errors.js';
import { decodeCursor, encodeCursor, pageOf } from './page.js';

const codeOf = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof AuthAppError ? err.code : 'other';
  }
  return undefined;
};

describe('cursors', () => {
  it('round-trip a keyset position', () => {
    const cursor = encodeCursor({ installedAt: '2026-11-25T10:00:00.000Z', id: 'abc' });
    expect(cursor).toMatch(/^[\w-]+$/);
    expect(decodeCursor(cursor, ['installedAt', 'id'])).toEqual({ installedAt: '2026-11-25T10:00:00.000Z', id: 'abc' });
  });

  it('call anything else invalid_cursor, never a crash', () => {
    for (const cursor of ['%%%', Buffer.from('null').toString('base64url'), Buffer.from('{"id":7}').toString('base64url'), encodeCursor({ other: 'x' })]) {
      expect(codeOf(() => decodeCursor(cursor, ['id']))).toBe('invalid_cursor');
    }
  });
});

describe('pageOf', () => {
  const rows = Array.from({ length: 5 }, (_, i) => ({ id: String(i) }));
  const fetch = (after: number) => async (take: number) => rows.slice(after, after + take);

  it('asks for one row more than the page and gives a cursor only when more follow', async () => {
    const asked: number[] = [];
    const first = await pageOf(2, async (take) => (asked.push(take), rows.slice(0, take)), (r) => r.id, (r) => ({ id: r.id }));
    expect(asked).toEqual([3]);
    expect(first.items).toEqual(['0', '1']);
    expect(decodeCursor(first.nextCursor!, ['id'])).toEqual({ id: '1' });
    const last = await pageOf(3, fetch(2), (r) => r.id, (r) => ({ id: r.id }));
    expect(last).toEqual({ items: ['2', '3', '4'], nextCursor: null });
  });
});
