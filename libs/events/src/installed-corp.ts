import type { CorpRecord } from '@app/store';
import type { JsonValue } from './field-codecs.js';

/** The tenant an install just stored, as `tenant.installed` describes it. */
export type InstalledCorp = Pick<CorpRecord, 'corpId' | 'corpName' | 'corpFullName' | 'editionInfo'>;

/**
 * What `tenant.installed` says about the corp, beyond WeCom's callback (which names no corp): `corpName`,
 * `corpFullName` (auth_corp_info of get_permanent_code) and `editionId`, `editionName` (edition_info of the suite's
 * first agent; 付费版本, https://developer.work.weixin.qq.com/document/path/91913) — each only when WeCom gave it.
 */
export function installedCorpData(corp: InstalledCorp): { [key: string]: JsonValue } {
  const data: { [key: string]: JsonValue } = {};
  if (corp.corpName) data.corpName = corp.corpName;
  if (corp.corpFullName) data.corpFullName = corp.corpFullName;
  const edition = firstEdition(corp.editionInfo);
  if (typeof edition?.edition_id === 'string' && edition.edition_id) data.editionId = edition.edition_id;
  if (typeof edition?.edition_name === 'string' && edition.edition_name) data.editionName = edition.edition_name;
  return data;
}

/** `edition_info.agent[0]` as WeCom sent it (stored raw), or undefined. */
function firstEdition(editionInfo: unknown): { edition_id?: unknown; edition_name?: unknown } | undefined {
  const agents = (editionInfo as { agent?: unknown } | null)?.agent;
  const first: unknown = Array.isArray(agents) ? agents[0] : undefined;
  return typeof first === 'object' && first !== null ? first : undefined;
}
