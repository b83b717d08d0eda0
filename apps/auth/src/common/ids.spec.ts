import { ValidationPipe } from '@nestjs/common';
import { PlatformValidationPipe } from '@app/platform';
import { GatewayParams } from '../gateway/gateway.controller.js';
import { ProviderGatewayParams } from '../gateway/provider-gateway.controller.js';
import { CorpParams, ProviderParams, SuiteParams } from './ids.js';

/** The answer of a pipe: the value it returns, or the status and body of what it throws. */
async function answer(pipe: ValidationPipe, metatype: new () => object, value: object): Promise<unknown> {
  try {
    const result = await pipe.transform({ ...value }, { type: 'param', metatype });
    return { instanceOf: (result as object).constructor.name, fields: { ...result } };
  } catch (err) {
    const e = err as { getStatus(): number; getResponse(): unknown };
    return { status: e.getStatus(), body: e.getResponse() };
  }
}

describe('id params: PlatformValidationPipe fast path (checkPlain) answers as class-validator does', () => {
  const classic = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, stopAtFirstError: false });
  const fast = new PlatformValidationPipe();
  const bad = ['', 'bad id!', 'x'.repeat(65), 'ä'];
  const cases: [new () => object, object][] = [
    [SuiteParams, { suiteId: 'wwsuite' }],
    [SuiteParams, { suiteId: 'ww-suite_1', extra: 'x' }],
    [SuiteParams, {}],
    [ProviderParams, { providerCorpId: 'wwprov' }],
    [CorpParams, { suiteId: 'wwsuite', corpId: 'wwcorp' }],
    [CorpParams, { suiteId: 'wwsuite', corpId: 'wwcorp', other: '1', more: '2' }],
    [CorpParams, { suiteId: 'wwsuite' }],
    [GatewayParams, { suiteId: 'wwsuite', corpId: 'wwcorp', '*': 'cgi-bin/agent/get' }],
    [GatewayParams, { suiteId: 'wwsuite', corpId: 'wwcorp' }],
    [GatewayParams, { '*': 'cgi-bin/user/get', suiteId: 'wwsuite', corpId: 'wwcorp', extra: 'x' }],
    [ProviderGatewayParams, { providerCorpId: 'wwprov', '*': 'cgi-bin/service/get_license_info' }],
    [ProviderGatewayParams, { '*': 'x', other: '1' }],
    ...bad.flatMap((b): [new () => object, object][] => [
      [SuiteParams, { suiteId: b }],
      [ProviderParams, { providerCorpId: b }],
      [CorpParams, { suiteId: b, corpId: 'wwcorp' }],
      [CorpParams, { suiteId: 'wwsuite', corpId: b }],
      [CorpParams, { suiteId: b, corpId: b, x: 'y' }],
      [GatewayParams, { suiteId: b, corpId: b, '*': b }],
      [ProviderGatewayParams, { providerCorpId: b, '*': 'cgi-bin/license/x' }],
    ]),
  ];

  it.each(cases.map(([m, v]) => [m.name, JSON.stringify(v), m, v] as const))('%s %s', async (_name, _json, metatype, value) => {
    const expected = await answer(classic, metatype, value);
    expect(await answer(fast, metatype, value)).toEqual(expected);
  });

  it('leaves a subclass that adds fields to class-validator (it inherits a check that does not know them)', () => {
    class WithPath extends CorpParams {
      path: string;
    }
    expect(Object.hasOwn(WithPath, 'checkPlain')).toBe(false);
  });
});
