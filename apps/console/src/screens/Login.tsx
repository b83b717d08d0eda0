import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Divider, Form, Input, Segmented, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router-dom';
import { api } from '../api/client';
import { switchLanguage } from '../i18n';
import { useSession } from '../session';

export default function Login() {
  const { t, i18n } = useTranslation();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  // Computed at each render, so a language switch translates it too.
  const refusal = wecomRefusal(params, t);
  const [busy, setBusy] = useState(false);
  // The WeCom button shows only when the platform is configured for it (CONSOLE_WECOM_LOGIN_PROVIDER_CORPID).
  const methods = useQuery({
    queryKey: ['sign-in-methods'],
    queryFn: async () => (await api.GET('/api/v1/console/sign-in-methods')).data ?? null,
    staleTime: Infinity,
  });

  const submit = async (values: { username: string; password: string }) => {
    setBusy(true);
    setError(null);
    const { data, response } = await api.POST('/api/v1/console/session', { body: values });
    setBusy(false);
    if (data) {
      signedIn(data);
      navigate('/overview', { replace: true });
    } else setError(response.status === 429 ? t('login.tooMany') : t('login.failed'));
  };

  return (
    <main style={{ minHeight: '100vh', display: 'grid', placeItems: 'center', background: '#f0f2f5' }}>
      <Card style={{ width: 380 }}>
        <Segmented
          aria-label={t('language')}
          size="small"
          style={{ float: 'right' }}
          value={i18n.language}
          onChange={(value) => switchLanguage(value as 'zh' | 'en')}
          options={[
            { label: '中文', value: 'zh' },
            { label: 'English', value: 'en' },
          ]}
        />
        <Typography.Title level={1} style={{ fontSize: 20 }}>
          {t('appName')}
        </Typography.Title>
        <Typography.Title level={2} style={{ fontSize: 16, fontWeight: 400 }}>
          {t('login.title')}
        </Typography.Title>
        {(error ?? refusal) && <Alert type="error" showIcon title={error ?? refusal} style={{ marginBottom: 16 }} role="alert" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false}>
          <Form.Item label={t('login.username')} name="username" rules={[{ required: true }]}>
            <Input autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label={t('login.password')} name="password" rules={[{ required: true }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            {t('login.submit')}
          </Button>
        </Form>
        {methods.data?.wecom && (
          <>
            <Divider plain>{t('login.or')}</Divider>
            {/* A navigation, not a fetch: the server sends the browser on to WeCom's scan page and back. */}
            <Button block href="/api/v1/console/session/wecom" data-testid="wecom-sign-in">
              {t('login.wecom')}
            </Button>
          </>
        )}
      </Card>
    </main>
  );
}

const WECOM_REFUSALS = new Set([
  'invalid_oauth_state',
  'invalid_oauth_code',
  'wecom_user_not_linked',
  'console_user_disabled',
  'wecom_corp_not_allowed',
  'wecom_user_without_userid',
  'wecom_login_disabled',
]);

/** The message for a refused WeCom sign-in, which the server sends back as `?wecom_error=<code>&wecom_user=<userid>`. */
function wecomRefusal(params: URLSearchParams, t: (key: string, values?: Record<string, string>) => string): string | null {
  const code = params.get('wecom_error');
  if (!code) return null;
  if (code === 'too_many_login_attempts') return t('login.tooMany');
  if (WECOM_REFUSALS.has(code)) return t(`login.wecomError.${code}`, { user: params.get('wecom_user') ?? '' });
  const errorId = params.get('error_id');
  return t('login.wecomError.other', { code: errorId ? `${code}, ${errorId}` : code });
}
