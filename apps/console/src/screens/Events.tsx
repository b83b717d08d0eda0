import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, DatePicker, Descriptions, Drawer, Form, Input, Popconfirm, Select, Space, Table, Tooltip, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { QueryState } from '../components/QueryState';
import { StatusTag } from '../components/StatusTag';
import { dateTime } from '../format';
import { useSession } from '../session';

const FILTERS = ['suiteId', 'corpId', 'type', 'status', 'kind', 'from', 'to'] as const;
type Filter = Partial<Record<(typeof FILTERS)[number], string>>;
type Status = 'received' | 'queued' | 'processing' | 'processed' | 'failed' | 'awaiting_tenant' | 'orphan';

function ReplayButton({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const replay = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/admin/events/{id}/replay', { params: { path: { id } } })),
    onSuccess: () => {
      void message.success(t('events.replayed'));
      onDone();
    },
    onError: (err) => void message.error(err.message),
  });
  const button = (
    <Button size="small" disabled={!can('operate')} loading={replay.isPending} onClick={() => replay.mutate()} aria-label={`${t('events.replay')} ${id}`}>
      {t('events.replay')}
    </Button>
  );
  return can('operate') ? button : <Tooltip title={t('common.denied')}>{button}</Tooltip>;
}

function EventDetail({ id, onReplayed }: { id: string; onReplayed: () => void }) {
  const { t } = useTranslation();
  const event = useQuery({ queryKey: ['event', id], queryFn: async () => unwrap(await api.GET('/api/v1/admin/events/{id}', { params: { path: { id } } })) });
  const e = event.data;
  return (
    <QueryState isLoading={event.isLoading} error={event.error}>
      {e && (
        <>
          <Descriptions column={1} size="small" bordered>
            <Descriptions.Item label="ID">{e.id}</Descriptions.Item>
            <Descriptions.Item label={t('events.type')}>{e.type}</Descriptions.Item>
            <Descriptions.Item label={t('common.status')}><StatusTag status={e.status} /></Descriptions.Item>
            <Descriptions.Item label={t('common.suite')}>{e.suiteId}</Descriptions.Item>
            <Descriptions.Item label={t('events.corpId')}>{e.corpId ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('events.attempts')}>{e.attempts}</Descriptions.Item>
            <Descriptions.Item label={t('events.lastError')}>{e.lastError ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('events.receivedAt')}>{dateTime(e.receivedAt)}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={3} style={{ fontSize: 16, marginTop: 16 }}>{t('events.payload')}</Typography.Title>
          <pre data-testid="event-payload" style={{ background: '#f5f5f5', padding: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{e.payload.replace(/></g, '>\n<')}</pre>
          <ReplayButton id={e.id} onDone={() => { void event.refetch(); onReplayed(); }} />
        </>
      )}
    </QueryState>
  );
}

export default function Events() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const [params, setParams] = useSearchParams();
  const filter: Filter = Object.fromEntries(FILTERS.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : [])));
  const openId = params.get('id');
  const typed = { ...filter, status: filter.status as Status | undefined, kind: filter.kind as 'command' | 'data' | 'system' | undefined };
  const query = useInfiniteQuery({
    queryKey: ['events', filter],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) => unwrap(await api.GET('/api/v1/admin/events', { params: { query: { ...typed, limit: 50, cursor: pageParam } } })),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];
  const refreshList = () => void queryClient.invalidateQueries({ queryKey: ['events'] });
  const batch = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/v1/admin/events/replay', { body: { ...typed, max: 100 } })),
    onSuccess: (data) => {
      void message.success(t('events.batchDone', { count: data.ids.length }));
      refreshList();
    },
    onError: (err) => void message.error(err.message),
  });
  const setFilter = (next: Filter) => setParams(Object.fromEntries(Object.entries(next).filter(([, v]) => v)) as Record<string, string>);
  const apply = (v: Filter & { range?: [Dayjs | null, Dayjs | null] | null }) => {
    const { range, ...rest } = v;
    setFilter({ ...rest, from: range?.[0]?.toISOString(), to: range?.[1]?.toISOString() });
  };
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={2}>{t('events.title')}</Typography.Title>
        {can('operate') && (
          <Popconfirm title={t('events.replayBatchConfirm')} onConfirm={() => batch.mutate()}>
            <Button loading={batch.isPending}>{t('events.replayBatch')}</Button>
          </Popconfirm>
        )}
      </Space>
      <Form layout="inline" onFinish={apply} key={params.toString()} initialValues={filter} style={{ marginBottom: 16, rowGap: 8 }} role="search">
        <Form.Item name="suiteId" label={t('common.suite')}><Input allowClear style={{ width: 160 }} /></Form.Item>
        <Form.Item name="corpId" label={t('events.corpId')}><Input allowClear style={{ width: 160 }} /></Form.Item>
        <Form.Item name="type" label={t('events.type')}><Input allowClear style={{ width: 140 }} placeholder="create_auth" /></Form.Item>
        <Form.Item name="status" label={t('common.status')}>
          <Select allowClear style={{ width: 130 }} options={['received', 'queued', 'processing', 'processed', 'failed', 'awaiting_tenant', 'orphan'].map((s) => ({ value: s, label: t(`status.${s}`) }))} />
        </Form.Item>
        <Form.Item name="kind" label={t('events.kind')}>
          <Select allowClear style={{ width: 120 }} options={[{ value: 'command', label: '指令回调 command' }, { value: 'data', label: '数据回调 data' }, { value: 'system', label: '系统事件 system' }]} />
        </Form.Item>
        <Form.Item name="range" label={`${t('events.from')} – ${t('events.to')}`}><DatePicker.RangePicker showTime allowEmpty={[true, true]} /></Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">{t('common.search')}</Button>
          <Button onClick={() => setParams({})}>{t('common.reset')}</Button>
        </Space>
      </Form>
      <QueryState isLoading={query.isLoading} error={query.error} retry={() => void query.refetch()} empty={!rows.length} emptyText={t('events.empty')}>
        <Table
          rowKey="id"
          dataSource={rows}
          pagination={false}
          columns={[
            { title: 'ID', dataIndex: 'id', render: (id: string) => <Link to={`?${new URLSearchParams({ ...Object.fromEntries(params), id }).toString()}`}>{id}</Link> },
            { title: t('events.type'), dataIndex: 'type' },
            { title: t('common.suite'), dataIndex: 'suiteId' },
            { title: t('events.corpId'), dataIndex: 'corpId', render: (v: string | null) => v ?? '—' },
            { title: t('common.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
            { title: t('events.attempts'), dataIndex: 'attempts' },
            { title: t('events.lastError'), dataIndex: 'lastError', ellipsis: true, render: (v: string | null) => v ?? '—' },
            { title: t('events.receivedAt'), dataIndex: 'receivedAt', render: dateTime },
            { title: t('common.actions'), key: 'replay', render: (_: unknown, e) => <ReplayButton id={e.id} onDone={refreshList} /> },
          ]}
        />
        {query.hasNextPage && (
          <Button style={{ marginTop: 16 }} onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
            {t('common.more')}
          </Button>
        )}
      </QueryState>
      <Drawer width={640} open={!!openId} title={`${t('events.detail')} ${openId ?? ''}`} onClose={() => { const p = new URLSearchParams(params); p.delete('id'); setParams(p); }}>
        {openId && <EventDetail id={openId} onReplayed={refreshList} />}
      </Drawer>
    </>
  );
}
