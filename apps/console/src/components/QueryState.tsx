import type { ReactNode } from 'react';
import { Alert, Button, Empty, Skeleton } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** Loading, error (with retry) and empty states shared by every screen; renders children once there is data. */
export function QueryState(props: {
  isLoading: boolean;
  error: Error | null;
  retry?: () => void;
  empty?: boolean;
  emptyText?: string;
  children: ReactNode;
}) {
  const { t } = useTranslation();
  if (props.isLoading) return <Skeleton active paragraph={{ rows: 6 }} />;
  if (props.error) {
    // The API's 403 names a role and a permission in English: say it in the person's language instead.
    const forbidden = props.error instanceof ApiError && props.error.status === 403;
    return (
      <Alert
        type="error"
        showIcon
        title={t('common.error')}
        description={forbidden ? t('common.forbidden') : props.error.message}
        action={!forbidden && props.retry && <Button onClick={props.retry}>{t('common.retry')}</Button>}
      />
    );
  }
  if (props.empty) return <Empty description={props.emptyText ?? t('common.empty')} />;
  return <>{props.children}</>;
}
