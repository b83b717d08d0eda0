import { LicenseErrcode } from './license-api.js';
import { SimCore } from './sim-core.js';
import { WecomError } from './wecom-error.js';

const DAY = 86_400;

function world() {
  const core = new SimCore({ timeFactor: 1, ticketIntervalSeconds: 0, callbackTimeoutMs: 1000, callbackRetryDelayMs: 10, logger: { warn: () => undefined } });
  const suite = core.registry.upsert({
    suite_id: 'wwsuitelic',
    suite_secret: 's',
    token: 't',
    encoding_aes_key: 'a'.repeat(43),
    provider_corpid: 'wwproviderlic',
    provider_secret: 'ps',
  });
  const [corp] = core.installs.seed(suite, 1, 'wwlic');
  const record = core.state.corps.get(corp.corpid)!;
  record.users.push({ ...record.users[0], userid: 'bob' });
  const token = core.identity.getProviderToken({ corpid: 'wwproviderlic', provider_secret: 'ps' }).provider_access_token;
  /** A provider token valid now (the clock may have moved past the first one's 7200 s). */
  const fresh = () => core.identity.getProviderToken({ corpid: 'wwproviderlic', provider_secret: 'ps' }).provider_access_token;
  return { core, corpId: corp.corpid, admin: record.users[0].userid, token, fresh };
}

const errcodeOf = (fn: () => unknown): number | undefined => {
  try {
    fn();
  } catch (err) {
    return err instanceof WecomError ? err.errcode : undefined;
  }
  return undefined;
};

describe('simulated account licenses', () => {
  it('pays an order after the delay on the simulated clock and mints one code per account', async () => {
    const { core, corpId, token } = world();
    core.licenses.payDelaySeconds = 600;
    const { order_id } = core.licenses.createNewOrder(token, { corpid: corpId, buyer_userid: 'buyer', account_count: { base_count: 2, external_contact_count: 1 }, account_duration: { months: 1 } });
    expect(core.licenses.getOrder(token, { order_id }).order['order_status']).toBe(0);
    expect(core.licenses.listOrderAccount(token, { order_id }).account_list).toEqual([]);
    core.clock.advance(601);
    expect(core.licenses.getOrder(token, { order_id }).order['order_status']).toBe(1);
    const codes = core.licenses.listOrderAccount(token, { order_id }).account_list;
    expect(codes.map((c) => c.type).sort()).toEqual([1, 1, 2]);
    await core.stop();
  });

  it('runs an activated account from activation for months × 31 days, then reports it expired', async () => {
    const { core, corpId, admin, token: first, fresh } = world();
    const { order_id } = core.licenses.createNewOrder(first, { corpid: corpId, buyer_userid: 'buyer', account_count: { base_count: 1 }, account_duration: { months: 1, days: 2 } });
    await core.licenses.pay(order_id);
    const [{ active_code }] = core.licenses.listOrderAccount(first, { order_id }).account_list;
    core.clock.advance(DAY);
    let token = fresh();
    core.licenses.activeAccount(token, { corpid: corpId, active_code, userid: admin });
    const info = core.licenses.getActiveInfoByCode(token, { corpid: corpId, active_code }).active_info;
    expect(info['status']).toBe(2);
    expect((info['expire_time'] as number) - (info['active_time'] as number)).toBe(33 * DAY);
    expect(errcodeOf(() => core.licenses.activeAccount(token, { corpid: corpId, active_code, userid: 'bob' }))).toBe(LicenseErrcode.CODE_ALREADY_BOUND);
    core.clock.advance(33 * DAY + 1);
    token = fresh();
    expect(core.licenses.getActiveInfoByCode(token, { corpid: corpId, active_code }).active_info['status']).toBe(3);
    expect(core.licenses.getActiveInfoByUser(token, { corpid: corpId, userid: admin }).active_status).toBe(0);
    expect(core.licenses.listActivedAccount(token, { corpid: corpId }).account_list).toHaveLength(1);
    await core.stop();
  });

  it('refuses orders outside WeCom\'s bounds and auto-activation before any purchase', async () => {
    const { core, corpId, token } = world();
    expect(errcodeOf(() => core.licenses.createNewOrder(token, { corpid: corpId, buyer_userid: 'b', account_count: { base_count: 0 }, account_duration: { months: 1 } }))).toBe(LicenseErrcode.INVALID_ACCOUNT_COUNT);
    expect(errcodeOf(() => core.licenses.createNewOrder(token, { corpid: corpId, buyer_userid: 'b', account_count: { base_count: 1 }, account_duration: { days: 30 } }))).toBe(40058);
    expect(errcodeOf(() => core.licenses.createNewOrder(token, { corpid: corpId, buyer_userid: 'b', account_count: { base_count: 1 }, account_duration: { months: 61 } }))).toBe(40058);
    expect(errcodeOf(() => core.licenses.setAutoActiveStatus(token, { corpid: corpId, auto_active_status: 1 }))).toBe(LicenseErrcode.NOT_PURCHASED);
    expect(errcodeOf(() => core.licenses.listOrder('not-a-token', {}))).toBe(40014);
    await core.stop();
  });

  it('transfers a member\'s accounts and refuses a second transfer from the same member', async () => {
    const { core, corpId, admin, token } = world();
    const { order_id } = core.licenses.createNewOrder(token, { corpid: corpId, buyer_userid: 'buyer', account_count: { base_count: 1 }, account_duration: { months: 1 } });
    await core.licenses.pay(order_id);
    const [{ active_code }] = core.licenses.listOrderAccount(token, { order_id }).account_list;
    core.licenses.activeAccount(token, { corpid: corpId, active_code, userid: admin });
    const first = core.licenses.batchTransferLicense(token, { corpid: corpId, transfer_list: [{ handover_userid: admin, takeover_userid: 'bob' }] });
    expect(first.transfer_result[0].errcode).toBe(0);
    expect(core.licenses.getActiveInfoByUser(token, { corpid: corpId, userid: 'bob' }).active_status).toBe(1);
    const again = core.licenses.batchTransferLicense(token, { corpid: corpId, transfer_list: [{ handover_userid: admin, takeover_userid: 'bob' }] });
    expect(again.transfer_result[0].errcode).toBe(LicenseErrcode.NO_LICENSE_TO_TRANSFER);
    await core.stop();
  });
});
