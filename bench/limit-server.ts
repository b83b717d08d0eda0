/**
 * The limit for bench/callback-ingest: a bare node:http server that does only what no callback intake can skip —
 * read the body, verify the signature, decrypt, answer `success`. No framework, no storage, no queue.
 *   node dist/bench/limit-server.js '<json {port, token, aesKey, suiteId}>'
 */
import http from 'node:http';
import { WecomMsgCrypt } from '@app/wecom';

const { port, token, aesKey, suiteId } = JSON.parse(process.argv[2]) as { port: number; token: string; aesKey: string; suiteId: string };
const crypt = new WecomMsgCrypt(token, aesKey);
const ENCRYPT = /<Encrypt><!\[CDATA\[([^\]]*)\]\]><\/Encrypt>/;

http
  .createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const query = new URL(req.url ?? '/', 'http://x').searchParams;
      const encrypt = ENCRYPT.exec(Buffer.concat(chunks).toString('utf8'))?.[1] ?? '';
      const ok = crypt.verifySignature(query.get('msg_signature') ?? '', query.get('timestamp') ?? '', query.get('nonce') ?? '', encrypt);
      if (!ok) {
        res.writeHead(401).end();
        return;
      }
      crypt.decryptFor(encrypt, [suiteId]);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('success');
    });
  })
  .listen(port, '127.0.0.1');
