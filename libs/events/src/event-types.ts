import type { FieldSpec } from './field-codecs.js';

/**
 * THE mapping table: which WeCom callback becomes which platform event type, and how its fields are typed.
 * Read it top to bottom; `docs/events.md` is generated from it (`node dist/scripts/event-catalogue.js`).
 *
 * A callback is matched by its source: command callbacks (指令回调) by `InfoType` (+ `ChangeType`), data callbacks
 * (数据回调) by `MsgType` (+ `Event`, + `ChangeType`), provider system events (系统事件, the provider's own URL) by
 * `InfoType`; a system event is published only by its worker handler (apps/worker/src/system-events), once for each
 * suite it concerns, with that suite as `suiteId`: one without a handler stays in the inbox. Listed fields are converted by kind and renamed to camelCase;
 * fields not listed are still carried (as strings, or camelCase objects), so nothing WeCom sends is dropped.
 * `omit` names secrets that never leave the platform (auth codes, contact-sync tokens). Anything without an entry
 * becomes `wecom.unknown`, carrying every field. Event type names are a public contract: NEVER rename one, only add.
 *
 * Docs: 第三方应用 回调通知 https://developer.work.weixin.qq.com/document/path/90600 (授权), /90639 (通讯录变更),
 * /92277 (客户联系), /90240 (接收消息), /90376 (事件), /93381 (订单/版本), /95716 (接口许可).
 */
export interface EventTypeSpec {
  /** Dotted, lower case, stable: `contact.user.created`. */
  type: string;
  description: string;
  source: CommandSource | DataSource | SystemSource;
  fields: Readonly<Record<string, FieldSpec>>;
  /** WeCom fields never put in an event (credentials). */
  omit?: readonly string[];
}

export interface CommandSource {
  kind: 'command';
  infoType: string;
  changeType?: string;
}

/** A provider system event (系统事件接收URL), by InfoType. */
export interface SystemSource {
  kind: 'system';
  infoType: string;
}

export interface DataSource {
  kind: 'data';
  msgType: string;
  event?: string;
  changeType?: string;
}

const s = (description: string): FieldSpec => ({ kind: 'string', description });
const int = (description: string): FieldSpec => ({ kind: 'integer', description });
const num = (description: string): FieldSpec => ({ kind: 'number', description });
const ints = (description: string): FieldSpec => ({ kind: 'integer[]', description });
const strs = (description: string): FieldSpec => ({ kind: 'string[]', description });
const items = (description: string): FieldSpec => ({ kind: 'items', description });
const obj = (description: string): FieldSpec => ({ kind: 'object', description });

const userFields = {
  UserID: s('member userid in the corp'),
  OpenUserID: s('the member\'s open_userid (third-party apps)'),
  Name: s('name'),
  Department: ints('department ids'),
  MainDepartment: int('main department id'),
  IsLeaderInDept: ints('1 where the member leads the department at the same position in `department`'),
  DirectLeader: strs('userids of direct leaders'),
  Mobile: s('mobile (only where the app may read it)'),
  Position: s('position'),
  Gender: int('1 male, 2 female, 0 unknown'),
  Email: s('email'),
  BizMail: s('corporate email'),
  Status: int('1 active, 2 disabled, 4 not activated, 5 quit'),
  Avatar: s('avatar URL'),
  Alias: s('alias'),
  Telephone: s('telephone'),
  Address: s('address'),
  ExtAttr: items('custom attributes: `[{ name, type, text: { value } | web: { title, url } }]`'),
};

const partyFields = {
  Id: int('department id'),
  Name: s('department name (not sent to third-party apps for new corps)'),
  ParentId: int('parent department id'),
  Order: int('order within the parent'),
};

const tagFields = {
  TagId: int('tag id'),
  AddUserItems: strs('userids added to the tag'),
  DelUserItems: strs('userids removed from the tag'),
  AddPartyItems: ints('department ids added'),
  DelPartyItems: ints('department ids removed'),
};

