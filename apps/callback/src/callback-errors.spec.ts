import { ReceiverIdMismatchError, XmlError } from '@app/wecom';
import { BadCallbackError, BadSignatureError, IntakeUnavailableError, mapCallbackError, UnknownSuiteError } from './callback-errors.js';

describe('mapCallbackError: the answer WeCom gets for a refused callback', () => {
  it('maps each intake error to its status with the message', () => {
    expect(mapCallbackError(new UnknownSuiteError('unknown suite wwx'))).toEqual({ statusCode: 404, error: 'Not Found', message: 'unknown suite wwx' });
    expect(mapCallbackError(new BadSignatureError('bad'))).toEqual({ statusCode: 401, error: 'Unauthorized', message: 'bad' });
    expect(mapCallbackError(new BadCallbackError('no body'))).toEqual({ statusCode: 400, error: 'Bad Request', message: 'no body' });
    // 503, never an acknowledgement: WeCom must retry.
    expect(mapCallbackError(new IntakeUnavailableError('later'))).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'later' });
  });

  it("answers the sender's crypto and XML problems 400 with their code", () => {
    expect(mapCallbackError(new ReceiverIdMismatchError('wwother'))).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'RECEIVER_ID_MISMATCH: Unexpected receiver id "wwother"',
    });
    const xml = mapCallbackError(new XmlError('MALFORMED', 'unclosed tag'));
    expect(xml).toMatchObject({ statusCode: 400, error: 'Bad Request' });
    expect(xml?.message).toMatch(/^MALFORMED: unclosed tag/);
  });

  it('leaves anything else to the default handler (a 500 without details)', () => {
    expect(mapCallbackError(new Error('boom'))).toBeNull();
    expect(mapCallbackError(undefined)).toBeNull();
  });
});
