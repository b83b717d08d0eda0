import { hasHashTag, slotMateKey } from './key-slots.js';

describe('slot mates (Redis Cluster hash tags)', () => {
  it('tags an untagged key whole, so its mate hashes exactly what the key hashes', () => {
    expect(slotMateKey('wecom:refresh-due', 'reconciled')).toBe('{wecom:refresh-due}:reconciled');
  });

  it('keeps a key tag of its own: the mate shares it', () => {
    expect(slotMateKey('{wecom}:refresh-due', 'reconciled')).toBe('{wecom}:refresh-due:reconciled');
    expect(slotMateKey('{wecom:bull}:x', 'y')).toBe('{wecom:bull}:x:y');
  });

  it('reads tags as Redis does: an empty {} or a lone brace is no tag', () => {
    expect(hasHashTag('a{}b')).toBe(false);
    expect(hasHashTag('a{b')).toBe(false);
    expect(hasHashTag('a}b{')).toBe(false);
    expect(hasHashTag('a{b}c')).toBe(true);
    // An untagged key holding a `}` (an empty first tag: Redis hashes it whole) cannot be wrapped: a tag ends at `}`.
    expect(() => slotMateKey('x{}{y}', 's')).toThrow('no key can share the Cluster slot of x{}{y}');
    expect(() => slotMateKey('a}b', 's')).toThrow('no key can share');
  });
});
