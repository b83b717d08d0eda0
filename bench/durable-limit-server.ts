/**
 * The durable limit for bench/callback-ingest: a bare node:http server that does what no durable callback intake can
 * skip — read the body, verify the signature, decrypt, and store the message before answering: concurrent callbacks
 * are written in one INSERT (group commit, up to FLUSHES statements in flight) with the `pg` driver, and each is
 * answered `success` once its INSERT has committed. No framework, no ORM, no sealing, no queue.
 *   node dist/bench/durable-limit-server.js '<json {port, token, aesKey, suiteId, databaseUrl}>'
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import pg from 'pg';
import { WecomMsgCrypt } from '@app/wecom';

const { port, token, aesKey, suiteId, databaseUrl } = JSON.parse(process.argv[2]) as { port: number; token: string; aesKey: string; suiteId: string; databaseUrl: string };
const crypt = new WecomMsgCrypt(token, aesKey);
const ENCRYPT = /<Encrypt><!\[CDATA\[([^\]]*)\]\]><\/Encrypt>/;
const FLUSHES = 4;
const pool = new pg.Pool({ connectionString: databaseUrl, max: FLUSHES });
await pool.query(
  'CREATE TABLE IF NOT EXISTS bench_durable_inbox (id bigserial PRIMARY KEY, suite_id text NOT NULL, dedupe_key text NOT NULL UNIQUE, payload text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())',
);

interface Pending {
  dedupeKey: string;
  payload: string;
  done: (ok: boolean) => void;
}
let pending: Pending[] = [];
let flushing = 0;

function flush(): void {
  if (!pending.length || flushing >= FLUSHES) return;
  const batch = pending;
  pending = [];
  flushing++;
  pool
    .query('INSERT INTO bench_durable_inbox (suite_id, dedupe_key, payload) SELECT $1, * FROM unnest($2::text[], $3::text[]) ON CONFLICT (dedupe_key) DO NOTHING', [
      suiteId,
      batch.map((p) => p.dedupeKey),
      batch.map((p) => p.payload),
    ])
    .then(
      () => batch.forEach((p) => p.done(true)),
      () => batch.forEach((p) => p.done(false)),
    )
    .finally(() => {
      flushing--;
      flush();
    });
}

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const encrypt = ENCRYPT.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
      if (!crypt.verifySignature(query.get('msg_signature') ?? '', query.get('timestamp') ?? '', query.get('nonce') ?? '', encrypt)) {
        res.writeHead(401).end();
        return;
      }
      const { message } = crypt.decryptFor(encrypt, [suiteId]);
      pending.push({
        dedupeKey: createHash('sha256').update(encrypt).digest('hex'),
        payload: message,
        done: (ok) => (ok ? res.writeHead(200, { 'content-type': 'text/plain' }).end('success') : res.writeHead(503).end()),
      });
      flush();
    });
  })
  .listen(port, '127.0.0.1');
