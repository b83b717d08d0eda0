import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Segmented, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router-dom';
import { api } from '../api/client';
import { switchLanguage } from '../i18n';
import { useSession } from '../session';

export default function Login() {
  const { t, i18n } = useTranslation();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

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
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} role="alert" />}
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
      </Card>
    </main>
  );
}
