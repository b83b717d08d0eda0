import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { Button, DatePicker, Form, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { TONE } from '../theme';
import { QueryState } from '../components/QueryState';
import { StatusTag } from '../components/StatusTag';
import { dateTime } from '../format';

const FILTERS = ['q', 'suiteId', 'status', 'editionId', 'installedFrom', 'installedTo', 'tokenState'] as const;
const TOKEN_STATES = ['fresh', 'within_margin', 'expired', 'missing'] as const;

export default function Tenants() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filter = Object.fromEntries(FILTERS.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : []))) as Record<(typeof FILTERS)[number], string | undefined>;
  const suites = useQuery({ queryKey: ['suites'], queryFn: async () => unwrap(await api.GET('/api/v1/admin/suites', { params: { query: { limit: 200 } } })) });
  const query = useInfiniteQuery({
    queryKey: ['tenants', filter],
    initialPageParam: undefined as string | undefined,
    queryFn: async ({ pageParam }) =>
      unwrap(
        await api.GET('/api/v1/admin/corps', {
          params: {
            query: {
              ...filter,
              status: filter.status as 'active' | 'cancelled' | 'suspended' | undefined,
              tokenState: filter.tokenState as (typeof TOKEN_STATES)[number] | undefined,
              limit: 50,
              cursor: pageParam,
            },
          },
        }),
      ),
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = query.data?.pages.flatMap((p) => p.items) ?? [];

  const apply = (v: { q?: string; suiteId?: string; status?: string; editionId?: string; tokenState?: string; installed?: [Dayjs | null, Dayjs | null] | null }) => {
    const next: Record<string, string> = {};
    if (v.q?.trim()) next.q = v.q.trim();
    if (v.suiteId) next.suiteId = v.suiteId;
    if (v.status) next.status = v.status;
    if (v.editionId?.trim()) next.editionId = v.editionId.trim();
    if (v.tokenState) next.tokenState = v.tokenState;
    if (v.installed?.[0]) next.installedFrom = v.installed[0].startOf('day').toISOString();
    if (v.installed?.[1]) next.installedTo = v.installed[1].endOf('day').toISOString();
    setParams(next);
  };

  return (
    <>
      <Typography.Title level={2}>{t('tenants.title')}</Typography.Title>
      <Form
        layout="inline"
        onFinish={apply}
        key={params.toString()}
        initialValues={{ ...filter, installed: filter.installedFrom || filter.installedTo ? [filter.installedFrom ? dayjs(filter.installedFrom) : null, filter.installedTo ? dayjs(filter.installedTo) : null] : null }}
        style={{ marginBottom: 16, rowGap: 8 }}
        role="search"
      >
        <Form.Item name="q" label={t('common.search')}>
          <Input placeholder={t('tenants.search')} allowClear style={{ width: 220 }} />
        </Form.Item>
        <Form.Item name="suiteId" label={t('common.suite')}>
          <Select allowClear style={{ width: 180 }} options={(suites.data?.items ?? []).map((s) => ({ value: s.suiteId, label: s.name }))} />
        </Form.Item>
        <Form.Item name="status" label={t('common.status')}>
          <Select allowClear style={{ width: 140 }} options={['active', 'cancelled', 'suspended'].map((s) => ({ value: s, label: t(`status.${s}`) }))} />
        </Form.Item>
        <Form.Item name="tokenState" label={t('tenants.tokenState')}>
          <Select allowClear style={{ width: 150 }} options={TOKEN_STATES.map((s) => ({ value: s, label: t(`tenants.tokenStates.${s}`) }))} />
        </Form.Item>
        <Form.Item name="editionId" label={t('tenants.edition')}>
          <Input allowClear style={{ width: 140 }} />
        </Form.Item>
        <Form.Item name="installed" label={t('tenants.installedBetween')}>
          <DatePicker.RangePicker allowEmpty={[true, true]} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">{t('common.search')}</Button>
          <Button onClick={() => setParams({})}>{t('common.reset')}</Button>
        </Space>
      </Form>
      <QueryState isLoading={query.isLoading} error={query.error} retry={() => void query.refetch()} empty={!rows.length} emptyText={t('tenants.empty')}>
        <Table
          rowKey={(r) => `${r.suiteId}|${r.corpId}`}
          dataSource={rows}
          pagination={false}
          columns={[
            {
              title: t('tenants.corpName'),
              dataIndex: 'corpName',
              render: (name: string | null, r) => <Link to={`/tenants/${encodeURIComponent(r.suiteId)}/${encodeURIComponent(r.corpId)}`}>{name ?? r.corpId}</Link>,
            },
            { title: t('tenants.corpId'), dataIndex: 'corpId' },
            { title: t('common.suite'), dataIndex: 'suiteId' },
            { title: t('common.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
            { title: t('tenants.installedAt'), dataIndex: 'installedAt', render: dateTime },
            {
              title: t('tenants.token'),
              key: 'token',
              render: (_: unknown, r) =>
                r.token.expiresAt ? <Tag color={r.token.fresh ? TONE.good : TONE.warn}>{r.token.fresh ? t('tenants.fresh') : t('tenants.stale')}</Tag> : <Tag>{t('tenants.none')}</Tag>,
            },
          ]}
        />
        {query.hasNextPage && (
          <Button style={{ marginTop: 16 }} onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>
            {t('common.more')}
          </Button>
        )}
      </QueryState>
    </>
  );
}
