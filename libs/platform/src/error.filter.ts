import { randomUUID } from 'node:crypto';
import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';

/** An error the domain knows how to name: apps map their own errors to one of these. */
export interface HttpErrorBody {
  statusCode: number;
  error: string;
  message: string | string[];
  errorId?: string;
}

export type DomainErrorMapper = (err: unknown) => HttpErrorBody | null;

/**
 * One filter per app: known errors become `{ statusCode, error, message }`; anything else is a 500 with an
 * `errorId` that also appears in the log line. Never a stack trace in a response.
 */
@Catch()
export class PlatformErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly mapDomainError: DomainErrorMapper = () => null) {}

  catch(err: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const body = this.toBody(err);
    if (!reply.sent) void reply.status(body.statusCode).type('application/json').send(body);
  }

  private toBody(err: unknown): HttpErrorBody {
    const mapped = this.mapDomainError(err);
    if (mapped) return mapped;
    if (err instanceof HttpException) return fromHttpException(err);
    const fastifyStatus = fastifyClientErrorStatus(err);
    if (fastifyStatus) {
      return { statusCode: fastifyStatus, error: statusText(fastifyStatus), message: (err as Error).message };
    }
    const errorId = randomUUID();
    this.logger.error({ msg: 'unhandled error', errorId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    return { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error', errorId };
  }
}

function fromHttpException(err: HttpException): HttpErrorBody {
  const status = err.getStatus();
  const response = err.getResponse();
  if (typeof response === 'object' && response !== null) {
    const r = response as { message?: string | string[]; error?: string };
    return { statusCode: status, error: r.error ?? statusText(status), message: r.message ?? err.message };
  }
  return { statusCode: status, error: statusText(status), message: String(response) };
}

/** Fastify's own 4xx errors (body too large, bad JSON, bad content type) carry a statusCode. */
function fastifyClientErrorStatus(err: unknown): number | null {
  const status = (err as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : null;
}

export function statusText(status: number): string {
  const name = HttpStatus[status];
  return name ? name.toLowerCase().split('_').map((w) => w[0].toUpperCase() + w.slice(1)).join(' ') : 'Error';
}
