import { useState } from 'react';
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Switch, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router-dom';
import { api, type Schemas, unwrap } from '../api/client';
import { QueryState } from '../components/QueryState';
import { dateTime } from '../format';
import { useSession } from '../session';
import { TONE } from '../theme';

type Endpoint = Schemas['EndpointDto'];

const DELIVERY_COLORS: Record<string, string | undefined> = { pending: TONE.busy, delivering: TONE.info, delivered: TONE.good, failed: TONE.bad };

/**
 * Webhook endpoints of one suite (list, add, edit the event-type filter, enable/disable, rotate the signing secret,
 * shown once) and the deliveries of the chosen endpoint (status, attempts, last error, redeliver). Everything through
 * the admin API (`/api/v1/admin/.../webhook-endpoints`, `/api/v1/admin/webhook-deliveries`).
 */
export default function Webhooks() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const suites = useQuery({ queryKey: ['suites'], queryFn: async () => unwrap(await api.GET('/api/v1/admin/suites', { params: { query: { limit: 200 } } })) });
  const suiteId = params.get('suiteId') ?? suites.data?.items[0]?.suiteId;
  const endpointId = params.get('endpoint');
  const [creating, setCreating] = useState(false);
  const [editing, setEditing] = useState<Endpoint | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  const eventTypes = useQuery({ queryKey: ['event-types'], queryFn: async () => unwrap(await api.GET('/api/v1/admin/event-types')), staleTime: Infinity });
  const typeOptions = [
    { value: '*', label: '*' },
    ...[...new Set((eventTypes.data ?? []).map((e) => `${e.type.split('.')[0]}.*`))].map((p) => ({ value: p, label: p })),
    ...(eventTypes.data ?? []).map((e) => ({ value: e.type, label: e.type })),
  ];
  const endpoints = useQuery({
    queryKey: ['webhook-endpoints', suiteId],
    enabled: !!suiteId,
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/suites/{suiteId}/webhook-endpoints', { params: { path: { suiteId: suiteId! } } })),
  });
  const selected = endpoints.data?.items.find((e) => e.id === endpointId) ?? null;
  const deliveries = useInfiniteQuery({
    queryKey: ['webhook-deliveries', endpointId],
    enabled: !!endpointId,
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(await api.GET('/api/v1/admin/webhook-endpoints/{id}/deliveries', { params: { path: { id: endpointId! }, query: { limit: 50, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    // New deliveries appear while the page is open; a few seconds is fresh enough for support work.
    refetchInterval: 3000,
  });
  const deliveryRows = deliveries.data?.pages.flatMap((p) => p.items) ?? [];

  const refreshEndpoints = () => void queryClient.invalidateQueries({ queryKey: ['webhook-endpoints', suiteId] });
  const onError = (err: Error) => void message.error(err.message);
  const create = useMutation({
    mutationFn: async (v: { url: string; description?: string; eventTypes?: string[] }) =>
      unwrap(await api.POST('/api/v1/admin/suites/{suiteId}/webhook-endpoints', { params: { path: { suiteId: suiteId! } }, body: v })),
    onSuccess: (data) => {
      setCreating(false);
      setSecret(data.secret);
      setParams({ suiteId: suiteId!, endpoint: data.id });
      refreshEndpoints();
    },
    onError,
  });
  const update = useMutation({
    mutationFn: async (v: { id: string; body: { enabled?: boolean; eventTypes?: string[]; description?: string } }) =>
      unwrap(await api.PATCH('/api/v1/admin/webhook-endpoints/{id}', { params: { path: { id: v.id } }, body: v.body })),
    onSuccess: () => {
      setEditing(null);
      void message.success(t('webhooks.saved'));
      refreshEndpoints();
    },
    onError,
  });
  const rotate = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/api/v1/admin/webhook-endpoints/{id}/rotate-secret', { params: { path: { id } }, body: {} })),
    onSuccess: (data) => {
      setSecret(data.secret);
      refreshEndpoints();
    },
    onError,
  });
  const redeliver = useMutation({
    mutationFn: async (id: string) => unwrap(await api.POST('/api/v1/admin/webhook-deliveries/{id}/resend', { params: { path: { id } } })),
    onSuccess: () => {
      void message.success(t('webhooks.redelivered'));
      void queryClient.invalidateQueries({ queryKey: ['webhook-deliveries', endpointId] });
    },
    onError,
  });

  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={2}>{t('webhooks.title')}</Typography.Title>
        <Space>
          <Select
            aria-label={t('webhooks.pickSuite')}
            style={{ width: 220 }}
            value={suiteId}
            placeholder={t('webhooks.pickSuite')}
            onChange={(value: string) => setParams({ suiteId: value })}
            options={(suites.data?.items ?? []).map((s) => ({ value: s.suiteId, label: s.name }))}
          />
          {can('manage') && (
            <Button type="primary" disabled={!suiteId} onClick={() => setCreating(true)}>
              {t('webhooks.create')}
            </Button>
          )}
        </Space>
      </Space>
      {secret && (
        <Alert
          type="success"
          showIcon
          closable={{ onClose: () => setSecret(null) }}
          style={{ marginBottom: 16 }}
          title={t('webhooks.secretShownOnce')}
          description={<Typography.Text copyable code data-testid="new-webhook-secret">{secret}</Typography.Text>}
        />
      )}
      <QueryState
        isLoading={suites.isLoading || endpoints.isLoading}
        error={suites.error ?? endpoints.error}
        retry={() => void endpoints.refetch()}
        empty={!endpoints.data?.items.length}
        emptyText={t('webhooks.empty')}
      >
        <Table
          rowKey="id"
          dataSource={endpoints.data?.items ?? []}
          pagination={false}
          rowClassName={(e) => (e.id === endpointId ? 'ant-table-row-selected' : '')}
          columns={[
            { title: t('webhooks.url'), dataIndex: 'url', render: (url: string) => <code>{url}</code> },
            { title: t('webhooks.description'), dataIndex: 'description' },
            {
              title: t('webhooks.eventTypes'),
              dataIndex: 'eventTypes',
              render: (types: string[]) => (types.length ? types.map((x) => <Tag key={x}>{x}</Tag>) : <Tag>{t('webhooks.allTypes')}</Tag>),
            },
            {
              title: t('webhooks.enabled'),
              key: 'enabled',
              render: (_: unknown, e: Endpoint) => (
                <Space direction="vertical" size={0}>
                  <Switch
                    checked={e.enabled}
                    disabled={!can('manage')}
                    aria-label={`${t('webhooks.enabled')} ${e.url}`}
                    onChange={(enabled) => update.mutate({ id: e.id, body: { enabled } })}
                  />
                  {e.disabledReason && <Typography.Text type="danger">{t('webhooks.disabledReason')}: {e.disabledReason}</Typography.Text>}
                  {e.rotating && <Tag color={TONE.busy}>{t('webhooks.rotating')}</Tag>}
                </Space>
              ),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, e: Endpoint) => (
                <Space wrap>
                  <Button size="small" onClick={() => setParams({ suiteId: suiteId!, endpoint: e.id })} aria-label={`${t('webhooks.deliveries')} ${e.url}`}>
                    {t('webhooks.deliveries')}
                  </Button>
                  {can('manage') && (
                    <>
                      <Button size="small" onClick={() => setEditing(e)}>{t('webhooks.editFilter')}</Button>
                      <Popconfirm title={t('webhooks.rotateConfirm')} onConfirm={() => rotate.mutate(e.id)}>
                        <Button size="small">{t('webhooks.rotate')}</Button>
                      </Popconfirm>
                    </>
                  )}
                </Space>
              ),
            },
          ]}
        />
      </QueryState>
      {selected && (
        <Card style={{ marginTop: 24 }} title={t('webhooks.deliveriesOf', { url: selected.url })} extra={<Button onClick={() => void deliveries.refetch()}>{t('common.refresh')}</Button>}>
          <QueryState isLoading={deliveries.isLoading} error={deliveries.error} retry={() => void deliveries.refetch()} empty={!deliveryRows.length} emptyText={t('webhooks.noDeliveries')}>
            <Table
              rowKey="id"
              data-testid="webhook-deliveries"
              dataSource={deliveryRows}
              pagination={false}
              columns={[
                { title: t('webhooks.event'), dataIndex: 'eventId', render: (id: string) => <code>{id}</code> },
                { title: t('webhooks.corpId'), dataIndex: 'corpId' },
                { title: t('common.status'), dataIndex: 'status', render: (s: string) => <Tag color={DELIVERY_COLORS[s]}>{t(`deliveryStatus.${s}`, s)}</Tag> },
                { title: t('webhooks.attempts'), dataIndex: 'attempts' },
                { title: t('webhooks.lastStatus'), dataIndex: 'lastStatus', render: (s: number | null) => s ?? '—' },
                { title: t('webhooks.lastError'), dataIndex: 'lastError', render: (e: string | null) => e ?? '—' },
                { title: t('common.createdAt'), dataIndex: 'createdAt', render: dateTime },
                {
                  title: t('common.actions'),
                  key: 'redeliver',
                  render: (_: unknown, d) =>
                    can('operate') && (
                      <Button size="small" onClick={() => redeliver.mutate(d.id)} aria-label={`${t('webhooks.redeliver')} ${d.eventId}`}>
                        {t('webhooks.redeliver')}
                      </Button>
                    ),
                },
              ]}
            />
            {deliveries.hasNextPage && (
              <Button style={{ marginTop: 16 }} onClick={() => void deliveries.fetchNextPage()} loading={deliveries.isFetchingNextPage}>
                {t('common.more')}
              </Button>
            )}
          </QueryState>
        </Card>
      )}
      <Modal open={creating} title={t('webhooks.create')} footer={null} onCancel={() => setCreating(false)} destroyOnHidden>
        <Form layout="vertical" onFinish={(v: { url: string; description?: string; eventTypes?: string[] }) => create.mutate(v)}>
          <Form.Item label={t('webhooks.url')} name="url" rules={[{ required: true, max: 2048 }]}>
            <Input placeholder="https://crm.example.com/wecom-events" />
          </Form.Item>
          <Form.Item label={t('webhooks.description')} name="description" rules={[{ max: 500 }]}>
            <Input />
          </Form.Item>
          <Form.Item label={t('webhooks.eventTypes')} name="eventTypes" extra={t('webhooks.eventTypesHelp')}>
            <Select mode="tags" options={typeOptions} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={create.isPending}>{t('common.create')}</Button>
        </Form>
      </Modal>
      <Modal open={!!editing} title={t('webhooks.editFilter')} footer={null} onCancel={() => setEditing(null)} destroyOnHidden>
        {editing && (
          <Form layout="vertical" initialValues={{ eventTypes: editing.eventTypes, description: editing.description }} onFinish={(v: { eventTypes?: string[]; description?: string }) => update.mutate({ id: editing.id, body: { eventTypes: v.eventTypes ?? [], description: v.description ?? '' } })}>
            <Form.Item label={t('webhooks.eventTypes')} name="eventTypes" extra={t('webhooks.eventTypesHelp')}>
              <Select mode="tags" options={typeOptions} />
            </Form.Item>
            <Form.Item label={t('webhooks.description')} name="description" rules={[{ max: 500 }]}>
              <Input />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={update.isPending}>{t('common.save')}</Button>
          </Form>
        )}
      </Modal>
    </>
  );
}
