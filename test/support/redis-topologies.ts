import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/**
 * Real Redis topologies from the Debian `redis-server` binary (Sentinel is `redis-server --sentinel`), on fixed
 * loopback ports in 27000–27999 so a Cluster's announced addresses are stable. Each test file that uses one stops it
 * in afterAll; a leftover from a crashed run on the same port is shut down first.
 */
export interface RedisTopology {
  /** Config variables pointing an app at it (REDIS_URL plus REDIS_CLUSTER_NODES or REDIS_SENTINELS/NAME). */
  env: Record<string, string>;
  /** A client on it (Cluster or Sentinel client), for the test's own checks. */
  client(): Redis;
  stop(): Promise<void>;
  /** Extra checks once the flow ran (PgBouncer: the transactions went through it). */
  afterFlow?(): Promise<void>;
}

class Servers {
  readonly dir = mkdtempSync(join(tmpdir(), 'redis-topology-'));
  private readonly procs: ChildProcess[] = [];

  async start(port: number, args: string[], conf?: string): Promise<ChildProcess> {
    await run('redis-cli', ['-p', String(port), 'shutdown', 'nosave']).catch(() => undefined);
    const confArgs: string[] = [];
    if (conf !== undefined) {
      const file = join(this.dir, `${port}.conf`);
      writeFileSync(file, conf);
      confArgs.push(file);
    }
    const proc = spawn('redis-server', [...confArgs, '--port', String(port), '--bind', '127.0.0.1', '--dir', this.dir, ...args], { stdio: 'ignore' });
    this.procs.push(proc);
    await waitUntil(async () => (await run('redis-cli', ['-p', String(port), 'ping']).then((r) => r.stdout.trim(), () => '')) === 'PONG', `redis on ${port}`);
    return proc;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.procs.map((p) => kill(p)));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

const DATA_NODE = ['--save', '', '--appendonly', 'no', '--maxmemory-policy', 'noeviction'];

/** Kills a redis-server (SIGKILL: a crash, not a shutdown) and waits for its exit. */
export async function kill(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.kill('SIGKILL');
  });
}

async function waitUntil(probe: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not ready within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A Redis Cluster of three masters (no replicas), slots spread by `redis-cli --cluster create`. */
export async function startRedisCluster(ports: [number, number, number] = [27001, 27002, 27003]): Promise<RedisTopology> {
  const servers = new Servers();
  try {
    for (const port of ports) {
      await servers.start(port, [
        ...DATA_NODE,
        '--cluster-enabled', 'yes',
        '--cluster-config-file', `nodes-${port}.conf`,
        // The bus port defaults to port + 10000, outside our range.
        '--cluster-port', String(port + 100),
        '--cluster-node-timeout', '2000',
      ]);
    }
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    for (const port of ports) {
      await waitUntil(async () => /cluster_state:ok/.test((await run('redis-cli', ['-p', String(port), 'cluster', 'info'])).stdout), `cluster node ${port}`);
    }
  } catch (err) {
    await servers.stopAll();
    throw err;
  }
  const nodes = ports.map((p) => `127.0.0.1:${p}`).join(',');
  return {
    env: { REDIS_URL: `redis://127.0.0.1:${ports[0]}`, REDIS_CLUSTER_NODES: nodes },
    client: () => new Redis.Cluster(ports.map((port) => ({ host: '127.0.0.1', port }))) as unknown as Redis,
    stop: () => servers.stopAll(),
  };
}

export interface SentinelTopology extends RedisTopology {
  /** SIGKILLs the current master; the Sentinel promotes the replica. Resolves once it is promoted. */
  killMaster(): Promise<void>;
}

/**
 * A master, one replica and one Sentinel (quorum 1, down after 1 s) watching them under the name `platform`. One
 * Sentinel is enough to fail over; production runs three or more.
 */
export async function startRedisSentinel(ports: { master: number; replica: number; sentinel: number } = { master: 27011, replica: 27012, sentinel: 27021 }): Promise<SentinelTopology> {
  const servers = new Servers();
  const byPort = new Map<number, ChildProcess>();
  try {
    byPort.set(ports.master, await servers.start(ports.master, DATA_NODE));
    byPort.set(ports.replica, await servers.start(ports.replica, [...DATA_NODE, '--replicaof', '127.0.0.1', String(ports.master)]));
    await servers.start(
      ports.sentinel,
      ['--sentinel'],
      [
        `sentinel monitor platform 127.0.0.1 ${ports.master} 1`,
        'sentinel down-after-milliseconds platform 1000',
        'sentinel failover-timeout platform 5000',
        'sentinel parallel-syncs platform 1',
        '',
      ].join('\n'),
    );
  } catch (err) {
    await servers.stopAll();
    throw err;
  }
  const masterPort = async (): Promise<number> => {
    const out = (await run('redis-cli', ['-p', String(ports.sentinel), 'sentinel', 'get-master-addr-by-name', 'platform'])).stdout.trim().split('\n');
    return Number(out[1]);
  };
  await waitUntil(async () => /master_link_status:up/.test((await run('redis-cli', ['-p', String(ports.replica), 'info', 'replication'])).stdout), 'replica in sync');
  return {
    env: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_SENTINELS: `127.0.0.1:${ports.sentinel}`, REDIS_SENTINEL_NAME: 'platform' },
    client: () => new Redis({ sentinels: [{ host: '127.0.0.1', port: ports.sentinel }], name: 'platform' }),
    stop: () => servers.stopAll(),
    async killMaster() {
      const before = await masterPort();
      await kill(byPort.get(before)!);
      await waitUntil(async () => (await masterPort()) !== before, 'Sentinel failover', 60_000);
    },
  };
}