const externalContactFields = {
  UserID: s('the member who owns the contact'),
  ExternalUserID: s('external_userid of the customer (differs per suite)'),
  State: s('`state` of the contact way the customer used'),
  WelcomeCode: s('code for sending a welcome message (valid 20 s)'),
  Source: s('for deletions: `DELETE_BY_TRANSFER` when removed by a transfer'),
  FailReason: s('customer_refused | customer_limit_exceed'),
};

const externalChatFields = {
  ChatId: s('customer group id'),
  UpdateDetail: s('add_member | del_member | change_owner | change_name | change_notice'),
  JoinScene: int('0 invited by a member, 1 joined by QR code, 3 by the link'),
  QuitScene: int('0 left, 1 removed by the owner'),
  MemChangeCnt: int('number of members who joined or left'),
  MemChangeList: items('userids / external_userids who joined or left'),
  LastMemVer: s('member version before the change'),
  CurMemVer: s('member version after the change'),
};

const externalTagFields = {
  Id: s('tag or tag-group id'),
  TagType: s('tag | tag_group'),
  StrategyId: int('rule-group id, for rule-group tags'),
};

const messageBase = {
  FromUserName: s('sender userid'),
  MsgId: s('message id (a string: it exceeds 2^53)'),
  AgentID: int('the app\'s agent id in the corp'),
};

const appEventBase = {
  FromUserName: s('member userid'),
  AgentID: int('the app\'s agent id in the corp'),
};

const orderFields = {
  PaidCorpId: s('the corp that paid'),
  OrderId: s('order id'),
  OperatorId: s('userid of the member who ordered'),
};

/** Contact changes arrive as command callbacks (third-party apps) or data events (代开发 apps): one type each. */
function contactTypes(): EventTypeSpec[] {
  const kinds: [string, string, string, Readonly<Record<string, FieldSpec>>][] = [
    ['create_user', 'contact.user.created', 'A member was added', userFields],
    ['update_user', 'contact.user.updated', 'A member changed (only changed fields are sent; `newUserId` on a userid change)', { ...userFields, NewUserID: s('the new userid, when it changed') }],
    ['delete_user', 'contact.user.deleted', 'A member was removed', { UserID: userFields.UserID, OpenUserID: userFields.OpenUserID }],
    ['create_party', 'contact.department.created', 'A department was created', partyFields],
    ['update_party', 'contact.department.updated', 'A department changed', partyFields],
    ['delete_party', 'contact.department.deleted', 'A department was removed', { Id: partyFields.Id }],
    ['update_tag', 'contact.tag.updated', 'Members or departments were added to or removed from a tag', tagFields],
  ];
  return kinds.flatMap(([changeType, type, description, fields]) => [
    { type, description, source: { kind: 'command', infoType: 'change_contact', changeType }, fields },
    { type, description, source: { kind: 'data', msgType: 'event', event: 'change_contact', changeType }, fields },
  ]);
}

