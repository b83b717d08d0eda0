/**
 * The limit for bench/token-api: a bare node:http server doing only what a cached token read must — hash the API key
 * and compare it with the one known hash, Redis GET of the sealed token, AES-GCM unseal, answer the JSON. No framework,
 * no guard, no validation, no metrics, no logging.
 *   node dist/bench/token-limit-server.js '<json {port, redisUrl, prefix, secretKey (base64), keyHash}>'
 */
import { createHash } from 'node:crypto';
import http from 'node:http';
import { Redis } from 'ioredis';
import { SecretCipher } from '@app/store';

const { port, redisUrl, prefix, secretKey, keyHash } = JSON.parse(process.argv[2]) as {
  port: number;
  redisUrl: string;
  prefix: string;
  secretKey: string;
  keyHash: string;
};
const cipher = new SecretCipher(Buffer.from(secretKey, 'base64'));
const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
const PATH = /^\/api\/v1\/suites\/([^/]+)\/corps\/([^/]+)\/access-token$/;

http
  .createServer((req, res) => {
    const auth = req.headers.authorization ?? '';
    const key = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (createHash('sha256').update(key).digest('hex') !== keyHash) {
      res.writeHead(401).end();
      return;
    }
    const match = PATH.exec(req.url ?? '');
    if (!match) {
      res.writeHead(404).end();
      return;
    }
    redis.get(`${prefix}:token:corp|${match[1]}|${match[2]}`).then(
      (raw) => {
        if (!raw) {
          res.writeHead(404).end();
          return;
        }
        const sep = raw.indexOf(':');
        const body = JSON.stringify({ access_token: cipher.open(raw.slice(sep + 1)), expires_at: new Date(Number(raw.slice(0, sep))).toISOString() });
        res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body);
      },
      () => res.writeHead(503).end(),
    );
  })
  .listen(port, '127.0.0.1');
