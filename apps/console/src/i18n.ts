import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';

/**
 * Chinese and English. WeCom's own console words are used for WeCom things: 应用 (suite), 授权企业 (auth corp),
 * 指令回调 / 数据回调 (command / data callbacks). The permanent code is never shown, in any language.
 */
const en = {
  appName: 'WeCom ISV Console',
  language: 'Language',
  nav: { overview: 'Overview', suites: 'Suites', tenants: 'Tenants', events: 'Callback events', webhooks: 'Webhooks', apiKeys: 'API keys', users: 'Console users' },
  login: {
    title: 'Sign in', username: 'Username', password: 'Password', submit: 'Sign in', failed: 'Wrong username or password', tooMany: 'Too many failed sign-ins; try again later',
    or: 'or', wecom: 'Sign in with WeCom',
    wecomError: {
      invalid_oauth_state: 'This WeCom sign-in was not started on this page, has expired or was already used. Please sign in again.',
      invalid_oauth_code: 'WeCom did not accept the sign-in code. Please sign in again.',
      wecom_user_not_linked: 'WeCom account “{{user}}” is not linked to a console user. Ask a console admin to link it.',
      console_user_disabled: 'The console user linked to WeCom account “{{user}}” is disabled.',
      wecom_corp_not_allowed: "Only members of the vendor's own WeCom organization may sign in here.",
      wecom_user_without_userid: 'WeCom did not say which member signed in. Scan with a member account of the organization.',
      wecom_login_disabled: 'Sign-in with WeCom is not configured.',
      other: 'Sign-in with WeCom is unavailable right now ({{code}}). Try again later or sign in with your password.',
    },
  },
  logout: 'Sign out',
  role: { admin: 'Admin', operator: 'Operator', viewer: 'Viewer' },
  common: {
    loading: 'Loading…', retry: 'Retry', error: 'Could not load', empty: 'Nothing here yet', search: 'Search', reset: 'Reset', save: 'Save', cancel: 'Cancel',
    create: 'Create', edit: 'Edit', actions: 'Actions', more: 'Load more', yes: 'Yes', no: 'No', all: 'All', copy: 'Copy', status: 'Status', suite: 'Suite',
    createdAt: 'Created', view: 'View', refresh: 'Refresh', denied: 'Your role may not do this',
    forbidden: 'Your role may not see this. Ask a console admin if you need it.',
  },
  status: { active: 'Active', cancelled: 'Cancelled', suspended: 'Suspended', received: 'Received', queued: 'Queued', processing: 'Processing', processed: 'Processed', failed: 'Failed', awaiting_tenant: 'Awaiting tenant', orphan: 'Orphan (no tenant)' },
  overview: {
    tenants: 'Tenants', active: 'Active', cancelled: 'Cancelled', suspended: 'Suspended', installsPerDay: 'Installs and cancellations per day',
    installs: 'Installs', cancellations: 'Cancellations', intake: 'Callback intake and processing (last 24 h)', received: 'Received', processed: 'Processed',
    backlog: 'Event backlog', failed: 'Failed events', oldestPending: 'Oldest unprocessed', tickets: 'suite_ticket age', ticketFresh: 'fresh', ticketStale: 'stale (> 30 min): check the 指令回调 URL',
    noTicket: 'no ticket yet', tokens: 'access_token freshness', fresh: 'Fresh', withinMargin: 'Due for refresh', expired: 'Expired', missing: 'Missing',
    webhooks: 'Webhook deliveries (last 24 h)', successRate: 'Success rate', delivered: 'Delivered', deliveryFailed: 'Failed',
  },
  suites: {
    title: 'Suites (应用)', register: 'Register a suite', suiteId: 'Suite ID (suite_id)', name: 'Name', secret: 'Secret (suite_secret)', token: 'Token', aesKey: 'EncodingAESKey',
    successUrl: 'Success URL', testInstall: 'Test install (auth_type=1)', providerCorpId: 'Provider CorpID', providerSecret: 'Provider secret',
    secretsWriteOnly: 'Secrets are write-only: leave empty to keep the stored value.', setup: 'Set up in WeCom', commandUrl: 'Command callback URL (指令回调URL)',
    dataUrl: 'Data callback URL (数据回调URL)', redirectDomain: 'Install redirect domain (授权完成回调域名)', installLink: 'Install link', installQr: 'Install QR code',
    ticket: 'suite_ticket', tenants: 'Tenants', saved: 'Suite saved', empty: 'No suite yet: register the first one',
  },
  tenants: {
    title: 'Tenants (授权企业)', search: 'Corp ID or name', corpId: 'CorpID', corpName: 'Corp name', installedAt: 'Installed', token: 'access_token',
    edition: 'Edition ID', installedBetween: 'Installed between', fresh: 'fresh', stale: 'stale', none: 'none', empty: 'No tenant matches',
    tokenState: 'access_token', tokenStates: { fresh: 'Fresh', within_margin: 'Due for refresh', expired: 'Expired', missing: 'Missing' },
  },
  tenant: {
    auth: 'Authorization', fullName: 'Full name', agents: 'Agents and privileges', agentId: 'AgentID', authMode: 'Mode', privilege: 'Privilege', admin: 'Installing admin',
    edition: 'Edition', tokens: 'Tokens', kind: 'Kind', expiresAt: 'Expires', updatedAt: 'Fetched', refreshNow: 'Refresh now', refreshed: 'Token refreshed',
    events: 'Recent events', history: 'Install history', cancelledAt: 'Cancelled', updated: 'Updated', statusReason: 'Reason', kinds: { corp: 'access_token', jsapi: 'jsapi_ticket', agent: 'agent jsapi_ticket' },
    gateway: 'Gateway quota', messagesToday: 'App messages today (person-times)', corpUserMax: 'corp_user_max', apiPerMinute: 'Calls per WeCom API per minute', slowedDown: 'Held after WeCom rate limit', notHeld: 'No', heldFor: '{{seconds}} s more',
  },
  events: {
    title: 'Callback events', type: 'Type', corpId: 'CorpID', kind: 'Kind', receivedAt: 'Received', attempts: 'Attempts', lastError: 'Last error', payload: 'Payload (secrets redacted)',
    replay: 'Replay', replayed: 'Event queued again', replayBatch: 'Replay all matching', replayBatchConfirm: 'Replay up to 100 matching events?', batchDone: '{{count}} events queued again',
    from: 'From', to: 'To', empty: 'No event matches', detail: 'Event',
  },
  apiKeys: {
    title: 'API keys', create: 'Create a key', name: 'Name', scopes: 'Scopes', prefix: 'Prefix', lastUsed: 'Last used', revoked: 'Revoked', revoke: 'Revoke', revokeConfirm: 'Revoke this key? Services using it stop working.',
    shownOnce: 'Copy the key now: it is not shown again.', active: 'Active', empty: 'No API key yet', scopeHelp: 'admin, or suite:<suite_id>',
    adminOnly: 'Only console admins may see and manage API keys.',
  },
  users: {
    title: 'Console users', create: 'Add a user', username: 'Username', role: 'Role', password: 'Password (12+ characters)', lastLogin: 'Last sign-in', disabled: 'Disabled',
    disable: 'Disable', enable: 'Enable', endSessions: 'End sessions', sessionsEnded: '{{count}} sessions ended', empty: 'No console user yet',
    wecom: 'WeCom account', linkWecom: 'Link WeCom', unlinkWecom: 'Unlink WeCom', linkWecomOf: 'Link a WeCom account to {{username}}', wecomUserId: 'WeCom userid (通讯录 账号)',
    wecomCorp: 'Organization (corpid)', linkWecomHelp: 'This member can then sign in as this user with “Sign in with WeCom”.', notLinked: 'not linked',
    adminOnly: 'Only console admins may see and manage console users.',
  },
  webhooks: {
    title: 'Webhooks', create: 'Add an endpoint', url: 'URL', description: 'Description', eventTypes: 'Event types', allTypes: 'every type', enabled: 'Enabled',
    disabledReason: 'Disabled by the platform', editFilter: 'Edit event types', rotate: 'Rotate secret', rotateConfirm: 'Issue a new signing secret? The old one keeps signing for one day.',
    secretShownOnce: 'Copy the signing secret now: it is not shown again.', rotating: 'rotating', deliveries: 'Deliveries', deliveriesOf: 'Deliveries to {{url}}',
    event: 'Event', corpId: 'CorpID', attempts: 'Attempts', lastStatus: 'Last HTTP status', lastError: 'Last error', redeliver: 'Redeliver', redelivered: 'Delivery queued again',
    empty: 'No endpoint for this suite yet', noDeliveries: 'No delivery yet', pickSuite: 'Choose a suite', eventTypesHelp: 'Exact types, prefix.* or *; empty = every type', saved: 'Endpoint saved',
  },
  deliveryStatus: { pending: 'Pending', delivering: 'Delivering', delivered: 'Delivered', failed: 'Failed' },
};

