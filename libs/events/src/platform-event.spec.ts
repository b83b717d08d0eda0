import { parseXml } from '@app/wecom';
import { eventCatalogue, knownEventTypes, renderEventCatalogue } from './event-catalogue.js';
import { PLATFORM_ORIGINATED_TYPES } from './platform-originated-types.js';
import { EVENT_TYPES } from './event-types.js';
import { InboxEventInput, parsePlatformEventId, platformEventId, toPlatformEvent } from './platform-event.js';

const receivedAt = new Date('2026-11-30T10:00:00.500Z');
const SUITE = 'wwddddccc7775555aaa';
const CORP = 'wxf8b4f85f3a794e77';

function command(fields: string): InboxEventInput {
  return { suiteId: SUITE, kind: 'command', corpId: null, receivedAt, xml: parseXml(`<xml><SuiteId><![CDATA[${SUITE}]]></SuiteId>${fields}<TimeStamp>1403610513</TimeStamp></xml>`) };
}

/** A provider system event: `suiteId` is the provider corpid, the payload carries ServiceCorpId instead of SuiteId. */
function system(fields: string): InboxEventInput {
  return { suiteId: 'wwprov', kind: 'system', corpId: null, receivedAt, xml: parseXml(`<xml><ServiceCorpId><![CDATA[wwprov]]></ServiceCorpId>${fields}<TimeStamp>1403610513</TimeStamp></xml>`) };
}

function data(fields: string): InboxEventInput {
  return { suiteId: SUITE, kind: 'data', corpId: CORP, receivedAt, xml: parseXml(`<xml><ToUserName><![CDATA[${CORP}]]></ToUserName>${fields}</xml>`) };
}

const changeContact = (changeType: string, fields: string): InboxEventInput =>
  command(`<InfoType><![CDATA[change_contact]]></InfoType><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><ChangeType><![CDATA[${changeType}]]></ChangeType>${fields}`);
const external = (infoType: string, changeType: string, fields: string): InboxEventInput =>
  command(`<AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><InfoType><![CDATA[${infoType}]]></InfoType><ChangeType><![CDATA[${changeType}]]></ChangeType>${fields}`);
const message = (msgType: string, fields: string): InboxEventInput =>
  data(`<FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[${msgType}]]></MsgType>${fields}<MsgId>1234567890123456789</MsgId><AgentID>1000002</AgentID>`);
const appEvent = (event: string, fields = ''): InboxEventInput =>
  data(`<FromUserName><![CDATA[lisi]]></FromUserName><CreateTime>1408091189</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[${event}]]></Event>${fields}<AgentID>1</AgentID>`);

