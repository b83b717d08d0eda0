import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { TONE } from '../theme';
import { QueryState } from '../components/QueryState';
import { dateTime } from '../format';

type Role = 'admin' | 'operator' | 'viewer';

export default function Users() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const query = useInfiniteQuery({
    queryKey: ['console-users'],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/api/v1/admin/console-users', { params: { query: { limit: 100, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const refresh = () => void queryClient.invalidateQueries({ queryKey: ['console-users'] });
  const onError = (err: Error) => void message.error(err.message);
  const create = useMutation({
    mutationFn: async (v: { username: string; password: string; role: Role }) => unwrap(await api.POST('/api/v1/admin/console-users', { body: v })),
    onSuccess: () => {
      setCreating(false);
      refresh();
    },
    onError,
  });
  const update = useMutation({
    mutationFn: async ({ id, ...body }: { id: string; role?: Role; disabled?: boolean }) =>
      unwrap(await api.PATCH('/api/v1/admin/console-users/{id}', { params: { path: { id } }, body })),
    onSuccess: refresh,
    onError,
  });
  const endSessions = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/admin/console-users/{id}/sessions', { params: { path: { id } } })),
    onSuccess: (data) => void message.success(t('users.sessionsEnded', { count: data.revoked })),
    onError,
  });
  const roles = (['admin', 'operator', 'viewer'] as const).map((r) => ({ value: r, label: t(`role.${r}`) }));
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={2}>{t('users.title')}</Typography.Title>
        <Button type="primary" onClick={() => setCreating(true)}>{t('users.create')}</Button>
      </Space>
      <QueryState isLoading={query.isLoading} error={query.error} retry={() => void query.refetch()} empty={!rows.length} emptyText={t('users.empty')}>
        <Table
          rowKey="id"
          dataSource={rows}
          pagination={false}
          columns={[
            { title: t('users.username'), dataIndex: 'username' },
            {
              title: t('users.role'),
              dataIndex: 'role',
              render: (role: Role, u) => (
                <Select aria-label={`${t('users.role')} ${u.username}`} size="small" value={role} options={roles} style={{ width: 120 }} onChange={(next) => update.mutate({ id: u.id, role: next })} />
              ),
            },
            { title: t('common.createdAt'), dataIndex: 'createdAt', render: dateTime },
            { title: t('users.lastLogin'), dataIndex: 'lastLoginAt', render: dateTime },
            { title: t('common.status'), dataIndex: 'disabledAt', render: (d: string | null) => (d ? <Tag>{t('users.disabled')}</Tag> : <Tag color={TONE.good}>{t('status.active')}</Tag>) },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, u) => (
                <Space>
                  <Button size="small" onClick={() => update.mutate({ id: u.id, disabled: !u.disabledAt })}>{u.disabledAt ? t('users.enable') : t('users.disable')}</Button>
                  <Button size="small" onClick={() => endSessions.mutate(u.id)}>{t('users.endSessions')}</Button>
                </Space>
              ),
            },
          ]}
        />
      </QueryState>
      <Modal open={creating} title={t('users.create')} footer={null} onCancel={() => setCreating(false)} destroyOnHidden>
        <Form layout="vertical" onFinish={(v: { username: string; password: string; role: Role }) => create.mutate(v)} initialValues={{ role: 'viewer' }}>
          <Form.Item label={t('users.username')} name="username" rules={[{ required: true, pattern: /^[A-Za-z0-9._@-]{3,64}$/ }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('users.password')} name="password" rules={[{ required: true, min: 12 }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item label={t('users.role')} name="role" rules={[{ required: true }]}>
            <Select options={roles} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>{t('common.create')}</Button>
        </Form>
      </Modal>
    </>
  );
}
