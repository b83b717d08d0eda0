import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { TONE } from '../theme';
import { QueryState } from '../components/QueryState';
import { Denied } from '../components/Denied';
import { dateTime } from '../format';
import { useSession } from '../session';

/** Admins only: the list needs `manage` as much as creating does, so other roles see why instead of a 403. */
export default function ApiKeys() {
  const { t } = useTranslation();
  const { can } = useSession();
  return can('manage') ? <ApiKeysScreen /> : <Denied title={t('apiKeys.title')} reason={t('apiKeys.adminOnly')} />;
}

function ApiKeysScreen() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const query = useInfiniteQuery({
    queryKey: ['api-keys'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/api/v1/admin/api-keys', { params: { query: { limit: 100, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['api-keys'] });
  const create = useMutation({
    mutationFn: async (v: { name: string; scopes: string[] }) => unwrap(await api.POST('/api/v1/admin/api-keys', { body: v })),
    onSuccess: (data) => {
      setCreating(false);
      setCreated(data.key);
      refresh();
    },
    onError: (err) => void message.error(err.message),
  });
  const revoke = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/admin/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
    onError: (err) => void message.error(err.message),
  });
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={2}>{t('apiKeys.title')}</Typography.Title>
        <Button type="primary" onClick={() => setCreating(true)}>{t('apiKeys.create')}</Button>
      </Space>
      {created && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setCreated(null) }}
          style={{ marginBottom: 16 }}
          title={t('apiKeys.shownOnce')}
          description={<Typography.Text copyable code data-testid="new-api-key">{created}</Typography.Text>}
        />
      )}
      <QueryState isLoading={query.isLoading} error={query.error} retry={() => void query.refetch()} empty={!rows.length} emptyText={t('apiKeys.empty')}>
        <Table
          rowKey="id"
          dataSource={rows}
          pagination={false}
          columns={[
            { title: t('apiKeys.name'), dataIndex: 'name' },
            { title: t('apiKeys.prefix'), dataIndex: 'keyPrefix', render: (p: string) => <code>{p}…</code> },
            { title: t('apiKeys.scopes'), dataIndex: 'scopes', render: (s: string[]) => s.map((x) => <Tag key={x}>{x}</Tag>) },
            { title: t('common.createdAt'), dataIndex: 'createdAt', render: dateTime },
            { title: t('apiKeys.lastUsed'), dataIndex: 'lastUsedAt', render: dateTime },
            { title: t('common.status'), dataIndex: 'revokedAt', render: (r: string | null) => (r ? <Tag>{t('apiKeys.revoked')} {dateTime(r)}</Tag> : <Tag color={TONE.good}>{t('apiKeys.active')}</Tag>) },
            {
              title: t('common.actions'),
              key: 'revoke',
              render: (_: unknown, k) =>
                !k.revokedAt && (
                  <Popconfirm title={t('apiKeys.revokeConfirm')} onConfirm={() => revoke.mutate(k.id)}>
                    <Button size="small" danger aria-label={`${t('apiKeys.revoke')} ${k.name}`}>{t('apiKeys.revoke')}</Button>
                  </Popconfirm>
                ),
            },
          ]}
        />
      </QueryState>
      <Modal open={creating} title={t('apiKeys.create')} footer={null} onCancel={() => setCreating(false)} destroyOnHidden>
        <Form layout="vertical" onFinish={(v: { name: string; scopes: string[] }) => create.mutate(v)} initialValues={{ scopes: ['admin'] }}>
          <Form.Item label={t('apiKeys.name')} name="name" rules={[{ required: true, max: 100 }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t('apiKeys.scopes')} name="scopes" extra={t('apiKeys.scopeHelp')} rules={[{ required: true }]}>
            <Select mode="tags" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>{t('common.create')}</Button>
        </Form>
      </Modal>
    </>
  );
}
