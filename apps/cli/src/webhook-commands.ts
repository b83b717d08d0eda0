import { Command, InvalidArgumentError } from 'commander';
import type { CliConfig } from '@app/config';
import { checkEndpointTarget, EndpointUrlError, EVENT_TYPE_PATTERN, endpointWants, newSigningSecret, unknownEventTypes } from '@app/events';
import { PlatformEventRepository, SuiteRepository, WebhookDeliveryRepository, WebhookEndpointRepository } from '@app/store';
import { CliError, withStore } from './cli.js';

type Out = (line: string) => void;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function list(pattern: RegExp, what: string) {
  return (value: string): string[] => {
    const items = value.split(',').map((s) => s.trim()).filter(Boolean);
    if (items.some((i) => !pattern.test(i))) throw new InvalidArgumentError(what);
    return items;
  };
}

/** `--types`: well-formed, and each one matches some catalogue type (else the endpoint would never receive it). */
function eventTypeList(value: string): string[] {
  const items = list(EVENT_TYPE_PATTERN, 'use types like contact.user.created, prefixes like contact.*, or *')(value);
  const unknown = unknownEventTypes(items);
  if (unknown.length) throw new InvalidArgumentError(`unknown event types ${unknown.join(', ')} (docs/events.md lists them)`);
  return items;
}

function endpointId(id: string): string {
  if (!UUID.test(id)) throw new CliError(`not an endpoint id: ${id}`);
  return id;
}

/**
 * `webhook add|list|enable|disable|rotate|remove|replay`: the admin API's endpoint routes for operators. The CLI
 * writes the rows; the worker's sweeper sends what they owe within WEBHOOK_SWEEP_INTERVAL_MS + WEBHOOK_SWEEP_GRACE_MS.
 */
