import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { TONE } from '../theme';

const COLORS: Record<string, string | undefined> = {
  active: TONE.good, cancelled: undefined, suspended: TONE.bad, received: TONE.info, queued: TONE.busy, processing: TONE.info, processed: TONE.good, failed: TONE.bad, awaiting_tenant: TONE.busy, orphan: TONE.bad,
};

export function StatusTag({ status }: { status: string }) {
  const { t } = useTranslation();
  return <Tag color={COLORS[status]}>{t(`status.${status}`, status)}</Tag>;
}
