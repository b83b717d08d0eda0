import i18n from './i18n';

/** Local date and time, in the console's language. */
export function dateTime(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleString(i18n.language === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
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
