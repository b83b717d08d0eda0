import { WecomResponseError } from './errors.js';
import { JsonReader } from './json-reader.js';
import {
  mapAdminList,
  mapCorpAuthInfo,
  mapLoginInfo,
  mapPermanentCode,
  mapPermanentCodeV2,
  mapUserDetail3rd,
  mapUserInfo3rd,
} from './response-mappers.js';
import type { JsonObject } from './types.js';

const reader = (json: JsonObject): JsonReader => new JsonReader(json, '/test');

/** Response samples from WeCom's documentation of each API. */
const AUTH_CORP_INFO: JsonObject = {
  corpid: 'xxxx',
  corp_name: 'name',
  corp_type: 'verified',
  corp_square_logo_url: 'yyyyy',
  corp_user_max: 50,
  corp_full_name: 'full_name',
  verified_end_time: 1431775834,
  subject_type: 1,
  corp_wxqrcode: 'zzzzz',
  corp_scale: '1-50人',
  corp_industry: 'IT服务',
  corp_sub_industry: '计算机软件/硬件/信息服务',
};

const AUTH_INFO: JsonObject = {
  agent: [
    {
      agentid: 1,
      name: 'NAME',
      round_logo_url: 'xxxxxx',
      square_logo_url: 'yyyyyy',
      appid: 1,
      auth_mode: 1,
      is_customized_app: false,
      auth_from_thirdapp: false,
      privilege: {
        level: 1,
        allow_party: [1, 2, 3],
        allow_user: ['zhansan', 'lisi'],
        allow_tag: [1, 2, 3],
        extra_party: [4, 5, 6],
        extra_user: ['wangwu'],
        extra_tag: [4, 5, 6],
      },
      shared_from: { corpid: 'wwyyyyy', share_type: 1 },
    },
    { agentid: 2, name: 'NAME2', round_logo_url: 'xxxxxx', square_logo_url: 'yyyyyy', appid: 5, shared_from: { corpid: 'wwyyyyy', share_type: 0 } },
  ],
};

const PERMANENT_CODE_V1: JsonObject = {
  errcode: 0,
  errmsg: 'ok',
  access_token: 'xxxxxx',
  expires_in: 7200,
  permanent_code: 'xxxx',
  dealer_corp_info: { corpid: 'xxxx', corp_name: 'name' },
  auth_corp_info: AUTH_CORP_INFO,
  auth_info: AUTH_INFO,
  auth_user_info: { userid: 'aa', open_userid: 'xxxxxx', name: 'xxx', avatar: 'http://xxx' },
  register_code_info: { register_code: '1111', template_id: 'tpl111', state: 'state001' },
  state: 'state001',
};

const EXPECTED_AGENT_1 = {
  agentId: 1,
  name: 'NAME',
  roundLogoUrl: 'xxxxxx',
  squareLogoUrl: 'yyyyyy',
  appId: 1,
  authMode: 1,
  isCustomizedApp: false,
  authFromThirdapp: false,
  privilege: {
    level: 1,
    allowParty: [1, 2, 3],
    allowUser: ['zhansan', 'lisi'],
    allowTag: [1, 2, 3],
    extraParty: [4, 5, 6],
    extraUser: ['wangwu'],
    extraTag: [4, 5, 6],
  },
  sharedFrom: { corpId: 'wwyyyyy', shareType: 1 },
};

