import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { TONE } from '../theme';
import { QueryState } from '../components/QueryState';
import { Denied } from '../components/Denied';
import { dateTime } from '../format';
import { useSession } from '../session';

type Role = 'admin' | 'operator' | 'viewer';

/** Admins only: listing people needs `manage` as much as changing them does. */
export default function Users() {
  const { t } = useTranslation();
  const { can } = useSession();
  return can('manage') ? <UsersScreen /> : <Denied title={t('users.title')} reason={t('users.adminOnly')} />;
}

function UsersScreen() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const [creating, setCreating] = useState(false);
  const [linking, setLinking] = useState<{ id: string; username: string } | null>(null);
  const methods = useQuery({
    queryKey: ['sign-in-methods'],
    queryFn: async () => (await api.GET('/api/v1/console/sign-in-methods')).data ?? null,
    staleTime: Infinity,
  });
  const wecomCorpId = methods.data?.wecomCorpId ?? null;
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
  const linkWecom = useMutation({
    mutationFn: async ({ id, userId }: { id: string; userId: string }) =>
      unwrap(await api.PUT('/api/v1/admin/console-users/{id}/wecom', { params: { path: { id } }, body: { userId } })),
    onSuccess: () => {
      setLinking(null);
      refresh();
    },
    onError,
  });
  const unlinkWecom = useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/v1/admin/console-users/{id}/wecom', { params: { path: { id } } })),
    onSuccess: refresh,
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
            {
              title: t('users.wecom'),
              dataIndex: 'wecomUserId',
              render: (userId: string | null) => (userId ? <Tag>{userId}</Tag> : <Typography.Text type="secondary">{t('users.notLinked')}</Typography.Text>),
            },
            { title: t('common.status'), dataIndex: 'disabledAt', render: (d: string | null) => (d ? <Tag>{t('users.disabled')}</Tag> : <Tag color={TONE.good}>{t('status.active')}</Tag>) },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, u) => (
                <Space>
                  <Button size="small" onClick={() => update.mutate({ id: u.id, disabled: !u.disabledAt })}>{u.disabledAt ? t('users.enable') : t('users.disable')}</Button>
                  <Button size="small" onClick={() => endSessions.mutate(u.id)}>{t('users.endSessions')}</Button>
                  {wecomCorpId && (
                    <Button size="small" aria-label={`${t('users.linkWecom')} ${u.username}`} onClick={() => setLinking({ id: u.id, username: u.username })}>
                      {t('users.linkWecom')}
                    </Button>
                  )}
                  {u.wecomUserId && (
                    <Popconfirm title={t('users.unlinkWecom')} onConfirm={() => unlinkWecom.mutate(u.id)}>
                      <Button size="small" aria-label={`${t('users.unlinkWecom')} ${u.username}`}>{t('users.unlinkWecom')}</Button>
                    </Popconfirm>
                  )}
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
      <Modal open={linking !== null} title={linking ? t('users.linkWecomOf', { username: linking.username }) : ''} footer={null} onCancel={() => setLinking(null)} destroyOnHidden>
        <Form layout="vertical" onFinish={(v: { userId: string }) => linking && linkWecom.mutate({ id: linking.id, userId: v.userId })}>
          <Typography.Paragraph type="secondary">{t('users.linkWecomHelp')}</Typography.Paragraph>
          <Form.Item label={t('users.wecomCorp')} htmlFor="wecom-corp-id">
            <Input id="wecom-corp-id" value={wecomCorpId ?? ''} readOnly />
          </Form.Item>
          <Form.Item label={t('users.wecomUserId')} name="userId" rules={[{ required: true, pattern: /^[A-Za-z0-9_@.-]{1,64}$/ }]}>
            <Input autoComplete="off" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={linkWecom.isPending}>{t('users.linkWecom')}</Button>
        </Form>
      </Modal>
    </>
  );
}
