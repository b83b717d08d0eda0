import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Drawer, Form, Input, Modal, Space, Switch, Table, Typography } from 'antd';
import { QRCodeSVG } from 'qrcode.react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router-dom';
import { api, unwrap, type Schemas } from '../api/client';
import { QueryState } from '../components/QueryState';
import { dateTime } from '../format';
import { useSession } from '../session';

type Suite = Schemas['SuiteDto'];

/** Register (suiteId + every secret) or edit (secrets left empty are kept: they are write-only). */
function SuiteForm({ suite, onDone }: { suite: Suite | null; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const queryClient = useQueryClient();
  const save = useMutation({
    mutationFn: async (v: Record<string, string | boolean | undefined>) => {
      const common = {
        name: (v.name as string) || undefined,
        successUrl: (v.successUrl as string) || (suite ? null : undefined),
        defaultAuthType: (v.testInstall ? 1 : 0) as 0 | 1,
      };
      const secrets = {
        secret: (v.secret as string) || undefined,
        token: (v.token as string) || undefined,
        encodingAesKey: (v.encodingAesKey as string) || undefined,
        providerCorpId: (v.providerCorpId as string) || undefined,
        providerSecret: (v.providerSecret as string) || undefined,
      };
      if (suite) return unwrap(await api.PATCH('/api/v1/admin/suites/{suiteId}', { params: { path: { suiteId: suite.suiteId } }, body: { ...common, ...secrets } }));
      return unwrap(
        await api.POST('/api/v1/admin/suites', {
          body: { suiteId: v.suiteId as string, ...common, successUrl: common.successUrl ?? undefined, secret: secrets.secret!, token: secrets.token!, encodingAesKey: secrets.encodingAesKey!, providerCorpId: secrets.providerCorpId, providerSecret: secrets.providerSecret },
        }),
      );
    },
    onSuccess: () => {
      void message.success(t('suites.saved'));
      void queryClient.invalidateQueries({ queryKey: ['suites'] });
      onDone();
    },
    onError: (err) => void message.error(err.message),
  });
  const required = !suite;
  return (
    <Form
      layout="vertical"
      onFinish={(v) => save.mutate(v)}
      initialValues={suite ? { name: suite.name, successUrl: suite.successUrl ?? '', testInstall: suite.defaultAuthType === 1, providerCorpId: suite.providerCorpId ?? '' } : { testInstall: false }}
    >
      <Form.Item label={t('suites.suiteId')} name="suiteId" rules={[{ required, pattern: /^[A-Za-z0-9_-]{1,64}$/ }]} hidden={!!suite}>
        <Input />
      </Form.Item>
      <Form.Item label={t('suites.name')} name="name">
        <Input />
      </Form.Item>
      {suite && <Typography.Paragraph type="secondary">{t('suites.secretsWriteOnly')}</Typography.Paragraph>}
      <Form.Item label={t('suites.secret')} name="secret" rules={[{ required }]}>
        <Input.Password autoComplete="off" />
      </Form.Item>
      <Form.Item label={t('suites.token')} name="token" rules={[{ required }]}>
        <Input.Password autoComplete="off" />
      </Form.Item>
      <Form.Item label={t('suites.aesKey')} name="encodingAesKey" rules={[{ required }, { pattern: /^[A-Za-z0-9+/]{43}$/, message: '43 base64 characters' }]}>
        <Input.Password autoComplete="off" />
      </Form.Item>
      <Form.Item label={t('suites.successUrl')} name="successUrl" rules={[{ type: 'url' }]}>
        <Input />
      </Form.Item>
      <Form.Item label={t('suites.testInstall')} name="testInstall" valuePropName="checked">
        <Switch />
      </Form.Item>
      <Form.Item label={t('suites.providerCorpId')} name="providerCorpId">
        <Input />
      </Form.Item>
      <Form.Item label={t('suites.providerSecret')} name="providerSecret">
        <Input.Password autoComplete="off" />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('common.save')}
        </Button>
        <Button onClick={onDone}>{t('common.cancel')}</Button>
      </Space>
    </Form>
  );
}

