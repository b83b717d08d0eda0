import { PushOutcome } from './callback-pusher.js';
import { Lengths, randomHex, randomToken } from './ids.js';
import { Lifetime } from './lifetimes.js';
import { SimClock } from './sim-clock.js';
import { AuthorizationRecord, CorpRecord, SimState, SimUser, SuiteRecord, authKey } from './sim-state.js';
import { SuiteRegistry } from './suite-registry.js';
import { corpSubject } from './token-store.js';
import { ControlError } from './wecom-error.js';

export interface InstallOptions {
  /** Install into this corp (created if unknown); default: a new corp. */
  corpId?: string;
  corpName?: string;
  state?: string;
  authType?: 0 | 1;
}

export interface InstallResult {
  corp: CorpRecord;
  auth: AuthorizationRecord;
  authCode: string;
  expiresIn: number;
  reinstalled: boolean;
}

export interface SeededCorp {
  corpid: string;
  permanent_code: string;
  agentid: number;
}

const FIRST_AGENT_ID = 1000002;
const CORP_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * What happens in WeCom when an enterprise admin approves an install: the corp (new or existing) gets an
 * authorization with a fresh permanent_code — a reinstall after cancel replaces the old code — and the
 * suite gets a single-use auth_code (600 s) to exchange for it, by redirect and by `create_auth` callback.
 */
