/**
 * The name of a key that lives in the same Redis Cluster slot as `key`, so on the same node: `key` + `:suffix`,
 * hash-tagged where `key` has no hash tag of its own.
 *
 * A Cluster hashes only the part of a key between the first `{` and the next `}` when that part is not empty
 * (the key's hash tag), else the whole key. `{wecom:refresh-due}:reconciled` therefore hashes `wecom:refresh-due`,
 * exactly as the untagged `wecom:refresh-due` does: the mate joins the key's slot without renaming the key (a
 * single-node deployment's existing keys stay as they are). A key already tagged (`{wecom}:refresh-due`) keeps
 * its tag: the mate is `{wecom}:refresh-due:reconciled`. Throws for an untagged key that holds a `}` (no tag can
 * cover it whole).
 *
 * Use it for keys whose meaning depends on another (a marker that says an index is complete): a node that loses
 * its data then loses both, never one. Docs: https://redis.io/docs/latest/operate/oss_and_stack/reference/cluster-spec/#hash-tags
 */
export function slotMateKey(key: string, suffix: string): string {
  if (hasHashTag(key)) return `${key}:${suffix}`;
  // A tag ends at the first `}`: an untagged key holding one cannot be wrapped whole (a prefix like `a}b`).
  if (key.includes('}')) throw new Error(`no key can share the Cluster slot of ${key}: give it a hash tag ({…}) or drop the '}'`);
  return `{${key}}:${suffix}`;
}

/** Whether Redis Cluster would hash only part of `key`: a `{` followed later by a `}` with something in between. */
export function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  if (open < 0) return false;
  const close = key.indexOf('}', open + 1);
  return close > open + 1;
}
