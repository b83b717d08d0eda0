import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { canConnect } from './ports.js';

/**
 * Debian's PgBouncer in transaction mode in front of the local PostgreSQL, on a fixed port of ours (27050): every
 * database name passes through, trust authentication (as the test PostgreSQL itself). PgBouncer will not run as root,
 * so as root it drops to the `postgres` user (`-u`).
 */
export class TestPgBouncer {
  private proc: ChildProcess | null = null;
  private readonly dir = mkdtempSync(join(tmpdir(), 'pgbouncer-'));

  constructor(
    readonly port = 27050,
    private readonly target = { host: '127.0.0.1', port: 5432 },
  ) {}

  /** `url` with its host and port replaced by PgBouncer's. */
  through(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString();
  }

  async start(): Promise<this> {
    chmodSync(this.dir, 0o755);
    const users = join(this.dir, 'userlist.txt');
    writeFileSync(users, '"postgres" ""\n', { mode: 0o644 });
    const ini = join(this.dir, 'pgbouncer.ini');
    writeFileSync(
      ini,
      [
        '[databases]',
        `* = host=${this.target.host} port=${this.target.port}`,
        '[pgbouncer]',
        'listen_addr = 127.0.0.1',
        `listen_port = ${this.port}`,
        'unix_socket_dir =',
        'auth_type = trust',
        'admin_users = postgres',
        `auth_file = ${users}`,
        'pool_mode = transaction',
        'max_client_conn = 500',
        'default_pool_size = 20',
        // node-postgres sends these at start-up; PgBouncer must not refuse the connection for them.
        'ignore_startup_parameters = extra_float_digits,options,statement_timeout',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    const asRoot = process.getuid?.() === 0 ? ['-u', 'postgres'] : [];
    this.proc = spawn('pgbouncer', [...asRoot, ini], { stdio: 'ignore' });
    for (let i = 0; i < 200; i++) {
      if (this.proc.exitCode !== null) throw new Error(`pgbouncer exited with ${this.proc.exitCode}`);
      if (await canConnect(this.port)) return this;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('pgbouncer did not start');
  }

  /** Transactions PgBouncer has passed to `database` so far (its admin console's SHOW STATS). */
  async transactions(database: string): Promise<number> {
    const client = new pg.Client({ connectionString: `postgresql://postgres@127.0.0.1:${this.port}/pgbouncer` });
    await client.connect();
    try {
      const { rows } = await client.query<{ database: string; total_xact_count: string }>('SHOW STATS');
      return Number(rows.find((r) => r.database === database)?.total_xact_count ?? 0);
    } finally {
      await client.end();
    }
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    this.proc = null;
    if (proc && proc.exitCode === null) {
      await new Promise<void>((resolve) => {
        proc.once('exit', () => resolve());
        proc.kill('SIGTERM');
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
