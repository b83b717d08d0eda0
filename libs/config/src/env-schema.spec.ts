import { bool, cidrList, ConfigError, int, key32, num, numList, originList, readEnv, url } from './env-schema.js';
import { authEnv, callbackEnv, loadConfig } from './app-config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');

describe('readEnv', () => {
  it('applies defaults and parses values', () => {
    const env = readEnv({ PORT: int(3000, 1, 65535), BASE: url('http://x', ['http:']) }, { PORT: '8080' });
    expect(env).toEqual({ PORT: 8080, BASE: 'http://x' });
  });

  it('names every bad variable in one error', () => {
    let caught: unknown;
    try {
      readEnv({ PORT: int(3000, 1, 65535), SECRET_KEY: key32(), BASE: url(undefined, ['http:']) }, { PORT: 'abc', SECRET_KEY: 'c2hvcnQ=' });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems;
    expect(problems).toEqual([
      'PORT must be an integer, got "abc"',
      'SECRET_KEY must decode to 32 bytes, got 5',
      'BASE is required',
    ]);
  });

  it('takes fractional numbers within bounds', () => {
    expect(readEnv({ MARGIN: num(900, 0.01, 3600) }, { MARGIN: '2.5' })).toEqual({ MARGIN: 2.5 });
    expect(() => readEnv({ MARGIN: num(900, 0.01, 3600) }, { MARGIN: '7200' })).toThrow('MARGIN must be a number <= 3600, got 7200');
    expect(() => readEnv({ MARGIN: num(900, 0.01, 3600) }, { MARGIN: '0' })).toThrow('MARGIN must be a number >= 0.01, got "0"');
  });

  it('requires SECRET_KEY for the callback app and accepts a valid one', () => {
    expect(() => loadConfig(callbackEnv, {})).toThrow(/SECRET_KEY is required/);
    const config = loadConfig(callbackEnv, { SECRET_KEY: KEY, CALLBACK_PORT: '4001' });
    expect(config.CALLBACK_PORT).toBe(4001);
    expect(config.SECRET_KEY.length).toBe(32);
    expect(config.SECRET_KEYS_OLD).toEqual([]);
  });

  it('rejects a database URL with the wrong scheme without echoing a password', () => {
    expect(() => loadConfig(callbackEnv, { SECRET_KEY: KEY, DATABASE_URL: 'mysql://u:hunter2@h/db' })).toThrow(
      'DATABASE_URL must use postgresql: or postgres:, got "mysql:"',
    );
  });

  it('reads the console WeCom sign-in provider corpid: unset means password only, a malformed id stops start-up', () => {
    expect(loadConfig(authEnv, { SECRET_KEY: KEY }).CONSOLE_WECOM_LOGIN_PROVIDER_CORPID).toBeUndefined();
    expect(loadConfig(authEnv, { SECRET_KEY: KEY, CONSOLE_WECOM_LOGIN_PROVIDER_CORPID: 'wwprovider0123' }).CONSOLE_WECOM_LOGIN_PROVIDER_CORPID).toBe('wwprovider0123');
    expect(() => loadConfig(authEnv, { SECRET_KEY: KEY, CONSOLE_WECOM_LOGIN_PROVIDER_CORPID: 'ww corp/1' })).toThrow(
      'CONSOLE_WECOM_LOGIN_PROVIDER_CORPID must be a WeCom corpid (1-64 characters [A-Za-z0-9_-]), got "ww corp/1"',
    );
  });

  it('reads a list of origins, normalised, and names a bad one', () => {
    expect(readEnv({ O: originList() }, { O: ' https://a.example.com/path , http://127.0.0.1:8080 ' })).toEqual({
      O: ['https://a.example.com', 'http://127.0.0.1:8080'],
    });
    expect(readEnv({ O: originList() }, {})).toEqual({ O: [] });
    expect(() => readEnv({ O: originList() }, { O: 'ftp://x.example' })).toThrow('O must list http or https origins, got "ftp:"');
  });

  it('reads trusted proxies as IPs or CIDR ranges, none by default, and names a bad one', () => {
    expect(readEnv({ P: cidrList() }, {})).toEqual({ P: [] });
    expect(readEnv({ P: cidrList() }, { P: '10.0.0.0/8, 127.0.0.1 ,2001:db8::/32' })).toEqual({ P: ['10.0.0.0/8', '127.0.0.1', '2001:db8::/32'] });
    for (const bad of ['true', '10.0.0.0/33', '::1/129', '10.0.0.0/8/1', '*']) {
      expect(() => readEnv({ P: cidrList() }, { P: bad })).toThrow(`P must list IP addresses or CIDR ranges like 10.0.0.0/8, got "${bad}"`);
    }
  });

  it('reads webhook settings: booleans, IP/CIDR allow-lists and second lists, naming bad values', () => {
    const schema = { ALLOW: bool(false), PRIVATE: cidrList(), SCHEDULE: numList([0, 5]) };
    expect(readEnv(schema, {})).toEqual({ ALLOW: false, PRIVATE: [], SCHEDULE: [0, 5] });
    expect(readEnv(schema, { ALLOW: 'true', PRIVATE: '127.0.0.1/32, 10.0.0.0/8,::1/128,192.168.1.5', SCHEDULE: '0,0.5,2' })).toEqual({
      ALLOW: true,
      PRIVATE: ['127.0.0.1/32', '10.0.0.0/8', '::1/128', '192.168.1.5'],
      SCHEDULE: [0, 0.5, 2],
    });
    expect(() => readEnv(schema, { ALLOW: 'maybe', PRIVATE: '300.1.1.1/8', SCHEDULE: '1,,2' })).toThrow(
      /ALLOW must be true or false[\s\S]*PRIVATE must list IP addresses or CIDR ranges like 10.0.0.0\/8, got "300.1.1.1\/8"[\s\S]*SCHEDULE must be comma-separated/,
    );
    expect(() => readEnv(schema, { PRIVATE: '10.0.0.0/33' })).toThrow(/PRIVATE/);
  });
});