/** Customer-contact changes: command callbacks for third-party apps, data events for 代开发 apps. */
function customerTypes(): EventTypeSpec[] {
  const kinds: [string, string, string, string, Readonly<Record<string, FieldSpec>>][] = [
    ['change_external_contact', 'add_external_contact', 'external_contact.added', 'A member added a customer', externalContactFields],
    ['change_external_contact', 'edit_external_contact', 'external_contact.edited', 'A member edited a customer\'s remark or tags', externalContactFields],
    ['change_external_contact', 'add_half_external_contact', 'external_contact.half_added', 'A customer added a member who has not accepted yet', externalContactFields],
    ['change_external_contact', 'del_external_contact', 'external_contact.deleted', 'A member deleted a customer', externalContactFields],
    ['change_external_contact', 'del_follow_user', 'external_contact.follow_user_deleted', 'A customer deleted a member', externalContactFields],
    ['change_external_contact', 'transfer_fail', 'external_contact.transfer_failed', 'Taking over a customer failed', externalContactFields],
    ['change_external_chat', 'create', 'external_chat.created', 'A customer group was created', externalChatFields],
    ['change_external_chat', 'update', 'external_chat.updated', 'A customer group changed (`updateDetail` says how)', externalChatFields],
    ['change_external_chat', 'dismiss', 'external_chat.dismissed', 'A customer group was dismissed', externalChatFields],
    ['change_external_tag', 'create', 'external_tag.created', 'A customer tag or tag group was created', externalTagFields],
    ['change_external_tag', 'update', 'external_tag.updated', 'A customer tag or tag group changed', externalTagFields],
    ['change_external_tag', 'delete', 'external_tag.deleted', 'A customer tag or tag group was deleted', externalTagFields],
    ['change_external_tag', 'shuffle', 'external_tag.shuffled', 'Customer tags were reordered', externalTagFields],
  ];
  return kinds.flatMap(([name, changeType, type, description, fields]) => [
    { type, description, source: { kind: 'command', infoType: name, changeType }, fields },
    { type, description, source: { kind: 'data', msgType: 'event', event: name, changeType }, fields },
  ]);
}

/**
 * Provider system events arrive at the provider's own URL (kind `system`); the same InfoTypes may also reach a
 * suite's command URL, so license types keep their command source too: one type, both sources. The worker's
 * handler publishes the system one for each suite of the provider installed in the corp (`publishInboxFor`).
 */
function systemTwins(specs: readonly EventTypeSpec[]): EventTypeSpec[] {
  return specs.flatMap((spec) => (spec.source.kind === 'command' && SYSTEM_INFO_TYPES.has(spec.source.infoType) ? [{ ...spec, source: { kind: 'system' as const, infoType: spec.source.infoType } }] : []));
}

/**
 * InfoTypes WeCom sends to the provider's system-event URL (系统事件接收URL) that a worker handler publishes per suite
 * (LicenseSystemEvents). unlicensed_notify is not one: WeCom sends it to the suite's data URL (/95716).
 */
const SYSTEM_INFO_TYPES: ReadonlySet<string> = new Set(['license_pay_success', 'license_refund', 'auto_activate']);

