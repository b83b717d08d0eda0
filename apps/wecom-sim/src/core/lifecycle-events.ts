import { XmlFields, XmlValue, buildXml } from './callback-xml.js';
import { CallbackPusher, PushOutcome } from './callback-pusher.js';
import { openUserIdFor, randomDigits } from './ids.js';
import { InstallFlow } from './install-flow.js';
import { SimClock } from './sim-clock.js';
import { SimState, SuiteRecord } from './sim-state.js';
import { SuiteRegistry } from './suite-registry.js';
import { ControlError } from './wecom-error.js';

export const COMMAND_EVENTS = ['change_auth', 'cancel_auth', 'reset_permanent_code', 'change_contact'] as const;
export type CommandEvent = (typeof COMMAND_EVENTS)[number];

export const CONTACT_CHANGES = ['create_user', 'update_user', 'delete_user', 'create_party', 'update_party', 'delete_party', 'update_tag'] as const;
export type ContactChange = (typeof CONTACT_CHANGES)[number];

/** `POST /sim/suites/:suiteId/events` body. */
export interface EventInput {
  info_type: CommandEvent;
  auth_corpid: string;
  change_type?: ContactChange;
  /** Extra or overriding payload elements (e.g. `{ "UserID": "zhangsan", "Name": "张三" }`). */
  fields?: Record<string, XmlValue>;
  state?: string;
}

export interface EventResult {
  info_type: CommandEvent;
  auth_corpid: string;
  /** The new auth_code carried by reset_permanent_code. */
  auth_code?: string;
  payload?: string;
  outcome?: PushOutcome;
}

/** `POST /sim/suites/:suiteId/data-callbacks` body: a message or app event for one corp. */
export interface DataCallbackInput {
  auth_corpid: string;
  /** Payload elements after ToUserName/FromUserName/CreateTime; default a text message. */
  fields?: Record<string, XmlValue>;
  from_user?: string;
}

function isXmlValue(value: unknown): value is XmlValue {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

function checkFields(fields: unknown): Record<string, XmlValue> {
  if (fields === undefined) return {};
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) throw new ControlError(400, 'fields must be an object');
  for (const [k, v] of Object.entries(fields)) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) || !isXmlValue(v)) throw new ControlError(400, `fields.${k} must be a string or number under an XML name`);
  }
  return fields as Record<string, XmlValue>;
}

/** Merges defaults with overrides, keeping the default order and appending new names. */
function merge(defaults: XmlFields, overrides: Record<string, XmlValue>): XmlFields {
  const out: Array<[string, XmlValue]> = defaults.map(([k, v]) => [k, k in overrides ? overrides[k] : v]);
  for (const [k, v] of Object.entries(overrides)) if (!defaults.some(([d]) => d === k)) out.push([k, v]);
  return out;
}

/** Enterprise-side lifecycle changes and the callbacks WeCom sends for them. */
export class LifecycleEvents {
  constructor(
    private readonly clock: SimClock,
    private readonly state: SimState,
    private readonly registry: SuiteRegistry,
    private readonly installs: InstallFlow,
    private readonly pusher: CallbackPusher,
  ) {}

  async command(suite: SuiteRecord, input: EventInput): Promise<EventResult> {
    if (!COMMAND_EVENTS.includes(input.info_type)) throw new ControlError(400, `info_type must be one of ${COMMAND_EVENTS.join(', ')}`);
    if (typeof input.auth_corpid !== 'string' || !input.auth_corpid) throw new ControlError(400, 'auth_corpid is required');
    const overrides = checkFields(input.fields);
    const auth = this.installs.activeAuthorization(suite.suiteId, input.auth_corpid);
    const corp = this.state.corps.get(auth.corpId);
    if (!corp) throw new ControlError(404, `unknown corp ${auth.corpId}`);
    const result: EventResult = { info_type: input.info_type, auth_corpid: corp.corpId };
    let fields: XmlFields;
    switch (input.info_type) {
      case 'change_auth':
        auth.updatedAt = this.clock.now();
        fields = [['AuthCorpId', corp.corpId], ['State', input.state ?? '']];
        break;
      case 'cancel_auth':
        this.installs.cancel(auth);
        fields = [['AuthCorpId', corp.corpId]];
        break;
      case 'reset_permanent_code':
        result.auth_code = this.installs.resetPermanentCode(auth);
        fields = [['AuthCode', result.auth_code]];
        break;
      case 'change_contact': {
        const change = input.change_type ?? 'update_user';
        if (!CONTACT_CHANGES.includes(change)) throw new ControlError(400, `change_type must be one of ${CONTACT_CHANGES.join(', ')}`);
        fields = [['AuthCorpId', corp.corpId], ['ChangeType', change], ...this.applyContactChange(corp.corpId, change, overrides)];
        break;
      }
    }
    const merged = merge(fields, overrides);
    const { payload } = this.registry.commandPayload(suite, input.info_type, merged);
    result.payload = payload;
    result.outcome = await this.registry.pushCommandPayload(suite, input.info_type, payload, corp.corpId);
    return result;
  }