/** What to paste into WeCom's console, and the install link (with its QR code) for sales. */
function SuiteSetup({ suite }: { suite: Suite }) {
  const { t } = useTranslation();
  const [test, setTest] = useState(suite.defaultAuthType === 1);
  const setup = useQuery({
    queryKey: ['suite-setup', suite.suiteId],
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/suites/{suiteId}/setup', { params: { path: { suiteId: suite.suiteId } } })),
  });
  const detail = useQuery({
    queryKey: ['suite', suite.suiteId],
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/suites/{suiteId}', { params: { path: { suiteId: suite.suiteId } } })),
  });
  const s = setup.data;
  const link = s ? (test ? s.testInstallUrl : s.installUrl.replace(/\?.*$/, '') + '?auth_type=0') : '';
  return (
    <QueryState isLoading={setup.isLoading} error={setup.error}>
      {s && (
        <>
          <Descriptions column={1} bordered size="small" title={t('suites.setup')}>
            <Descriptions.Item label={t('suites.commandUrl')}><Typography.Text copyable>{s.commandCallbackUrl}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label={t('suites.dataUrl')}><Typography.Text copyable>{s.dataCallbackUrl}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label={t('suites.redirectDomain')}><Typography.Text copyable>{s.redirectDomain}</Typography.Text></Descriptions.Item>
            <Descriptions.Item label={t('suites.ticket')}>{dateTime(detail.data?.suiteTicket.receivedAt)}</Descriptions.Item>
          </Descriptions>
          <Typography.Title level={3} style={{ fontSize: 16, marginTop: 24 }}>{t('suites.installLink')}</Typography.Title>
          <Space direction="vertical">
            <label>
              <Switch checked={test} onChange={setTest} aria-label={t('suites.testInstall')} /> {t('suites.testInstall')}
            </label>
            <Typography.Link href={link} target="_blank" copyable data-testid="install-link">
              {link}
            </Typography.Link>
            <QRCodeSVG value={link} size={160} title={t('suites.installQr')} />
          </Space>
        </>
      )}
    </QueryState>
  );
}

export default function Suites() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const [editing, setEditing] = useState<Suite | 'new' | null>(null);
  const query = useQuery({
    queryKey: ['suites'],
    queryFn: async () => unwrap(await api.GET('/api/v1/admin/suites', { params: { query: { limit: 200 } } })),
  });
  const suites = query.data?.items ?? [];
  const open = suites.find((s) => s.suiteId === params.get('suite')) ?? null;
  return (
    <>
      <Space style={{ width: '100%', justifyContent: 'space-between' }}>
        <Typography.Title level={2}>{t('suites.title')}</Typography.Title>
        {can('manage') && (
          <Button type="primary" onClick={() => setEditing('new')}>
            {t('suites.register')}
          </Button>
        )}
      </Space>
      <QueryState isLoading={query.isLoading} error={query.error} retry={() => void query.refetch()} empty={!suites.length} emptyText={t('suites.empty')}>
        <Table
          rowKey="suiteId"
          dataSource={suites}
          pagination={false}
          columns={[
            { title: t('suites.name'), dataIndex: 'name', render: (name: string, s) => <Link to={`?suite=${encodeURIComponent(s.suiteId)}`}>{name}</Link> },
            { title: t('suites.suiteId'), dataIndex: 'suiteId' },
            { title: t('suites.testInstall'), dataIndex: 'defaultAuthType', render: (v: number) => (v === 1 ? t('common.yes') : t('common.no')) },
            { title: t('common.createdAt'), dataIndex: 'createdAt', render: dateTime },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_: unknown, s) => (
                <Space>
                  <Button size="small" onClick={() => setParams({ suite: s.suiteId })}>{t('suites.setup')}</Button>
                  <Link to={`/tenants?suiteId=${encodeURIComponent(s.suiteId)}`}>{t('suites.tenants')}</Link>
                  {can('manage') && <Button size="small" onClick={() => setEditing(s)}>{t('common.edit')}</Button>}
                </Space>
              ),
            },
          ]}
        />
      </QueryState>
      <Drawer width={640} open={!!open} onClose={() => setParams({})} title={open?.name}>
        {open && <SuiteSetup suite={open} />}
      </Drawer>
      <Modal open={!!editing} footer={null} onCancel={() => setEditing(null)} title={editing === 'new' ? t('suites.register') : t('common.edit')} destroyOnHidden>
        {editing && <SuiteForm suite={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
    </>
  );
}
