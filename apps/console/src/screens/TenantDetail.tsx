import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Col, Descriptions, Progress, Row, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router-dom';
import { api, unwrap } from '../api/client';
import { TONE } from '../theme';
import { QueryState } from '../components/QueryState';
import { StatusTag } from '../components/StatusTag';
import { dateTime } from '../format';
import { useSession } from '../session';

/** The install history's events: asked for by type, so data callbacks never crowd them out of a page. */
const INSTALL_TYPES = 'create_auth,change_auth,cancel_auth,reset_permanent_code';

function json(value: unknown): string {
  return value === null || value === undefined ? '—' : JSON.stringify(value, null, 2);
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** auth_user_info: the admin who installed (name and userid as WeCom sent them). */
function adminOf(info: unknown): string {
  if (!isObject(info)) return '—';
  return [info.name, info.userid ? `(${String(info.userid)})` : ''].filter(Boolean).join(' ') || '—';
}

/** edition_info.agent[]: edition name and id, seat limit, expiry (WeCom sends seconds). */
function editionsOf(info: unknown): string {
  const agents = isObject(info) && Array.isArray(info.agent) ? info.agent.filter(isObject) : [];
  if (!agents.length) return '—';
  return agents
    .map((a) => {
      const expires = typeof a.expired_time === 'number' ? ` · ${dateTime(a.expired_time * 1000)}` : '';
      const seats = typeof a.user_limit === 'number' ? ` · ${a.user_limit} seats` : '';
      return `${String(a.edition_name ?? '')} (${String(a.edition_id ?? '?')})${seats}${expires}`;
    })
    .join('; ');
}

export default function TenantDetail() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const queryClient = useQueryClient();
  const { suiteId = '', corpId = '' } = useParams();
  const path = { suiteId, corpId };
  const corp = useQuery({
    queryKey: ['corp', suiteId, corpId],
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/suites/{suiteId}/corps/{corpId}', { params: { path } })),
  });
  const tokens = useQuery({
    queryKey: ['corp-tokens', suiteId, corpId],
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/suites/{suiteId}/corps/{corpId}/tokens', { params: { path } })),
  });
  const usage = useQuery({
    queryKey: ['corp-gateway-usage', suiteId, corpId],
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/suites/{suiteId}/corps/{corpId}/gateway-usage', { params: { path } })),
  });
  const events = useQuery({
    queryKey: ['events', { suiteId, corpId }],
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/events', { params: { query: { suiteId, corpId, limit: 20 } } })),
  });
  const history = useQuery({
    queryKey: ['events', { suiteId, corpId, type: INSTALL_TYPES }],
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/events', { params: { query: { suiteId, corpId, type: INSTALL_TYPES, limit: 20 } } })),
  });
  const refresh = useMutation({
    mutationFn: async (kind: 'corp' | 'jsapi' | 'agent') =>
      unwrap(await api.POST('/api/v1/admin/suites/{suiteId}/corps/{corpId}/tokens/refresh', { params: { path }, body: { kind } })),
    onSuccess: (data) => {
      queryClient.setQueryData(['corp-tokens', suiteId, corpId], data);
      void message.success(t('tenant.refreshed'));
    },
    onError: (err) => void message.error(err.message),
  });
  const c = corp.data;
  const eventColumns = [
    { title: t('events.type'), dataIndex: 'type', render: (type: string, e: { id: string }) => <Link to={`/events?id=${e.id}`}>{type}</Link> },
    { title: t('common.status'), dataIndex: 'status', render: (s: string) => <StatusTag status={s} /> },
    { title: t('events.receivedAt'), dataIndex: 'receivedAt', render: dateTime },
  ];
  return (
    <QueryState isLoading={corp.isLoading} error={corp.error} retry={() => void corp.refetch()}>
      {c && (
        <>
          <Typography.Title level={2}>
            {c.corpName ?? c.corpId} <StatusTag status={c.status} />
          </Typography.Title>
          <Row gutter={[16, 16]}>
            <Col xs={24} xl={12}>
              <Card title={t('tenant.auth')}>
                <Descriptions column={1} size="small">
                  <Descriptions.Item label={t('tenants.corpId')}>{c.corpId}</Descriptions.Item>
                  <Descriptions.Item label={t('tenant.fullName')}>{c.corpFullName ?? '—'}</Descriptions.Item>
                  <Descriptions.Item label={t('common.suite')}>{suiteId}</Descriptions.Item>
                  <Descriptions.Item label={t('tenants.installedAt')}>{dateTime(c.installedAt)}</Descriptions.Item>
                  <Descriptions.Item label={t('tenant.updated')}>{dateTime(c.updatedAt)}</Descriptions.Item>
                  {c.cancelledAt && <Descriptions.Item label={t('tenant.cancelledAt')}>{dateTime(c.cancelledAt)}</Descriptions.Item>}
                  {c.statusReason && <Descriptions.Item label={t('tenant.statusReason')}>{c.statusReason}</Descriptions.Item>}
                  <Descriptions.Item label={t('tenant.admin')}>{adminOf(c.authUserInfo)}</Descriptions.Item>
                  <Descriptions.Item label={t('tenant.edition')}>{editionsOf(c.editionInfo)}</Descriptions.Item>
                </Descriptions>
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('tenant.tokens')}>
                <QueryState isLoading={tokens.isLoading} error={tokens.error}>
                  <Table
                    rowKey="kind"
                    size="small"
                    pagination={false}
                    dataSource={tokens.data?.items ?? []}
                    columns={[
                      { title: t('tenant.kind'), dataIndex: 'kind', render: (k: string) => t(`tenant.kinds.${k}`) },
                      { title: t('tenant.expiresAt'), dataIndex: 'expiresAt', render: dateTime },
                      { title: t('tenant.updatedAt'), dataIndex: 'updatedAt', render: dateTime },
                      { title: t('common.status'), dataIndex: 'fresh', render: (fresh: boolean, r) => (r.expiresAt ? <Tag color={fresh ? TONE.good : TONE.warn}>{fresh ? t('tenants.fresh') : t('tenants.stale')}</Tag> : <Tag>{t('tenants.none')}</Tag>) },
                      {
                        title: t('common.actions'),
                        key: 'refresh',
                        render: (_: unknown, r) =>
                          can('operate') && c.status === 'active' ? (
                            <Button size="small" loading={refresh.isPending && refresh.variables === r.kind} onClick={() => refresh.mutate(r.kind as 'corp' | 'jsapi' | 'agent')}>
                              {t('tenant.refreshNow')}
                            </Button>
                          ) : null,
                      },
                    ]}
                  />
                </QueryState>
              </Card>
              <Card title={t('tenant.agents')} style={{ marginTop: 16 }}>
                <Table
                  rowKey="agentId"
                  size="small"
                  pagination={false}
                  dataSource={c.agents}
                  columns={[
                    { title: t('tenant.agentId'), dataIndex: 'agentId' },
                    { title: t('suites.name'), dataIndex: 'name' },
                    { title: t('tenant.authMode'), dataIndex: 'authMode' },
                    { title: t('tenant.privilege'), dataIndex: 'privilege', render: (p: unknown) => <pre style={{ margin: 0, maxWidth: 360, overflow: 'auto' }}>{json(p)}</pre> },
                  ]}
                />
              </Card>
              <Card title={t('tenant.gateway')} style={{ marginTop: 16 }}>
                <QueryState isLoading={usage.isLoading} error={usage.error} empty={!usage.data}>
                  {usage.data && (
                    <Descriptions column={1} size="small">
                      <Descriptions.Item label={t('tenant.messagesToday')}>
                        <span>
                          {usage.data.messagesToday} / {usage.data.messagesDailyLimit}
                        </span>
                        <Progress
                          percent={usage.data.messagesDailyLimit ? Math.round((100 * usage.data.messagesToday) / usage.data.messagesDailyLimit) : 0}
                          size="small"
                          showInfo={false}
                          style={{ maxWidth: 200, marginLeft: 12 }}
                          aria-label={t('tenant.messagesToday')}
                        />
                      </Descriptions.Item>
                      <Descriptions.Item label={t('tenant.corpUserMax')}>{usage.data.corpUserMax}</Descriptions.Item>
                      <Descriptions.Item label={t('tenant.apiPerMinute')}>{usage.data.corpApiPerMinuteLimit}</Descriptions.Item>
                      <Descriptions.Item label={t('tenant.slowedDown')}>
                        {usage.data.slowedDownForSeconds > 0 ? <Tag color={TONE.warn}>{t('tenant.heldFor', { seconds: usage.data.slowedDownForSeconds })}</Tag> : t('tenant.notHeld')}
                      </Descriptions.Item>
                    </Descriptions>
                  )}
                </QueryState>
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('tenant.history')}>
                <QueryState isLoading={history.isLoading} error={history.error}>
                  <Table rowKey="id" size="small" pagination={false} dataSource={history.data?.items ?? []} columns={eventColumns} />
                </QueryState>
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('tenant.events')} extra={<Link to={`/events?suiteId=${encodeURIComponent(suiteId)}&corpId=${encodeURIComponent(corpId)}`}>{t('common.view')}</Link>}>
                <QueryState isLoading={events.isLoading} error={events.error} empty={!events.data?.items.length}>
                  <Table rowKey="id" size="small" pagination={false} dataSource={events.data?.items ?? []} columns={eventColumns} />
                </QueryState>
              </Card>
            </Col>
          </Row>
        </>
      )}
    </QueryState>
  );
}