  /** Pushes a data callback (receiver_id = the corp) to the suite's data callback URL. */
  async data(suite: SuiteRecord, input: DataCallbackInput): Promise<{ payload: string; outcome?: PushOutcome }> {
    if (typeof input.auth_corpid !== 'string' || !input.auth_corpid) throw new ControlError(400, 'auth_corpid is required');
    const auth = this.installs.activeAuthorization(suite.suiteId, input.auth_corpid);
    const corp = this.state.corps.get(auth.corpId);
    if (!corp) throw new ControlError(404, `unknown corp ${auth.corpId}`);
    const overrides = checkFields(input.fields);
    const timestamp = this.clock.nowSeconds();
    const isEvent = 'Event' in overrides;
    const defaults: XmlFields = [
      ['ToUserName', corp.corpId],
      ['FromUserName', input.from_user ?? corp.users[0].userid],
      ['CreateTime', timestamp],
      ['MsgType', isEvent ? 'event' : 'text'],
      ...(isEvent ? [] : ([['Content', 'hello from the simulator'], ['MsgId', randomDigits(19)]] as XmlFields)),
      ['AgentID', auth.agentId],
    ];
    const payload = buildXml(merge(defaults, overrides));
    if (!suite.dataCallbackUrl) return { payload };
    const infoType = isEvent ? `event:${String(overrides.Event)}` : `msg:${String(overrides.MsgType ?? 'text')}`;
    const outcome = await this.pusher.push({
      kind: 'data',
      url: suite.dataCallbackUrl,
      // 代开发 apps may configure a corp's data callbacks with their own keys.
      token: auth.callbackKeys?.token ?? suite.token,
      encodingAesKey: auth.callbackKeys?.encodingAesKey ?? suite.encodingAesKey,
      receiverId: SuiteRegistry.receiverId(suite, 'data', corp.corpId),
      toUserName: corp.corpId,
      agentId: String(auth.agentId),
      payload,
      suiteId: suite.suiteId,
      corpId: corp.corpId,
      infoType,
    });
    return { payload, outcome };
  }

  /** Keeps the simulated directory in step with user changes; returns the default payload elements. */
  private applyContactChange(corpId: string, change: ContactChange, overrides: Record<string, XmlValue>): XmlFields {
    const corp = this.state.corps.get(corpId);
    if (!corp) return [];
    const userId = overrides.UserID !== undefined ? String(overrides.UserID) : `SimUser${randomDigits(6)}`;
    switch (change) {
      case 'create_user': {
        const name = overrides.Name !== undefined ? String(overrides.Name) : '新成员';
        if (!corp.users.some((u) => u.userid === userId)) {
          corp.users.push({ ...corp.users[0], userid: userId, name, gender: '0', department: [1] });
        }
        return [['UserID', userId], ['OpenUserID', openUserIdFor(corpId, userId)], ['Name', name], ['Department', '1'], ['MainDepartment', 1]];
      }
      case 'update_user': {
        const user = corp.users.find((u) => u.userid === userId);
        if (user && overrides.Name !== undefined) user.name = String(overrides.Name);
        return [['UserID', userId], ['OpenUserID', openUserIdFor(corpId, userId)]];
      }
      case 'delete_user':
        corp.users = corp.users.filter((u, i) => i === 0 || u.userid !== userId);
        return [['UserID', userId], ['OpenUserID', openUserIdFor(corpId, userId)]];
      case 'create_party':
        return [['Id', 2], ['Name', '新部门'], ['ParentId', '1'], ['Order', 1]];
      case 'update_party':
        return [['Id', 2], ['Name', '新部门']];
      case 'delete_party':
        return [['Id', 2]];
      case 'update_tag':
        return [['TagId', 1], ['AddUserItems', corp.users[0].userid]];
    }
  }
}