/** [type, input, data expected (exactly), corpId expected] — payloads shaped like WeCom's documented samples. */
const CASES: [string, InboxEventInput, Record<string, unknown>, string | null][] = [
  ['tenant.installed', command('<AuthCode><![CDATA[AUTHCODE]]></AuthCode><InfoType><![CDATA[create_auth]]></InfoType><State><![CDATA[abc123]]></State>'), { state: 'abc123' }, null],
  ['tenant.auth_changed', command(`<InfoType><![CDATA[change_auth]]></InfoType><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><State><![CDATA[abc]]></State>`), { state: 'abc' }, CORP],
  ['tenant.cancelled', command(`<InfoType><![CDATA[cancel_auth]]></InfoType><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId>`), {}, CORP],
  ['tenant.permanent_code_reset', command('<AuthCode><![CDATA[AUTHCODE]]></AuthCode><InfoType><![CDATA[reset_permanent_code]]></InfoType>'), {}, null],
  ['contact.user.created', changeContact('create_user', '<UserID><![CDATA[zhangsan]]></UserID><OpenUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></OpenUserID><Name><![CDATA[张三]]></Name><Department><![CDATA[1,2,3]]></Department><MainDepartment>1</MainDepartment><IsLeaderInDept><![CDATA[1,0,0]]></IsLeaderInDept><DirectLeader><![CDATA[lisi,wangwu]]></DirectLeader><Mobile><![CDATA[11111111111]]></Mobile><Position><![CDATA[产品经理]]></Position><Gender>1</Gender><Email><![CDATA[zhangsan@gzdev.com]]></Email><Status>1</Status><Avatar><![CDATA[http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0]]></Avatar><Alias><![CDATA[zhangsan]]></Alias><Telephone><![CDATA[020-123456]]></Telephone><ExtAttr><Item><Name><![CDATA[爱好]]></Name><Type>0</Type><Text><Value><![CDATA[旅游]]></Value></Text></Item><Item><Name><![CDATA[卡号]]></Name><Type>1</Type><Web><Title><![CDATA[企业微信]]></Title><Url><![CDATA[https://work.weixin.qq.com]]></Url></Web></Item></ExtAttr>'), {
    userId: 'zhangsan', openUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA', name: '张三', department: [1, 2, 3], mainDepartment: 1, isLeaderInDept: [1, 0, 0],
    directLeader: ['lisi', 'wangwu'], mobile: '11111111111', position: '产品经理', gender: 1, email: 'zhangsan@gzdev.com', status: 1,
    avatar: 'http://wx.qlogo.cn/mmopen/ajNVdqHZLLA3WJ6DSZUfiakYe37PKnQhBIeOQBO4czqrnZDS79FH5Wm5m4X69TBicnHFlhiafvDwklOpZeXYQQ2icg/0',
    alias: 'zhangsan', telephone: '020-123456',
    extAttr: [{ name: '爱好', type: '0', text: { value: '旅游' } }, { name: '卡号', type: '1', web: { title: '企业微信', url: 'https://work.weixin.qq.com' } }],
  }, CORP],
  ['contact.user.updated', changeContact('update_user', '<UserID><![CDATA[zhangsan]]></UserID><OpenUserID><![CDATA[woAJ2G]]></OpenUserID><NewUserID><![CDATA[zhangsan001]]></NewUserID><Department><![CDATA[1,2]]></Department><Status>2</Status>'), { userId: 'zhangsan', openUserId: 'woAJ2G', newUserId: 'zhangsan001', department: [1, 2], status: 2 }, CORP],
  ['contact.user.deleted', changeContact('delete_user', '<UserID><![CDATA[zhangsan]]></UserID><OpenUserID><![CDATA[woAJ2G]]></OpenUserID>'), { userId: 'zhangsan', openUserId: 'woAJ2G' }, CORP],
  ['contact.department.created', changeContact('create_party', '<Id>2</Id><Name><![CDATA[张三]]></Name><ParentId><![CDATA[1]]></ParentId><Order>1</Order>'), { id: 2, name: '张三', parentId: 1, order: 1 }, CORP],
  ['contact.department.updated', changeContact('update_party', '<Id>2</Id><Name><![CDATA[张三]]></Name><ParentId><![CDATA[1]]></ParentId>'), { id: 2, name: '张三', parentId: 1 }, CORP],
  ['contact.department.deleted', changeContact('delete_party', '<Id>2</Id>'), { id: 2 }, CORP],
  ['contact.tag.updated', changeContact('update_tag', '<TagId>1</TagId><AddUserItems><![CDATA[zhangsan,lisi]]></AddUserItems><DelUserItems><![CDATA[zhangsan1,lisi1]]></DelUserItems><AddPartyItems><![CDATA[1,2]]></AddPartyItems><DelPartyItems><![CDATA[3,4]]></DelPartyItems>'), { tagId: 1, addUserItems: ['zhangsan', 'lisi'], delUserItems: ['zhangsan1', 'lisi1'], addPartyItems: [1, 2], delPartyItems: [3, 4] }, CORP],
  ['external_contact.added', external('change_external_contact', 'add_external_contact', '<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA]]></ExternalUserID><State><![CDATA[teststate]]></State><WelcomeCode><![CDATA[WELCOMECODE]]></WelcomeCode>'), { userId: 'zhangsan', externalUserId: 'woAJ2GCAAAXtWyujaWJHDDGi0mACAAAA', state: 'teststate', welcomeCode: 'WELCOMECODE' }, CORP],
  ['external_contact.edited', external('change_external_contact', 'edit_external_contact', '<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2G]]></ExternalUserID>'), { userId: 'zhangsan', externalUserId: 'woAJ2G' }, CORP],
  ['external_contact.half_added', external('change_external_contact', 'add_half_external_contact', '<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2G]]></ExternalUserID><State><![CDATA[s]]></State><WelcomeCode><![CDATA[W]]></WelcomeCode>'), { userId: 'zhangsan', externalUserId: 'woAJ2G', state: 's', welcomeCode: 'W' }, CORP],
  ['external_contact.deleted', external('change_external_contact', 'del_external_contact', '<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2G]]></ExternalUserID><Source><![CDATA[DELETE_BY_TRANSFER]]></Source>'), { userId: 'zhangsan', externalUserId: 'woAJ2G', source: 'DELETE_BY_TRANSFER' }, CORP],
  ['external_contact.follow_user_deleted', external('change_external_contact', 'del_follow_user', '<UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2G]]></ExternalUserID>'), { userId: 'zhangsan', externalUserId: 'woAJ2G' }, CORP],
  ['external_contact.transfer_failed', external('change_external_contact', 'transfer_fail', '<FailReason><![CDATA[customer_refused]]></FailReason><UserID><![CDATA[zhangsan]]></UserID><ExternalUserID><![CDATA[woAJ2G]]></ExternalUserID>'), { failReason: 'customer_refused', userId: 'zhangsan', externalUserId: 'woAJ2G' }, CORP],
  ['external_chat.created', external('change_external_chat', 'create', '<ChatId><![CDATA[CHAT_ID]]></ChatId>'), { chatId: 'CHAT_ID' }, CORP],
  ['external_chat.updated', external('change_external_chat', 'update', '<ChatId><![CDATA[CHAT_ID]]></ChatId><UpdateDetail><![CDATA[add_member]]></UpdateDetail><JoinScene>1</JoinScene><QuitScene>0</QuitScene><MemChangeCnt>10</MemChangeCnt><MemChangeList><Item>Jack</Item><Item>Rose</Item></MemChangeList><LastMemVer>9c3f97c2ada667dfb5f6d03308d963e1</LastMemVer><CurMemVer>71217227bbd112ecfe3a49c482195cb4</CurMemVer>'), { chatId: 'CHAT_ID', updateDetail: 'add_member', joinScene: 1, quitScene: 0, memChangeCnt: 10, memChangeList: ['Jack', 'Rose'], lastMemVer: '9c3f97c2ada667dfb5f6d03308d963e1', curMemVer: '71217227bbd112ecfe3a49c482195cb4' }, CORP],
  ['external_chat.dismissed', external('change_external_chat', 'dismiss', '<ChatId><![CDATA[CHAT_ID]]></ChatId>'), { chatId: 'CHAT_ID' }, CORP],
  ['external_tag.created', external('change_external_tag', 'create', '<Id><![CDATA[TAG_ID]]></Id><TagType><![CDATA[tag]]></TagType>'), { id: 'TAG_ID', tagType: 'tag' }, CORP],
  ['external_tag.updated', external('change_external_tag', 'update', '<Id><![CDATA[TAG_ID]]></Id><TagType><![CDATA[tag_group]]></TagType>'), { id: 'TAG_ID', tagType: 'tag_group' }, CORP],
  ['external_tag.deleted', external('change_external_tag', 'delete', '<Id><![CDATA[TAG_ID]]></Id><TagType><![CDATA[tag]]></TagType><StrategyId>1</StrategyId>'), { id: 'TAG_ID', tagType: 'tag', strategyId: 1 }, CORP],
  ['external_tag.shuffled', external('change_external_tag', 'shuffle', '<Id><![CDATA[TAG_GROUP_ID]]></Id>'), { id: 'TAG_GROUP_ID' }, CORP],
  ['message.text', message('text', '<Content><![CDATA[this is a test]]></Content>'), { fromUserName: 'zhangsan', content: 'this is a test', msgId: '1234567890123456789', agentId: 1000002 }, CORP],
  ['message.image', message('image', '<PicUrl><![CDATA[this is a url]]></PicUrl><MediaId><![CDATA[media_id]]></MediaId>'), { fromUserName: 'zhangsan', picUrl: 'this is a url', mediaId: 'media_id', msgId: '1234567890123456789', agentId: 1000002 }, CORP],
  ['message.voice', message('voice', '<MediaId><![CDATA[media_id]]></MediaId><Format><![CDATA[Format]]></Format>'), { fromUserName: 'zhangsan', mediaId: 'media_id', format: 'Format', msgId: '1234567890123456789', agentId: 1000002 }, CORP],
  ['message.video', message('video', '<MediaId><![CDATA[media_id]]></MediaId><ThumbMediaId><![CDATA[thumb_media_id]]></ThumbMediaId>'), { fromUserName: 'zhangsan', mediaId: 'media_id', thumbMediaId: 'thumb_media_id', msgId: '1234567890123456789', agentId: 1000002 }, CORP],
  ['message.file', message('file', '<MediaId><![CDATA[media_id]]></MediaId><FileName><![CDATA[report.pdf]]></FileName>'), { fromUserName: 'zhangsan', mediaId: 'media_id', fileName: 'report.pdf', msgId: '1234567890123456789', agentId: 1000002 }, CORP],
  ['message.location', message('location', '<Location_X>23.134</Location_X><Location_Y>113.358</Location_Y><Scale>20</Scale><Label><![CDATA[位置信息]]></Label><AppType><![CDATA[wxwork]]></AppType>'), { fromUserName: 'zhangsan', latitude: 23.134, longitude: 113.358, scale: 20, label: '位置信息', appType: 'wxwork', msgId: '1234567890123456789', agentId: 1000002 }, CORP],
  ['message.link', message('link', '<Title><![CDATA[this is a title!]]></Title><Description><![CDATA[this is a description!]]></Description><Url><![CDATA[URL]]></Url><PicUrl><![CDATA[this is a url]]></PicUrl>'), { fromUserName: 'zhangsan', title: 'this is a title!', description: 'this is a description!', url: 'URL', picUrl: 'this is a url', msgId: '1234567890123456789', agentId: 1000002 }, CORP],
  ['app.enter', appEvent('enter_agent', '<EventKey><![CDATA[]]></EventKey>'), { fromUserName: 'lisi', eventKey: '', agentId: 1 }, CORP],
  ['app.subscribe', appEvent('subscribe'), { fromUserName: 'lisi', agentId: 1 }, CORP],
  ['app.unsubscribe', appEvent('unsubscribe'), { fromUserName: 'lisi', agentId: 1 }, CORP],
  ['app.menu_click', appEvent('click', '<EventKey><![CDATA[EVENTKEY]]></EventKey>'), { fromUserName: 'lisi', eventKey: 'EVENTKEY', agentId: 1 }, CORP],
  ['app.menu_view', appEvent('view', '<EventKey><![CDATA[www.qq.com]]></EventKey>'), { fromUserName: 'lisi', eventKey: 'www.qq.com', agentId: 1 }, CORP],
  ['app.location_reported', appEvent('LOCATION', '<Latitude>23.104</Latitude><Longitude>113.320</Longitude><Precision>65.000</Precision><AppType><![CDATA[wxwork]]></AppType>'), { fromUserName: 'lisi', latitude: 23.104, longitude: 113.32, precision: 65, appType: 'wxwork', agentId: 1 }, CORP],
  ['app.scancode_push', appEvent('scancode_push', '<EventKey><![CDATA[6]]></EventKey><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[1]]></ScanResult></ScanCodeInfo>'), { fromUserName: 'lisi', eventKey: '6', scanCodeInfo: { scanType: 'qrcode', scanResult: '1' }, agentId: 1 }, CORP],
  ['app.scancode_waitmsg', appEvent('scancode_waitmsg', '<EventKey><![CDATA[6]]></EventKey><ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[2]]></ScanResult></ScanCodeInfo>'), { fromUserName: 'lisi', eventKey: '6', scanCodeInfo: { scanType: 'qrcode', scanResult: '2' }, agentId: 1 }, CORP],
  ['app.batch_job_result', data('<FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1425284517</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[batch_job_result]]></Event><BatchJob><JobId><![CDATA[S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4]]></JobId><JobType><![CDATA[sync_user]]></JobType><ErrCode>0</ErrCode><ErrMsg><![CDATA[ok]]></ErrMsg></BatchJob>'), { fromUserName: 'sys', batchJob: { jobId: 'S0MrnndvRG5fadSlLwiBqiDDbM143UqTmKP3152FZk4', jobType: 'sync_user', errCode: '0', errMsg: 'ok' } }, CORP],
  ['app.template_card_clicked', appEvent('template_card_event', '<EventKey><![CDATA[key111]]></EventKey><TaskId><![CDATA[taskid111]]></TaskId><CardType><![CDATA[text_notice]]></CardType><ResponseCode><![CDATA[ResponseCode]]></ResponseCode>'), { fromUserName: 'lisi', eventKey: 'key111', taskId: 'taskid111', cardType: 'text_notice', responseCode: 'ResponseCode', agentId: 1 }, CORP],
  ['order.created', command(`<InfoType><![CDATA[open_order]]></InfoType><PaidCorpId><![CDATA[${CORP}]]></PaidCorpId><OrderId><![CDATA[N000001]]></OrderId><OperatorId><![CDATA[zhangsan]]></OperatorId>`), { paidCorpId: CORP, orderId: 'N000001', operatorId: 'zhangsan' }, CORP],
  ['order.changed', command(`<InfoType><![CDATA[change_order]]></InfoType><PaidCorpId><![CDATA[${CORP}]]></PaidCorpId><OldOrderId><![CDATA[O1]]></OldOrderId><NewOrderId><![CDATA[O2]]></NewOrderId>`), { paidCorpId: CORP, oldOrderId: 'O1', newOrderId: 'O2' }, CORP],
  ['order.paid', command(`<InfoType><![CDATA[pay_for_app_success]]></InfoType><PaidCorpId><![CDATA[${CORP}]]></PaidCorpId><OrderId><![CDATA[N1]]></OrderId>`), { paidCorpId: CORP, orderId: 'N1' }, CORP],
  ['order.refunded', command(`<InfoType><![CDATA[refund]]></InfoType><PaidCorpId><![CDATA[${CORP}]]></PaidCorpId><OrderId><![CDATA[N1]]></OrderId>`), { paidCorpId: CORP, orderId: 'N1' }, CORP],
  ['edition.changed', command(`<InfoType><![CDATA[change_editon]]></InfoType><PaidCorpId><![CDATA[${CORP}]]></PaidCorpId>`), { paidCorpId: CORP }, CORP],
  ['license.paid', command(`<InfoType><![CDATA[license_pay_success]]></InfoType><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><ServiceCorpId><![CDATA[wwprov]]></ServiceCorpId><OrderId><![CDATA[L1]]></OrderId><BuyerUserId><![CDATA[buyer]]></BuyerUserId>`), { serviceCorpId: 'wwprov', orderId: 'L1', buyerUserId: 'buyer' }, CORP],
  ['license.refunded', command(`<InfoType><![CDATA[license_refund]]></InfoType><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><ServiceCorpId><![CDATA[wwprov]]></ServiceCorpId><OrderId><![CDATA[L1]]></OrderId><OrderStatus>1</OrderStatus>`), { serviceCorpId: 'wwprov', orderId: 'L1', orderStatus: 1 }, CORP],
  ['license.auto_activated', command(`<InfoType><![CDATA[auto_activate]]></InfoType><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><ServiceCorpId><![CDATA[wwprov]]></ServiceCorpId><Scene>1</Scene><AccountList><ActiveCode>code1</ActiveCode><Type>1</Type><UserId>zhangsan</UserId></AccountList>`), { serviceCorpId: 'wwprov', scene: 1, accountList: { activeCode: 'code1', type: '1', userId: 'zhangsan' } }, CORP],
  ['license.unlicensed_member', appEvent('unlicensed_notify'), { fromUserName: 'lisi', agentId: 1 }, CORP],
  ['license.unlicensed_notify', command(`<InfoType><![CDATA[unlicensed_notify]]></InfoType><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><AgentID>1000002</AgentID>`), { agentId: 1000002 }, CORP],
  ['license.paid', system(`<InfoType><![CDATA[license_pay_success]]></InfoType><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><OrderId><![CDATA[L2]]></OrderId><BuyerUserId><![CDATA[buyer]]></BuyerUserId>`), { serviceCorpId: 'wwprov', orderId: 'L2', buyerUserId: 'buyer' }, CORP],
  ['provider.corp_registered', system(`<InfoType><![CDATA[register_corp]]></InfoType><AuthCorpId><![CDATA[${CORP}]]></AuthCorpId><RegisterCode><![CDATA[REG]]></RegisterCode><TemplateId><![CDATA[tpl]]></TemplateId><State><![CDATA[s1]]></State><ContactSync><AccessToken><![CDATA[secret-sync-token]]></AccessToken><ExpiresIn>7200</ExpiresIn></ContactSync><AuthUserInfo><UserId><![CDATA[admin]]></UserId></AuthUserInfo>`), { serviceCorpId: 'wwprov', registerCode: 'REG', templateId: 'tpl', state: 's1', authUserInfo: { userId: 'admin' } }, CORP],
];

