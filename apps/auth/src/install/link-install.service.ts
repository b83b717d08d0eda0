import { createHash } from 'node:crypto';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { EventPublisher } from '@app/events';
import { enqueueCallbackEvents, QueueName } from '@app/queues';
import { CallbackEvent, CallbackEventRepository, CorpRecord } from '@app/store';
import { AuthCodeUnusableError, CorpAuthorizationService } from '@app/tenants';
import { buildXml, InvalidCredentialError } from '@app/wecom';

/** What became of an auth_code the browser brought back. */
export type LinkInstallOutcome =
  | { status: 'done'; corp: CorpRecord; exchanged: boolean }
  /** recorded and handed to the worker, which retries until WeCom answers (the code lives 600 s) */
  | { status: 'pending' }
  /** WeCom refused the code, or the worker gave up on it */
  | { status: 'refused'; reason: string };

/**
 * A link install's auth_code is never lost. WeCom pushes no `create_auth` for installs started from the vendor's
 * site, so the browser redirect is the only signal: its auth_code is written to the inbox first, as a `create_auth`
 * event, before anything else can fail. Then the exchange is tried at once (CorpAuthorizationService: exactly once
 * per code, whoever asks); if WeCom is slow or failing, the event goes to the worker, which retries it like any
 * create_auth. A crash in between leaves a `received` row that the inbox sweeper queues. Repeating a redirect finds
 * the same row (its dedupe key is the code's hash) and the same tenant.
 */
@Injectable()
export class LinkInstallService {
  private readonly logger = new Logger('LinkInstall');

  constructor(
    private readonly events: CallbackEventRepository,
    private readonly authorizations: CorpAuthorizationService,
    private readonly publisher: EventPublisher,
    @InjectQueue(QueueName.CallbackEvents) private readonly queue: Queue,
  ) {}

  /** Whether this auth_code has been recorded already (the redirect is being repeated). */
  async isRecorded(suiteId: string, authCode: string): Promise<boolean> {
    return (await this.events.findByDedupeKey(dedupeKeyOf(suiteId, authCode))) !== null;
  }

  /**
   * Records the code (idempotent) and, the first time, tries the exchange at once; any failure but a final one (WeCom's
   * refusal of the code, or a code that may be spent: AuthCodeUnusableError) goes to the worker, which decides between
   * retrying and giving up. A repeated redirect never calls WeCom:
   * it reports what the recorded event has come to. `installState`: the state WeCom returned (the session's, recorded
   * in the create_auth as WeCom would send it); `vendorState`: the state of the install link, which tenant.installed
   * carries (null: none, or not handed on).
   */
  async complete(suiteId: string, authCode: string, installState: string, vendorState: string | null = null): Promise<LinkInstallOutcome> {
    const { event, fresh } = await this.record(suiteId, authCode, installState);
    if (!fresh) return this.progressOf(event, suiteId, authCode);
    try {
      const { corp, exchanged } = await this.authorizations.exchangeAuthCode(suiteId, authCode);
      // Exchanged here rather than by the worker, so published here: keyed by the auth code like the worker's
      // tenant.installed, so a crash before markProcessed (the worker then runs the row) publishes it once.
      await this.publisher.publishInstalled(suiteId, corp, authCode, vendorState ?? undefined);
      await this.events.markProcessed(event.id, corp.corpId);
      return { status: 'done', corp, exchanged };
    } catch (err) {
      // Final answers, given at once: the worker would only come to the same end (a waiting page, then the error).
      if (err instanceof InvalidCredentialError || err instanceof AuthCodeUnusableError) {
        await this.events.markAttemptFailed(event.id, `${err.name}: ${err.message}`, true);
        const reason = err instanceof InvalidCredentialError ? `WeCom refused the auth_code (errcode ${err.errcode})` : 'the auth_code may have been spent without an answer';
        return { status: 'refused', reason };
      }
      await this.handToWorker(suiteId, event.id);
      this.logger.warn({ msg: 'install exchange handed to the worker', suiteId, eventId: String(event.id), error: err instanceof Error ? err.name : 'error' });
      return { status: 'pending' };
    }
  }

  private async progressOf(event: CallbackEvent, suiteId: string, authCode: string): Promise<LinkInstallOutcome> {
    if (event.status === 'failed') return { status: 'refused', reason: 'the install could not be completed' };
    if (event.status !== 'processed') return { status: 'pending' };
    // Processed: the claim holds the tenant, so this returns it without asking WeCom.
    const { corp } = await this.authorizations.exchangeAuthCode(suiteId, authCode);
    return { status: 'done', corp, exchanged: false };
  }

  private async record(suiteId: string, authCode: string, installState: string): Promise<{ event: CallbackEvent; fresh: boolean }> {
    const dedupeKey = dedupeKeyOf(suiteId, authCode);
    const payload = buildXml({ SuiteId: suiteId, InfoType: 'create_auth', TimeStamp: Math.floor(Date.now() / 1000), AuthCode: authCode, State: installState });
    const inserted = await this.events.insert({ suiteId, kind: 'command', type: 'create_auth', corpId: null, dedupeKey, payload });
    const event = await this.events.findByDedupeKey(dedupeKey);
    if (!event) throw new Error('the recorded install vanished');
    return { event, fresh: !inserted.duplicate };
  }

  private async handToWorker(suiteId: string, eventId: bigint): Promise<void> {
    try {
      await enqueueCallbackEvents(this.queue, [{ id: eventId, suiteId }]);
      await this.events.markQueued([eventId]);
    } catch (err) {
      // Redis away: the row stays `received` and the worker's inbox sweeper queues it.
      this.logger.warn({ msg: 'could not queue the install; the inbox sweeper will', suiteId, eventId: String(eventId), error: err instanceof Error ? err.message : String(err) });
    }
  }
}

/** One inbox row per auth_code; the hash keeps the code itself out of the unique index. */
function dedupeKeyOf(suiteId: string, authCode: string): string {
  return `${suiteId}:install-redirect:${createHash('sha256').update(authCode).digest('hex')}`;
}