const BASE_EVENT_TYPES: readonly EventTypeSpec[] = [
  // Tenant lifecycle (command callbacks). create_auth carries no corp: the worker fills `corpId` from the exchange.
  { type: 'tenant.installed', description: 'A corp installed the suite (the tenant is stored before this is sent)', source: { kind: 'command', infoType: 'create_auth' }, fields: {
      State: s('`state` of the install link, if any'),
      CorpName: s('the corp\'s name (from the exchange: WeCom\'s callback names no corp)'),
      CorpFullName: s('the corp\'s full name, if WeCom gave it'),
      EditionId: s('付费版本 edition id of the suite\'s app, if WeCom gave one'),
      EditionName: s('its edition name'),
    }, omit: ['AuthCode'] },
  { type: 'tenant.auth_changed', description: 'The corp changed the app\'s visible range or permissions (auth info is refreshed before this is sent)', source: { kind: 'command', infoType: 'change_auth' }, fields: { State: s('`state`, if any') } },
  { type: 'tenant.cancelled', description: 'The corp uninstalled the suite; its tokens are dropped. WeCom expects you to delete its data', source: { kind: 'command', infoType: 'cancel_auth' }, fields: {} },
  { type: 'tenant.permanent_code_reset', description: '代开发 app secret reset; the platform stored the new permanent code', source: { kind: 'command', infoType: 'reset_permanent_code' }, fields: {}, omit: ['AuthCode'] },

  ...contactTypes(),
  ...customerTypes(),

  // App messages (data callbacks; 接收消息).
  { type: 'message.text', description: 'A member sent the app a text message', source: { kind: 'data', msgType: 'text' }, fields: { ...messageBase, Content: s('the text') } },
  { type: 'message.image', description: 'A member sent an image', source: { kind: 'data', msgType: 'image' }, fields: { ...messageBase, PicUrl: s('image URL'), MediaId: s('media id (valid 3 days)') } },
  { type: 'message.voice', description: 'A member sent a voice message', source: { kind: 'data', msgType: 'voice' }, fields: { ...messageBase, MediaId: s('media id'), Format: s('amr, speex, …') } },
  { type: 'message.video', description: 'A member sent a video', source: { kind: 'data', msgType: 'video' }, fields: { ...messageBase, MediaId: s('media id'), ThumbMediaId: s('thumbnail media id') } },
  { type: 'message.file', description: 'A member sent a file', source: { kind: 'data', msgType: 'file' }, fields: { ...messageBase, MediaId: s('media id'), FileName: s('file name') } },
  { type: 'message.location', description: 'A member sent a location', source: { kind: 'data', msgType: 'location' }, fields: { ...messageBase, Location_X: num('latitude'), Location_Y: num('longitude'), Scale: int('map zoom'), Label: s('place name'), AppType: s('`wxwork` from the app') } },
  { type: 'message.link', description: 'A member sent a link', source: { kind: 'data', msgType: 'link' }, fields: { ...messageBase, Title: s('title'), Description: s('description'), Url: s('link URL'), PicUrl: s('cover image URL') } },

  // App events (data callbacks, MsgType=event).
  { type: 'app.enter', description: 'A member opened the app', source: { kind: 'data', msgType: 'event', event: 'enter_agent' }, fields: { ...appEventBase, EventKey: s('empty') } },
  { type: 'app.subscribe', description: 'A member became able to use the app (visible range, first follow)', source: { kind: 'data', msgType: 'event', event: 'subscribe' }, fields: appEventBase },
  { type: 'app.unsubscribe', description: 'A member can no longer use the app', source: { kind: 'data', msgType: 'event', event: 'unsubscribe' }, fields: appEventBase },
  { type: 'app.menu_click', description: 'A member clicked a menu item', source: { kind: 'data', msgType: 'event', event: 'click' }, fields: { ...appEventBase, EventKey: s('the menu item\'s key') } },
  { type: 'app.menu_view', description: 'A member opened a menu link', source: { kind: 'data', msgType: 'event', event: 'view' }, fields: { ...appEventBase, EventKey: s('the URL') } },
  { type: 'app.location_reported', description: 'The client reported the member\'s location', source: { kind: 'data', msgType: 'event', event: 'LOCATION' }, fields: { ...appEventBase, Latitude: num('latitude'), Longitude: num('longitude'), Precision: num('precision, m'), AppType: s('`wxwork`') } },
  { type: 'app.scancode_push', description: 'A member scanned a code from a menu', source: { kind: 'data', msgType: 'event', event: 'scancode_push' }, fields: { ...appEventBase, EventKey: s('menu key'), ScanCodeInfo: obj('`{ scanType, scanResult }`') } },
  { type: 'app.scancode_waitmsg', description: 'A member scanned a code and waits for a reply', source: { kind: 'data', msgType: 'event', event: 'scancode_waitmsg' }, fields: { ...appEventBase, EventKey: s('menu key'), ScanCodeInfo: obj('`{ scanType, scanResult }`') } },
  { type: 'app.batch_job_result', description: 'An asynchronous batch job finished', source: { kind: 'data', msgType: 'event', event: 'batch_job_result' }, fields: { BatchJob: obj('`{ jobId, jobType, errCode, errMsg }`') } },
  { type: 'app.template_card_clicked', description: 'A member clicked a template card button', source: { kind: 'data', msgType: 'event', event: 'template_card_event' }, fields: { ...appEventBase, EventKey: s('button key'), TaskId: s('card task id'), CardType: s('card type'), ResponseCode: s('code for updating the card (valid 72 h, once)'), SelectedItems: obj('selections') } },

  // Orders and editions (command callbacks; 应用市场 付费).
  { type: 'order.created', description: 'An app-market order was placed', source: { kind: 'command', infoType: 'open_order' }, fields: orderFields },
  { type: 'order.changed', description: 'An order was replaced (upgrade, renewal)', source: { kind: 'command', infoType: 'change_order' }, fields: { PaidCorpId: orderFields.PaidCorpId, OldOrderId: s('replaced order'), NewOrderId: s('new order') } },
  { type: 'order.paid', description: 'An order was paid', source: { kind: 'command', infoType: 'pay_for_app_success' }, fields: orderFields },
  { type: 'order.refunded', description: 'An order was refunded', source: { kind: 'command', infoType: 'refund' }, fields: orderFields },
  { type: 'edition.changed', description: 'The corp\'s paid edition changed (WeCom spells it `change_editon`)', source: { kind: 'command', infoType: 'change_editon' }, fields: { PaidCorpId: orderFields.PaidCorpId } },

  // Account licenses (接口许可) and other provider system events (系统事件接收URL, receiveid = the provider corpid).
  { type: 'license.paid', description: 'A license order was paid', source: { kind: 'command', infoType: 'license_pay_success' }, fields: { ServiceCorpId: s('the provider corpid'), OrderId: s('order id'), BuyerUserId: s('buyer') } },
  { type: 'license.refunded', description: 'A license order was refunded', source: { kind: 'command', infoType: 'license_refund' }, fields: { ServiceCorpId: s('the provider corpid'), OrderId: s('order id'), OrderStatus: int('refund status') } },
  { type: 'license.auto_activated', description: 'Members were activated automatically', source: { kind: 'command', infoType: 'auto_activate' }, fields: { ServiceCorpId: s('the provider corpid'), Scene: int('activation scene'), AccountList: obj('activated accounts') } },
  { type: 'provider.corp_registered', description: 'A corp registered WeCom through the provider\'s promotion QR code (注册完成回调). Not delivered yet: it concerns the provider, not a suite, and endpoints are per suite; the callback is kept in the inbox (admin API, kind `system`)', source: { kind: 'system', infoType: 'register_corp' }, fields: { ServiceCorpId: s('the provider corpid'), RegisterCode: s('the registration code'), TemplateId: s('promotion template id'), State: s('`state` of the registration link'), AuthUserInfo: obj('`{ userId }` of the corp\'s creator') } },
  { type: 'license.unlicensed_notify', description: 'A member without a license used the app', source: { kind: 'command', infoType: 'unlicensed_notify' }, fields: { AgentID: int('agent id') } },
  // WeCom documents unlicensed_notify as a data-callback event (接口许可失效通知, /95716); recorded per member.
  { type: 'license.unlicensed_member', description: 'A member whose account license is missing or expired used the app (the platform records the member until licensed)', source: { kind: 'data', msgType: 'event', event: 'unlicensed_notify' }, fields: { FromUserName: s('the member\'s userid'), AgentID: int('the app\'s agent id in the corp') } },
];

export const EVENT_TYPES: readonly EventTypeSpec[] = [...BASE_EVENT_TYPES, ...systemTwins(BASE_EVENT_TYPES)];

/** Fields every envelope already carries, so they are not repeated in `data`. */
export const ENVELOPE_FIELDS: ReadonlySet<string> = new Set([
  'SuiteId', 'InfoType', 'TimeStamp', 'ChangeType', 'ToUserName', 'MsgType', 'Event', 'CreateTime', 'AuthCorpId',
]);

/** Fields never sent, whatever the type: credentials WeCom puts in callbacks. */
export const SECRET_FIELDS: ReadonlySet<string> = new Set(['AuthCode', 'SuiteTicket', 'ContactSync', 'PermanentCode']);

/** Command callbacks that are the platform's own business and never become events. */
export const INTERNAL_INFO_TYPES: ReadonlySet<string> = new Set(['suite_ticket']);
