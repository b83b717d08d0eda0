import type { ReactNode } from 'react';
import { ApiOutlined, AppstoreOutlined, BankOutlined, DashboardOutlined, KeyOutlined, LogoutOutlined, SendOutlined, TeamOutlined } from '@ant-design/icons';
import { Button, Layout, Menu, Segmented, Space, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import { switchLanguage } from './i18n';
import { TONE } from './theme';
import { useSession } from './session';

export function AppLayout({ children }: { children: ReactNode }) {
  const { t, i18n } = useTranslation();
  const { session, signOut, can } = useSession();
  const location = useLocation();
  const items = [
    { key: '/overview', icon: <DashboardOutlined />, label: <Link to="/overview">{t('nav.overview')}</Link> },
    { key: '/suites', icon: <AppstoreOutlined />, label: <Link to="/suites">{t('nav.suites')}</Link> },
    { key: '/tenants', icon: <BankOutlined />, label: <Link to="/tenants">{t('nav.tenants')}</Link> },
    { key: '/events', icon: <ApiOutlined />, label: <Link to="/events">{t('nav.events')}</Link> },
    { key: '/webhooks', icon: <SendOutlined />, label: <Link to="/webhooks">{t('nav.webhooks')}</Link> },
    ...(can('manage')
      ? [
          { key: '/api-keys', icon: <KeyOutlined />, label: <Link to="/api-keys">{t('nav.apiKeys')}</Link> },
          { key: '/users', icon: <TeamOutlined />, label: <Link to="/users">{t('nav.users')}</Link> },
        ]
      : []),
  ];
  const selected = items.find((item) => location.pathname.startsWith(item.key))?.key ?? '/overview';
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Sider width={210} theme="light" breakpoint="lg" collapsedWidth={0}>
        <Typography.Title level={1} style={{ fontSize: 16, padding: '20px 16px 8px', margin: 0 }}>
          {t('appName')}
        </Typography.Title>
        <nav aria-label={t('appName')}>
          <Menu mode="inline" selectedKeys={[selected]} items={items} />
        </nav>
      </Layout.Sider>
      <Layout>
        <Layout.Header style={{ background: '#fff', display: 'flex', justifyContent: 'flex-end', alignItems: 'center', paddingInline: 24 }}>
          <Space size="middle">
            <Segmented
              aria-label={t('language')}
              size="small"
              value={i18n.language}
              onChange={(value) => switchLanguage(value as 'zh' | 'en')}
              options={[
                { label: '中文', value: 'zh' },
                { label: 'English', value: 'en' },
              ]}
            />
            <span data-testid="current-user">
              {session?.user.username} <Tag color={TONE.info}>{t(`role.${session?.user.role ?? 'viewer'}`)}</Tag>
            </span>
            <Button icon={<LogoutOutlined />} onClick={() => void signOut()}>
              {t('logout')}
            </Button>
          </Space>
        </Layout.Header>
        <Layout.Content style={{ padding: 24 }}>
          <main>{children}</main>
        </Layout.Content>
      </Layout>
    </Layout>
  );
}
