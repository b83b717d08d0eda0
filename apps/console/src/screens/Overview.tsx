import { useQuery } from '@tanstack/react-query';
import { Card, Col, List, Row, Statistic, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router-dom';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { api, unwrap } from '../api/client';
import { TONE } from '../theme';
import { QueryState } from '../components/QueryState';
import { age, hourOf } from '../format';

/** A number that opens the list behind it. */
function LinkedStat({ title, value, to, danger }: { title: string; value: number | string; to: string; danger?: boolean }) {
  return (
    <Link to={to} aria-label={`${title}: ${value}`}>
      <Statistic title={title} value={value} styles={{ content: danger ? { color: '#cf1322' } : undefined }} />
    </Link>
  );
}

export default function Overview() {
  const { t } = useTranslation();
  const query = useQuery({
    queryKey: ['overview'],
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/overview', { params: { query: { days: 14 } } })),
    refetchInterval: 15_000,
  });
  const o = query.data;
  return (
    <QueryState isLoading={query.isLoading} error={query.error} retry={() => void query.refetch()}>
      {o && (
        <>
          <Typography.Title level={2}>{t('nav.overview')}</Typography.Title>
          <Row gutter={[16, 16]}>
            <Col xs={24} md={12} xl={6}>
              <Card title={t('overview.tenants')}>
                <Row>
                  <Col span={8}><LinkedStat title={t('overview.active')} value={o.tenants.active} to="/tenants?status=active" /></Col>
                  <Col span={8}><LinkedStat title={t('overview.cancelled')} value={o.tenants.cancelled} to="/tenants?status=cancelled" /></Col>
                  <Col span={8}><LinkedStat title={t('overview.suspended')} value={o.tenants.suspended} to="/tenants?status=suspended" danger={o.tenants.suspended > 0} /></Col>
                </Row>
              </Card>
            </Col>
            <Col xs={24} md={12} xl={6}>
              <Card title={t('overview.backlog')}>
                <Row>
                  <Col span={8}><LinkedStat title={t('overview.backlog')} value={o.events.backlog} to="/events?status=queued" /></Col>
                  <Col span={8}><LinkedStat title={t('overview.failed')} value={o.events.byStatus.failed} to="/events?status=failed" danger={o.events.byStatus.failed > 0} /></Col>
                  <Col span={8}><Statistic title={t('overview.oldestPending')} value={age(o.events.oldestPendingAgeSeconds)} /></Col>
                </Row>
              </Card>
            </Col>
            <Col xs={24} md={12} xl={6}>
              <Card title={t('overview.tokens')}>
                <Row>
                  <Col span={6}><LinkedStat title={t('overview.fresh')} value={o.tokens.fresh} to="/tenants?tokenState=fresh" /></Col>
                  <Col span={6}><LinkedStat title={t('overview.withinMargin')} value={o.tokens.withinMargin} to="/tenants?tokenState=within_margin" /></Col>
                  <Col span={6}><LinkedStat title={t('overview.expired')} value={o.tokens.expired} to="/tenants?tokenState=expired" danger={o.tokens.expired > 0} /></Col>
                  <Col span={6}><LinkedStat title={t('overview.missing')} value={o.tokens.missing} to="/tenants?tokenState=missing" /></Col>
                </Row>
              </Card>
            </Col>
            <Col xs={24} md={12} xl={6}>
              <Card title={t('overview.tickets')}>
                <List
                  size="small"
                  dataSource={o.suites}
                  locale={{ emptyText: t('suites.empty') }}
                  renderItem={(s) => (
                    <List.Item>
                      <Link to={`/suites?suite=${encodeURIComponent(s.suiteId)}`}>{s.name}</Link>
                      <span>
                        {s.ticketAgeSeconds === null ? <Tag>{t('overview.noTicket')}</Tag> : age(s.ticketAgeSeconds)}{' '}
                        {s.ticketAgeSeconds !== null && <Tag color={s.fresh ? TONE.good : TONE.bad}>{s.fresh ? t('overview.ticketFresh') : t('overview.ticketStale')}</Tag>}
                      </span>
                    </List.Item>
                  )}
                />
              </Card>
            </Col>
            <Col xs={24} md={12} xl={6}>
              <Card title={t('overview.webhooks')}>
                <Row>
                  <Col span={8}>
                    <LinkedStat
                      title={t('overview.successRate')}
                      value={o.webhooks.successRate === null ? '—' : `${(o.webhooks.successRate * 100).toFixed(1)}%`}
                      to="/webhooks"
                      danger={o.webhooks.successRate !== null && o.webhooks.successRate < 0.95}
                    />
                  </Col>
                  <Col span={8}><Statistic title={t('overview.delivered')} value={o.webhooks.delivered} /></Col>
                  <Col span={8}><Statistic title={t('overview.deliveryFailed')} value={o.webhooks.failed} styles={{ content: o.webhooks.failed ? { color: '#cf1322' } : undefined }} /></Col>
                </Row>
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('overview.installsPerDay')}>
                <ResponsiveContainer width="100%" height={260}>
                  <BarChart data={o.perDay.map((d) => ({ ...d, day: d.day.slice(5) }))}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="day" />
                    <YAxis allowDecimals={false} />
                    <Tooltip />
                    <Legend />
                    <Bar dataKey="installs" name={t('overview.installs')} fill="#0a66c2" />
                    <Bar dataKey="cancellations" name={t('overview.cancellations')} fill="#bfbfbf" />
                  </BarChart>
                </ResponsiveContainer>
              </Card>
            </Col>
            <Col xs={24} xl={12}>
              <Card title={t('overview.intake')}>
                <ResponsiveContainer width="100%" height={260}>
                  <LineChart data={o.events.perHour.map((h) => ({ ...h, hour: hourOf(h.hour) }))}>
                    <CartesianGrid strokeDasharray="3 3" />
                    <XAxis dataKey="hour" />
                    <YAxis allowDecimals={false} />
                    <Tooltip />
                    <Legend />
                    <Line type="monotone" dataKey="received" name={t('overview.received')} stroke="#0a66c2" dot={false} />
                    <Line type="monotone" dataKey="processed" name={t('overview.processed')} stroke="#52c41a" dot={false} />
                  </LineChart>
                </ResponsiveContainer>
              </Card>
            </Col>
          </Row>
        </>
      )}
    </QueryState>
  );
}
