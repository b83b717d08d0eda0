import { lazy, Suspense } from 'react';
import { App as AntApp, ConfigProvider, Spin } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router-dom';
import { AppLayout } from './AppLayout';
import { useSession } from './session';
import { theme } from './theme';

// One chunk per screen: the first load carries the shell and the sign-in page only.
const Login = lazy(() => import('./screens/Login'));
const Overview = lazy(() => import('./screens/Overview'));
const Suites = lazy(() => import('./screens/Suites'));
const Tenants = lazy(() => import('./screens/Tenants'));
const TenantDetail = lazy(() => import('./screens/TenantDetail'));
const Events = lazy(() => import('./screens/Events'));
const Webhooks = lazy(() => import('./screens/Webhooks'));
const ApiKeys = lazy(() => import('./screens/ApiKeys'));
const Users = lazy(() => import('./screens/Users'));

const spinner = <Spin size="large" style={{ display: 'block', margin: '20vh auto' }} />;

export function App() {
  const { i18n } = useTranslation();
  const { session, loading } = useSession();
  return (
    <ConfigProvider locale={i18n.language === 'zh' ? zhCN : enUS} theme={theme} button={{ autoInsertSpace: false }}>
      <AntApp>
        {loading ? (
          spinner
        ) : (
          <Suspense fallback={spinner}>
            {!session ? (
              <Routes>
                <Route path="*" element={<Login />} />
              </Routes>
            ) : (
              <AppLayout>
                <Suspense fallback={spinner}>
                  <Routes>
                    <Route path="/" element={<Navigate to="/overview" replace />} />
                    <Route path="/login" element={<Navigate to="/overview" replace />} />
                    <Route path="/overview" element={<Overview />} />
                    <Route path="/suites" element={<Suites />} />
                    <Route path="/tenants" element={<Tenants />} />
                    <Route path="/tenants/:suiteId/:corpId" element={<TenantDetail />} />
                    <Route path="/events" element={<Events />} />
                    <Route path="/webhooks" element={<Webhooks />} />
                    <Route path="/api-keys" element={<ApiKeys />} />
                    <Route path="/users" element={<Users />} />
                    <Route path="*" element={<Navigate to="/overview" replace />} />
                  </Routes>
                </Suspense>
              </AppLayout>
            )}
          </Suspense>
        )}
      </AntApp>
    </ConfigProvider>
  );
}
