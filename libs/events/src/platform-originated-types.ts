/**
 * Event types the platform originates itself, with no WeCom callback behind them (so they are not in the mapping
 * table, event-types.ts): listed here for the catalogue (docs/events.md) and for endpoint filters.
 * Event type names are a public contract: NEVER rename one, only add.
 */
export interface PlatformOriginatedType {
  type: string;
  description: string;
  /** what makes the platform publish it (the catalogue's "source" column) */
  origin: string;
  fields: { name: string; kind: string; description: string }[];
}

export const PLATFORM_ORIGINATED_TYPES: readonly PlatformOriginatedType[] = [
  {
    type: 'tenant.suspended',
    description:
      'WeCom rejected the corp\'s permanent code when the platform fetched its access token; the tenant is now `suspended`, its tokens are dropped. Sent once per change from active to suspended',
    origin: 'platform: `get_corp_token` answered 40084 (permanent code invalid) or 40082 (the corp has not authorized the suite)',
    fields: [
      { name: 'errcode', kind: 'integer', description: "WeCom's errcode" },
      { name: 'reason', kind: 'string', description: 'what the platform concluded from it' },
    ],
  },
  {
    type: 'license.expiring',
    description:
      "A member's account license (接口调用许可) expires within 30, 7 or 1 days, or has expired. Sent once per window per expiry, only the narrowest window reached; a renewal starts over",
    origin: 'platform: the worker\'s `notify-license-expiry` check of the stored accounts',
    fields: [
      { name: 'userId', kind: 'string', description: 'the member' },
      { name: 'accountType', kind: 'integer', description: '1 基础账号 (base), 2 互通账号 (external contact)' },
      { name: 'expiresAt', kind: 'string', description: 'ISO 8601 expiry' },
      { name: 'windowDays', kind: 'integer', description: '30, 7, 1, or 0 once expired' },
    ],
  },
];
