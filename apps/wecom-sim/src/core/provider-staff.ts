import type { InstallFlow } from './install-flow.js';
import type { CorpRecord, SimState, SimUser } from './sim-state.js';
import { ControlError } from './wecom-error.js';

const USERID = /^[A-Za-z0-9_@.-]{1,64}$/;

/** Who the next scan on a provider's login page is, when the page's URL does not say (sim_corp_id / sim_user_id). */
export interface ScanChoice {
  corpId?: string;
  userId?: string;
}

/**
 * The provider's own enterprise (the vendor's staff, 服务商自己的企业) and who scans its login QR code next. WeCom
 * keeps the provider corp's address book like any corp's; a member scanning the provider's 3rd_qrConnect page with
 * the WeCom app gets corp_info.corpid = the provider corpid. A person in front of the simulated page cannot scan, so
 * a test says beforehand who will ("the next scan is zhangsan").
 */
export class ProviderStaff {
  private readonly nextScans = new Map<string, ScanChoice>();

  constructor(
    private readonly state: SimState,
    private readonly installs: InstallFlow,
  ) {}

  /**
   * Adds members to the provider's own corp (corpid = the provider corpid), creating it (with its creator) the first
   * time. Existing userids are left as they are. Answers the corp.
   */
  addStaff(providerCorpId: string, members: { userid: string; name?: string }[], corpName?: string): CorpRecord {
    if (!this.state.providers.has(providerCorpId)) throw new ControlError(404, `unknown provider corpid ${providerCorpId} (register it with a provider_secret first)`);
    for (const m of members) if (typeof m?.userid !== 'string' || !USERID.test(m.userid)) throw new ControlError(400, 'each user needs a userid of 1-64 characters [A-Za-z0-9_@.-]');
    const corp = this.state.corps.get(providerCorpId) ?? this.installs.createCorp(providerCorpId, corpName ?? `服务商${providerCorpId.slice(-6)}`, false);
    for (const m of members) {
      if (corp.users.some((u) => u.userid === m.userid)) continue;
      corp.users.push(staffMember(m.userid, m.name ?? m.userid, corp.users.length));
    }
    return corp;
  }

  /** The next visit to this provider's login page without sim_* parameters signs in as this member (once). */
  setNextScan(providerCorpId: string, choice: ScanChoice): void {
    if (!this.state.providers.has(providerCorpId)) throw new ControlError(404, `unknown provider corpid ${providerCorpId}`);
    this.nextScans.set(providerCorpId, choice);
  }

  takeNextScan(providerCorpId: string): ScanChoice | undefined {
    const choice = this.nextScans.get(providerCorpId);
    this.nextScans.delete(providerCorpId);
    return choice;
  }

  clear(): void {
    this.nextScans.clear();
  }
}

function staffMember(userid: string, name: string, seq: number): SimUser {
  return {
    userid,
    name,
    gender: '0',
    mobile: `1390000${String(seq % 10000).padStart(4, '0')}`,
    email: `${userid.toLowerCase()}@example.com`,
    bizMail: `${userid.toLowerCase()}@sim.wecom.work`,
    address: '',
    department: [1],
  };
}
