import { verifyWebhook, WecomIsvClient, WecomIsvError } from '../src/index.js';

/** The README's example: what a vendor service does with the client. Runs in CI (test/client.e2e-spec.ts). */
export async function vendorService(env: { baseUrl: string; apiKey: string; suiteId: string; corpId: string; userId: string; agentId: number }) {
  const isv = new WecomIsvClient({ baseUrl: env.baseUrl, apiKey: env.apiKey });
  const corp = isv.corp(env.suiteId, env.corpId);

  // Any WeCom API of the corp; the platform injects the access_token and counts WeCom's limits.
  const user = await corp.call<{ errcode: number; name: string }>('/cgi-bin/user/get', { query: { userid: env.userId } });
  const sent = await corp.call('/cgi-bin/message/send', {
    json: { touser: env.userId, msgtype: 'text', agentid: env.agentId, text: { content: `Hello ${user.body.name}` } },
  });

  // Uploads: WeCom's multipart body; media_id is valid until mediaExpiresAt.
  const form = new FormData();
  form.append('media', new Blob([Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64')]), 'dot.png');
  const upload = await corp.call<{ media_id: string }>('/cgi-bin/media/upload', { query: { type: 'image' }, form });

  // Tokens, for SDKs that want one, and JS-SDK signatures for a page.
  const token = await isv.corpToken(env.suiteId, env.corpId);
  const jssdk = await isv.jssdkSignatures(env.suiteId, env.corpId, 'https://app.example.com/page');

  // Events without a public URL: long-poll the pull API (keep the last id as your cursor).
  const page = await isv.pullEvents(env.suiteId, { types: ['tenant.*'], wait: 5 });

  // The platform's refusals are WecomIsvError (e.g. 429 with retryAfterSeconds); WeCom's errcodes are results.
  let refused: WecomIsvError | undefined;
  await corp.call('/cgi-bin/gettoken').catch((e: unknown) => (refused = e as WecomIsvError));

  return { user, sent, upload, token, jssdk, page, refused };
}

/** A webhook receiver verifies each delivery with the endpoint's whsec_ secret before trusting it. */
export function onWebhook(secret: string, rawBody: string, headers: Record<string, string>) {
  const event = verifyWebhook(secret, rawBody, headers); // throws on a bad signature or a stale timestamp
  return event.type === 'tenant.installed' ? `installed ${event.corpId}` : event.type;
}