type Dict = typeof en;

const zh: Dict = {
  appName: '企业微信服务商控制台',
  language: '语言',
  nav: { overview: '概览', suites: '应用', tenants: '授权企业', events: '回调事件', webhooks: '事件推送', apiKeys: 'API 密钥', users: '控制台用户' },
  login: {
    title: '登录', username: '用户名', password: '密码', submit: '登录', failed: '用户名或密码错误', tooMany: '登录失败次数过多，请稍后再试',
    or: '或', wecom: '企业微信登录',
    wecomError: {
      invalid_oauth_state: '此次企业微信登录不是从本页面发起、已过期或已使用，请重新登录。',
      invalid_oauth_code: '企业微信未接受此登录凭证，请重新登录。',
      wecom_user_not_linked: '企业微信账号“{{user}}”未关联控制台用户，请联系控制台管理员关联。',
      console_user_disabled: '企业微信账号“{{user}}”关联的控制台用户已停用。',
      wecom_corp_not_allowed: '仅服务商自己企业的成员可以使用企业微信登录。',
      wecom_user_without_userid: '企业微信未返回登录成员，请使用企业成员账号扫码登录。',
      wecom_login_disabled: '未配置企业微信登录。',
      other: '企业微信登录暂不可用（{{code}}），请稍后再试或使用密码登录。',
    },
  },
  logout: '退出登录',
  role: { admin: '管理员', operator: '运维', viewer: '只读' },
  common: {
    loading: '加载中…', retry: '重试', error: '加载失败', empty: '暂无数据', search: '搜索', reset: '重置', save: '保存', cancel: '取消',
    create: '创建', edit: '编辑', actions: '操作', more: '加载更多', yes: '是', no: '否', all: '全部', copy: '复制', status: '状态', suite: '应用',
    createdAt: '创建时间', view: '查看', refresh: '刷新', denied: '当前角色无此权限',
    forbidden: '当前角色无权查看此内容，如有需要请联系控制台管理员。',
  },
  status: { active: '已授权', cancelled: '已取消授权', suspended: '已停用', received: '已接收', queued: '排队中', processing: '处理中', processed: '已处理', failed: '失败', awaiting_tenant: '等待企业授权', orphan: '无授权企业' },
  overview: {
    tenants: '授权企业', active: '已授权', cancelled: '已取消授权', suspended: '已停用', installsPerDay: '每日安装与取消授权',
    installs: '安装', cancellations: '取消授权', intake: '回调接收与处理（近 24 小时）', received: '接收', processed: '处理',
    backlog: '待处理事件', failed: '失败事件', oldestPending: '最早未处理', tickets: 'suite_ticket 时效', ticketFresh: '正常', ticketStale: '已过期（超过 30 分钟）：请检查指令回调URL',
    noTicket: '尚未收到', tokens: '企业 access_token 时效', fresh: '有效', withinMargin: '待刷新', expired: '已过期', missing: '缺失',
    webhooks: '事件推送（最近 24 小时）', successRate: '成功率', delivered: '已送达', deliveryFailed: '失败',
  },
  suites: {
    title: '应用', register: '登记应用', suiteId: 'SuiteID', name: '名称', secret: 'Secret', token: 'Token', aesKey: 'EncodingAESKey',
    successUrl: '安装完成跳转地址', testInstall: '测试安装（auth_type=1）', providerCorpId: '服务商 CorpID', providerSecret: '服务商 ProviderSecret',
    secretsWriteOnly: '密钥只写：留空则保留已保存的值。', setup: '在企业微信中配置', commandUrl: '指令回调URL',
    dataUrl: '数据回调URL', redirectDomain: '授权完成回调域名', installLink: '安装链接', installQr: '安装二维码',
    ticket: 'suite_ticket', tenants: '授权企业', saved: '应用已保存', empty: '还没有应用：登记第一个',
  },
  tenants: {
    title: '授权企业', search: 'CorpID 或企业名称', corpId: 'CorpID', corpName: '企业名称', installedAt: '安装时间', token: 'access_token',
    edition: '版本 ID', installedBetween: '安装时间范围', fresh: '有效', stale: '过期', none: '无', empty: '没有匹配的授权企业',
    tokenState: 'access_token', tokenStates: { fresh: '有效', within_margin: '待刷新', expired: '已过期', missing: '缺失' },
  },
  tenant: {
    auth: '授权信息', fullName: '企业全称', agents: '应用与权限', agentId: 'AgentID', authMode: '授权方式', privilege: '权限', admin: '授权管理员',
    edition: '版本', tokens: '凭证', kind: '类型', expiresAt: '过期时间', updatedAt: '获取时间', refreshNow: '立即刷新', refreshed: '凭证已刷新',
    events: '最近事件', history: '安装记录', cancelledAt: '取消授权时间', updated: '更新时间', statusReason: '原因', kinds: { corp: 'access_token', jsapi: 'jsapi_ticket', agent: '应用 jsapi_ticket' },
    gateway: '网关配额', messagesToday: '今日应用消息（人次）', corpUserMax: '企业人数上限 corp_user_max', apiPerMinute: '每个接口每分钟调用上限', slowedDown: '因企业微信频率限制暂停', notHeld: '否', heldFor: '还需 {{seconds}} 秒',
  },
  events: {
    title: '回调事件', type: '类型', corpId: 'CorpID', kind: '回调类型', receivedAt: '接收时间', attempts: '尝试次数', lastError: '最后错误', payload: '内容（已隐去密钥）',
    replay: '重放', replayed: '事件已重新排队', replayBatch: '重放全部匹配', replayBatchConfirm: '重放最多 100 个匹配的事件？', batchDone: '{{count}} 个事件已重新排队',
    from: '开始', to: '结束', empty: '没有匹配的事件', detail: '事件',
  },
  apiKeys: {
    title: 'API 密钥', create: '创建密钥', name: '名称', scopes: '权限范围', prefix: '前缀', lastUsed: '最近使用', revoked: '已吊销', revoke: '吊销', revokeConfirm: '吊销此密钥？使用它的服务将立即失效。',
    shownOnce: '请立即复制密钥：它不会再次显示。', active: '有效', empty: '还没有 API 密钥', scopeHelp: 'admin，或 suite:<suite_id>',
    adminOnly: '仅控制台管理员可以查看和管理 API 密钥。',
  },
  users: {
    title: '控制台用户', create: '添加用户', username: '用户名', role: '角色', password: '密码（至少 12 个字符）', lastLogin: '最近登录', disabled: '已停用',
    disable: '停用', enable: '启用', endSessions: '结束会话', sessionsEnded: '已结束 {{count}} 个会话', empty: '还没有控制台用户',
    wecom: '企业微信账号', linkWecom: '关联企业微信', unlinkWecom: '解除企业微信关联', linkWecomOf: '为 {{username}} 关联企业微信账号', wecomUserId: '企业微信成员账号（userid）',
    wecomCorp: '企业（corpid）', linkWecomHelp: '关联后，该成员可通过“企业微信登录”以此用户身份登录。', notLinked: '未关联',
    adminOnly: '仅控制台管理员可以查看和管理控制台用户。',
  },
  webhooks: {
    title: '事件推送（Webhook）', create: '添加接收地址', url: 'URL', description: '说明', eventTypes: '事件类型', allTypes: '全部类型', enabled: '启用',
    disabledReason: '已被平台停用', editFilter: '修改事件类型', rotate: '更换签名密钥', rotateConfirm: '生成新的签名密钥？旧密钥在一天内仍会同时签名。',
    secretShownOnce: '请立即复制签名密钥：它不会再次显示。', rotating: '更换中', deliveries: '推送记录', deliveriesOf: '推送到 {{url}} 的记录',
    event: '事件', corpId: 'CorpID', attempts: '尝试次数', lastStatus: '最后 HTTP 状态', lastError: '最后错误', redeliver: '重新推送', redelivered: '已重新排队推送',
    empty: '此应用还没有接收地址', noDeliveries: '还没有推送记录', pickSuite: '选择应用', eventTypesHelp: '精确类型、prefix.* 或 *；留空 = 全部类型', saved: '接收地址已保存',
  },
  deliveryStatus: { pending: '待推送', delivering: '推送中', delivered: '已送达', failed: '失败' },
};

const STORAGE_KEY = 'console.lang';

/** The saved choice, else the browser's language: Chinese for any zh-*, English otherwise. */
function initialLanguage(): 'zh' | 'en' {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'zh' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, zh: { translation: zh } },
  lng: initialLanguage(),
  fallbackLng: 'en',
  interpolation: { escapeValue: false },
});

export function switchLanguage(lang: 'zh' | 'en'): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  void i18n.changeLanguage(lang);
}

document.documentElement.lang = i18n.language === 'zh' ? 'zh-CN' : 'en';

export default i18n;