export class InstallFlow {
  private corpSeq = 0;

  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
    private readonly registry: SuiteRegistry,
  ) {}

  createCorp(corpId?: string, corpName?: string, withMember = true): CorpRecord {
    if (corpId !== undefined && !CORP_ID.test(corpId)) throw new ControlError(400, 'corp_id must be 1-64 characters [A-Za-z0-9_-]');
    let id = corpId ?? `wwsim${randomHex(7)}`;
    while (corpId === undefined && this.state.corps.has(id)) id = `wwsim${randomHex(7)}`;
    if (this.state.corps.has(id)) throw new ControlError(409, `corp ${id} exists`);
    this.corpSeq++;
    const tag = id.slice(-6);
    const users: SimUser[] = [InstallFlow.user(`SimAdmin${tag}`, '模拟管理员', '1', this.corpSeq)];
    if (withMember) users.push(InstallFlow.user(`SimMember${tag}`, '模拟成员', '2', this.corpSeq));
    const corp: CorpRecord = {
      corpId: id,
      corpName: corpName ?? `模拟企业${this.corpSeq}`,
      createdAt: this.clock.now(),
      users,
      nextAgentId: FIRST_AGENT_ID,
    };
    this.state.corps.set(id, corp);
    return corp;
  }

  install(suite: SuiteRecord, options: InstallOptions = {}): InstallResult {
    const now = this.clock.now();
    const corp = (options.corpId && this.state.corps.get(options.corpId)) || this.createCorp(options.corpId, options.corpName);
    const key = authKey(suite.suiteId, corp.corpId);
    const existing = this.state.authorizations.get(key);
    if (existing?.status === 'active') throw new ControlError(409, `corp ${corp.corpId} has already installed suite ${suite.suiteId}`);
    const auth: AuthorizationRecord = {
      suiteId: suite.suiteId,
      corpId: corp.corpId,
      permanentCode: randomToken(Lengths.permanentCode),
      status: 'active',
      agentId: corp.nextAgentId++,
      authType: options.authType ?? 0,
      state: options.state ?? '',
      authUserId: corp.users[0].userid,
      installedAt: existing?.installedAt ?? now,
      updatedAt: now,
    };
    this.state.authorizations.set(key, auth);
    if (!existing) suite.authKeys.push(key);
    const authCode = this.issueAuthCode(suite.suiteId, corp.corpId);
    return { corp, auth, authCode, expiresIn: this.clock.realSeconds(Lifetime.authCode), reinstalled: existing !== undefined };
  }

  issueAuthCode(suiteId: string, corpId: string): string {
    const now = this.clock.now();
    const code = randomToken(Lengths.authCode);
    this.state.authCodes.set(code, { suiteId, corpId, expiresAt: now + Lifetime.authCode * 1000 }, now);
    return code;
  }

  /** The `create_auth` command callback for an install. */
  pushCreateAuth(suite: SuiteRecord, result: InstallResult): Promise<PushOutcome | undefined> {
    return this.registry.pushCommand(
      suite,
      'create_auth',
      [
        ['AuthCode', result.authCode],
        ['State', result.auth.state],
      ],
      result.corp.corpId,
    );
  }

  /** Authorizes `count` new corps directly (no codes, no callbacks): benchmark seeding, O(count). */
  seed(suite: SuiteRecord, count: number, prefix?: string): SeededCorp[] {
    if (!Number.isInteger(count) || count < 1 || count > 500_000) throw new ControlError(400, 'count must be an integer 1..500000');
    if (prefix !== undefined && !/^[A-Za-z0-9]{1,40}$/.test(prefix)) throw new ControlError(400, 'prefix must be 1-40 characters [A-Za-z0-9]');
    const base = prefix ?? `wwseed${randomHex(3)}`;
    const now = this.clock.now();
    const out: SeededCorp[] = [];
    let index = 0;
    while (out.length < count) {
      const corpId = `${base}${String(index++).padStart(6, '0')}`;
      if (this.state.corps.has(corpId)) continue;
      const corp = this.createCorp(corpId, undefined, false);
      const key = authKey(suite.suiteId, corpId);
      const auth: AuthorizationRecord = {
        suiteId: suite.suiteId,
        corpId,
        permanentCode: randomToken(Lengths.permanentCode),
        status: 'active',
        agentId: corp.nextAgentId++,
        authType: 0,
        state: '',
        authUserId: corp.users[0].userid,
        installedAt: now,
        updatedAt: now,
      };
      this.state.authorizations.set(key, auth);
      suite.authKeys.push(key);
      out.push({ corpid: corpId, permanent_code: auth.permanentCode, agentid: auth.agentId });
    }
    return out;
  }

  /**
   * Authorizations WeCom would still hold but this simulator forgot (it keeps nothing across restarts): each corp
   * comes back with the permanent_code and agentid the platform stored, so a restarted demo's tenants keep working
   * instead of being refused with 40082. Corps the simulator still knows are left alone. Returns how many came back.
   */
  restore(suite: SuiteRecord, corps: { corpId: string; permanentCode: string; agentId?: number; corpName?: string }[]): number {
    const now = this.clock.now();
    let restored = 0;
    for (const input of corps) {
      const key = authKey(suite.suiteId, input.corpId);
      if (this.state.authorizations.has(key)) continue;
      const corp = this.state.corps.get(input.corpId) ?? this.createCorp(input.corpId, input.corpName);
      const agentId = input.agentId ?? corp.nextAgentId;
      corp.nextAgentId = Math.max(corp.nextAgentId, agentId + 1);
      this.state.authorizations.set(key, {
        suiteId: suite.suiteId,
        corpId: corp.corpId,
        permanentCode: input.permanentCode,
        status: 'active',
        agentId,
        authType: 0,
        state: '',
        authUserId: corp.users[0].userid,
        installedAt: now,
        updatedAt: now,
      });
      suite.authKeys.push(key);
      restored++;
    }
    return restored;
  }

  /** The enterprise cancels: the permanent_code stops working and its tokens and tickets die with it. */
  cancel(auth: AuthorizationRecord): void {
    const now = this.clock.now();
    auth.status = 'cancelled';
    auth.updatedAt = now;
    const subject = corpSubject(auth.suiteId, auth.corpId);
    this.state.tokens.invalidate('corp', subject, now);
    this.state.tokens.invalidate('jsapi', subject, now);
    this.state.tokens.invalidate('agent', subject, now);
  }

  /** A new permanent_code replaces the old one at once; the new one is reached through a new auth_code. */
  resetPermanentCode(auth: AuthorizationRecord): string {
    auth.permanentCode = randomToken(Lengths.permanentCode);
    auth.updatedAt = this.clock.now();
    return this.issueAuthCode(auth.suiteId, auth.corpId);
  }

  activeAuthorization(suiteId: string, corpId: string): AuthorizationRecord {
    const auth = this.state.authorization(suiteId, corpId);
    if (!auth) throw new ControlError(404, `corp ${corpId} has never installed suite ${suiteId}`);
    if (auth.status !== 'active') throw new ControlError(409, `corp ${corpId} has cancelled suite ${suiteId}`);
    return auth;
  }

  private static user(userid: string, name: string, gender: '1' | '2', seq: number): SimUser {
    return {
      userid,
      name,
      gender,
      mobile: `1380000${String(seq % 10000).padStart(4, '0')}`,
      email: `${userid.toLowerCase()}@example.com`,
      bizMail: `${userid.toLowerCase()}@sim.wecom.work`,
      address: '广州市海珠区新港中路397号',
      department: [1],
    };
  }
}