describe('mapPermanentCode (v1)', () => {
  const result = mapPermanentCode(reader(PERMANENT_CODE_V1));

  it('maps the code, the first access token and the corp', () => {
    expect(result.permanentCode).toBe('xxxx');
    expect(result.accessToken).toBe('xxxxxx');
    expect(result.expiresIn).toBe(7200);
    expect(result.state).toBe('state001');
    expect(result.authCorpInfo).toEqual({
      corpId: 'xxxx',
      corpName: 'name',
      corpType: 'verified',
      corpSquareLogoUrl: 'yyyyy',
      corpUserMax: 50,
      corpFullName: 'full_name',
      verifiedEndTime: 1431775834,
      subjectType: 1,
      corpWxqrcode: 'zzzzz',
      corpScale: '1-50人',
      corpIndustry: 'IT服务',
      corpSubIndustry: '计算机软件/硬件/信息服务',
    });
  });

  it('maps agents, privileges, admin, dealer and register code', () => {
    expect(result.authInfo?.agents[0]).toEqual(EXPECTED_AGENT_1);
    expect(result.authInfo?.agents[1]).toEqual({
      agentId: 2,
      name: 'NAME2',
      roundLogoUrl: 'xxxxxx',
      squareLogoUrl: 'yyyyyy',
      appId: 5,
      sharedFrom: { corpId: 'wwyyyyy', shareType: 0 },
    });
    expect(result.authUserInfo).toEqual({ userId: 'aa', openUserId: 'xxxxxx', name: 'xxx', avatar: 'http://xxx' });
    expect(result.dealerCorpInfo).toEqual({ corpId: 'xxxx', corpName: 'name' });
    expect(result.registerCodeInfo).toEqual({ registerCode: '1111', templateId: 'tpl111', state: 'state001' });
  });

  it('keeps the raw response without errcode, errmsg or the secrets', () => {
    expect(result.raw['auth_info']).toEqual(AUTH_INFO);
    expect(Object.keys(result.raw).sort()).toEqual(
      ['auth_corp_info', 'auth_info', 'auth_user_info', 'dealer_corp_info', 'expires_in', 'register_code_info', 'state'].sort(),
    );
  });

  it('maps edition info when the app is paid', () => {
    const paid = mapPermanentCode(
      reader({
        ...PERMANENT_CODE_V1,
        edition_info: {
          agent: [
            {
              agentid: 1,
              edition_id: 'RLS65535',
              edition_name: '协同版',
              app_status: 3,
              user_limit: 200,
              expired_time: 1541990791,
              is_virtual_version: false,
              is_shared_from_other_corp: true,
            },
          ],
        },
      }),
    );
    expect(paid.editionInfo).toEqual({
      agents: [
        {
          agentId: 1,
          editionId: 'RLS65535',
          editionName: '协同版',
          appStatus: 3,
          userLimit: 200,
          expiredTime: 1541990791,
          isVirtualVersion: false,
          isSharedFromOtherCorp: true,
        },
      ],
    });
  });

  it('refuses a response without permanent_code, naming the field', () => {
    const { permanent_code: _omitted, ...rest } = PERMANENT_CODE_V1;
    expect(() => mapPermanentCode(reader(rest))).toThrow(WecomResponseError);
    expect(() => mapPermanentCode(reader(rest))).toThrow('field permanent_code is missing');
  });

  it('names a missing corp id by its path, without any value', () => {
    const bad: JsonObject = { ...PERMANENT_CODE_V1, auth_corp_info: { corpid: '', corp_name: 'one-secret-value' } };
    let message = '';
    try {
      mapPermanentCode(reader(bad));
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('field auth_corp_info.corpid is missing');
    expect(message).not.toContain('one-secret-value');
  });

  /** Answers that differ from the documented sample only in informational fields: each must still be a tenant. */
  const VARIANTS: Array<[string, Record<string, JsonObject[string] | undefined>]> = [
    ['an empty dealer block of a direct install', { dealer_corp_info: { corpid: '', corp_name: '' } }],
    ['a null dealer block', { dealer_corp_info: null }],
    ['a dealer block that is a string', { dealer_corp_info: '' }],
    ['no auth_info at all', { auth_info: undefined }],
    ['auth_info as an empty string', { auth_info: '' }],
    ['an agent without agentid beside a good one', { auth_info: { agent: [{ name: 'x' }, { agentid: '1000002', appid: '1', privilege: { level: '1', allow_party: ['1', 'x'] } }] } }],
    ['agentid as text that is no number', { auth_info: { agent: [{ agentid: 'one-secret-value' }] } }],
    ['numbers sent as strings', { auth_corp_info: { ...AUTH_CORP_INFO, corp_user_max: '50', verified_end_time: '1431775834', subject_type: '1' }, expires_in: '7200' }],
    ['strings sent as numbers', { auth_corp_info: { ...AUTH_CORP_INFO, corp_scale: 50, corp_type: 1 }, state: 123 }],
    ['unknown fields everywhere', { brand_new: { x: [1, 2] }, auth_corp_info: { ...AUTH_CORP_INFO, location: { lat: 1 } } }],
    ['an edition block of the wrong shape', { edition_info: { agent: 'none' } }],
    ['a null auth_user_info and register_code_info', { auth_user_info: null, register_code_info: null }],
    ['auth_user_info with a numeric userid', { auth_user_info: { userid: 12345, name: null } }],
  ];

  it.each(VARIANTS)('maps an answer with %s: the permanent code and corp id, nothing refused', (_name, change) => {
    const json = { ...PERMANENT_CODE_V1, ...change } as JsonObject;
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete json[key];
    for (const map of [mapPermanentCode, mapPermanentCodeV2]) {
      const result = map(reader(json));
      expect(result.permanentCode).toBe(PERMANENT_CODE_V1.permanent_code);
      expect(result.authCorpInfo.corpId).toBe('xxxx');
    }
    const info = mapCorpAuthInfo(reader(json));
    expect(info.authCorpInfo.corpId).toBe('xxxx');
  });

  it('reads an empty dealer block as no dealer, and numbers sent as strings as numbers', () => {
    const result = mapPermanentCode(reader({ ...PERMANENT_CODE_V1, dealer_corp_info: { corpid: '', corp_name: '' }, auth_corp_info: { ...AUTH_CORP_INFO, corp_user_max: '50' } }));
    expect(result.dealerCorpInfo).toBeUndefined();
    expect(result.authCorpInfo.corpUserMax).toBe(50);
  });
});

describe('mapPermanentCodeV2', () => {
  it('maps the documented v2 response (no auth_info, no access token)', () => {
    const result = mapPermanentCodeV2(
      reader({
        errcode: 0,
        errmsg: 'ok',
        permanent_code: 'xxxx',
        auth_corp_info: { corpid: 'xxxx', corp_name: 'name' },
        auth_user_info: { userid: 'aa', open_userid: 'xxxxxx', name: 'xxx', avatar: 'http://xxx' },
        register_code_info: { register_code: '1111', template_id: 'tpl111', state: 'state001' },
        state: 'state001',
      }),
    );
    expect(result).toEqual({
      permanentCode: 'xxxx',
      authCorpInfo: { corpId: 'xxxx', corpName: 'name' },
      authUserInfo: { userId: 'aa', openUserId: 'xxxxxx', name: 'xxx', avatar: 'http://xxx' },
      registerCodeInfo: { registerCode: '1111', templateId: 'tpl111', state: 'state001' },
      state: 'state001',
      raw: {
        auth_corp_info: { corpid: 'xxxx', corp_name: 'name' },
        auth_user_info: { userid: 'aa', open_userid: 'xxxxxx', name: 'xxx', avatar: 'http://xxx' },
        register_code_info: { register_code: '1111', template_id: 'tpl111', state: 'state001' },
        state: 'state001',
      },
    });
  });
});

describe('mapCorpAuthInfo', () => {
  it('maps get_auth_info', () => {
    const result = mapCorpAuthInfo(
      reader({ errcode: 0, errmsg: 'ok', dealer_corp_info: { corpid: 'd', corp_name: 'dealer' }, auth_corp_info: AUTH_CORP_INFO, auth_info: AUTH_INFO }),
    );
    expect(result.authCorpInfo.corpId).toBe('xxxx');
    expect(result.authInfo.agents).toHaveLength(2);
    expect(result.authInfo.agents[0]).toEqual(EXPECTED_AGENT_1);
    expect(result.dealerCorpInfo).toEqual({ corpId: 'd', corpName: 'dealer' });
    expect(result.raw['errcode']).toBeUndefined();
  });
});

describe('mapUserInfo3rd', () => {
  it('maps a corp member with a user ticket', () => {
    expect(
      mapUserInfo3rd(
        reader({ errcode: 0, errmsg: 'ok', corpid: 'CORPID', userid: 'USERID', user_ticket: 'USER_TICKET', expires_in: 7200, open_userid: 'wwxxxx' }),
      ),
    ).toEqual({ member: true, corpId: 'CORPID', userId: 'USERID', openUserId: 'wwxxxx', userTicket: 'USER_TICKET', expiresIn: 7200 });
  });

  it('maps a user outside any corp', () => {
    expect(mapUserInfo3rd(reader({ errcode: 0, errmsg: 'ok', openid: 'OPENID' }))).toEqual({ member: false, openId: 'OPENID' });
  });

  it('accepts the CamelCase fields of the older endpoint', () => {
    expect(mapUserInfo3rd(reader({ errcode: 0, errmsg: 'ok', CorpId: 'CORPID', UserId: 'USERID', DeviceId: 'D' }))).toEqual({
      member: true,
      corpId: 'CORPID',
      userId: 'USERID',
    });
  });

  it('refuses an answer with neither corp nor open id', () => {
    expect(() => mapUserInfo3rd(reader({ errcode: 0, errmsg: 'ok' }))).toThrow('field corpid is missing');
  });
});

describe('other mappers', () => {
  it('maps getuserdetail3rd, gender as a string', () => {
    expect(
      mapUserDetail3rd(
        reader({
          errcode: 0,
          errmsg: 'ok',
          corpid: 'wwxxxxxxyyyyy',
          userid: 'lisi',
          name: '李四',
          gender: '1',
          avatar: 'http://shp.qpic.cn/bizmp/xxxxxxxxxxx/0',
          qr_code: 'https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=vcfc13b01dfs78e981c',
        }),
      ),
    ).toEqual({
      corpId: 'wwxxxxxxyyyyy',
      userId: 'lisi',
      name: '李四',
      gender: '1',
      avatar: 'http://shp.qpic.cn/bizmp/xxxxxxxxxxx/0',
      qrCode: 'https://open.work.weixin.qq.com/wwopen/userQRCode?vcode=vcfc13b01dfs78e981c',
      raw: expect.objectContaining({ userid: 'lisi' }),
    });
  });

  it('maps get_admin_list', () => {
    expect(
      mapAdminList(
        reader({
          errcode: 0,
          errmsg: 'ok',
          admin: [
            { userid: 'zhangsan', open_userid: 'xxxxx', auth_type: 1 },
            { userid: 'lisi', open_userid: 'yyyyy', auth_type: 0 },
          ],
        }),
      ),
    ).toEqual([
      { userId: 'zhangsan', openUserId: 'xxxxx', authType: 1 },
      { userId: 'lisi', openUserId: 'yyyyy', authType: 0 },
    ]);
  });

  it('maps get_login_info, including string-typed department fields', () => {
    const info = mapLoginInfo(
      reader({
        usertype: 2,
        user_info: { userid: 'xxxx', open_userid: 'oooo', name: 'xxxx', avatar: 'xxxx' },
        corp_info: { corpid: 'wx6c698d13f7a409a4' },
        agent: [
          { agentid: 0, auth_type: 1 },
          { agentid: 1, auth_type: 1 },
        ],
        auth_info: { department: [{ id: '2', writable: 'true' }] },
      }),
    );
    expect(info).toEqual({
      userType: 2,
      userInfo: { userId: 'xxxx', openUserId: 'oooo', name: 'xxxx', avatar: 'xxxx' },
      corpId: 'wx6c698d13f7a409a4',
      agents: [
        { agentId: 0, authType: 1 },
        { agentId: 1, authType: 1 },
      ],
      departments: [{ id: 2, writable: true }],
      raw: expect.objectContaining({ usertype: 2 }),
    });
  });
});
