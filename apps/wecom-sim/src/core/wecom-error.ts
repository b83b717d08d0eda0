import { randomBytes } from 'node:crypto';

/** The errcodes the simulator answers with, named after WeCom's global errcode table (document 90313). */
export const Errcode = {
  BUSY: -1,
  INVALID_SECRET: 40001,
  INVALID_CORPID: 40013,
  INVALID_ACCESS_TOKEN: 40014,
  INVALID_OAUTH_CODE: 40029,
  INVALID_AGENTID: 40056,
  INVALID_PARAMETER: 40058,
  INVALID_PRE_AUTH_CODE: 40077,
  INVALID_AUTH_CODE: 40078,
  INVALID_SUITE_SECRET: 40080,
  INVALID_SUITE_TOKEN: 40082,
  INVALID_SUITE_ID: 40083,
  INVALID_PERMANENT_CODE: 40084,
  INVALID_SUITE_TICKET: 40085,
  MISSING_ACCESS_TOKEN: 41001,
  MISSING_CORPID: 41002,
  MISSING_SECRET: 41004,
  MISSING_AUTH_CODE: 41008,
  MISSING_USERID: 41009,
  MISSING_AGENTID: 41011,
  MISSING_SUITE_ID: 41021,
  MISSING_SUITE_TOKEN: 41022,
  MISSING_SUITE_TICKET: 41023,
  MISSING_SUITE_SECRET: 41024,
  MISSING_PERMANENT_CODE: 41025,
  ACCESS_TOKEN_EXPIRED: 42001,
  PRE_AUTH_CODE_EXPIRED: 42007,
  SUITE_TOKEN_EXPIRED: 42009,
  RATE_LIMITED: 45009,
  CONCURRENCY_LIMITED: 45033,
  INVALID_JSON: 47001,
  API_NOT_PERMITTED: 48002,
  AUTH_RELATION_INVALID: 48004,
  USERID_NOT_FOUND: 60111,
  /** 部门不存在 */
  DEPARTMENT_NOT_FOUND: 60003,
} as const;

const MESSAGES: Record<number, string> = {
  [-1]: 'system busy',
  40001: 'invalid credential',
  40013: 'invalid corpid',
  40014: 'invalid access_token',
  40029: 'invalid code',
  40004: 'invalid media type',
  40005: 'invalid file type',
  40006: 'invalid file size',
  40007: 'invalid media_id',
  40009: 'invalid image size',
  40011: 'invalid video size',
  40056: 'invalid agentid',
  40058: 'invalid parameter',
  40077: 'invalid pre_auth_code',
  40078: 'invalid auth_code',
  40080: 'invalid suite_secret',
  40082: 'invalid suite_token',
  40083: 'invalid suite_id',
  40084: 'invalid permanent_code',
  40085: 'invalid suite_ticket',
  41001: 'access_token missing',
  41002: 'corpid missing',
  41004: 'corpsecret missing',
  41008: 'missing auth code',
  41009: 'missing userid',
  41011: 'missing agentid',
  41021: 'suite_id missing',
  41022: 'suite_access_token missing',
  41023: 'suite_ticket missing',
  41024: 'suite_secret missing',
  41025: 'permanent_code missing',
  42001: 'access_token expired',
  42007: 'pre_auth_code expired',
  42009: 'suite_access_token expired',
  45009: 'api freq out of limit',
  45033: 'api concurrent out of limit',
  44001: 'empty media data',
  47001: 'data format error',
  48002: 'api forbidden',
  48004: 'api forbidden for auth relation invalid',
  60111: 'userid not found',
  60003: 'department not found',
};

/**
 * WeCom appends a hint and a link to every error message
 * (`invalid suite_token, hint: [1700000000_12_3f…], from ip: …, more info at …?e=40082`); clients must not
 * parse errmsg, and the simulator's messages look the same so that nobody starts to.
 */
export function errmsgFor(errcode: number, nowSeconds: number, detail?: string): string {
  const base = MESSAGES[errcode] ?? 'error';
  const hint = `${nowSeconds}_${Math.floor(Math.random() * 100)}_${randomBytes(16).toString('hex')}`;
  const text = detail ? `${base}: ${detail}` : base;
  return `${text}, hint: [${hint}], from ip: 127.0.0.1, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`;
}

/** A WeCom API error: answered with HTTP 200 and `{ errcode, errmsg }`, as WeCom does. */
export class WecomError extends Error {
  constructor(
    readonly errcode: number,
    readonly detail?: string,
  ) {
    super(`${MESSAGES[errcode] ?? 'error'} (${errcode})${detail ? `: ${detail}` : ''}`);
    this.name = 'WecomError';
  }
}

/** A control-API (`/sim/...`) error, answered with an HTTP status and `{ error }`. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ControlError';
  }
}
