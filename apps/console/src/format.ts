import dayjs from 'dayjs';

/**
 * The one date format of the console, in the browser's time zone: `2026-12-01 09:30`. Numeric and zero-padded, so it
 * reads the same in Chinese and English and sorts as text (a locale's own format put 01/12/2026 beside 12/1/2027).
 * eslint refuses toLocale*() and Intl elsewhere in the console.
 */
const DATE_TIME = 'YYYY-MM-DD HH:mm';

/** An ISO string, a Date or epoch milliseconds; '—' for none. */
export function dateTime(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  return dayjs(value).format(DATE_TIME);
}

/** The hour of an ISO time, `09:00`, for per-hour chart axes. */
export function hourOf(value: string): string {
  return dayjs(value).format('HH:mm');
}

/** "3 min", "2 h", "5 d" — coarse ages for tickets and backlogs. */
export function age(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '—';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86400)} d`;
}

export function secondsSince(value: string | null | undefined): number | null {
  return value ? Math.max(0, (Date.now() - new Date(value).getTime()) / 1000) : null;
}
