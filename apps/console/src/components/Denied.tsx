import { Alert, Typography } from 'antd';

/**
 * A screen the signed-in role may not use (the API would answer 403): its title and why, in the person's language,
 * with none of its actions.
 */
export function Denied({ title, reason }: { title: string; reason: string }) {
  return (
    <>
      <Typography.Title level={2}>{title}</Typography.Title>
      <Alert type="info" showIcon title={reason} data-testid="denied" />
    </>
  );
}