describe('platform events from WeCom callbacks', () => {
  it.each(CASES)('maps %s', (type, input, expectedData, corpId) => {
    const event = toPlatformEvent(input);
    expect(event).toEqual({
      type,
      timestamp: expect.stringMatching(/^20\d\d-\d\d-\d\dT/),
      receivedAt: '2026-11-30T10:00:00.500Z',
      suiteId: input.suiteId,
      corpId,
      data: expectedData,
    });
  });

  it('has a case above for every type in the table (but those the platform raises itself)', () => {
    const tested = new Set(CASES.map(([type]) => type));
    const ownTypes = new Set(PLATFORM_ORIGINATED_TYPES.map((t) => t.type)); // no WeCom callback to map
    expect(knownEventTypes().filter((t) => t !== 'wecom.unknown' && !tested.has(t) && !ownTypes.has(t))).toEqual([]);
    expect(knownEventTypes()).toContain('tenant.suspended');
    expect(knownEventTypes()).toContain('license.expiring');
  });

  it('takes the timestamp from WeCom (TimeStamp or CreateTime), in UTC', () => {
    expect(toPlatformEvent(CASES[2][1])!.timestamp).toBe('2014-06-24T11:48:33.000Z');
    expect(toPlatformEvent(message('text', '<Content>x</Content>'))!.timestamp).toBe('2012-09-28T11:31:00.000Z');
  });

  it('maps contact and customer changes sent as data events (代开发 apps) to the same types', () => {
    const event = toPlatformEvent(data('<FromUserName><![CDATA[sys]]></FromUserName><CreateTime>1403610513</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event><ChangeType>delete_user</ChangeType><UserID><![CDATA[zhangsan]]></UserID>'));
    expect(event).toMatchObject({ type: 'contact.user.deleted', corpId: CORP, data: { fromUserName: 'sys', userId: 'zhangsan' } });
    const added = toPlatformEvent(data('<FromUserName>sys</FromUserName><CreateTime>1403610513</CreateTime><MsgType>event</MsgType><Event>change_external_contact</Event><ChangeType>add_external_contact</ChangeType><UserID>u</UserID><ExternalUserID>e</ExternalUserID>'));
    expect(added).toMatchObject({ type: 'external_contact.added', data: { userId: 'u', externalUserId: 'e' } });
  });

  it('takes the corp from the processing context for create_auth, whose payload names none', () => {
    expect(toPlatformEvent(CASES[0][1], { corpId: CORP })!.corpId).toBe(CORP);
  });

  it('never carries auth codes or tickets', () => {
    const installed = JSON.stringify(toPlatformEvent(CASES[0][1]));
    expect(installed).not.toContain('AUTHCODE');
    const unknown = JSON.stringify(toPlatformEvent(command('<InfoType>register_corp</InfoType><AuthCode>SECRETCODE</AuthCode><ContactSync><AccessToken>TOKEN</AccessToken><ExpiresIn>7200</ExpiresIn></ContactSync>')));
    expect(unknown).not.toMatch(/SECRETCODE|TOKEN/);
  });

  it('keeps suite_ticket to the platform (no event)', () => {
    expect(toPlatformEvent(command('<InfoType>suite_ticket</InfoType><SuiteTicket>T</SuiteTicket>'))).toBeNull();
  });

  it('sends anything without an entry as wecom.unknown with every field', () => {
    const event = toPlatformEvent(command(`<InfoType>change_app_admin</InfoType><AuthCorpId>${CORP}</AuthCorpId><Detail><Who>u1</Who></Detail>`));
    expect(event).toMatchObject({
      type: 'wecom.unknown',
      corpId: CORP,
      data: { kind: 'command', fields: { suiteId: SUITE, infoType: 'change_app_admin', authCorpId: CORP, timeStamp: '1403610513', detail: { who: 'u1' } } },
    });
    expect(toPlatformEvent(changeContact('some_new_change', '<X>1</X>'))!.type).toBe('wecom.unknown');
    expect(toPlatformEvent(data('<MsgType>mpnews</MsgType><FromUserName>u</FromUserName>'))).toMatchObject({ type: 'wecom.unknown', data: { kind: 'data' } });
  });

  it('sends a known type whose fields do not hold what WeCom documents as wecom.unknown, with the reason', () => {
    const event = toPlatformEvent(changeContact('create_party', '<Id>two</Id>'));
    expect(event).toMatchObject({ type: 'wecom.unknown', data: { reason: 'contact.department.created: <Id> is not an integer', fields: { id: 'two' } } });
  });

  it('carries fields the table does not list, as strings', () => {
    expect(toPlatformEvent(message('text', '<Content>x</Content><NewField>42</NewField>'))!.data).toMatchObject({ newField: '42' });
  });

  it('numbers events evt_<n> and reads the number back', () => {
    expect(platformEventId(42n)).toBe('evt_42');
    expect(parsePlatformEventId('evt_42')).toBe(42n);
    expect(parsePlatformEventId('evt_x')).toBeNull();
  });

  it('renders a catalogue with every type and its typed fields', () => {
    const page = renderEventCatalogue();
    for (const entry of eventCatalogue()) expect(page).toContain(`## ${entry.type}`);
    expect(page).toContain('| `department` | integer[] |');
    expect(new Set(EVENT_TYPES.map((t) => t.type)).size + PLATFORM_ORIGINATED_TYPES.length).toBe(eventCatalogue().length);
    expect(page).toContain('## tenant.suspended');
  });
});

describe('docs/events.md', () => {
  it('is the catalogue generated from the current table (run node dist/scripts/event-catalogue.js)', async () => {
    const { readFileSync } = await import('node:fs');
    expect(readFileSync('docs/events.md', 'utf8')).toBe(renderEventCatalogue());
  });
});