export function addWebhookCommands(program: Command, config: () => CliConfig, out: Out): void {
  const webhook = program.command('webhook').description('webhook endpoints that receive a suite\'s events (Standard Webhooks)');
  webhook
    .command('add')
    .description('register an endpoint; its signing secret is printed once, alone on the last line')
    .requiredOption('--suite-id <id>', 'suite')
    .requiredOption('--url <url>', 'https URL (http only with WEBHOOK_ALLOW_HTTP=true)')
    .option('--types <list>', 'comma-separated event types, prefix.* wildcards or *', eventTypeList)
    .option('--corps <list>', 'comma-separated corp ids (default every corp)', list(/^[A-Za-z0-9_-]{1,64}$/, 'corp ids are 1-64 characters [A-Za-z0-9_-]'))
    .option('--description <text>', 'what it is for', '')
    .option('--ordered', 'deliver each corp\'s events one at a time, in order')
    .option('--max-concurrency <n>', 'deliveries in flight at once (1-200)', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 200) throw new InvalidArgumentError('must be an integer from 1 to 200');
      return n;
    }, 10)
    .action(async (o: { suiteId: string; url: string; types?: string[]; corps?: string[]; description: string; ordered?: boolean; maxConcurrency: number }) => {
      const cfg = config();
      let url: string;
      try {
        url = await checkEndpointTarget(o.url, { allowHttp: cfg.WEBHOOK_ALLOW_HTTP, allowPrivate: cfg.WEBHOOK_ALLOW_PRIVATE_TARGETS });
      } catch (err) {
        if (err instanceof EndpointUrlError) throw new CliError(err.message);
        throw err;
      }
      const secret = newSigningSecret();
      const row = await withStore(cfg, async ({ prisma, cipher }) => {
        if (!(await new SuiteRepository(prisma, cipher).find(o.suiteId))) throw new CliError(`no suite ${o.suiteId}`);
        return new WebhookEndpointRepository(prisma, cipher).create(
          o.suiteId,
          { url, description: o.description, eventTypes: o.types ?? [], corpIds: o.corps ?? [], enabled: true, orderedByCorp: !!o.ordered, maxConcurrency: o.maxConcurrency },
          secret,
        );
      }, { command: 'webhook add', why: 'encrypts the new endpoint\'s signing secret before storing it' });
      out(`created endpoint ${row.id} for suite ${row.suiteId} → ${row.url}; its signing secret, shown once:\n`);
      out(`${secret}\n`);
    });
  webhook
    .command('list')
    .description('endpoints (never their secrets)')
    .option('--suite-id <id>', 'only this suite')
    .action(async (o: { suiteId?: string }) => {
      const rows = await withStore(config(), ({ prisma, cipher }) => new WebhookEndpointRepository(prisma, cipher).listBySuite(o.suiteId));
      if (!rows.length) out('no webhook endpoints\n');
      for (const e of rows) {
        const state = e.enabled ? 'enabled' : `disabled${e.disabledReason ? ` (${e.disabledReason})` : ''}`;
        out(`${e.id}\t${e.suiteId}\t${e.url}\ttypes=${e.eventTypes.join(',') || '*'}\tcorps=${e.corpIds.join(',') || '*'}\t${state}\n`);
      }
    });
  for (const [name, enabled] of [['enable', true], ['disable', false]] as const) {
    webhook
      .command(name)
      .description(enabled ? 'enable an endpoint (what it is owed is sent)' : 'stop sending to an endpoint (deliveries stay owed)')
      .argument('<id>', 'endpoint id')
      .action(async (id: string) => {
        const row = await withStore(config(), async ({ prisma, cipher }) => {
          const endpoints = new WebhookEndpointRepository(prisma, cipher);
          const updated = await endpoints.update(endpointId(id), { enabled });
          // Owed deliveries become due now; the sweeper queues them.
          if (updated && enabled) await prisma.client.webhookDelivery.updateMany({ where: { endpointId: id, status: 'pending' }, data: { nextAttemptAt: new Date(0) } });
          return updated;
        });
        if (!row) throw new CliError(`no webhook endpoint ${id}`);
        out(`${name}d ${id}\n`);
      });
  }
  webhook
    .command('rotate')
    .description('new signing secret, printed once on the last line; the old one keeps signing for the overlap')
    .argument('<id>', 'endpoint id')
    .option('--overlap <seconds>', 'seconds during which both secrets sign', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 604_800) throw new InvalidArgumentError('must be 0 to 604800');
      return n;
    }, 86_400)
    .action(async (id: string, o: { overlap: number }) => {
      const secret = newSigningSecret();
      const row = await withStore(config(), ({ prisma, cipher }) => new WebhookEndpointRepository(prisma, cipher).rotateSecret(endpointId(id), secret, o.overlap), {
        command: 'webhook rotate',
        why: 'encrypts the new signing secret before storing it',
      });
      if (!row) throw new CliError(`no webhook endpoint ${id}`);
      out(`rotated the secret of ${id}; the old one signs too for ${o.overlap} s. New secret, shown once:\n`);
      out(`${secret}\n`);
    });
  webhook
    .command('remove')
    .description('delete an endpoint and what it is still owed')
    .argument('<id>', 'endpoint id')
    .action(async (id: string) => {
      const found = await withStore(config(), ({ prisma, cipher }) => new WebhookEndpointRepository(prisma, cipher).delete(endpointId(id)));
      if (!found) throw new CliError(`no webhook endpoint ${id}`);
      out(`removed ${id}\n`);
    });
  webhook
    .command('replay')
    .description('send every matching event since a time again')
    .argument('<id>', 'endpoint id')
    .requiredOption('--since <time>', 'ISO time, e.g. 2026-11-30T00:00:00Z')
    .action(async (id: string, o: { since: string }) => {
      const since = new Date(o.since);
      if (Number.isNaN(since.getTime())) throw new CliError(`not a time: ${o.since}`);
      const count = await withStore(config(), async ({ prisma, cipher }) => {
        const endpoint = await new WebhookEndpointRepository(prisma, cipher).findById(endpointId(id));
        if (!endpoint) throw new CliError(`no webhook endpoint ${id}`);
        const events = new PlatformEventRepository(prisma, cipher);
        const deliveries = new WebhookDeliveryRepository(prisma, cipher);
        let total = 0;
        for (let after = 0n; ; ) {
          const page = await events.listSince(endpoint.suiteId, since, after, 1000);
          if (!page.length) return total;
          after = page[page.length - 1].id;
          const wanted = page.filter((e) => endpointWants(endpoint, e));
          total += (await deliveries.replay(endpoint.id, endpoint.suiteId, wanted)).length;
        }
      });
      out(`replaying ${count} deliveries to ${id}\n`);
    });
}
