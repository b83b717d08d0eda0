import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AuthAppError } from '../auth-errors.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 200;

/** `?limit&cursor` of every list route. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: DEFAULT_PAGE_SIZE })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page; opaque' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** null on the last page */
  nextCursor: string | null;
}

/** Cursors are opaque to callers: base64url JSON of the keyset position. */
export function encodeCursor(position: Record<string, string>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Reads a cursor back; a cursor that is not one of ours is the caller's error (400), never a 500. */
export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidCursor();
  const record = parsed as Record<string, unknown>;
  const out = {} as Record<K, string>;
  for (const key of keys) {
    const value = record[key];
    if (typeof value !== 'string' || value.length === 0 || value.length > 200) throw invalidCursor();
    out[key] = value;
  }
  return out;
}

/**
 * Fetches one row more than asked, so the page knows whether another follows without a count query.
 */
export async function pageOf<Row, Item>(
  limit: number | undefined,
  fetch: (take: number) => Promise<Row[]>,
  present: (row: Row) => Item,
  positionOf: (row: Row) => Record<string, string>,
): Promise<Page<Item>> {
  const size = limit ?? DEFAULT_PAGE_SIZE;
  const rows = await fetch(size + 1);
  const pageRows = rows.slice(0, size);
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(present),
    nextCursor: rows.length > size && last !== undefined ? encodeCursor(positionOf(last)) : null,
  };
}

export function parseDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) throw invalidCursor();
  return date;
}

function invalidCursor(): AuthAppError {
  return new AuthAppError('invalid_cursor', 'cursor is not a nextCursor this API returned');
}
